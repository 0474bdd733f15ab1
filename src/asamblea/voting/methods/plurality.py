"""Plurality (first past the post): most first choices wins."""

from __future__ import annotations

from dataclasses import dataclass

from asamblea.voting.methods.profile import ChoiceProfile, RankedProfile
from asamblea.voting.methods.result import Result, tied_best, top_k
from asamblea.voting.methods.tiebreak import TieBreaker


@dataclass(frozen=True, kw_only=True)
class PluralityResult(Result):
    """``tallies``: choices per candidate; ``co_winners``: tied at the top before any lot."""

    tallies: dict[str, int]
    blank: int
    co_winners: tuple[str, ...]


def plurality(profile: ChoiceProfile | RankedProfile, *, seed: str = "") -> PluralityResult:
    """Count single choices (a ranked profile counts its first preferences)."""
    choices = ChoiceProfile.from_ranked(profile) if isinstance(profile, RankedProfile) else profile
    tallies = choices.tallies()
    blank = sum(n for c, n in choices.ballots if c is None)
    tb = TieBreaker(seed)
    names = choices.candidates
    winners = top_k(names, tallies, 1, tb, purpose="elect")
    return PluralityResult(
        method="plurality",
        winners=tuple(winners),
        seed=seed,
        lots=tuple(tb.lots),
        tallies=dict(zip(names, tallies, strict=True)),
        blank=blank,
        co_winners=tuple(tied_best(names, tallies)),
    )
