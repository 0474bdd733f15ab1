"""The base of every result and its conversion to JSON-ready data."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from fractions import Fraction

from asamblea.voting.methods.tiebreak import Lot, TieBreaker

JSON = None | bool | int | float | str | list["JSON"] | dict[str, "JSON"]


def to_jsonable(value: object) -> JSON:
    """Convert results to JSON data; exact numbers (Decimal, Fraction) become strings."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return to_jsonable(value.value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Fraction):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return [to_jsonable(v) for v in sorted(value)]
    if isinstance(value, Sequence):
        return [to_jsonable(v) for v in value]
    raise TypeError(f"cannot convert {type(value).__name__} to JSON")


@dataclass(frozen=True, kw_only=True)
class Result:
    """What every count returns.

    ``winners`` are in order of election (for single-winner methods, one
    name). ``seed`` and ``lots`` record every draw by lot made during the
    count (see :mod:`tiebreak`). Subclasses add the explanation fields.
    """

    method: str
    winners: tuple[str, ...]
    seed: str
    lots: tuple[Lot, ...]

    def to_dict(self) -> dict[str, JSON]:
        """Return JSON-ready data: ``winners`` first, then the explanation."""
        data = to_jsonable(self)
        if not isinstance(data, dict):  # pragma: no cover - a dataclass always converts to a dict
            raise TypeError("result did not convert to a mapping")
        return {"winners": data.pop("winners"), **data}


def top_k(
    names: Sequence[str],
    scores: Sequence[int | Fraction | Decimal],
    k: int,
    tb: TieBreaker,
    *,
    purpose: str,
    stage: str = "",
) -> list[str]:
    """Return the ``k`` best candidates by score, highest first.

    A group of equal scores that straddles the cut (or decides the order of
    the chosen) is ordered by lot; groups that do not matter draw nothing.
    """
    order = sorted(range(len(names)), key=lambda i: -scores[i])
    out: list[str] = []
    i = 0
    while len(out) < k and i < len(order):
        j = i
        while j < len(order) and scores[order[j]] == scores[order[i]]:
            j += 1
        group = [names[c] for c in order[i:j]]
        if len(group) > 1:
            group = tb.order(group, purpose=purpose, stage=f"{stage}score={scores[order[i]]}")
        out.extend(group)
        i = j
    return out[:k]


def tied_best(names: Sequence[str], scores: Sequence[int | Fraction | Decimal]) -> list[str]:
    """Names sharing the highest score, in candidate order."""
    best = max(scores)
    return [n for n, s in zip(names, scores, strict=True) if s == best]
