"""On a 360 px phone: the ballot shows what is decided and until when, and the
results' roll-up opens level by level without JavaScript."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from asamblea.motions import services as motion_services
from asamblea.voting import services
from tests.browser.flows import log_in
from tests.factories import build_federation
from tests.voting.conftest import open_poll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def _phone(browser, live_server, *, javascript: bool = True) -> Iterator[object]:
    context = browser.new_context(locale="es-PE", viewport=PHONE, java_script_enabled=javascript)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.base_url = live_server.url
    yield tab
    context.close()


@pytest.fixture
def phone(browser, live_server) -> Iterator[object]:
    yield from _phone(browser, live_server)


@pytest.fixture
def phone_without_js(browser, live_server) -> Iterator[object]:
    yield from _phone(browser, live_server, javascript=False)


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_ballot_shows_the_motion_text_and_when_it_closes(phone):
    fed = build_federation()
    motion = motion_services.submit_motion(
        actor=fed.member,
        node=fed.committee_a1,
        title="Paro regional",
        body="Convocamos un paro indefinido desde el lunes.\n\nNos reunimos en la plaza.",
    )
    motion_services.second_motion(actor=fed.other_member, motion=motion)
    motion.refresh_from_db()
    closes = timezone.now() + timedelta(hours=5, minutes=10)
    (poll,) = services.open_motion_vote(actor=fed.member, motion=motion, closes_at=closes)

    log_in(phone, fed.other_member.pseudonym)
    phone.goto(f"{phone.base_url}/polls/{poll.pk}/")
    subject = phone.locator("#subject")
    assert subject.is_visible()
    assert "Convocamos un paro indefinido desde el lunes." in subject.inner_text()
    closing = phone.locator("#poll-closes")
    assert closing.is_visible()
    stamp = closing.locator("time").get_attribute("datetime")
    assert stamp.startswith(timezone.localtime(closes).isoformat()[:16])
    assert "5" in closing.locator("strong").inner_text()  # the time left, in hours
    # The ballot is on the same page, under what it decides.
    assert phone.locator("#ballot").is_visible()
    box = subject.bounding_box()
    assert box is not None
    assert box["width"] <= PHONE["width"]
    assert _fits(phone)


def test_roll_up_opens_level_by_level_without_javascript(phone_without_js):
    page = phone_without_js
    fed = build_federation()
    poll = open_poll(fed.operator, fed.assembly, question="¿Paro nacional?")
    for voter in (fed.member, fed.other_member, fed.outsider):
        services.cast_ballot(voter=voter, poll=poll, choice=["yes"])
    services.close_poll(actor=fed.operator, poll=poll)

    log_in(page, fed.operator.pseudonym)
    page.goto(f"{page.base_url}/polls/{poll.pk}/results/")
    assert page.locator("#headline").is_visible()
    top = page.locator(f"#level-{fed.assembly.pk}")
    region = page.locator(f"#level-{fed.region_a.pk}")
    committee = page.locator(f"#level-{fed.committee_a2.pk}")
    assert top.get_attribute("open") is not None
    assert region.is_visible()  # its summary line, inside the open top level
    assert region.get_attribute("open") is None
    assert not committee.is_visible()  # two closed levels down

    region.locator(":scope > summary").click()
    assert region.get_attribute("open") is not None
    zone = page.locator(f"#level-{fed.zone_a.pk}")
    zone.locator(":scope > summary").click()
    assert committee.is_visible()
    committee.locator(":scope > summary").click()
    assert "did not vote" in committee.inner_text() or "no vot" in committee.inner_text()
    # The summary tables are there without opening anything.
    assert page.locator("#summary-committee").is_visible()
    # Wide tables scroll inside their own box instead of widening the page.
    assert page.evaluate("[...document.querySelectorAll('table')].every(t => t.closest('.scroll'))")
