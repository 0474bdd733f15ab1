"""Hypothesis properties of the single-winner ranked methods."""

from __future__ import annotations

import random

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from asamblea.voting.methods import RankedProfile, count
from asamblea.voting.methods.condorcet import condorcet_winner_index, pairwise_matrix
from asamblea.voting.methods.irv import irv

RANKED = ["borda", "irv", "copeland", "schulze", "ranked-pairs", "plurality"]


@st.composite
def profiles(draw, *, complete: bool = False):
    n = draw(st.integers(2, 5))
    names = [f"c{i}" for i in range(n)]
    perm = st.permutations(names)
    if complete:
        ballot = perm.map(tuple)
    else:
        ballot = perm.flatmap(lambda p: st.integers(1, len(p)).map(lambda k: tuple(p[:k])))
    ballots = draw(st.lists(ballot, min_size=1, max_size=25))
    return names, ballots


@settings(max_examples=150, deadline=None)
@given(data=profiles())
def test_condorcet_winner_wins_schulze_ranked_pairs_copeland(data):
    names, ballots = data
    profile = RankedProfile.from_rankings(names, ballots)
    winner = condorcet_winner_index(pairwise_matrix(profile).d)
    assume(winner is not None)
    for method in ("schulze", "ranked-pairs", "copeland", "condorcet"):
        assert count(method, profile).winners == (names[winner],), method


@settings(max_examples=150, deadline=None)
@given(data=profiles())
def test_majority_first_choice_wins_irv(data):
    names, ballots = data
    firsts = [b[0] for b in ballots]
    top = max(set(firsts), key=firsts.count)
    assume(2 * firsts.count(top) > len(ballots))
    result = irv(RankedProfile.from_rankings(names, ballots))
    assert result.winners == (top,)
    assert len(result.rounds) == 1


@settings(max_examples=100, deadline=None)
@given(data=profiles(), shuffle_seed=st.integers(0, 2**32))
def test_anonymity_permuting_voters_changes_nothing(data, shuffle_seed):
    names, ballots = data
    shuffled = ballots[:]
    random.Random(shuffle_seed).shuffle(shuffled)
    a = RankedProfile.from_rankings(names, ballots)
    b = RankedProfile.from_rankings(names, shuffled)
    for method in RANKED:
        assert count(method, a, seed="x").to_dict() == count(method, b, seed="x").to_dict()


@settings(max_examples=100, deadline=None)
@given(data=profiles(), perm_seed=st.integers(0, 2**32))
def test_neutrality_relabelling_candidates_relabels_winners(data, perm_seed):
    names, ballots = data
    new = names[:]
    random.Random(perm_seed).shuffle(new)
    rename = dict(zip(names, (f"x{n}" for n in new), strict=True))
    renamed = [tuple(rename[c] for c in b) for b in ballots]
    a = RankedProfile.from_rankings(names, ballots)
    b = RankedProfile.from_rankings([rename[c] for c in names], renamed)
    for method in RANKED:
        ra, rb = count(method, a), count(method, b)
        # A draw by lot depends on the names, so it legitimately differs.
        if ra.lots or rb.lots:
            continue
        assert tuple(rename[w] for w in ra.winners) == rb.winners, method


@settings(max_examples=60, deadline=None)
@given(data=profiles(), perm_seed=st.integers(0, 2**32), seats=st.integers(1, 3))
def test_stv_neutrality(data, perm_seed, seats):
    names, ballots = data
    seats = min(seats, len(names))
    new = names[:]
    random.Random(perm_seed).shuffle(new)
    rename = dict(zip(names, (f"x{n}" for n in new), strict=True))
    a = RankedProfile.from_rankings(names, ballots)
    b = RankedProfile.from_rankings(
        [rename[c] for c in names], [tuple(rename[c] for c in x) for x in ballots]
    )
    for method in ("scottish-stv", "meek-stv"):
        ra, rb = count(method, a, seats=seats), count(method, b, seats=seats)
        if ra.lots or rb.lots:
            continue
        assert {rename[w] for w in ra.winners} == set(rb.winners), method
