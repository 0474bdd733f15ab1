"""API authentication: a bearer token (``Authorization: Bearer <token>``) or the
browser session (with its CSRF check, as ninja's ``django_auth`` does)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from asamblea.accounts import services as account_services
from asamblea.accounts.models import Member


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Member | None:
        member = account_services.authenticate_api_token(raw_token=token)
        if member is not None:
            request.user = member
        return member


class SessionAuth(APIKeyCookie):
    """The logged-in browser session; ninja enforces CSRF for cookie auth."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if request.user.is_authenticated:
            return request.user
        return None


AUTH = [TokenAuth(), SessionAuth()]
