"""Limits on guessing: sign-in passwords, the current password when changing
it, invitation codes and password reset codes (and on asking for reset links
by e-mail, each of which sends a message).

Every attempt takes a slot before the credential is checked, and gives it back
only if it succeeded, so a burst of parallel guesses gets no more tries than a
patient guesser. A bucket has ``ASAMBLEA_AUTH_FAILURE_LIMIT`` slots; each slot
is a cache key that expires ``ASAMBLEA_AUTH_FAILURE_WINDOW`` seconds after it
was taken (a sliding window). Slots are taken with ``cache.add``, which both
the database cache (a primary key) and Redis (``SET NX``) perform atomically,
so the count is exact across threads, worker processes and machines sharing
the cache. (A local-memory cache would count per process: the settings never
use one.)

An attempt is counted in two buckets, by account and by client address, so
that neither many addresses against one account nor one address against many
accounts gets far. Bucket keys are an HMAC of scope and value under the secret
key: the cache never holds a pseudonym or an address in clear.

The client address is ``REMOTE_ADDR``, unless that is one of
``ASAMBLEA_TRUSTED_PROXIES`` (or empty, from a Unix socket, and ``unix`` is
listed): then ``X-Forwarded-For`` is read from the right,
skipping trusted proxies, and the first other address is the client. Entries
further left were written by the client and are never believed. IPv6 clients
are counted by their /64 network, which one subscriber usually holds whole.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import time
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from asamblea.accounts.errors import RateLimited

# Scopes: each counts its own attempts. The web and admin sign-in pages share one.
SIGN_IN = "sign-in"
PASSWORD_CHANGE = "password-change"  # noqa: S105 (a scope name)
INVITATION_CODE = "invitation-code"
RESET_CODE = "reset-code"
# Requests for a reset link by e-mail: not a guess, but each one sends mail.
EMAIL_RESET = "email-reset"

DEFAULT_LIMIT = 10
DEFAULT_WINDOW_SECONDS = 15 * 60
# Longest account name worth hashing; longer input is cut (it cannot be a pseudonym).
MAX_ACCOUNT_LENGTH = 200

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _limit() -> int:
    return max(1, int(getattr(settings, "ASAMBLEA_AUTH_FAILURE_LIMIT", DEFAULT_LIMIT)))


def _window() -> int:
    return max(1, int(getattr(settings, "ASAMBLEA_AUTH_FAILURE_WINDOW", DEFAULT_WINDOW_SECONDS)))


# In ASAMBLEA_TRUSTED_PROXIES: a proxy on this machine reaching the server
# through a Unix socket, where the peer has no address.
UNIX_SOCKET = "unix"


@lru_cache(maxsize=8)
def _parse_networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(
        ipaddress.ip_network(entry.strip(), strict=False)
        for entry in entries
        if entry.strip() and entry.strip() != UNIX_SOCKET
    )


def _trusted_networks() -> tuple[IPNetwork, ...]:
    return _parse_networks(tuple(getattr(settings, "ASAMBLEA_TRUSTED_PROXIES", ())))


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _is_trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return any(address in network for network in _trusted_networks())


def client_address(request: HttpRequest) -> str:
    """The address to count attempts by: the peer, or the client behind a
    trusted proxy (see the module docstring)."""
    peer = _ip(str(request.META.get("REMOTE_ADDR") or ""))
    if peer is None:
        trusted = UNIX_SOCKET in getattr(settings, "ASAMBLEA_TRUSTED_PROXIES", ())
    else:
        trusted = _is_trusted(peer)
    client = peer
    if trusted:
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
        for hop in reversed([h for h in forwarded.split(",") if h.strip()]):
            address = _ip(hop)
            if address is None:
                # Garbage where a trusted proxy should have written an address:
                # stop at the last address a trusted party vouched for.
                break
            client = address
            if not _is_trusted(address):
                break
    if client is None:
        return "unknown"
    if client.version == 6:
        mapped = client.ipv4_mapped
        if mapped is not None:
            return str(mapped)
        return str(ipaddress.ip_network(f"{client}/64", strict=False))
    return str(client)


def _bucket_key(scope: str, kind: str, value: str) -> str:
    mac = hmac.new(
        settings.SECRET_KEY.encode(), f"{scope}\x00{kind}\x00{value}".encode(), hashlib.sha256
    )
    return f"asamblea:attempts:{mac.hexdigest()[:40]}"


@dataclass
class Attempt:
    """Slots held by one attempt. Call ``succeeded()`` if the credential was
    right (or the failure was not a guess); otherwise the slots stay taken."""

    _slots: list[str] = field(default_factory=list)

    def succeeded(self) -> None:
        if self._slots:
            cache.delete_many(self._slots)
        self._slots = []


# How often to retry a slot whose add() failed though nobody holds it (the
# database cache reports a busy database as a failed add), and the first pause
# between tries in seconds; it doubles each time, with jitter so that parallel
# attempts do not retry in step.
SLOT_RETRIES = 3
SLOT_RETRY_PAUSE = 0.005


def _take_slot(bucket: str, limit: int, window: int) -> str | None:
    slots = [f"{bucket}:{i}" for i in range(limit)]
    taken = cache.get_many(slots)
    for slot in slots:
        if slot in taken:
            continue
        for attempt in range(SLOT_RETRIES):
            if cache.add(slot, 1, timeout=window):
                return slot
            if cache.get(slot) is not None:
                break  # another attempt took it since get_many(): try the next
            # Free but not added: the cache was busy. Pausing is safe: a slot
            # is only ever taken by add(), so waiting never admits extra tries.
            _pause(attempt)
    return None


def _pause(attempt: int) -> None:
    time.sleep(min(0.2, SLOT_RETRY_PAUSE * 2**attempt) * (0.5 + secrets.randbelow(1000) / 1000))


def _give_back(slots: list[str]) -> None:
    """Best effort: a slot that cannot be given back (the cache stays busy)
    expires with its window, which errs on the side of fewer tries."""
    for attempt in range(SLOT_RETRIES):
        try:
            cache.delete_many(slots)
            return
        except Exception:  # any cache backend's error
            _pause(attempt)


def begin(*, scope: str, request: HttpRequest, account: str | None = None) -> Attempt:
    """Take a slot for one attempt in ``scope`` by the request's client address
    and, if given, by ``account``. Raises ``RateLimited`` (taking nothing) if
    either bucket is full."""
    limit, window = _limit(), _window()
    buckets = [_bucket_key(scope, "address", client_address(request))]
    if account is not None:
        buckets.append(_bucket_key(scope, "account", account[:MAX_ACCOUNT_LENGTH]))
    attempt = Attempt()
    try:
        for bucket in buckets:
            slot = _take_slot(bucket, limit, window)
            if slot is None:
                raise RateLimited()
            attempt._slots.append(slot)
    except BaseException:
        # Refused, or the cache failed: no credential was checked, so give
        # back what this attempt took in the other bucket.
        _give_back(attempt._slots)
        raise
    return attempt
