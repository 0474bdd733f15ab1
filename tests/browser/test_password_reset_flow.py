"""A member who forgot their password gets back in with a code from their
secretary, on a phone, and is signed out of the device they lost."""

from __future__ import annotations

import re

import pytest

from asamblea.accounts.models import Member
from tests.browser.flows import log_in, log_out
from tests.factories import build_federation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "mi-clave-nueva-de-2026"


def test_recovery_by_reset_code_from_the_secretary(browser, live_server):
    fed = build_federation()
    contexts = []

    def phone(javascript: bool = True):
        context = browser.new_context(
            locale="es-PE", viewport={"width": 360, "height": 740}, java_script_enabled=javascript
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        tab = context.new_page()
        tab.base_url = live_server.url
        return tab

    try:
        lost = phone()
        log_in(lost, fed.member.pseudonym)

        secretary = phone()
        log_in(secretary, fed.secretary.pseudonym)
        secretary.goto(f"{live_server.url}/nodes/{fed.committee_a1.pk}/")
        secretary.locator("#members li", has_text="rosa").locator("a[href*='/reset/code/']").click()
        # The confirmation page says what will happen; nothing is issued yet.
        assert "rosa" in secretary.locator("h1").inner_text()
        secretary.click("main form button[type=submit]")
        secretary.wait_for_url(re.compile(r".*/reset/code/\d+/new/$"))
        code = secretary.locator(".qr-card .code").inner_text().strip()
        assert secretary.locator(".qr-card svg").count() == 1
        link = secretary.locator(".qr-card small").inner_text().strip()
        assert link.endswith(f"/accounts/reset/#code={code}")
        log_out(secretary)

        # The member opens the printed link (the QR code) on a new phone, without JavaScript
        # the code is typed by hand; here with JavaScript it is filled in.
        member = phone()
        member.goto(link)
        assert member.input_value("#id_code") == code
        member.fill("#id_pseudonym", "rosa")
        member.fill("#id_new_password", NEW_PASSWORD)
        member.fill("#id_new_password_again", NEW_PASSWORD)
        member.click("main form button[type=submit]")
        member.wait_for_url(live_server.url + "/")
        notice = member.locator(".messages").inner_text()
        assert "secretaria" in notice
        assert Member.objects.get(pk=fed.member.pk).check_password(NEW_PASSWORD)

        # The lost phone's session is over.
        lost.goto(f"{live_server.url}/accounts/me/")
        assert "/accounts/login/" in lost.url

        # The same code typed by hand, without JavaScript, does not serve twice.
        other = phone(javascript=False)
        other.goto(f"{live_server.url}/accounts/reset/")
        other.fill("#id_pseudonym", "rosa")
        other.fill("#id_code", code)
        other.fill("#id_new_password", "otra-clave-distinta-99")
        other.fill("#id_new_password_again", "otra-clave-distinta-99")
        other.click("main form button[type=submit]")
        other.wait_for_load_state()
        assert other.locator("#id_code_error").is_visible()
        assert Member.objects.get(pk=fed.member.pk).check_password(NEW_PASSWORD)
    finally:
        for context in contexts:
            context.close()
