"""Reproducible draws by lot.

A draw orders the tied candidates by the SHA-256 digest of the UTF-8 bytes of
``seed + "\\x1f" + context + "\\x1f" + candidate``, smallest digest first,
where ``seed`` is the string fixed when the poll opened and ``context`` names
the decision (method, stage and the tied candidates in sorted order). The first
candidate of the order is the one drawn. Anyone holding the seed and the
ballots recomputes the same order with a few lines of code in any language.

The context never depends on the order in which candidates were passed in, so
the draw depends only on the seed, the decision and the set of tied names.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

SEPARATOR = "\x1f"


def lot_key(seed: str, context: str, candidate: str) -> str:
    """Return the hex SHA-256 digest that places ``candidate`` in a draw."""
    data = SEPARATOR.join((seed, context, candidate)).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class Lot:
    """One draw by lot, recorded so that anyone can repeat it.

    ``order`` lists the tied candidates by ascending ``keys``; what the method
    does with the order (elect the first, exclude the first...) is stated by
    ``purpose``, a machine code such as ``"exclude"`` or ``"elect"``.
    """

    purpose: str
    context: str
    candidates: tuple[str, ...]
    order: tuple[str, ...]
    keys: tuple[str, ...]


@dataclass
class TieBreaker:
    """Draws lots from a seed and keeps the record of every draw."""

    seed: str = ""
    lots: list[Lot] = field(default_factory=list)

    def order(self, candidates: Iterable[str], *, purpose: str, stage: str = "") -> list[str]:
        """Return ``candidates`` in the order drawn by lot, recording the draw."""
        tied = sorted(set(candidates))
        if len(tied) < 2:
            return tied
        context = SEPARATOR.join((purpose, stage, ",".join(tied)))
        keyed = sorted((lot_key(self.seed, context, c), c) for c in tied)
        self.lots.append(
            Lot(
                purpose=purpose,
                context=context,
                candidates=tuple(tied),
                order=tuple(c for _, c in keyed),
                keys=tuple(k for k, _ in keyed),
            )
        )
        return [c for _, c in keyed]

    def pick(self, candidates: Iterable[str], *, purpose: str, stage: str = "") -> str:
        """Return the one candidate drawn among ``candidates`` (first of the order)."""
        ordered = self.order(candidates, purpose=purpose, stage=stage)
        return ordered[0]


def break_by_history(
    tied: Iterable[str], history: Sequence[Mapping[str, int]], *, lowest: bool
) -> tuple[list[str], int | None]:
    """Narrow ``tied`` by looking back at earlier stages, most recent first.

    ``history[k]`` maps candidates to their votes at stage ``k + 1``. At the
    most recent stage where the tied candidates did not all have equal votes,
    keep those with the fewest (``lowest``) or most votes there, and go on
    looking further back if several remain. Returns the survivors and the
    last stage number consulted that narrowed the tie (``None`` if none did).
    """
    remaining = sorted(set(tied))
    used: int | None = None
    for k in range(len(history) - 1, -1, -1):
        if len(remaining) < 2:
            break
        stage = history[k]
        if not all(c in stage for c in remaining):
            continue
        values = [stage[c] for c in remaining]
        target = min(values) if lowest else max(values)
        narrowed = [c for c in remaining if stage[c] == target]
        if len(narrowed) < len(remaining):
            remaining = narrowed
            used = k + 1
    return remaining, used
