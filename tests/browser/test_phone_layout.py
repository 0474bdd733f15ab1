"""On a 360 x 740 phone: the header stays one line, its menu opens without
JavaScript, and the ranked ballot submits exactly the order it shows."""

from __future__ import annotations

import random

import pytest

from asamblea.voting.models import Ballot
from tests.browser.flows import log_in
from tests.factories import build_federation
from tests.voting.conftest import open_poll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
CANDIDATES = ["Ana", "Beto", "Carla", "Dina"]


@pytest.fixture
def phone(browser, live_server):
    def make(*, javascript: bool = True):
        context = browser.new_context(
            locale="en-US", viewport=PHONE, java_script_enabled=javascript
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        tab = context.new_page()
        tab.base_url = live_server.url
        return tab

    contexts: list[object] = []
    yield make
    for context in contexts:
        context.close()


def _shown(page) -> list[tuple[str, str]]:
    """(label, number) of each row in the order a person sees them, top to bottom."""
    rows = page.locator("ol.ranking > li")
    seen = []
    for i in range(rows.count()):
        row = rows.nth(i)
        box = row.bounding_box()
        seen.append(
            (box["y"], row.locator("label").inner_text(), row.locator("input").input_value())
        )
    seen.sort()
    return [(label, number) for _y, label, number in seen]


def _check_consistent(shown: list[tuple[str, str]]) -> None:
    """Numbered rows first, numbered 1, 2, 3... from the top; blank rows after."""
    numbers = [number for _label, number in shown]
    ranked = [n for n in numbers if n]
    assert numbers == ranked + [""] * (len(numbers) - len(ranked)), shown
    assert ranked == [str(i) for i in range(1, len(ranked) + 1)], shown


def _stored_ranking(poll) -> list[str]:
    (ballot,) = Ballot.objects.filter(poll=poll)
    return [CANDIDATES[position] for (position,) in ballot.data["ranking"]]


def test_header_is_one_line_and_its_menu_opens_without_javascript(phone):
    build_federation()
    for javascript in (True, False):
        page = phone(javascript=javascript)
        log_in(page, "rosa")
        header = page.locator("header.top").bounding_box()
        assert header["height"] <= 60
        assert not page.locator("header nav").is_visible()
        page.click("header details.menu > summary")
        motions = page.locator("header nav a[href='/motions/']")
        assert motions.is_visible()
        motions.click()
        page.wait_for_url("**/motions/")


def test_touch_targets_of_the_menu_and_ballot_are_at_least_44_px(phone):
    fed = build_federation()
    poll = open_poll(fed.secretary, fed.committee_a1, method="irv", options=CANDIDATES)
    page = phone()
    log_in(page, fed.member.pseudonym)
    page.goto(f"{page.base_url}/polls/{poll.pk}/")
    page.click("header details.menu > summary")
    targets = page.locator(
        "header summary, header nav a, header nav button, header .lang select, "
        "header .lang button, #ballot button, #ballot input:not([type=hidden])"
    )
    assert targets.count() > 10
    for i in range(targets.count()):
        box = targets.nth(i).bounding_box()
        assert box["height"] >= 44, targets.nth(i).evaluate("e => e.outerHTML")


def test_table_becomes_cards_on_a_phone(phone, client_for):
    fed = build_federation()
    page = phone()
    log_in(page, fed.secretary.pseudonym)
    url = f"{page.base_url}/accounts/invitations/{fed.committee_a1.pk}/"
    page.goto(url)
    page.fill("#id_count", "2")
    page.click("main form button[type=submit]")
    page.goto(url)
    table = page.locator("table.reflow")
    assert table.bounding_box()["width"] <= PHONE["width"]
    # Nothing runs off the screen: the page is no wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert (
        page.locator("table.reflow td[data-label]")
        .first.evaluate("e => getComputedStyle(e, '::before').content")
        .strip('"')
        == page.locator("table.reflow thead th").first.inner_text()
    )


def test_arrows_keep_the_shown_order_and_the_submitted_order_the_same(phone):
    fed = build_federation()
    poll = open_poll(fed.secretary, fed.committee_a1, method="irv", options=CANDIDATES)
    page = phone()
    log_in(page, fed.member.pseudonym)
    page.goto(f"{page.base_url}/polls/{poll.pk}/")
    # The case seen on a phone: one tap of the up arrow of the second row.
    page.locator("ol.ranking > li").nth(1).locator("button").first.click()
    shown = _shown(page)
    _check_consistent(shown)
    assert shown[0] == ("Beto", "1")
    # Then many taps anywhere, checking after each.
    chooser = random.Random(2026)
    for _tap in range(25):
        row = page.locator("ol.ranking > li").nth(chooser.randrange(len(CANDIDATES)))
        row.locator("button").nth(chooser.randrange(2)).click()
        _check_consistent(_shown(page))
    # At least two ranked, so the comparison means something.
    for _tap in range(2):
        page.locator("ol.ranking > li").nth(3).locator("button").first.click()
    shown = _shown(page)
    _check_consistent(shown)
    page.click("#ballot button[type=submit]")
    page.wait_for_selector("#ballot [role=status]")
    assert _stored_ranking(poll) == [label for label, number in shown if number]
    # The page after the vote shows the stored order too.
    page.reload()
    assert [label for label, number in _shown(page) if number] == _stored_ranking(poll)


def test_a_number_typed_by_hand_puts_its_row_in_place(phone):
    fed = build_federation()
    poll = open_poll(fed.secretary, fed.committee_a1, method="irv", options=CANDIDATES)
    page = phone()
    log_in(page, fed.member.pseudonym)
    page.goto(f"{page.base_url}/polls/{poll.pk}/")
    page.locator("ol.ranking > li", has_text="Dina").locator("input").fill("1")
    page.locator("ol.ranking > li", has_text="Carla").locator("input").fill("2")
    page.locator("ol.ranking > li", has_text="Ana").locator("input").fill("9")
    page.locator("#ballot legend").click()  # leave the field
    shown = _shown(page)
    assert shown == [("Dina", "1"), ("Carla", "2"), ("Ana", "3"), ("Beto", "")]
    page.click("#ballot button[type=submit]")
    page.wait_for_selector("#ballot [role=status]")
    assert _stored_ranking(poll) == ["Dina", "Carla", "Ana"]


def test_numbers_rank_the_options_without_javascript(phone):
    fed = build_federation()
    poll = open_poll(fed.secretary, fed.committee_a1, method="irv", options=CANDIDATES)
    page = phone(javascript=False)
    log_in(page, fed.member.pseudonym)
    page.goto(f"{page.base_url}/polls/{poll.pk}/")
    assert page.locator("ol.ranking button").count() == 0
    page.locator("ol.ranking > li", has_text="Carla").locator("input").fill("1")
    page.locator("ol.ranking > li", has_text="Ana").locator("input").fill("2")
    page.click("#ballot button[type=submit]")
    page.wait_for_load_state()
    assert _stored_ranking(poll) == ["Carla", "Ana"]
