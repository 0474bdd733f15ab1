"""Closing a poll asks first, on a 360 x 740 phone: a page without
JavaScript, a native dialog with it."""

from __future__ import annotations

import pytest

from asamblea.voting.models import Poll, PollState
from tests.browser.flows import log_in, say_yes
from tests.factories import build_federation
from tests.voting.conftest import open_poll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _phone(browser, live_server, *, javascript: bool):
    context = browser.new_context(
        locale="en-US", viewport={"width": 360, "height": 740}, java_script_enabled=javascript
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.base_url = live_server.url
    return context, page


def _state(poll: Poll) -> str:
    return Poll.objects.get(pk=poll.pk).state


def test_closing_a_poll_without_javascript_goes_through_a_confirmation_page(browser, live_server):
    fed = build_federation()
    poll = open_poll(fed.secretary, fed.committee_a1)
    context, page = _phone(browser, live_server, javascript=False)
    try:
        log_in(page, fed.secretary.pseudonym)
        detail = f"{live_server.url}/polls/{poll.pk}/"
        page.goto(detail)
        page.click(f"form[action$='/polls/{poll.pk}/close/'] button")
        page.wait_for_url(f"**/polls/{poll.pk}/close/")
        assert page.locator("main ul.consequences li").count() >= 3
        assert _state(poll) == PollState.OPEN
        # "No, go back" changes nothing.
        page.click("main .confirm-form a.secondary")
        page.wait_for_url(detail)
        assert _state(poll) == PollState.OPEN
        page.click(f"form[action$='/polls/{poll.pk}/close/'] button")
        page.click("main .confirm-form button[type=submit]")
        page.wait_for_url(detail)
        assert _state(poll) == PollState.CLOSED
    finally:
        context.close()


def test_closing_a_poll_with_javascript_asks_in_a_dialog(browser, live_server):
    fed = build_federation()
    poll = open_poll(fed.secretary, fed.committee_a1)
    context, page = _phone(browser, live_server, javascript=True)
    try:
        log_in(page, fed.secretary.pseudonym)
        detail = f"{live_server.url}/polls/{poll.pk}/"
        page.goto(detail)
        close = f"form[action$='/polls/{poll.pk}/close/'] button"
        page.click(close)
        dialog = page.locator("dialog.confirm-dialog")
        assert dialog.is_visible()
        assert dialog.bounding_box()["width"] <= 360
        page.click("dialog.confirm-dialog button[value=no]")
        page.wait_for_selector("dialog.confirm-dialog", state="detached")
        assert page.url == detail
        assert _state(poll) == PollState.OPEN
        page.click(close)
        say_yes(page)
        page.wait_for_selector(".messages")
        assert _state(poll) == PollState.CLOSED
    finally:
        context.close()
