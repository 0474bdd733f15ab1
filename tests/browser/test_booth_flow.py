"""The voter's booth on a 360 px phone: a member makes a voting key on the
device, audits a ballot, then casts one; the tracker is on the board and the
board's receipt checks against the record with ``secret-ballot
check-receipt``. A member without JavaScript casts an assisted ballot."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from asamblea.voting import services
from asamblea.voting.encrypted import keys, selectors
from asamblea.voting.encrypted.models import AuditedLine, BoardLine, ElectionCredential, VotingKey
from secret_ballot import keyfile
from secret_ballot.credentials import election_credential
from tests.browser.flows import log_in
from tests.browser.test_accessibility import AXE, BLOCKING, _violations
from tests.factories import build_federation
from tests.voting.conftest import make_poll
from tests.voting.encrypted.conftest import ceremony

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TRACKER = re.compile(r"^[0-9a-f]{64}$")
TRACKER_OR_KEY = re.compile(r"^0[23][0-9a-f]{64}$")
PASSPHRASE = "una frase larga para la llave"


@pytest.fixture(autouse=True)
def key_source():
    keys.register_key_source(lambda poll: ceremony().source)
    yield
    keys.register_key_source(None)


def _phone(browser, live_server, *, javascript: bool = True):
    context = browser.new_context(
        locale="es-PE",
        viewport={"width": 360, "height": 740},
        java_script_enabled=javascript,
        accept_downloads=True,
    )
    context.set_default_timeout(20_000)
    tab = context.new_page()
    tab.base_url = live_server.url  # type: ignore[attr-defined]
    return context, tab


@pytest.fixture
def phone(browser, live_server) -> Iterator[object]:
    context, tab = _phone(browser, live_server)
    violations: list[str] = []
    tab.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    yield tab
    context.close()
    assert violations == []


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} is {width} px wide"


def test_a_member_makes_a_voting_key_audits_then_casts(phone, tmp_path):
    fed = build_federation()
    log_in(phone, fed.member.pseudonym)
    phone.goto(f"{phone.base_url}/polls/voting-key/")
    _fits(phone)
    phone.fill("#make-passphrase", PASSPHRASE)
    phone.fill("#make-repeat", PASSPHRASE + "x")
    phone.click("#make-button")
    expect(phone.locator("#make-error")).to_be_visible()
    assert not VotingKey.objects.exists()
    phone.fill("#make-repeat", PASSPHRASE)
    with phone.expect_download() as download:
        phone.click("#make-button")
    expect(phone.locator("#active-key")).to_have_text(TRACKER_OR_KEY)
    expect(phone.locator("#make-error")).to_be_hidden()
    key = VotingKey.objects.get(member=fed.member, revoked_at__isnull=True)
    expect(phone.locator("#active-key")).to_have_text(key.public_key)
    held = phone.evaluate("document.querySelector('[data-text=holds-active]').textContent.trim()")
    expect(phone.locator("#device-status")).to_have_text(held)
    # The key file the browser wrote opens in Python and holds the registered key.
    path = tmp_path / "voting-key.json"
    download.value.save_as(path)
    pair = keyfile.open_voting_key_file(json.loads(path.read_text()), PASSPHRASE)
    assert pair.public.hex() == key.public_key

    poll = make_poll(
        fed.secretary,
        fed.committee_a1,
        encrypted=True,
        method="approval",
        options=["Marcha", "Paro", "Vigilia"],
        max_choices=2,
    )
    poll = services.open_poll(actor=fed.secretary, poll=poll)
    own = ElectionCredential.objects.get(election__poll=poll, member=fed.member)
    assert own.credential == election_credential(pair.public, f"poll-{poll.pk}").hex()

    phone.goto(f"{phone.base_url}/polls/{poll.pk}/")
    phone.click(f"a[href='/polls/{poll.pk}/booth/']")
    expect(phone.locator("#booth-form")).to_be_visible()
    _fits(phone)

    # Audit a ballot: the tracker is shown before the choice, then revealed on the board.
    phone.check("#booth-form input[name=choice][value='0']")
    phone.check("#booth-form input[name=choice][value='2']")
    phone.click("#booth-encrypt")
    tracker = phone.locator("#booth-tracker")
    expect(tracker).to_have_text(TRACKER)
    shown = tracker.inner_text()
    _fits(phone)
    phone.click("#booth-audit")
    expect(phone.locator("#booth-audited")).to_be_visible()
    expect(phone.locator("#booth-audited-tracker")).to_have_text(shown)
    audited = AuditedLine.objects.get(election__poll=poll)
    assert audited.tracker == shown
    assert audited.line["selections"] == {"c1": [1, 0, 1]}
    assert not BoardLine.objects.exists()

    # Vote again, and cast.
    phone.uncheck("#booth-form input[name=choice][value='2']")
    phone.click("#booth-encrypt")
    expect(phone.locator("#booth-choice")).to_be_visible()
    expect(tracker).not_to_have_text(shown)
    cast_tracker = tracker.inner_text()
    phone.click("#booth-cast")
    expect(phone.locator("#booth-receipt")).to_be_visible()
    expect(phone.locator("#booth-receipt-tracker")).to_have_text(cast_tracker)
    _fits(phone)
    receipt = json.loads(phone.locator("#booth-receipt-text").input_value())
    line = BoardLine.objects.get(election__poll=poll)
    assert receipt["tracker"] == line.tracker == cast_tracker
    assert line.line["ballot"]["credential"] == own.credential

    # The tracker is on the board.
    phone.click("#booth-receipt-link")
    expect(phone.locator("main")).to_contain_text(cast_tracker)
    _fits(phone)

    # The receipt checks against the record.
    record = tmp_path / "record"
    selectors.write_record(poll.election, record)
    receipt_path = tmp_path / "receipt.json"
    receipt_path.write_text(json.dumps(receipt))
    checked = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-m", "secret_ballot", "check-receipt", str(record), str(receipt_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_member_without_javascript_casts_an_assisted_ballot(browser, live_server):
    fed = build_federation()
    poll = make_poll(fed.secretary, fed.committee_a1, encrypted=True)
    poll = services.open_poll(actor=fed.secretary, poll=poll)
    context, phone = _phone(browser, live_server, javascript=False)
    try:
        log_in(phone, fed.other_member.pseudonym)
        phone.goto(f"{phone.base_url}/polls/{poll.pk}/booth/")
        expect(phone.locator(".notice.assisted")).to_be_visible()
        _fits(phone)
        phone.check("#ballot input[name=choice][value='1']")
        phone.click("#ballot button[type=submit]")
        expect(phone.locator("#ballot .receipt")).to_be_visible()
        line = BoardLine.objects.get(election__poll=poll)
        expect(phone.locator("#ballot .receipt code.tracker")).to_have_text(line.tracker)
        own = ElectionCredential.objects.get(election__poll=poll, member=fed.other_member)
        assert own.kind == "server"
        _fits(phone)
    finally:
        context.close()


def _booth_ready(phone, fed, tmp_path):
    """A member with a voting key made in this browser, in the booth of an open poll."""
    log_in(phone, fed.member.pseudonym)
    phone.goto(f"{phone.base_url}/polls/voting-key/")
    phone.fill("#make-passphrase", PASSPHRASE)
    phone.fill("#make-repeat", PASSPHRASE)
    with phone.expect_download():
        phone.click("#make-button")
    expect(phone.locator("#active-key")).to_have_text(TRACKER_OR_KEY)
    poll = services.open_poll(
        actor=fed.secretary, poll=make_poll(fed.secretary, fed.committee_a1, encrypted=True)
    )
    phone.goto(f"{phone.base_url}/polls/{poll.pk}/booth/")
    expect(phone.locator("#booth-form")).to_be_visible()
    phone.check("#booth-form input[name=choice][value='0']")
    phone.click("#booth-encrypt")
    expect(phone.locator("#booth-choice")).to_be_visible()
    return poll


def _tamper(phone, path: str, change) -> None:
    """Let the request through to the server, then alter its JSON answer."""

    def handle(route):
        response = route.fetch()
        body = response.json()
        change(body)
        route.fulfill(response=response, json=body)

    phone.route(f"**{path}", handle)


def _forge_receipt(receipt):
    receipt["index"] += 1  # the board's signature no longer covers it


def _swap_audited_choice(line):
    line["selections"]["c1"] = list(reversed(line["selections"]["c1"]))


@pytest.mark.parametrize(
    ("api", "change", "button", "result"),
    [
        ("cast", _forge_receipt, "#booth-cast", "#booth-receipt"),
        ("audit", _swap_audited_choice, "#booth-audit", "#booth-audited"),
    ],
    ids=["receipt-not-signed-for-this-ballot", "audit-published-with-another-choice"],
)
def test_the_booth_refuses_a_forged_answer_of_the_board(
    phone, tmp_path, api, change, button, result
):
    fed = build_federation()
    poll = _booth_ready(phone, fed, tmp_path)
    _tamper(phone, f"/api/v1/polls/{poll.pk}/encrypted/{api}", change)
    phone.click(button)
    expect(phone.locator("#booth-error")).to_be_visible()
    expect(phone.locator(result)).to_be_hidden()


def test_the_booth_shows_the_boards_refusal(phone, tmp_path):
    fed = build_federation()
    poll = _booth_ready(phone, fed, tmp_path)
    services.close_poll(actor=fed.secretary, poll=poll)
    phone.click("#booth-cast")
    expect(phone.locator("#booth-error")).to_be_visible()
    message = phone.locator("#booth-error").inner_text()
    assert message.strip()
    expect(phone.locator("#booth-receipt")).to_be_hidden()
    assert not BoardLine.objects.exists()


def test_a_device_without_the_key_is_sent_to_restore_it(browser, live_server, tmp_path):
    fed = build_federation()
    context, phone = _phone(browser, live_server)
    try:
        log_in(phone, fed.member.pseudonym)
        phone.goto(f"{phone.base_url}/polls/voting-key/")
        phone.fill("#make-passphrase", PASSPHRASE)
        phone.fill("#make-repeat", PASSPHRASE)
        with phone.expect_download() as download:
            phone.click("#make-button")
        expect(phone.locator("#active-key")).to_have_text(TRACKER_OR_KEY)
        path = tmp_path / "voting-key.json"
        download.value.save_as(path)
    finally:
        context.close()
    poll = services.open_poll(
        actor=fed.secretary, poll=make_poll(fed.secretary, fed.committee_a1, encrypted=True)
    )
    # A new device: nothing in its browser until the key file is restored.
    context, phone = _phone(browser, live_server)
    try:
        log_in(phone, fed.member.pseudonym)
        phone.goto(f"{phone.base_url}/polls/{poll.pk}/booth/")
        expect(phone.locator("#booth-error a[href='/polls/voting-key/']")).to_be_visible()
        expect(phone.locator("#booth-form")).to_be_hidden()
        phone.click("#booth-error a")
        phone.set_input_files("#restore-file", str(path))
        phone.fill("#restore-passphrase", "not the passphrase")
        phone.click("#restore-button")
        expect(phone.locator("#restore-error")).to_be_visible()
        phone.fill("#restore-passphrase", PASSPHRASE)
        phone.click("#restore-button")
        # "Opening the key file..." shows first: wait for the end of the restore.
        restored = phone.evaluate(
            "document.querySelector('[data-text=restored-active]').textContent.trim()"
        )
        expect(phone.locator("#restore-status")).to_have_text(restored)
        expect(phone.locator("#restore-error")).to_be_hidden()
        phone.goto(f"{phone.base_url}/polls/{poll.pk}/booth/")
        expect(phone.locator("#booth-form")).to_be_visible()
    finally:
        context.close()


def test_the_booth_and_the_voting_key_page_pass_axe(browser, live_server, tmp_path):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` in booth/ to install it.")
    fed = build_federation()
    context = browser.new_context(
        locale="es-PE", viewport={"width": 360, "height": 740}, bypass_csp=True
    )
    context.set_default_timeout(20_000)
    tab = context.new_page()
    tab.base_url = live_server.url  # type: ignore[attr-defined]
    try:
        _booth_ready(tab, fed, tmp_path)
        found = {"booth with a tracker": _violations(tab)}
        tab.goto(f"{tab.base_url}/polls/voting-key/")
        expect(tab.locator("#device-status")).to_be_visible()
        found["voting key"] = _violations(tab)
    finally:
        context.close()
    blocking = {
        page: [v for v in violations if v["impact"] in BLOCKING]
        for page, violations in found.items()
    }
    assert blocking == {page: [] for page in found}, blocking
