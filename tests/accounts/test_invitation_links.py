"""Invitation codes never travel in a URL query, where access logs, proxies and
browser histories would keep them."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from asamblea.accounts import rules, services
from asamblea.accounts.qr import join_qr_svg
from asamblea.federation.models import Role

JOIN = reverse("accounts:join")


def _created_page(fed, client_for):
    client = client_for(fed.secretary)
    url = reverse("accounts:invitations", args=[fed.committee_a1.pk])
    return client.post(url, {"role": Role.MEMBER, "count": 1, "valid_days": 7}, follow=True)


def test_printed_link_and_qr_code_carry_the_code_in_the_fragment(fed, client_for):
    html = _created_page(fed, client_for).content.decode()
    code = re.search(r'<p class="code">([A-Z0-9-]+)</p>', html).group(1)
    link = re.search(r"<small>([^<]+)</small>", html).group(1)
    parts = urlsplit(link)
    assert parts.path == JOIN
    assert parts.query == ""
    assert parts.fragment == f"code={code}"
    # The QR code encodes exactly that link (segno is deterministic).
    assert join_qr_svg(link, title=f"Invitation to {fed.committee_a1.name}") in html
    assert code not in html.replace(f'<p class="code">{code}</p>', "").replace(link, "").replace(
        join_qr_svg(link, title=f"Invitation to {fed.committee_a1.name}"), ""
    )


def test_api_link_and_qr_code_carry_the_code_in_the_fragment(fed):
    _token, raw = services.create_api_token(member=fed.secretary, name="t")
    response = Client().post(
        "/api/v1/accounts/invitations",
        json.dumps({"node": fed.committee_a1.pk}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    [created] = response.json()
    parts = urlsplit(created["join_url"])
    assert (parts.query, parts.fragment) == ("", f"code={created['code']}")
    assert created["qr_svg"] == join_qr_svg(
        created["join_url"], title=f"Invitation to {fed.committee_a1.name}"
    )


@pytest.mark.parametrize("typed", ["7KQM-3WXD-PH9R-T2CE", "7kqm3wxdph9rt2ce"])
def test_an_old_query_link_is_sent_to_the_fragment_form(db, typed):
    response = Client().get(f"{JOIN}?code={typed}")
    assert response.status_code == 303
    assert response["Location"] == f"{JOIN}#code=7KQM-3WXD-PH9R-T2CE"
    assert "no-store" in response["Cache-Control"]
    assert b"7KQM" not in response.content


@pytest.mark.parametrize("typed", ["", "nonsense", "x" * 500, "<script>"])
def test_a_query_that_is_not_a_code_is_dropped(db, typed):
    response = Client().get(f"{JOIN}?code={typed}")
    assert response.status_code == 303
    assert response["Location"] == JOIN


def test_the_join_page_never_echoes_a_code_from_the_query(db):
    page = Client().get(f"{JOIN}?code=HJKM-NPQR-STUV-WXYZ", follow=True)
    assert page.status_code == 200
    assert b"HJKM" not in page.content


def test_the_fragment_script_is_served_and_clears_the_fragment():
    path = finders.find("accounts/join.js")
    assert path is not None
    with open(path, encoding="utf-8") as handle:
        script = handle.read()
    assert "location.hash" in script
    assert "replaceState" in script


def test_join_link_rule():
    assert rules.join_link("https://a.example/accounts/join/", "ABCD") == (
        "https://a.example/accounts/join/#code=ABCD"
    )
