"""Borda count.

A candidate scores, on each ballot, one point per candidate it is ranked
strictly above; unranked candidates share the bottom. On a complete strict
ranking of n candidates this gives n-1, n-2, ..., 0, the classic Borda count;
candidates on equal ranks earn nothing from each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from asamblea.voting.methods.profile import RankedProfile
from asamblea.voting.methods.result import Result, tied_best, top_k
from asamblea.voting.methods.tiebreak import TieBreaker


@dataclass(frozen=True, kw_only=True)
class BordaResult(Result):
    scores: dict[str, int]
    co_winners: tuple[str, ...]


def borda_scores(profile: RankedProfile) -> list[int]:
    n = len(profile.candidates)
    scores = [0] * n
    for levels, count in profile.ballots:
        below = n
        for level in levels:
            below -= len(level)
            for c in level:
                scores[c] += below * count
    return scores


def borda(profile: RankedProfile, *, seed: str = "") -> BordaResult:
    names = profile.candidates
    scores = borda_scores(profile)
    tb = TieBreaker(seed)
    winners = top_k(names, scores, 1, tb, purpose="elect")
    return BordaResult(
        method="borda",
        winners=tuple(winners),
        seed=seed,
        lots=tuple(tb.lots),
        scores=dict(zip(names, scores, strict=True)),
        co_winners=tuple(tied_best(names, scores)),
    )
