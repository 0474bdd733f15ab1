"""A secretary invites a newcomer, who joins with the code and lands in the committee."""

from __future__ import annotations

import re

import pytest

from asamblea.accounts.models import Member
from asamblea.federation.models import Membership
from tests.browser.flows import log_in, log_out
from tests.factories import build_federation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_newcomer_joins_by_invitation(page):
    fed = build_federation()
    log_in(page, fed.secretary.pseudonym)
    page.goto(f"{page.base_url}/accounts/invitations/{fed.committee_a1.pk}/")
    page.click("main form button[type=submit]")
    code = page.locator(".qr-card .code").first.inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){3}", code)
    assert page.locator(".qr-card svg").count() == 1
    link = page.locator(".qr-card small").first.inner_text().strip()
    assert link.endswith(f"/accounts/join/#code={code}")
    log_out(page)

    # The printed link: the page's script fills the code from the fragment.
    page.goto(link)
    assert page.input_value("#id_code") == code
    assert "code" not in page.url
    page.fill("#id_pseudonym", "nueva_compa")
    page.fill("#id_password", "una-clave-muy-larga")
    page.fill("#id_password_again", "una-clave-muy-larga")
    page.click("main form button[type=submit]")
    page.wait_for_url(page.base_url + "/")
    assert fed.committee_a1.name in page.content()

    newcomer = Member.objects.get(pseudonym="nueva_compa")
    assert Membership.objects.filter(member=newcomer, node=fed.committee_a1).exists()

    # The same code cannot be used twice: the second newcomer gets a message.
    # A link from before codes moved to the fragment still works, by redirection.
    log_out(page)
    page.goto(f"{page.base_url}/accounts/join/?code={code}")
    assert page.input_value("#id_code") == code
    page.fill("#id_pseudonym", "otra_persona")
    page.fill("#id_password", "otra-clave-muy-larga")
    page.fill("#id_password_again", "otra-clave-muy-larga")
    page.click("main form button[type=submit]")
    assert page.locator(".error").count() >= 1
    assert not Member.objects.filter(pseudonym="otra_persona").exists()
