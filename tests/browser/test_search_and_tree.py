"""On a 360x740 phone: a newcomer finds an old motion by a word of its text
on the search page, with JavaScript and without; the federation tree opens
branch by branch (details/summary, no JavaScript needed)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from asamblea.motions import services as motion_services
from asamblea.motions.models import Motion
from tests.browser.flows import log_in, open_menu
from tests.browser.test_decision_pages import PHONE, _fits, _phone
from tests.factories import build_federation
from tests.voting.conftest import open_poll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def phone(request, browser, live_server) -> Iterator[object]:
    yield from _phone(browser, live_server, javascript=request.param)


def test_newcomer_finds_an_old_motion_by_a_word_in_it(phone):
    fed = build_federation()
    old = motion_services.submit_motion(
        actor=fed.member,
        node=fed.committee_a1,
        title="Comedor popular",
        body="Organizamos una olla común en la parroquia.\n\nCada jueves.",
    )
    Motion.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=200),
        updated_at=timezone.now() - timedelta(days=200),
    )
    motion_services.submit_motion(
        actor=fed.member, node=fed.committee_a1, title="Marcha", body="Marchamos el lunes."
    )
    open_poll(fed.secretary, fed.committee_a1, question="¿Olla común también en enero?")

    log_in(phone, fed.other_member.pseudonym)
    open_menu(phone)
    phone.click("header nav a[href='/search/']")
    phone.wait_for_url(f"{phone.base_url}/search/")
    assert _fits(phone)
    phone.fill("#id_q", "parroquia")
    with phone.expect_navigation():
        phone.click("main form[role=search] button[type=submit]")
    motions = phone.locator("#search-motions li")
    assert motions.count() == 1
    found = motions.first
    assert "Comedor popular" in found.inner_text()
    drafted = found.locator("time").first.get_attribute("datetime")
    assert drafted.startswith((timezone.now() - timedelta(days=200)).date().isoformat()[:7])
    assert phone.locator("#search-polls li").count() == 0
    assert _fits(phone)
    box = found.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]

    # A word in the poll's question finds the poll too, and both kinds at once.
    phone.fill("#id_q", "olla")
    with phone.expect_navigation():
        phone.click("main form[role=search] button[type=submit]")
    assert phone.locator("#search-motions li").count() == 1
    assert "¿Olla común también en enero?" in phone.locator("#search-polls").inner_text()

    with phone.expect_navigation():
        found = phone.locator("#search-motions li a").first
        found.click()
    assert phone.url == f"{phone.base_url}/motions/{old.pk}/"
    assert "Organizamos una olla común en la parroquia." in phone.locator("main").inner_text()


def test_federation_tree_opens_branch_by_branch(phone):
    fed = build_federation()
    log_in(phone, fed.member.pseudonym)
    phone.goto(f"{phone.base_url}/nodes/")
    # The member's own branch is open down to their committee.
    own = phone.locator("li.own > a")
    assert own.is_visible()
    assert fed.committee_a1.name in own.inner_text()
    assert _fits(phone)

    # The operator sees every branch; those without their committee start closed.
    phone.context.clear_cookies()
    log_in(phone, fed.operator.pseudonym)
    phone.goto(f"{phone.base_url}/nodes/")
    cusco = phone.locator("li:has(> a:text-is('Cusco')) > details")
    san_blas = phone.locator(f"a:text-is('{fed.committee_b1.name}')")
    assert cusco.count() == 1
    assert cusco.get_attribute("open") is None
    assert not san_blas.is_visible()
    cusco.locator("> summary").click()
    assert san_blas.is_visible()
    assert cusco.get_attribute("open") is not None
    cusco.locator("> summary").click()
    assert not san_blas.is_visible()
    summary = cusco.locator("> summary").bounding_box()
    assert summary is not None
    assert summary["height"] >= 44  # a touch target
    assert _fits(phone)
