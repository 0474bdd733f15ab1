"""The pairwise matrix: the numpy build for strict rankings gives exactly the
integers of the pure build, every Condorcet result is the same whichever
build made its matrix, and the matrix is built once per profile."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asamblea.voting.methods import RankedProfile, count
from asamblea.voting.methods import pairwise as pw
from asamblea.voting.methods.errors import InvalidBallotError

CONDORCET = ("condorcet", "copeland", "schulze", "ranked-pairs")


@st.composite
def strict_profiles(draw: st.DrawFn) -> tuple[list[str], list[tuple[str, ...]]]:
    """Complete or truncated strict rankings, with repeats and blank ballots."""
    n = draw(st.integers(1, 9))
    names = [f"c{i}" for i in range(n)]
    ranking = st.permutations(names).flatmap(
        lambda p: st.integers(0, len(p)).map(lambda k: tuple(p[:k]))
    )
    ballots = draw(st.lists(ranking, min_size=1, max_size=60))
    return names, ballots


def pure_twin(profile: RankedProfile) -> RankedProfile:
    """The same ballots in a profile that did not come through the bulk path."""
    return RankedProfile.from_levels(profile.candidates, profile.ballots, blank=profile.blank)


@settings(max_examples=300, deadline=None)
@given(strict_profiles())
def test_numpy_build_equals_pure_build(case):
    names, ballots = case
    profile = RankedProfile.from_rankings(names, ballots)
    pure = pw.build_pure(len(names), profile.ballots)
    assert pw.build_strict_numpy(len(names), pw.rows_of(profile.ballots)) == pure
    assert profile.pairwise.d == pure
    assert all(type(x) is int for row in profile.pairwise.d for x in row)
    assert pure_twin(profile).pairwise.d == pure


@settings(max_examples=200, deadline=None)
@given(strict_profiles(), st.lists(st.integers(1, 2**40), min_size=1, max_size=60))
def test_numpy_build_takes_weights_exactly(case, weights):
    names, ballots = case
    pairs = [(b, weights[i % len(weights)]) for i, b in enumerate(ballots)]
    profile = RankedProfile.from_counts(names, pairs)
    pure = pw.build_pure(len(names), profile.ballots)
    if profile.ballots:
        assert pw.build_strict_numpy(len(names), pw.rows_of(profile.ballots)) == pure
        assert profile.pairwise.d == pure


@settings(max_examples=150, deadline=None)
@given(strict_profiles(), st.sampled_from(CONDORCET), st.text(max_size=4))
def test_condorcet_results_do_not_depend_on_the_build(case, method, seed):
    names, ballots = case
    fast = RankedProfile.from_rankings(names, ballots)
    if not fast.ballots:
        return
    slow = pure_twin(fast)
    # Force the pure build on the twin, as for a profile with equal ranks.
    object.__setattr__(
        slow,
        "pairwise",
        pw.PairwiseMatrix(slow.candidates, pw.build_pure(len(names), slow.ballots)),
    )
    assert count(method, fast, seed=seed).to_dict() == count(method, slow, seed=seed).to_dict()


def test_equal_ranks_take_the_pure_build():
    profile = RankedProfile.from_rankings("ABC", [["A", ["B", "C"]], ["C", "A"], ["B"]])
    assert profile.has_equal_ranks
    assert profile.pairwise.d == pw.build_pure(3, profile.ballots)
    assert profile.pairwise.as_dict()["A"] == {"B": 2, "C": 1}


def test_matrix_is_built_once_per_profile():
    profile = RankedProfile.from_rankings("ABC", [("A", "B", "C"), ("B", "C")] * 3)
    first = profile.pairwise
    for method in CONDORCET:
        count(method, profile)
    assert profile.pairwise is first


@pytest.mark.parametrize(
    ("ballot", "message"),
    [
        (("A", "B", "A"), "ranked twice"),
        (("A", "Z"), "unknown candidate"),
        ("AB", "list of candidate names"),
        (("A", 1), "a rank must be a candidate name"),
    ],
)
def test_bulk_path_still_names_the_bad_ballot(ballot, message):
    good = [("A", "B", "C"), ("C", "B"), ()] * 5
    with pytest.raises(InvalidBallotError, match=message):
        RankedProfile.from_rankings("ABC", [*good, ballot, *good])


@pytest.mark.parametrize("weights", [[1] * 5, [2**40, 3, 2**40], [2**61, 2**61, 2**61], []])
def test_total_weight_is_exact(weights):
    ballots = [(((0,), (1,)), w) for w in weights]
    assert pw.total_weight(pw.rows_of(ballots)) == sum(weights)


def test_profile_total_from_rows_counts_every_voter():
    profile = RankedProfile.from_rankings("ABC", [("A", "B"), ("C",), ("A", "B")] * 7)
    assert profile._rows is not None
    assert profile.total == 21


@settings(max_examples=300, deadline=None)
@given(strict_profiles())
def test_ballots_numbered_from_the_rows_equal_the_careful_numbering(case):
    names, ballots = case
    bulk = RankedProfile.from_rankings(names, ballots)
    careful = RankedProfile._build(names, Counter(ballots).items(), title="")
    assert bulk.blank == careful.blank
    assert sorted(bulk.ballots) == sorted(careful.ballots)
    assert bulk.total == careful.total
    assert bulk.is_empty == careful.is_empty == (not careful.ballots)


def test_condorcet_count_leaves_the_ballots_unnumbered():
    profile = RankedProfile.from_rankings("ABC", [("A", "B", "C"), ("C", "A", "B")] * 3)
    count("schulze", profile)
    assert profile.__dict__["_ballots"] is None  # the rows were enough
    assert profile.ballots == ((((0,), (1,), (2,)), 3), (((2,), (0,), (1,)), 3))
    assert profile == RankedProfile(("A", "B", "C"), profile.ballots)


def test_profile_without_ballots_is_empty():
    profile = RankedProfile.from_rankings("ABC", [(), ()])
    assert profile.is_empty
    assert profile.blank == 2
    assert profile.ballots == ()
