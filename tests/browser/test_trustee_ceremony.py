"""Three trustees run a board's key ceremony on their pages in the browser.

Each trustee has their own browser context (one a 360 px phone): the page
makes the key pair, downloads the passphrase-sealed key file, registers the
key once the trustee confirms they kept it, and takes each round's step.
The board's key becomes standing, and the last key file each trustee
downloaded opens in the Python engine with the key share that matches the
board's verification key. The secret never reaches the server: no request
the pages send carries it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from asamblea.core.actors import SYSTEM
from asamblea.trustees import selectors, services
from asamblea.trustees.models import TrusteeBoard
from secret_ballot import jsonfields as jf
from secret_ballot.group import base_mul
from secret_ballot.keyfile import open_trustee_key_file
from tests.browser.flows import log_in
from tests.factories import build_federation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSPHRASES = ("first trustee's passphrase", "segunda clave larga", "kimsa ñawpaq qillqa")


class TrusteeTab:
    """One trustee's page in their own browser context."""

    def __init__(self, browser, base_url: str, folder: Path, *, width: int) -> None:
        self.context = browser.new_context(
            locale="es-PE", viewport={"width": width, "height": 800}, accept_downloads=True
        )
        self.context.set_default_timeout(30_000)
        self.page = self.context.new_page()
        self.page.base_url = base_url  # type: ignore[attr-defined]
        self.folder = folder
        self.key_file: Path | None = None
        self.sent: list[str] = []
        self.page.on("request", lambda r: self.sent.append(r.post_data or ""))
        self.violations: list[str] = []
        self.page.on(
            "console",
            lambda m: self.violations.append(m.text) if "Content Security" in m.text else None,
        )

    def said(self, key: str) -> None:
        expect(self.page.locator("#trustee-app")).to_have_attribute("data-said", key)

    def keep(self, download) -> None:
        self.folder.mkdir(exist_ok=True)
        self.key_file = self.folder / download.suggested_filename
        download.save_as(self.key_file)

    def step(self, *, downloads: bool, reopen: bool, expected: str) -> None:
        page = self.page
        if reopen:
            page.reload()
            expect(page.locator("#tc-step")).to_be_visible()
            assert self.key_file is not None
            page.set_input_files("#tc-file", str(self.key_file))
            page.fill("#tc-pass", self.passphrase)
        button = page.locator("#tc-step button[type=submit]")
        if downloads:
            with page.expect_download() as info:
                button.click()
            self.keep(info.value)
        else:
            button.click()
        self.said(expected)


def run_ceremony(browser, base_url: str, folder: Path, board, members) -> list[TrusteeTab]:
    """The board's trustees, one browser context each (the third a 360 px
    phone that reopens its key file for every step), make and keep their
    keys and take every round of the ceremony until the board is active and
    each has kept their key share. Returns their tabs, still open."""
    tabs = [
        TrusteeTab(browser, base_url, folder / f"t{k}", width=360 if k == 2 else 1024)
        for k in range(3)
    ]
    page_url = f"{base_url}/trustees/boards/{board.pk}/me/"
    for tab, member, passphrase in zip(tabs, members, PASSPHRASES, strict=True):
        tab.passphrase = passphrase  # type: ignore[attr-defined]
        page = tab.page
        log_in(page, member.pseudonym)
        page.goto(page_url)
        expect(page.locator("#tc-create")).to_be_visible()
        page.fill("#tc-new-pass", passphrase)
        page.fill("#tc-new-pass2", passphrase + "!")
        page.click("#tc-create button[type=submit]")
        tab.said("passphrase_differs")
        page.fill("#tc-new-pass", passphrase)
        page.fill("#tc-new-pass2", passphrase)
        with page.expect_download() as info:
            page.click("#tc-create button[type=submit]")
        tab.keep(info.value)
        # Not registered before the trustee says they kept the file.
        page.click("#tc-keep button[type=submit]")
        tab.said("confirm_first")
        page.check("#tc-kept")
        page.click("#tc-keep button[type=submit]")
        tab.said("ready")
    statuses = selectors.seat_statuses(board)
    assert all(s.key_registered and s.key_file_kept for s in statuses)

    services.start_ceremony(actor=SYSTEM, board=board)
    for tab in tabs:
        tab.page.reload()
        expect(tab.page.locator("#tc-file-fields")).to_be_visible()
    # The phone reopens its last key file from disk for every step; the
    # other two keep the key open in the page.
    rounds = (("announced", True), ("revealed", False), ("responded", True))
    for expected, downloads in rounds:
        for k, tab in enumerate(tabs):
            if k < 2 and tab.page.locator("#tc-file-fields").is_visible():
                assert tab.key_file is not None
                tab.page.set_input_files("#tc-file", str(tab.key_file))
                tab.page.fill("#tc-pass", tab.passphrase)  # type: ignore[attr-defined]
            tab.step(downloads=downloads, reopen=k == 2, expected=expected)
    board = TrusteeBoard.objects.get(pk=board.pk)
    assert board.state == "active", board.failure
    assert board.qualified == [1, 2, 3]
    for k, tab in enumerate(tabs):
        tab.step(downloads=True, reopen=k == 2, expected="share_kept")
        expect(tab.page.locator("#tc-decrypt")).to_be_visible()
    return tabs


def test_three_trustees_run_the_ceremony_in_their_browsers(browser, live_server, tmp_path):
    fed = build_federation()
    members = (fed.secretary, fed.member, fed.other_member)
    board = services.create_board(actor=SYSTEM, node=fed.committee_a1, size=3, threshold=2)
    for member in members:
        services.appoint_trustee(actor=SYSTEM, board=board, member=member)
    tabs: list[TrusteeTab] = []
    try:
        tabs = run_ceremony(browser, live_server.url, tmp_path, board, members)
        board = TrusteeBoard.objects.get(pk=board.pk)
        for tab in tabs:
            # Until the tally's API answers, nothing waits for a decryption.
            expect(tab.page.locator("#tc-no-decryption")).to_be_visible()
        # A step taken again changes nothing and downloads nothing.
        tabs[0].step(downloads=False, reopen=False, expected="share_already")

        for index, (tab, passphrase) in enumerate(zip(tabs, PASSPHRASES, strict=True), start=1):
            assert tab.key_file is not None
            key = open_trustee_key_file(json.loads(tab.key_file.read_text()), passphrase)
            assert key.index == index
            assert set(key.secret) == {"communication_secret", "key_share"}
            x = key.secret["key_share"]
            assert (
                base_mul(key.communication_secret).hex()
                == board.trustees.get(index=index).communication_key
            )
            assert base_mul(jf.scalar(x, "key_share")).hex() == board.verification_keys[index - 1]
            # Neither the communication secret nor the key share went to the server.
            secret = key.secret["communication_secret"]
            assert not any(secret in body or x in body for body in tab.sent)
            assert tab.violations == []
        phone = tabs[2].page
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        for tab in tabs:
            tab.context.close()
