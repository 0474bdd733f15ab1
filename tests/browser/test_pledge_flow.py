"""On a 360 px phone, without a line of the page's own JavaScript needed:
the operator issues a call from a carried motion, members pledge, the
scheduler decides it at the deadline, one zone's committee is activated and
its sibling is not, and a pledger reconfirms."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from asamblea.motions.models import Motion, MotionState
from asamblea.pledges.models import Call, CallState
from asamblea.pledges.schedule import apply_schedule
from tests.browser.flows import log_in, log_out
from tests.factories import build_federation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
FMT = "%Y-%m-%dT%H:%M"


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _answer(page, call: Call, pseudonym: str, answer: str) -> None:
    log_in(page, pseudonym)
    page.goto(f"{page.base_url}/calls/{call.pk}/")
    _fits(page)
    with page.expect_navigation():
        page.click(f"#my-answer button[value={answer}]")
    page.wait_for_selector("#my-pledge")
    log_out(page)


def test_issue_pledge_activate_and_reconfirm_on_a_phone(page):
    page.set_viewport_size(PHONE)
    fed = build_federation()
    motion = Motion.objects.create(
        node=fed.zone_a,
        author=fed.member,
        title="Paro de Juliaca",
        body="Paramos el jueves.",
        state=MotionState.CARRIED,
    )
    now = timezone.localtime()

    log_in(page, fed.operator.pseudonym)
    page.goto(f"{page.base_url}/motions/{motion.pk}/")
    with page.expect_navigation():
        page.click("#motion-calls a.button")
    page.fill("#id_title_es", "Paro del jueves")
    page.select_option("#id_kind", "strike")
    page.fill("#id_deadline", (now + timedelta(days=1)).strftime(FMT))
    page.fill("#id_starts_at", (now + timedelta(days=2)).strftime(FMT))
    page.fill("#id_ends_at", (now + timedelta(days=2, hours=8)).strftime(FMT))
    page.select_option("#id_threshold_committee_kind", "share")
    page.fill("#id_threshold_committee_value", "50")
    _fits(page)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/calls/\d+/$"))
    call = Call.objects.get()
    assert call.motion_id == motion.pk
    with page.expect_navigation():
        page.click(f"form[action$='/calls/{call.pk}/open/'] button")
    page.wait_for_selector("#scopes")
    log_out(page)

    _answer(page, call, fed.secretary.pseudonym, "yes")
    _answer(page, call, fed.member.pseudonym, "yes")
    _answer(page, call, fed.neighbour.pseudonym, "no")

    # The deadline passes; the scheduler decides (never a page request).
    apply_schedule(now=call.deadline + timedelta(seconds=1))
    call.refresh_from_db()
    assert call.state == CallState.ACTIVATED
    assert call.decision[str(fed.committee_a1.pk)]["activated"] is True
    assert call.decision[str(fed.committee_a2.pk)]["activated"] is False

    log_in(page, fed.member.pseudonym)
    page.goto(f"{page.base_url}/calls/{call.pk}/")
    _fits(page)
    assert "activated" in (page.get_attribute(f"#scope-{fed.committee_a1.pk}", "class") or "")
    with page.expect_navigation():
        page.click("#reconfirm button[value=yes]")
    page.wait_for_selector("#scopes")
    assert page.locator("#reconfirm").count() == 0
    log_out(page)

    log_in(page, fed.operator.pseudonym)
    page.goto(f"{page.base_url}/calls/{call.pk}/")
    sibling = page.get_attribute(f"#scope-{fed.committee_a2.pk}", "class")
    assert sibling == "not-activated"
