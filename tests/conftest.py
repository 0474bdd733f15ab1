from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from tests.factories import PASSWORD, Federation, build_federation


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is the production hasher; tests use a fast one so suites stay quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_messages(settings):
    """Assertions read the English source strings whatever catalogs exist; tests
    of other languages ask for them (cookie, Accept-Language or override)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def fed(db) -> Federation:
    return build_federation()


@pytest.fixture
def client_for():
    """``client_for(member)`` returns a Django test client logged in as member."""

    def make(member) -> Client:
        client = Client()
        assert client.login(pseudonym=member.pseudonym, password=PASSWORD)
        return client

    return make


@pytest.fixture
def csrf_client_for():
    """Like ``client_for`` but enforcing CSRF checks, as a browser would meet them."""

    def make(member) -> Client:
        client = Client(enforce_csrf_checks=True)
        assert client.login(pseudonym=member.pseudonym, password=PASSWORD)
        return client

    return make
