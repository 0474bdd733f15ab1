"""The signed-in member of a request, typed, for views and API handlers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja.errors import AuthenticationError

from asamblea.accounts.models import Member


def signed_in_member(request: HttpRequest) -> Member:
    """The member behind a view guarded by ``login_required``."""
    user = request.user
    if not isinstance(user, Member):  # login_required has run; this narrows the type
        raise PermissionDenied
    return user


def api_member(request: HttpRequest) -> Member:
    """The member the API root authenticated (bearer token or session)."""
    member = getattr(request, "auth", None)
    if not isinstance(member, Member):
        raise AuthenticationError
    return member
