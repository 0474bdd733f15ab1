"""Exceptions raised by the engine.

Every error that concerns a piece of data carries ``field``, a path such as
``contests[0].options[2].proof.c[1]`` (spec §9), so a verifier report can name
exactly what failed.
"""

from __future__ import annotations

from typing import Any

FieldPath = str | tuple[Any, str | int]
"""A JSON path, kept as nested (parent, key) pairs until an error needs its text.

Building the text of every path of every ballot would cost more than
decoding the ballot itself.
"""


def render_path(path: FieldPath) -> str:
    """``contests[0].options[1].alpha`` from the nested pairs."""
    if isinstance(path, str):
        return path
    keys: list[str | int] = []
    node: FieldPath = path
    while isinstance(node, tuple):
        parent, key = node
        keys.append(key)
        node = parent
    out = node
    for key in reversed(keys):
        out = f"{out}[{key}]" if isinstance(key, int) else (f"{out}.{key}" if out else key)
    return out


class SecretBallotError(Exception):
    """Base class of every error the engine raises on purpose."""


class DecodingError(SecretBallotError, ValueError):
    """Bytes or JSON that are not a valid encoding of the expected object (spec §2, §8)."""

    def __init__(self, message: str, field: FieldPath = "") -> None:
        self.message = message
        self.field = field = render_path(field)
        super().__init__(f"{field}: {message}" if field else message)

    def at(self, where: FieldPath) -> DecodingError:
        """Return the same error with ``where`` prepended to its field path."""
        prefix = render_path(where)
        if not self.field:
            return DecodingError(self.message, prefix)
        sep = "" if self.field.startswith("[") else "."
        return DecodingError(self.message, f"{prefix}{sep}{self.field}" if prefix else self.field)


class VerificationError(SecretBallotError):
    """A proof, signature, hash or count does not verify (spec §9)."""

    def __init__(self, message: str, field: str = "") -> None:
        self.message = message
        self.field = field
        super().__init__(f"{field}: {message}" if field else message)


class ProtocolError(SecretBallotError):
    """An honest party was asked to do something the protocol forbids.

    Examples: encrypting a selection outside the contest's bounds, or
    decrypting with fewer than t trustees.
    """


class NotEnoughTrustees(ProtocolError):
    """Fewer than t trustees took part in a threshold decryption (spec §7)."""


class RecordFormatError(SecretBallotError):
    """The election record cannot be read: a file is missing or is not JSON (spec §8)."""


class RecordRuleError(SecretBallotError):
    """The record can be read but breaks a rule of its container or encoding (spec §8.1).

    Examples: a file that is not in canonical form, a repeated key, an extra
    file, a duplicate zip member. The record is invalid, not unreadable.
    """

    def __init__(self, where: str, message: str, field: str = "") -> None:
        self.where = where
        self.message = message
        self.field = field
        super().__init__(f"{where}: {field + ': ' if field else ''}{message}")
