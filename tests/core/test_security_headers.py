"""Security headers: CSP without inline script, no-store on a member's pages
and on the API, HSTS when cookies are secure; pages load nothing from
another host."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from asamblea.core.middleware import CONTENT_SECURITY_POLICY
from asamblea.voting.models import Method
from tests.voting.conftest import open_poll

SRC = Path(__file__).resolve().parents[2] / "src" / "asamblea"


def _directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def test_the_policy_allows_no_inline_script_or_style_and_no_other_host():
    policy = _directives(CONTENT_SECURITY_POLICY)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    for sources in policy.values():
        assert "'unsafe-inline'" not in sources
        assert "'unsafe-eval'" not in sources
        assert not any(s.startswith(("http", "*")) for s in sources)


def _templates():
    return sorted(SRC.rglob("templates/**/*.html"))


def test_no_template_has_inline_script_handlers_or_style():
    found = _templates()
    assert len(found) > 30
    for path in found:
        text = path.read_text()
        for match in re.finditer(r"<script\b[^>]*>", text):
            assert "src=" in match.group(0), (path, match.group(0))
        assert not re.search(r"\son[a-z]+\s*=", text), path
        assert not re.search(r"\sstyle\s*=", text), path
        assert "javascript:" not in text, path
        assert "hx-on" not in text, path


class _Resources(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href", "action", "data", "poster"):
            if attrs.get(name):
                self.urls.append(attrs[name])
        if tag == "script":
            # A JSON data block is not run (and the policy need not allow it).
            data_block = (attrs.get("type") or "").endswith("json")
            self._in_script = "src" not in attrs and not data_block
        for name in attrs:
            assert not name.startswith("on"), (tag, name)
            assert name != "style", tag

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts += 1


def _check_page(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    parser = _Resources()
    parser.feed(response.content.decode())
    assert parser.inline_scripts == 0
    for url in parser.urls:
        parts = urlsplit(url)
        assert not parts.netloc, url
        assert parts.scheme in ("", "mailto"), url


@pytest.mark.django_db
def test_member_pages_are_not_stored_and_load_nothing_from_elsewhere(fed, client_for):
    poll = open_poll(
        fed.secretary, fed.committee_a1, method=Method.SCHULZE, options=["a", "b", "c"]
    )
    client = client_for(fed.member)
    pages = [
        "/",
        f"/polls/{poll.pk}/",
        "/polls/",
        "/accounts/me/",
        "/accounts/tokens/",
        "/motions/",
        "/nodes/",
        f"/nodes/{fed.committee_a1.pk}/",
    ]
    for url in pages:
        response = client.get(url)
        _check_page(response)
        assert response["Cache-Control"] == "no-store", url
    vote = client.post(
        f"/polls/{poll.pk}/vote/",
        {"ranking_0": "1", "ranking_1": "2", "ranking_2": ""},
        HTTP_HX_REQUEST="true",
    )
    assert vote.status_code == 200, vote.content[:300]
    assert vote["Cache-Control"] == "no-store"
    assert vote["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


@pytest.mark.django_db
def test_the_api_docs_page_loads_everything_from_this_host(fed, client_for):
    _check_page(client_for(fed.member).get("/api/v1/docs"))


@pytest.mark.django_db
def test_public_pages_also_carry_the_policy(client):
    response = client.get("/accounts/login/")
    _check_page(response)


def test_static_files_keep_their_caching(client):
    response = client.get("/static/js/ranking.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def _settings_value(name: str, **env: str) -> str:
    code = f"from asamblea.config import settings; print(settings.{name})"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ASAMBLEA_SECURE")}
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", code],
        env={**environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_hsts_follows_secure_cookies():
    assert _settings_value("SECURE_HSTS_SECONDS") == "0"
    assert int(_settings_value("SECURE_HSTS_SECONDS", ASAMBLEA_SECURE_COOKIES="1")) >= 31_536_000


@pytest.mark.django_db
def test_hsts_is_sent_over_https_when_configured(settings, client):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
