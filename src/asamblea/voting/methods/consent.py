"""Consent decisions: a proposal is carried unless a blocking objection stands.

Each response is ``consent``, ``stand_aside`` or ``block``. The proposal is
carried when the standing blocks are at most ``max_blocks`` (0 by default)
and at least one participant consents; otherwise it is blocked (or, with no
consent at all, rejected).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from asamblea.voting.methods.errors import InvalidBallotError, InvalidProfileError
from asamblea.voting.methods.result import Result

RESPONSES = ("consent", "stand_aside", "block")


@dataclass(frozen=True, kw_only=True)
class ConsentResult(Result):
    """``winners`` is ``("carried",)`` when carried, else empty; ``outcome`` is
    ``"carried"``, ``"blocked"`` or ``"rejected"``."""

    outcome: str
    responses: dict[str, int]
    max_blocks: int


def consent(responses: Mapping[str, int], *, max_blocks: int = 0, seed: str = "") -> ConsentResult:
    counts = dict.fromkeys(RESPONSES, 0)
    for key, value in responses.items():
        if key not in counts:
            raise InvalidBallotError(
                f"unknown response {key!r}; expected one of {', '.join(RESPONSES)}", where=key
            )
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise InvalidBallotError("a response count must be a non-negative integer", where=key)
        counts[key] += value
    if max_blocks < 0:
        raise InvalidProfileError("max_blocks must be non-negative", where="max_blocks")
    if sum(counts.values()) == 0:
        raise InvalidProfileError("no responses to count", where="ballots", code="empty_poll")
    if counts["block"] > max_blocks:
        outcome = "blocked"
    elif counts["consent"] == 0:
        outcome = "rejected"
    else:
        outcome = "carried"
    return ConsentResult(
        method="consent",
        winners=("carried",) if outcome == "carried" else (),
        seed=seed,
        lots=(),
        outcome=outcome,
        responses=counts,
        max_blocks=max_blocks,
    )
