"""Score (range) voting: the highest total score wins.

Totals and averages rank candidates identically when, as here, an unscored
candidate counts as ``min_score``; totals are reported because they are exact
integers.
"""

from __future__ import annotations

from dataclasses import dataclass

from asamblea.voting.methods.profile import ScoreProfile
from asamblea.voting.methods.result import Result, tied_best, top_k
from asamblea.voting.methods.tiebreak import TieBreaker


@dataclass(frozen=True, kw_only=True)
class ScoreResult(Result):
    totals: dict[str, int]
    ballots: int
    min_score: int
    max_score: int
    co_winners: tuple[str, ...]


def score(profile: ScoreProfile, *, seed: str = "") -> ScoreResult:
    """Sum each candidate's scores; ties at the top are drawn by lot."""
    names = profile.candidates
    totals = [0] * len(names)
    for row, count in profile.ballots:
        for c, value in enumerate(row):
            totals[c] += value * count
    tb = TieBreaker(seed)
    winners = top_k(names, totals, 1, tb, purpose="elect")
    return ScoreResult(
        method="score",
        winners=tuple(winners),
        seed=seed,
        lots=tuple(tb.lots),
        totals=dict(zip(names, totals, strict=True)),
        ballots=profile.total,
        min_score=profile.min_score,
        max_score=profile.max_score,
        co_winners=tuple(tied_best(names, totals)),
    )
