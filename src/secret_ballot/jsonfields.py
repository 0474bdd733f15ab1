"""Strict readers for decoded JSON values, each naming the field it reads (spec §8.1).

Every reader raises :class:`~secret_ballot.errors.DecodingError` whose
``field`` is the JSON path of the offending value, so the verifier can say
``contests[0].options[1].alpha: not the encoding of a point``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import rfc8785

from secret_ballot.errors import DecodingError, FieldPath, render_path

__all__ = ["FieldPath"]
from secret_ballot.group import Point, Scalar
from secret_ballot.hash import Digest, digest_from_hex

JSON = Any
"""A value produced by ``json.loads``: its shape is checked by the readers below."""


def canonical_json(value: JSON) -> bytes:
    """RFC 8785 (JCS) canonical encoding, the only JSON ever hashed (spec §8.1)."""
    return bytes(rfc8785.dumps(value))


def join(prefix: FieldPath, name: str | int) -> FieldPath:
    return (prefix, name)


def obj(value: JSON, field: FieldPath, keys: Iterable[str]) -> dict[str, JSON]:
    """A JSON object with exactly ``keys`` (no more, no fewer)."""
    if not isinstance(value, dict):
        raise DecodingError("expected a JSON object", field)
    expected = set(keys)
    if value.keys() != expected:
        missing = sorted(expected - value.keys())
        extra = sorted(value.keys() - expected)
        detail = "; ".join(
            part
            for part in (
                f"missing {', '.join(missing)}" if missing else "",
                f"unexpected {', '.join(extra)}" if extra else "",
            )
            if part
        )
        raise DecodingError(f"wrong keys ({detail})", field)
    return value


def array(value: JSON, field: FieldPath, length: int | None = None) -> list[JSON]:
    if not isinstance(value, list):
        raise DecodingError("expected a JSON array", field)
    if length is not None and len(value) != length:
        raise DecodingError(f"expected {length} elements, got {len(value)}", field)
    return value


def text(value: JSON, field: FieldPath) -> str:
    if not isinstance(value, str):
        raise DecodingError("expected a string", field)
    return value


def integer(value: JSON, field: FieldPath, lo: int = 0, hi: int = (1 << 63) - 1) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise DecodingError(f"expected an integer in [{lo}, {hi}]", field)
    return value


def scalar(value: JSON, field: FieldPath) -> Scalar:
    try:
        return Scalar.from_hex(value)
    except DecodingError as exc:
        raise exc.at(render_path(field)) from None


def point(value: JSON, field: FieldPath, *, allow_identity: bool = False) -> Point:
    try:
        return Point.from_hex(value, allow_identity=allow_identity)
    except DecodingError as exc:
        raise exc.at(render_path(field)) from None


def digest(value: JSON, field: FieldPath) -> Digest:
    try:
        return digest_from_hex(value)
    except DecodingError as exc:
        raise exc.at(render_path(field)) from None


def scalars(value: JSON, field: FieldPath, length: int) -> tuple[Scalar, ...]:
    items = array(value, field, length)
    try:
        return tuple(Scalar.from_hex(item) for item in items)
    except DecodingError:
        return tuple(scalar(item, join(field, i)) for i, item in enumerate(items))
