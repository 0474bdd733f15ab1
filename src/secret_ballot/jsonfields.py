"""Strict readers for decoded JSON values, each naming the field it reads (spec §8.1).

Every reader raises :class:`~secret_ballot.errors.DecodingError` whose
``field`` is the JSON path of the offending value, so the verifier can say
``contests[0].options[1].alpha: not the encoding of a point``.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from typing import Any

import rfc8785

from secret_ballot.errors import DecodingError, FieldPath, render_path

__all__ = ["FieldPath"]
from secret_ballot.group import Point, Scalar
from secret_ballot.hash import Digest, digest_from_hex

JSON = Any
"""A value produced by ``json.loads``: its shape is checked by the readers below."""


#: Largest integer allowed in any JSON document of the protocol (spec §3.1).
MAX_INTEGER = (1 << 53) - 1

#: Unicode general categories refused in names, titles and labels (spec §2.1):
#: control, format (which holds the bidirectional overrides), surrogate,
#: private use and unassigned.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def canonical_json(value: JSON) -> bytes:
    """RFC 8785 (JCS) canonical encoding, the only JSON ever hashed (spec §8.1)."""
    return bytes(rfc8785.dumps(value))


def _object(pairs: list[tuple[str, JSON]]) -> dict[str, JSON]:
    value = dict(pairs)
    if len(value) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DecodingError(f"duplicate key {key!r} (readers would disagree on its value)")
            seen.add(key)
    return value


def _no_float(text: str) -> JSON:
    raise DecodingError(f"{text} is not an integer; only integers are allowed")


def _int(text: str) -> int:
    value = int(text)
    if not -MAX_INTEGER <= value <= MAX_INTEGER:
        raise DecodingError(f"{text} is beyond 2^53 - 1, the largest integer allowed")
    return value


def _no_constant(text: str) -> JSON:
    raise ValueError(f"{text} is not JSON")


def loads(data: bytes) -> JSON:
    """Parse JSON refusing duplicate keys and non-integer numbers (spec §8.1).

    Raises ``ValueError`` (not :class:`DecodingError`) when ``data`` is not
    JSON at all, and :class:`DecodingError` when it is JSON that a record
    must not hold: an object with a repeated key, whose value two readers
    could take differently, or a fraction or exponent.
    """
    return json.loads(
        data,
        object_pairs_hook=_object,
        parse_float=_no_float,
        parse_int=_int,
        parse_constant=_no_constant,
    )


def loads_canonical(data: bytes) -> JSON:
    """:func:`loads`, for ``data`` that must be canonical (spec §8.1).

    Raises as :func:`loads` does, and :class:`DecodingError` if ``data`` is
    not the RFC 8785 encoding of its value. Canonical bytes cannot repeat a
    key (the encoding of the parsed value would have one member fewer), so
    the common case skips the per-object duplicate check and only a
    non-canonical input is parsed a second time to name its fault.
    """
    value = json.loads(data, parse_float=_no_float, parse_int=_int, parse_constant=_no_constant)
    if is_canonical(value, data):
        return value
    loads(data)
    raise DecodingError("not in RFC 8785 canonical form")


def is_canonical(value: JSON, data: bytes) -> bool:
    """Whether ``data`` is exactly the RFC 8785 encoding of ``value`` (spec §8.1).

    ``value`` must come from :func:`loads` (no floats, integers within
    2^53 - 1). An ASCII document whose compact, key-sorted encoding equals
    ``data`` is canonical: with only ASCII strings and such integers, JCS
    and that encoding agree byte for byte, and the standard library computes
    it in C. Anything else takes the exact but slower path.
    """
    if data.isascii():
        try:
            fast = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        except (TypeError, ValueError):
            return False
        if fast.encode("utf-8", "surrogatepass") == data:
            return True
    try:
        return canonical_json(value) == data
    except (rfc8785.CanonicalizationError, UnicodeError, TypeError, ValueError):
        return False


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


def integer(value: JSON, field: FieldPath, lo: int = 0, hi: int = MAX_INTEGER) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise DecodingError(f"expected an integer in [{lo}, {hi}]", field)
    return value


def label(value: JSON, field: FieldPath, longest: int) -> str:
    """A name, title or label: 1 to ``longest`` code points, none refused (spec §2.1).

    Refused: the categories of :data:`REFUSED_CATEGORIES`. Control and format
    characters (U+202A-U+202E, U+2066-U+2069 among them) can make a text
    display as something else than what was hashed; surrogates cannot be
    encoded in UTF-8; private-use and unassigned characters display
    differently from one device to another.
    """
    s = text(value, field)
    if not 1 <= len(s) <= longest:
        raise DecodingError(f"1 to {longest} characters (Unicode code points)", field)
    for i, ch in enumerate(s):
        category = unicodedata.category(ch)
        if category in REFUSED_CATEGORIES:
            raise DecodingError(
                f"character {i + 1} (U+{ord(ch):04X}) is of category {category}, "
                "which is not allowed",
                field,
            )
    return s


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
