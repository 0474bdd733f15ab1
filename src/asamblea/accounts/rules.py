"""Pure rules for invitation codes and their states. No ORM, no Django settings.

A code is 16 characters from an alphabet without look-alikes (no 0/O, 1/I/L),
shown as four groups of four (``7KQM-3WXD-PH9R-T2CE``): about 79 bits of entropy that
a person can read out over a bad phone line and type on a cheap keyboard.
Dashes, spaces and case are ignored when a code is typed back.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from enum import StrEnum

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 16
CODE_GROUP = 4
HINT_LENGTH = 4
# Longest input worth looking at: the code with a separator between every
# character. Anything longer is rejected before any work is done.
MAX_TYPED_CODE_LENGTH = CODE_LENGTH * 2

_SEPARATORS = str.maketrans("", "", "- \t._")


class InvitationState(StrEnum):
    ACTIVE = "active"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"


def generate_code() -> str:
    """A fresh random code, normalised (no dashes). Uses the OS CSPRNG."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(typed: str) -> str | None:
    """The canonical form of a typed code, or None if it cannot be a code."""
    if len(typed) > MAX_TYPED_CODE_LENGTH:
        return None
    code = typed.translate(_SEPARATORS).upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return code


def format_code(code: str) -> str:
    """Group a normalised code for display: ``ABCD-EFGH-JKMN-PQRS``."""
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def join_link(join_url: str, code: str) -> str:
    """The link printed and put in the QR code. The code travels in the fragment,
    which browsers never send to the server: it cannot reach access logs."""
    return f"{join_url}#code={code}"


def code_digest(code: str) -> str:
    """SHA-256 of the normalised code; the only form the database keeps."""
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def code_hint(code: str) -> str:
    """The first characters of a code, so a secretary can tell codes apart."""
    return code[:HINT_LENGTH]


def invitation_state(
    *,
    now: datetime,
    expires_at: datetime,
    used_at: datetime | None,
    revoked_at: datetime | None,
) -> InvitationState:
    """Use wins over revocation and expiry: a used code stays "used" in the record."""
    if used_at is not None:
        return InvitationState.USED
    if revoked_at is not None:
        return InvitationState.REVOKED
    if expires_at <= now:
        return InvitationState.EXPIRED
    return InvitationState.ACTIVE
