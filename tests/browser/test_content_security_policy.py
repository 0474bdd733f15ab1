"""Under the Content-Security-Policy the pages still work: the ranking buttons
(a static script, re-run on htmx swaps) and the API docs page, with no
violation reported by the browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.flows import log_in
from tests.factories import build_federation
from tests.voting.conftest import open_poll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _collect_violations(page):
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return violations


def test_ranking_buttons_work_under_the_policy_and_after_a_swap(page):
    fed = build_federation()
    poll = open_poll(fed.secretary, fed.committee_a1, method="schulze", options=["A", "B", "C"])
    violations = _collect_violations(page)
    log_in(page, fed.member.pseudonym)
    page.goto(f"{page.base_url}/polls/{poll.pk}/")
    rows = page.locator("ol.ranking > li")
    assert rows.count() == 3
    # The script added an up and a down button per option; move C to the top.
    assert rows.nth(2).locator("button").count() == 2
    rows.nth(2).locator("button").first.click()
    page.locator("ol.ranking > li").nth(1).locator("button").first.click()
    assert page.locator("ol.ranking > li label").first.inner_text() == "C"
    page.locator("#ballot button[type=submit]").click()
    page.wait_for_selector("#ballot .messages")
    # The swapped-in form gets its buttons again (once htmx has loaded it).
    expect(page.locator("ol.ranking > li").first.locator("button")).to_have_count(2)
    assert violations == []


def test_the_api_docs_page_renders_under_the_policy(page):
    fed = build_federation()
    violations = _collect_violations(page)
    log_in(page, fed.member.pseudonym)
    page.goto(f"{page.base_url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert violations == []
