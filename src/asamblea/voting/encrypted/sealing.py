"""Secrets the server must hold, sealed at rest.

A server-held credential's secret x and the board's signing secret b are
stored only as AES-256-GCM ciphertexts under a key derived from the
``ASAMBLEA_SEALING_KEY`` setting (by default from ``SECRET_KEY``), with the
row's identity as associated data, so a sealed value copied to another row
does not open.

What this protects: the database alone (a dump, a backup, a stolen disk of
the database server, a read-only SQL injection) gives no secret that could
sign a ballot or a receipt. What it does not: whoever holds both the database
and the server's settings (the running server, or a seized machine with its
configuration) can unseal them. Server-held credentials are therefore the
assisted path for members who cannot hold a key, and the record says how many
there were (spec §5.5).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_FORMAT = "s1"
_NONCE = 12


def _key() -> bytes:
    root = getattr(settings, "ASAMBLEA_SEALING_KEY", "") or settings.SECRET_KEY
    return hmac.new(root.encode("utf-8"), b"asamblea/voting/sealing/1", hashlib.sha256).digest()


def seal(secret: bytes, *, purpose: str) -> str:
    """``secret`` encrypted under the sealing key, bound to ``purpose`` (the
    row it belongs to, e.g. ``credential:<election id>:<P>``)."""
    nonce = secrets.token_bytes(_NONCE)
    ct = AESGCM(_key()).encrypt(nonce, secret, purpose.encode("utf-8"))
    return f"{_FORMAT}:{base64.b64encode(nonce + ct).decode('ascii')}"


def unseal(sealed: str, *, purpose: str) -> bytes:
    """The secret :func:`seal` sealed for ``purpose``; ``ValueError`` if the
    value was altered, moved to another row or sealed under another key."""
    fmt, _sep, body = sealed.partition(":")
    if fmt != _FORMAT:
        raise ValueError("not a sealed value")
    raw = base64.b64decode(body.encode("ascii"), validate=True)
    try:
        return AESGCM(_key()).decrypt(raw[:_NONCE], raw[_NONCE:], purpose.encode("utf-8"))
    except Exception as exc:  # cryptography's InvalidTag: say nothing more
        raise ValueError("the sealed value does not open") from exc
