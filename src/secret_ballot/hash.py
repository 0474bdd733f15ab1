"""Domain-separated, length-prefixed hashing (spec §3).

Every hash in the protocol is computed over the *framing* of a tag and a list
of fields::

    frame(tag, f1, ..., fk) = len32(D) || D || len32(enc(f1)) || enc(f1) || ...
    D = "asamblea-secret-ballot/2/" || tag   (UTF-8)

where ``len32`` is a 4-byte big-endian length and ``enc`` is: a :class:`Point`
as its 33-byte (or 0x00) encoding, a :class:`Scalar` as 32 bytes, an ``int`` as
8 bytes unsigned big-endian, a ``str`` as UTF-8, ``bytes`` as themselves.
Length prefixes make the framing injective, so no two different statements
hash the same input (the Helios comma-joined-decimals pitfall).

- :func:`hash_to_scalar` is SHA-512 of the frame, read big-endian, reduced
  mod n: the 512-bit width leaves a bias below 2^-256.
- :func:`hash_digest` is SHA-256 of the frame: 32 bytes for identifiers such
  as the election hash, ballot hashes and trackers.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import NewType

from secret_ballot.errors import DecodingError
from secret_ballot.group import Point, Scalar

#: Prefix of every domain separation tag (spec §3).
DOMAIN_PREFIX = b"asamblea-secret-ballot/2/"

#: A 32-byte SHA-256 output of :func:`hash_digest` (election hash, trackers...).
Digest = NewType("Digest", bytes)

Field = Point | Scalar | int | str | bytes

_U64 = 1 << 64


def encode_field(field: Field) -> bytes:
    """The byte encoding of one field (spec §3)."""
    if isinstance(field, bytes):
        return field
    if isinstance(field, Point):
        return field.encode()
    if isinstance(field, Scalar):
        return field.to_bytes()
    if isinstance(field, str):
        return field.encode("utf-8")
    if isinstance(field, bool) or not 0 <= field < _U64:
        raise ValueError("integer fields are unsigned 64-bit")
    return field.to_bytes(8, "big")


@lru_cache(maxsize=256)
def _tag_frame(tag: str) -> bytes:
    dst = DOMAIN_PREFIX + tag.encode("utf-8")
    return len(dst).to_bytes(4, "big") + dst


def frame(tag: str, *fields: Field) -> bytes:
    """The framed byte string hashed for ``tag`` and ``fields`` (spec §3)."""
    parts = [_tag_frame(tag)]
    append = parts.append
    for f in fields:
        # Exact-type dispatch first: this runs for every field of every proof.
        t = type(f)
        if t is bytes:
            enc = f
        elif t is Point:
            enc = f.encode()  # type: ignore[union-attr]
        elif t is Scalar:
            enc = f.to_bytes()  # type: ignore[union-attr]
        else:
            enc = encode_field(f)
        append(len(enc).to_bytes(4, "big"))  # type: ignore[arg-type]
        append(enc)  # type: ignore[arg-type]
    return b"".join(parts)


def hash_to_scalar(tag: str, *fields: Field) -> Scalar:
    """``H_tag(fields)``: SHA-512 of the frame, mod n (spec §3)."""
    return Scalar.reduce(int.from_bytes(hashlib.sha512(frame(tag, *fields)).digest(), "big"))


def hash_digest(tag: str, *fields: Field) -> Digest:
    """``D_tag(fields)``: SHA-256 of the frame (spec §3)."""
    return Digest(hashlib.sha256(frame(tag, *fields)).digest())


class StreamingDigest:
    """:func:`hash_digest` fed one field at a time, for lists of any length."""

    __slots__ = ("_h",)

    def __init__(self, tag: str) -> None:
        self._h = hashlib.sha256(_tag_frame(tag))

    def update(self, field: Field) -> None:
        enc = encode_field(field)
        self._h.update(len(enc).to_bytes(4, "big"))
        self._h.update(enc)

    def digest(self) -> Digest:
        return Digest(self._h.digest())


def digest_from_hex(text: object) -> Digest:
    """Strictly decode 64 lowercase hex digits into a :data:`Digest`."""
    if not isinstance(text, str) or len(text) != 64 or text != text.lower():
        raise DecodingError("a hash is 64 lowercase hexadecimal digits")
    try:
        return Digest(bytes.fromhex(text))
    except ValueError:
        raise DecodingError("a hash is 64 lowercase hexadecimal digits") from None


def derive_nonce(tag: str, *fields: Field) -> Scalar:
    """A proof nonce ``H_{nonce/tag}(fields)`` (spec §3.2).

    Callers put the secret *and* the whole statement into ``fields`` (in the
    manner of RFC 6979), so the same nonce is only ever used for the same
    statement with the same secret, where reuse is harmless. A zero output is
    mapped to one; its probability is 2^-256.
    """
    k = hash_to_scalar("nonce/" + tag, *fields)
    return k if not k.is_zero() else Scalar(1)
