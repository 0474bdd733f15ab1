"""A cheap per-IP counter of failed sign-in and invitation attempts.

Counts live in Django's cache (one key per scope and address, expiring after
the window), so no table grows and a restart forgets them. This slows down
guessing; it does not stop a determined attacker with many addresses, which
the 79-bit codes and one-time use handle.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from asamblea.accounts.errors import RateLimited

DEFAULT_LIMIT = 10
DEFAULT_WINDOW_SECONDS = 15 * 60


def _limit() -> int:
    return int(getattr(settings, "ASAMBLEA_AUTH_FAILURE_LIMIT", DEFAULT_LIMIT))


def _window() -> int:
    return int(getattr(settings, "ASAMBLEA_AUTH_FAILURE_WINDOW", DEFAULT_WINDOW_SECONDS))


def client_address(request: HttpRequest) -> str:
    """The peer address. A reverse proxy must pass the real one in REMOTE_ADDR
    (e.g. gunicorn's --forwarded-allow-ips); headers set by clients are not trusted."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _key(scope: str, address: str) -> str:
    return f"asamblea:auth-failures:{scope}:{address}"


def check(*, scope: str, address: str) -> None:
    """Raise RateLimited if ``address`` has used up its failures in ``scope``."""
    if int(cache.get(_key(scope, address), 0)) >= _limit():
        raise RateLimited()


def note_failure(*, scope: str, address: str) -> None:
    key = _key(scope, address)
    # add() is a no-op when the key exists, so the window starts at the first failure.
    cache.add(key, 0, timeout=_window())
    try:
        cache.incr(key)
    except ValueError:
        # The key expired between add() and incr(); start a new window.
        cache.set(key, 1, timeout=_window())
