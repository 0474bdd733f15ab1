"""Steps shared by the browser flows, in the words of a person using the site."""

from __future__ import annotations

from tests.factories import PASSWORD


def log_in(page, pseudonym: str, password: str = PASSWORD) -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_pseudonym", pseudonym)
    page.fill("#id_password", password)
    page.click("main form button[type=submit]")
    page.wait_for_url(page.base_url + "/")


def open_menu(page) -> None:
    """Open the header's menu (a details element) if it is closed."""
    if page.locator("header details.menu[open]").count() == 0:
        page.click("header details.menu > summary")


def log_out(page) -> None:
    open_menu(page)
    page.click("header form[action$='/accounts/logout/'] button")
    page.wait_for_load_state()


def say_yes(page, *, navigates: bool = True) -> None:
    """Answer "yes" in the dialog that asks before what cannot be undone, and
    wait for the page the form's answer loads (unless htmx swaps it in)."""
    if not navigates:
        page.click("dialog.confirm-dialog button[value=yes]")
        return
    with page.expect_navigation():
        page.click("dialog.confirm-dialog button[value=yes]")
