"""Meek's distribution moves every distinct ballot down its ranks at once with
numpy; held here to the ballot-by-ballot walk down a prefix tree, integer for
integer, on single passes and on whole counts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asamblea.voting.methods import RankedProfile, stv_meek
from asamblea.voting.methods.errors import UnsupportedBallotError
from asamblea.voting.methods.stv_meek import UNIT, meek_stv


class Node:
    def __init__(self, candidate: int) -> None:
        self.candidate = candidate
        self.count = 0
        self.ends = 0
        self.children: dict[int, Node] = {}


def tree_of(profile: RankedProfile) -> list[Node]:
    roots: dict[int, Node] = {}
    for levels, count in profile.ballots:
        level, node = roots, None
        for (c,) in levels:
            node = level.get(c)
            if node is None:
                node = level[c] = Node(c)
            node.count += count
            level = node.children
        if node is not None:
            node.ends += count
    return list(roots.values())


def walk(roots: list[Node], keep: list[int], n: int) -> tuple[list[int], int]:
    """The reference: each prefix once, weights in Python integers."""
    votes, excess = [0] * n, 0
    stack = [(r, UNIT) for r in roots]
    while stack:
        node, weight = stack.pop()
        k = keep[node.candidate]
        if k == UNIT:
            votes[node.candidate] += weight * node.count
            continue
        if k:
            given = -((-weight * k) // UNIT)
            votes[node.candidate] += given * node.count
            weight -= given
        if weight == 0:
            continue
        excess += weight * node.ends
        stack.extend((child, weight) for child in node.children.values())
    return votes, excess


@st.composite
def profiles(draw: st.DrawFn) -> RankedProfile:
    n = draw(st.integers(1, 7))
    names = [f"c{i}" for i in range(n)]
    ranking = st.permutations(names).flatmap(
        lambda p: st.integers(1, len(p)).map(lambda k: tuple(p[:k]))
    )
    pairs = draw(st.lists(st.tuples(ranking, st.integers(1, 10**6)), min_size=1, max_size=40))
    return RankedProfile.from_counts(names, pairs)


keep_value = st.one_of(st.just(0), st.just(UNIT), st.integers(1, UNIT - 1))


@settings(max_examples=300, deadline=None)
@given(profiles(), st.lists(keep_value, min_size=7, max_size=7))
def test_one_distribution_equals_the_tree_walk(profile, keep):
    n = len(profile.candidates)
    keep = keep[:n]
    table = stv_meek._table(profile.strict_rows("meek-stv"), n)
    expected = walk(tree_of(profile), keep, n)
    assert stv_meek._distribute(table, keep, n) == expected
    assert stv_meek._distribute_tree(stv_meek._build_tree(table, n), keep, n) == expected


@settings(max_examples=150, deadline=None)
@given(profiles(), st.integers(1, 7), st.text(max_size=3))
def test_whole_count_is_the_same_by_numpy_and_by_tree(profile, seats, seed):
    seats = min(seats, len(profile.candidates))
    original = stv_meek.NUMPY_MIN_BALLOTS
    try:
        stv_meek.NUMPY_MIN_BALLOTS = 0
        by_numpy = meek_stv(profile, seats=seats, seed=seed)
        stv_meek.NUMPY_MIN_BALLOTS = 10**12
        by_tree = meek_stv(profile, seats=seats, seed=seed)
    finally:
        stv_meek.NUMPY_MIN_BALLOTS = original
    assert by_numpy.to_dict() == by_tree.to_dict()


def test_equal_ranks_are_refused():
    profile = RankedProfile.from_rankings("ABC", [["A", ["B", "C"]]])
    with pytest.raises(UnsupportedBallotError, match="does not accept equal ranks"):
        meek_stv(profile, seats=1)
