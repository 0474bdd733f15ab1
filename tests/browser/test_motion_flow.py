"""A member drafts a motion, another seconds it, the secretary amends it, the
amendment and then the motion are voted, and the carried text holds the change."""

from __future__ import annotations

import re

import pytest

from asamblea.motions.models import Motion, MotionState
from asamblea.voting.models import Poll, PollState
from tests.browser.flows import log_in, log_out, say_yes
from tests.factories import build_federation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = "Primer punto de la moción.\n\nSegundo punto, por mejorar.\n\nTercer punto."


def _vote_yes(page, pseudonym: str, poll: Poll) -> None:
    log_in(page, pseudonym)
    page.goto(f"{page.base_url}/polls/{poll.pk}/")
    page.check("#ballot input[value='0']")
    page.click("#ballot button[type=submit]")
    page.wait_for_selector("#ballot [role=status]")
    log_out(page)


def _close(page, poll: Poll) -> None:
    page.goto(f"{page.base_url}/polls/{poll.pk}/")
    page.click(f"form[action$='/polls/{poll.pk}/close/'] button")
    say_yes(page)
    page.wait_for_load_state()


def test_draft_second_amend_and_vote_a_motion(page):
    fed = build_federation()

    log_in(page, fed.member.pseudonym)
    page.goto(f"{page.base_url}/motions/new/?node={fed.committee_a1.pk}")
    page.fill("#id_title", "Comisión de diálogo")
    page.fill("#id_body", BODY)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/motions/\d+/$"))
    motion = Motion.objects.get(title="Comisión de diálogo")
    assert motion.state == MotionState.DRAFT
    log_out(page)

    log_in(page, fed.other_member.pseudonym)
    page.goto(f"{page.base_url}/motions/{motion.pk}/")
    page.click("#seconds button[type=submit]")
    page.wait_for_function("() => !document.querySelector('#seconds form')")
    motion.refresh_from_db()
    assert motion.state == MotionState.DEBATE
    log_out(page)

    log_in(page, fed.secretary.pseudonym)
    page.goto(f"{page.base_url}/motions/{motion.pk}/")
    page.click("#amendments summary")
    page.select_option("#id_kind", "replace_paragraph")
    page.fill("#id_paragraph", "2")
    page.fill("#id_text", "Segundo punto, ya mejorado por la asamblea.")
    page.click("#amendments form button[type=submit]")
    page.wait_for_load_state()
    assert motion.amendments.count() == 1
    log_out(page)

    log_in(page, fed.member.pseudonym)
    page.goto(f"{page.base_url}/motions/{motion.pk}/")
    page.click(f"form[action$='/polls/motion/{motion.pk}/open/'] button[type=submit]")
    page.wait_for_load_state()
    log_out(page)

    amendment_poll = Poll.objects.get(amendment__motion=motion, state=PollState.OPEN)
    for person in (fed.member, fed.other_member, fed.secretary):
        _vote_yes(page, person.pseudonym, amendment_poll)
    log_in(page, fed.secretary.pseudonym)
    _close(page, amendment_poll)
    log_out(page)

    motion_poll = Poll.objects.get(motion=motion, amendment__isnull=True, state=PollState.OPEN)
    for person in (fed.member, fed.other_member):
        _vote_yes(page, person.pseudonym, motion_poll)
    log_in(page, fed.secretary.pseudonym)
    _close(page, motion_poll)

    motion.refresh_from_db()
    assert motion.state == MotionState.CARRIED
    assert "ya mejorado por la asamblea" in motion.body
    assert motion.version == 2
    page.goto(f"{page.base_url}/motions/{motion.pk}/")
    assert "ya mejorado por la asamblea" in page.locator(".motion-text").inner_text()
    page.goto(f"{page.base_url}/motions/{motion.pk}/versions/")
    assert page.locator("ins").count() >= 1
