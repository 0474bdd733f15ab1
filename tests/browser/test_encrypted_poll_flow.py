"""An encrypted poll from the key ceremony to the verified record, in the browser.

A zone's three trustees run their board's ceremony on their pages, each in
their own browser context. Five members of a committee beneath the zone vote
in the zone's encrypted poll: one makes a voting key, audits a ballot, then
casts; one casts from the booth; three without JavaScript cast assisted
ballots. The poll closes as the scheduler would close it and the close sums
the board. Two of the three trustees come back to their
pages and decrypt with their key files. The results page shows the counts
by group of committees rolled up to the zone, the record downloads from the
bulletin board and ``python -m secret_ballot verify`` accepts it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from asamblea.core.actors import SYSTEM
from asamblea.trustees import services as trustee_services
from asamblea.voting import services
from asamblea.voting.encrypted import boards, keys
from asamblea.voting.encrypted.models import BoardLine, Tally
from tests.browser.flows import log_in
from tests.browser.test_booth_flow import _phone
from tests.browser.test_trustee_ceremony import PASSPHRASES, run_ceremony
from tests.factories import build_federation, join, make_member
from tests.voting.conftest import make_poll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TRACKER = re.compile(r"^[0-9a-f]{64}$")
VOTING_PASSPHRASE = "una frase larga para la llave"


@pytest.fixture(autouse=True)
def key_source():
    keys.register_key_source(boards.key_source)
    yield
    keys.register_key_source(None)


def _voter(browser, live_server, member, *, javascript: bool = True):
    context, page = _phone(browser, live_server, javascript=javascript)
    log_in(page, member.pseudonym)
    return context, page


def _make_voting_key(page) -> None:
    page.goto(f"{page.base_url}/polls/voting-key/")
    page.fill("#make-passphrase", VOTING_PASSPHRASE)
    page.fill("#make-repeat", VOTING_PASSPHRASE)
    with page.expect_download():
        page.click("#make-button")
    expect(page.locator("#active-key")).to_have_text(re.compile(r"^0[23][0-9a-f]{64}$"))


def _booth(page, poll, choice: int, *, audit_first: int | None = None) -> str:
    page.goto(f"{page.base_url}/polls/{poll.pk}/booth/")
    expect(page.locator("#booth-form")).to_be_visible()
    tracker = page.locator("#booth-tracker")
    if audit_first is not None:
        page.check(f"#booth-form input[name=choice][value='{audit_first}']")
        page.click("#booth-encrypt")
        expect(tracker).to_have_text(TRACKER)
        page.click("#booth-audit")
        expect(page.locator("#booth-audited")).to_be_visible()
    page.check(f"#booth-form input[name=choice][value='{choice}']")
    page.click("#booth-encrypt")
    expect(page.locator("#booth-choice")).to_be_visible()
    expect(tracker).to_have_text(TRACKER)
    cast = tracker.inner_text()
    page.click("#booth-cast")
    expect(page.locator("#booth-receipt-tracker")).to_have_text(cast)
    return cast


def _assisted(page, poll, choice: int) -> str:
    page.goto(f"{page.base_url}/polls/{poll.pk}/booth/")
    expect(page.locator(".notice.assisted")).to_be_visible()
    page.check(f"#ballot input[name=choice][value='{choice}']")
    page.click("#ballot button[type=submit]")
    tracker = page.locator("#ballot .receipt code.tracker")
    expect(tracker).to_have_text(TRACKER)
    return tracker.inner_text()


def _decrypt(tab, poll) -> None:
    """The trustee comes back to their page, picks their key file and
    decrypts the poll waiting in the list."""
    page = tab.page
    page.reload()
    expect(page.locator("#tc-file-fields")).to_be_visible()
    # On an active board the step button says it keeps the key share.
    step = page.locator("#tc-step-button")
    expect(step).to_have_attribute("data-label", re.compile(".+"))
    assert step.inner_text() != step.get_attribute("data-label")
    page.set_input_files("#tc-file", str(tab.key_file))
    page.fill("#tc-pass", tab.passphrase)
    button = page.locator("#tc-decryptions button")
    expect(button).to_have_count(1)
    expect(button).to_contain_text(poll.display_question)
    button.click()
    tab.said("decrypted")
    expect(page.locator("#tc-no-decryption")).to_be_visible()


def test_an_encrypted_poll_from_the_ceremony_to_the_verified_record(browser, live_server, tmp_path):
    fed = build_federation()
    extra = [make_member(f"votante{k}") for k in range(2)]
    for member in extra:
        join(member, fed.committee_a1)
    trustees = (fed.secretary, fed.member, fed.other_member)
    board = trustee_services.create_board(actor=SYSTEM, node=fed.zone_a, size=3, threshold=2)
    for member in trustees:
        trustee_services.appoint_trustee(actor=SYSTEM, board=board, member=member)
    tabs = []
    contexts = []
    try:
        tabs = run_ceremony(browser, live_server.url, tmp_path, board, trustees)
        for tab, passphrase in zip(tabs, PASSPHRASES, strict=True):
            assert tab.passphrase == passphrase

        # Two voters make their voting keys on their phones before the poll opens.
        auditor = _voter(browser, live_server, fed.member)
        booth_voter = _voter(browser, live_server, fed.secretary)
        contexts += [auditor[0], booth_voter[0]]
        _make_voting_key(auditor[1])
        _make_voting_key(booth_voter[1])

        poll = make_poll(fed.operator, fed.zone_a, encrypted=True)
        poll = services.open_poll(actor=fed.operator, poll=poll)
        assert poll.election.parameters["ceremony_id"] == board.ceremony_id  # type: ignore[attr-defined]

        # yes/no/abstain: 0 yes, 1 no, 2 abstain.
        trackers = [
            _booth(auditor[1], poll, 0, audit_first=1),
            _booth(booth_voter[1], poll, 0),
        ]
        for member, choice in ((fed.other_member, 1), (extra[0], 0), (extra[1], 2)):
            context, page = _voter(browser, live_server, member, javascript=False)
            contexts.append(context)
            trackers.append(_assisted(page, poll, choice))
        lines = BoardLine.objects.filter(election__poll=poll).order_by("index")
        assert [line.tracker for line in lines] == trackers

        # The scheduler's close: the sums run once it commits.
        services.close_poll(actor=SYSTEM, poll=poll)
        tally = Tally.objects.get(election__poll=poll)
        assert tally.state == "decrypting", tally.failure
        assert tally.progress["counted"] == 5

        _decrypt(tabs[0], poll)
        _decrypt(tabs[2], poll)
        tally.refresh_from_db()
        assert tally.state == "done", tally.failure

        page = tabs[1].page
        page.goto(f"{live_server.url}/polls/{poll.pk}/results/")
        expect(page.locator("#tally-state .state-done")).to_be_visible()
        groups = page.locator("#tally-groups tbody tr")
        expect(groups.first).to_be_visible()
        # Five ballots: the committee stands alone (yes 3, no 1, abstain 1).
        row = groups.filter(has_text=fed.committee_a1.name)
        assert row.locator("td.num").all_inner_texts() == ["5", "3", "1", "1"]
        expect(page.locator("#tally pre code")).to_contain_text("secret_ballot verify")

        page.goto(f"{live_server.url}/polls/{poll.pk}/board/")
        expect(page.locator("main")).to_contain_text(trackers[0])
        results = page.locator(f"#board-links a[href='/polls/{poll.pk}/results/']")
        expect(results).to_be_visible()
        page.click("#board-links a[href='#record']")
        with page.expect_download() as info:
            page.click(f"a[href='/polls/{poll.pk}/record.zip']")
        record = Path(tmp_path) / info.value.suggested_filename
        info.value.save_as(record)
        assert record.name == f"poll-{poll.pk}-record.zip"
        checked = subprocess.run(  # noqa: S603 - fixed argv
            [sys.executable, "-m", "secret_ballot", "verify", str(record)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
    finally:
        for tab in tabs:
            tab.context.close()
        for context in contexts:
            context.close()
