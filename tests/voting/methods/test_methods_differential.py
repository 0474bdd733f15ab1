"""Differential tests against pref_voting (a test-only dependency) on seeded
random profiles of 3-6 candidates and 5-40 voters with complete strict rankings.

Where the two libraries break ties differently, the *set* of tied winners is
compared (``co_winners``), or the profile is skipped when our count drew a
tie-break the other library resolves by another convention.
"""

from __future__ import annotations

import os
import random

# pref_voting compiles its kernels with numba on first use, which costs many
# seconds per function; on profiles this small the plain-Python path is faster.
os.environ.setdefault("NUMBA_DISABLE_JIT", "1")

import pytest
from pref_voting import voting_methods as vm
from pref_voting.profiles import Profile

from asamblea.voting.methods import RankedProfile
from asamblea.voting.methods.borda import borda
from asamblea.voting.methods.condorcet import copeland, pairwise_matrix, ranked_pairs, schulze
from asamblea.voting.methods.irv import irv
from asamblea.voting.methods.plurality import plurality

PROFILES = 500


def random_profiles(seed: int, count: int):
    rng = random.Random(seed)
    for _ in range(count):
        n = rng.randint(3, 6)
        voters = rng.randint(5, 40)
        # Some concentration so that Condorcet winners and majorities occur.
        base = list(range(n))
        rng.shuffle(base)
        rankings = []
        for _ in range(voters):
            r = base[:] if rng.random() < 0.3 else rng.sample(range(n), n)
            if rng.random() < 0.3:
                i, j = rng.randrange(n), rng.randrange(n)
                r[i], r[j] = r[j], r[i]
            rankings.append(tuple(r))
        names = [f"c{i}" for i in range(n)]
        ours = RankedProfile.from_rankings(names, [tuple(names[c] for c in r) for r in rankings])
        theirs = Profile([list(r) for r in rankings])
        yield names, ours, theirs


def as_names(names: list[str], winners: list[int]) -> set[str]:
    return {names[w] for w in winners}


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (plurality, vm.plurality),
        (borda, vm.borda),
        (copeland, vm.copeland),
        (schulze, vm.beat_path),
    ],
    ids=["plurality", "borda", "copeland", "schulze"],
)
def test_tied_winner_sets_match(ours, theirs):
    for names, mine, other in random_profiles(1, PROFILES):
        result = ours(mine)
        assert set(result.co_winners) == as_names(names, theirs(other))
        assert result.winners[0] in result.co_winners


def test_irv_matches_when_no_tie_is_broken():
    compared = 0
    for names, mine, other in random_profiles(2, PROFILES):
        result = irv(mine)
        if any(r.tie_break for r in result.rounds):
            continue
        expected = as_names(names, vm.instant_runoff(other))
        if len(expected) != 1:
            continue
        compared += 1
        assert set(result.winners) == expected
    assert compared > PROFILES // 2


def test_ranked_pairs_matches():
    compared = 0
    for names, mine, other in random_profiles(3, PROFILES):
        result = ranked_pairs(mine)
        d = pairwise_matrix(mine).d
        margins = [d[a][b] - d[b][a] for a in range(len(d)) for b in range(len(d)) if a != b]
        positive = [m for m in margins if m > 0]
        # With equal margins pref_voting tries every ordering of them, which is
        # exponential; compare only where the order of locking is unique.
        if len(set(positive)) == len(positive) and 0 not in margins:
            compared += 1
            assert as_names(names, vm.ranked_pairs(other)) == set(result.winners)
            assert not result.lots
    assert compared > 50
