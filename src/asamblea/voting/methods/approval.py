"""Approval voting and block approval (the ``seats`` most approved)."""

from __future__ import annotations

from dataclasses import dataclass

from asamblea.voting.methods.errors import InvalidProfileError
from asamblea.voting.methods.profile import ApprovalProfile
from asamblea.voting.methods.result import Result, tied_best, top_k
from asamblea.voting.methods.tiebreak import TieBreaker


@dataclass(frozen=True, kw_only=True)
class ApprovalResult(Result):
    """``approvals`` per candidate; ``ballots`` cast (blank included)."""

    approvals: dict[str, int]
    ballots: int
    seats: int
    co_winners: tuple[str, ...]


def _approvals(profile: ApprovalProfile) -> list[int]:
    tallies = [0] * len(profile.candidates)
    for approved, count in profile.ballots:
        for c in approved:
            tallies[c] += count
    return tallies


def approval(profile: ApprovalProfile, *, seed: str = "") -> ApprovalResult:
    """Single winner: the most approved candidate."""
    return _count(profile, 1, seed, "approval")


def block_approval(profile: ApprovalProfile, *, seats: int, seed: str = "") -> ApprovalResult:
    """The ``seats`` most approved candidates, in order of approvals."""
    return _count(profile, seats, seed, "block-approval")


def _count(profile: ApprovalProfile, seats: int, seed: str, method: str) -> ApprovalResult:
    names = profile.candidates
    if not 1 <= seats <= len(names):
        raise InvalidProfileError(
            f"{seats} seats for {len(names)} candidates", where="seats", code="bad_seats"
        )
    tallies = _approvals(profile)
    tb = TieBreaker(seed)
    winners = top_k(names, tallies, seats, tb, purpose="elect")
    return ApprovalResult(
        method=method,
        winners=tuple(winners),
        seed=seed,
        lots=tuple(tb.lots),
        approvals=dict(zip(names, tallies, strict=True)),
        ballots=profile.total,
        seats=seats,
        co_winners=tuple(tied_best(names, tallies)) if seats == 1 else tuple(winners),
    )
