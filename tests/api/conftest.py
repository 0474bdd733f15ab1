"""Helpers for the API-wide tests: a bearer token per member."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from asamblea.accounts import services as account_services


@pytest.fixture
def api():
    """``api(member)`` returns a caller: ``call(method, path, body=None)``."""
    tokens: dict[int, str] = {}

    def make(member: Any):
        if member is not None and member.pk not in tokens:
            _token, raw = account_services.create_api_token(member=member, name="test")
            tokens[member.pk] = raw
        client = Client()
        headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens[member.pk]}"} if member else {}

        def call(method: str, path: str, body: Any = None, **extra: Any):
            data = body if isinstance(body, str | bytes) or body is None else json.dumps(body)
            kwargs: dict[str, Any] = {**headers, **extra}
            if data is not None:
                kwargs.setdefault("content_type", "application/json")
                kwargs["data"] = data
            return getattr(client, method.lower())(f"/api/v1{path}", **kwargs)

        return call

    return make
