"""The unlocked register keys of a browser session.

While a documenter works, the committee's register key ``DK`` is kept in the
server-side session only as ``encrypt(CK, DK)``; ``CK`` is a random key that
lives in one cookie of the documenter's browser (HttpOnly, SameSite=Strict,
Secure behind HTTPS) and nowhere on the server. A copy of the database, its
session table or a backup therefore holds no usable key; the browser's cookie
alone holds no key either. Locking, signing out (which flushes the session)
and ``ASAMBLEA_REGISTER_IDLE_SECONDS`` without use forget it.

Requests that carry no session (API bearer tokens) cannot hold an unlocked
register: they read and write everything but the encrypted fields.
"""

from __future__ import annotations

import base64
import binascii
import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from asamblea.accounts import ratelimit
from asamblea.accounts.models import Member
from asamblea.core.errors import DomainError
from asamblea.federation.models import Node
from asamblea.incidents import crypto, services
from asamblea.incidents.crypto import DataKey, DecryptionFailed, RegisterKey

UNLOCK_SCOPE = "register-passphrase"
COOKIE_NAME = "asamblea_register"
SESSION_KEY = "incidents_register"
_NEW_COOKIE = "_asamblea_register_cookie"


def _aad(request: HttpRequest, committee_id: int) -> bytes:
    member_id = getattr(request.user, "pk", None)
    return f"asamblea/incidents/v1|session|{member_id}|{committee_id}".encode()


def _cookie_key(request: HttpRequest) -> bytes | None:
    fresh = getattr(request, _NEW_COOKIE, None)
    if isinstance(fresh, bytes):
        return fresh
    raw = request.COOKIES.get(COOKIE_NAME, "")
    try:
        key = base64.urlsafe_b64decode(raw.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None
    return key if len(key) == crypto.KEY_SIZE else None


def _entries(request: HttpRequest) -> dict[str, Any]:
    entries = request.session.get(SESSION_KEY)
    return entries if isinstance(entries, dict) else {}


def remember(request: HttpRequest, key: RegisterKey) -> None:
    """Keep ``key`` for this session; :func:`set_cookie` must then run on the
    response (it carries ``CK`` to the browser)."""
    cookie_key = _cookie_key(request)
    if cookie_key is None:
        cookie_key = DataKey.generate().raw
        setattr(request, _NEW_COOKIE, cookie_key)
    blob = crypto.encrypt(
        DataKey(cookie_key), key.data_key.raw, aad=_aad(request, key.committee_id)
    )
    entries = _entries(request)
    entries[str(key.committee_id)] = {
        "blob": base64.b64encode(blob).decode("ascii"),
        "used": time.time(),
    }
    request.session[SESSION_KEY] = entries


def set_cookie(request: HttpRequest, response: HttpResponse) -> None:
    """Send ``CK`` to the browser if :func:`remember` created it."""
    cookie_key = getattr(request, _NEW_COOKIE, None)
    if not isinstance(cookie_key, bytes):
        return
    response.set_cookie(
        COOKIE_NAME,
        base64.urlsafe_b64encode(cookie_key).decode("ascii"),
        httponly=True,
        samesite="Strict",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def key_for(request: HttpRequest, committee_id: int) -> RegisterKey | None:
    """The unlocked key of ``committee_id``, or None (locked, expired or the
    cookie is missing); using it restarts the idle timer."""
    if not hasattr(request, "session"):
        return None
    entries = _entries(request)
    entry = entries.get(str(committee_id))
    if not isinstance(entry, dict):
        return None
    idle = settings.ASAMBLEA_REGISTER_IDLE_SECONDS
    used = entry.get("used")
    if not isinstance(used, int | float) or time.time() - used > idle:
        forget(request, committee_id)
        return None
    cookie_key = _cookie_key(request)
    if cookie_key is None:
        return None
    try:
        blob = base64.b64decode(str(entry.get("blob", "")))
        data_key = crypto.unwrap_from_session(cookie_key, blob, aad=_aad(request, committee_id))
    except (DecryptionFailed, binascii.Error, ValueError):
        forget(request, committee_id)
        return None
    entry["used"] = time.time()
    request.session[SESSION_KEY] = entries
    return RegisterKey(committee_id=committee_id, data_key=data_key)


def unlocked_committees(request: HttpRequest) -> frozenset[int]:
    if not hasattr(request, "session"):
        return frozenset()
    return frozenset(int(k) for k in _entries(request) if k.isdigit())


def forget(request: HttpRequest, committee_id: int) -> None:
    entries = _entries(request)
    if entries.pop(str(committee_id), None) is not None:
        request.session[SESSION_KEY] = entries


def forget_all(request: HttpRequest, response: HttpResponse) -> None:
    if hasattr(request, "session"):
        request.session.pop(SESSION_KEY, None)
    response.delete_cookie(COOKIE_NAME, samesite="Strict")


def unlock(
    request: HttpRequest, *, member: Member, committee: Node, passphrase: str
) -> RegisterKey:
    """Open the committee's register with ``passphrase`` and keep its key for
    this session (then :func:`set_cookie` on the response).

    Each attempt takes a guessing slot (``accounts.ratelimit``) for this
    documenter at this committee and for the client's address; a right
    passphrase gives it back, so a stolen session cannot guess on and on."""
    attempt = ratelimit.begin(
        scope=UNLOCK_SCOPE, request=request, account=f"documenter:{member.pk}:{committee.pk}"
    )
    try:
        key = services.unlock_register(actor=member, committee=committee, passphrase=passphrase)
    except DomainError as exc:
        if exc.field != "passphrase":
            attempt.succeeded()  # refused before any passphrase was tried
        raise
    attempt.succeeded()
    remember(request, key)
    return key
