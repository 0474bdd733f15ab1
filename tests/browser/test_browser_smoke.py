from __future__ import annotations

import pytest

from tests.browser.flows import open_menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_welcome_page_switches_language(page):
    page.goto(page.base_url + "/")
    assert page.locator("html").get_attribute("lang") == "es"
    open_menu(page)
    page.select_option("#lang-select", "en")
    page.click(".lang button")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Join with an invitation").first.is_visible()
