from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.management import call_command

from asamblea.voting import services
from asamblea.voting.encrypted import selectors as encrypted_selectors
from asamblea.voting.encrypted import services as enc
from asamblea.voting.models import BoardLine, ElectionCredential, Poll, VoteLedger
from secret_ballot.board import Receipt, check_receipt_in_record
from tests.voting.encrypted.conftest import device_ballot, make_encrypted, voting_key

pytestmark = pytest.mark.django_db


def _open(fed, **settings):
    poll = make_encrypted(fed.secretary, fed.committee_a1, **settings)
    return services.open_poll(actor=fed.secretary, poll=poll)


def test_an_assisted_ballot_through_the_html_form(client_for, fed):
    poll = _open(fed)
    client = client_for(fed.other_member)
    page = client.get(f"/polls/{poll.pk}/")
    assert b"Assisted ballot" in page.content
    assert b"a server that is made to record choices" in page.content
    response = client.post(f"/polls/{poll.pk}/vote/", {"choice": "1"})
    assert response.status_code == 200, response.content
    assert b"Your encrypted ballot is line 1" in response.content
    line = BoardLine.objects.get()
    own = ElectionCredential.objects.get(member=fed.other_member)
    assert line.line["ballot"]["credential"] == own.credential
    assert line.tracker.encode() in response.content
    assert VoteLedger.objects.filter(member=fed.other_member).exists()


def test_an_assisted_score_ballot_through_the_html_form(client_for, fed):
    poll = _open(fed, method="score", options=["A", "B"], max_score=3)
    response = client_for(fed.other_member).post(
        f"/polls/{poll.pk}/vote/", {"scores_0": "3", "scores_1": "1"}
    )
    assert response.status_code == 200, response.content
    assert BoardLine.objects.count() == 1


def test_an_invalid_assisted_choice_writes_nothing(client_for, fed):
    poll = _open(fed)
    response = client_for(fed.other_member).post(f"/polls/{poll.pk}/vote/", {"choice": "7"})
    assert response.status_code == 422
    assert not BoardLine.objects.exists()


def test_a_member_with_a_voting_key_is_sent_to_the_booth(client_for, fed):
    voting_key(fed.member)
    poll = _open(fed)
    client = client_for(fed.member)
    page = client.get(f"/polls/{poll.pk}/")
    assert b"with the booth" in page.content
    response = client.post(f"/polls/{poll.pk}/vote/", {"choice": "0"})
    assert response.status_code == 409
    assert not BoardLine.objects.exists()


def test_the_board_lists_lines_and_finds_a_tracker(client_for, fed):
    pair = voting_key(fed.member)
    poll = _open(fed)
    ballot, _s, _sel = device_ballot(poll, pair, [1, 0, 0])
    result = enc.cast_encrypted_ballot(voter=fed.member, poll_id=poll.pk, ballot=ballot)
    ballot2, seed, selections = device_ballot(poll, pair, [0, 1, 0])
    audited = enc.audit_encrypted_ballot(
        voter=fed.member,
        poll_id=poll.pk,
        ballot=ballot2,
        nonce_seed=seed.hex(),
        selections=selections,
    )
    client = client_for(fed.other_member)
    page = client.get(f"/polls/{poll.pk}/board/")
    assert page.status_code == 200
    text = page.content.decode()
    tracker = result.receipt["tracker"]
    assert tracker in text
    assert audited["tracker"] in text
    assert "board-test" in text
    assert "3 credentials: 1 on members' devices, 2 held by the server" in text
    found = client.get(f"/polls/{poll.pk}/board/", {"tracker": tracker})
    assert "Found: line 1 of the board." in found.content.decode()
    missing = client.get(f"/polls/{poll.pk}/board/", {"tracker": "ab" * 32})
    assert "Not on the board." in missing.content.decode()


def test_the_board_is_invisible_to_whoever_cannot_see_the_poll(client_for, fed):
    poll = _open(fed)
    client = client_for(fed.neighbour)
    assert client.get(f"/polls/{poll.pk}/board/").status_code == 404
    assert client.get(f"/polls/{poll.pk}/record.zip").status_code == 404


def test_the_board_of_a_plain_poll_does_not_exist(client_for, fed):
    poll = make_encrypted(fed.secretary, fed.committee_a1, encrypted=False, secret=True)
    poll = services.open_poll(actor=fed.secretary, poll=poll)
    assert client_for(fed.member).get(f"/polls/{poll.pk}/board/").status_code == 404


def test_the_partial_record_holds_the_board_and_checks_a_receipt(client_for, fed, tmp_path):
    pair = voting_key(fed.member)
    poll = _open(fed)
    ballot, _s, _sel = device_ballot(poll, pair, [1, 0, 0])
    result = enc.cast_encrypted_ballot(voter=fed.member, poll_id=poll.pk, ballot=ballot)
    enc.cast_assisted_ballot(voter=fed.other_member, poll_id=poll.pk, choice=[2])
    response = client_for(fed.member).get(f"/polls/{poll.pk}/record.zip")
    assert response.status_code == 200
    assert f"poll-{poll.pk}-record-partial.zip" in response["Content-Disposition"]
    data = b"".join(response.streaming_content) if response.streaming else response.content
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        lines = archive.read("ballots.jsonl").decode().splitlines()
        credentials = json.loads(archive.read("credentials.json"))
    assert "tally.json" not in names
    assert names == {
        "record.json",
        "manifest.json",
        "parameters.json",
        "ceremony.json",
        "election.json",
        "credentials.json",
        "committees.json",
        "ballots.jsonl",
        "audited.jsonl",
    }
    assert len(lines) == 2
    assert sorted(c["kind"] for c in credentials) == ["device", "server", "server"]
    path = tmp_path / "record.zip"
    path.write_bytes(data)
    check_receipt_in_record(path, Receipt.from_json(result.receipt))


def test_export_records_writes_every_closed_encrypted_poll(fed, tmp_path):
    closed = _open(fed)
    enc.cast_assisted_ballot(voter=fed.other_member, poll_id=closed.pk, choice=[0])
    services.close_poll(actor=fed.secretary, poll=closed)
    still_open = _open(fed)
    call_command("export_records", str(tmp_path / "out"))
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == [f"{closed.pk}.zip"]
    assert still_open.pk != closed.pk
    with zipfile.ZipFile(tmp_path / "out" / f"{closed.pk}.zip") as archive:
        assert len(archive.read("ballots.jsonl").decode().splitlines()) == 1


def test_the_pages_of_a_closed_encrypted_poll_awaiting_its_tally(client_for, fed):
    poll = _open(fed)
    services.close_poll(actor=fed.secretary, poll=poll)
    client = client_for(fed.member)
    for url in (f"/polls/{poll.pk}/", f"/polls/{poll.pk}/results/", f"/polls/{poll.pk}/board/"):
        assert client.get(url).status_code == 200, url


def _create_form(method: str, options: str) -> dict[str, object]:
    return {
        "question": "¿Cuándo?",
        "method": method,
        "options": options,
        "max_choices": 1,
        "aggregation": "pooled",
        "majority_num": 1,
        "majority_den": 2,
        "majority_base": "valid",
        "quorum_num": 0,
        "quorum_den": 1,
        "encrypted": "on",
    }


def test_the_create_form_makes_an_encrypted_poll(client_for, fed):
    response = client_for(fed.secretary).post(
        f"/polls/new/?node={fed.committee_a1.pk}", _create_form("single", "Lunes\nMartes")
    )
    assert response.status_code == 302, response.content
    poll = Poll.objects.get()
    assert poll.encrypted
    assert poll.secret


def test_the_create_form_refuses_an_encrypted_ranked_poll_and_says_why(client_for, fed):
    response = client_for(fed.secretary).post(
        f"/polls/new/?node={fed.committee_a1.pk}", _create_form("irv", "Lunes\nMartes\nMiércoles")
    )
    assert response.status_code == 422
    assert "mix-net" in response.content.decode()
    assert not Poll.objects.exists()


def test_the_board_shows_its_lines_page_by_page(client_for, fed, monkeypatch):
    monkeypatch.setattr(encrypted_selectors, "BOARD_PAGE_LINES", 2)
    poll = _open(fed)
    trackers = [
        enc.cast_assisted_ballot(voter=fed.other_member, poll_id=poll.pk, choice=[r]).receipt[
            "tracker"
        ]
        for r in range(3)
    ]
    client = client_for(fed.member)
    first = client.get(f"/polls/{poll.pk}/board/").content.decode()
    assert trackers[0] in first
    assert trackers[1] in first
    assert 'id="line-3"' not in first  # its tracker is the head, shown above
    assert "?from=3#lines" in first
    assert "3 lines." in first
    last = client.get(f"/polls/{poll.pk}/board/", {"from": "3"}).content.decode()
    assert trackers[2] in last
    assert trackers[0] not in last
    assert "?from=1#lines" in last
    found = client.get(f"/polls/{poll.pk}/board/", {"tracker": trackers[2]}).content.decode()
    assert "?from=3#line-3" in found
    assert client.get(f"/polls/{poll.pk}/board/", {"from": "x"}).status_code == 404


def test_the_poll_page_links_a_device_voter_to_the_booth(client_for, fed):
    voting_key(fed.member)
    poll = _open(fed)
    page = client_for(fed.member).get(f"/polls/{poll.pk}/")
    assert f'href="/polls/{poll.pk}/booth/"'.encode() in page.content


def test_the_booth_page_carries_the_api_and_says_why_it_needs_javascript(client_for, fed):
    voting_key(fed.member)
    poll = _open(fed, method="approval", options=["A", "B", "C"], max_choices=2)
    page = client_for(fed.member).get(f"/polls/{poll.pk}/booth/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f'data-cast-url="/api/v1/polls/{poll.pk}/encrypted/cast"' in body
    assert f'data-audit-url="/api/v1/polls/{poll.pk}/encrypted/audit"' in body
    assert "js/booth.js" in body
    assert "<noscript>" in body
    assert "The booth needs JavaScript" in body
    assert body.count('type="checkbox"') == 3


def test_the_booth_offers_the_assisted_form_to_a_member_without_a_voting_key(client_for, fed):
    poll = _open(fed)
    page = client_for(fed.other_member).get(f"/polls/{poll.pk}/booth/")
    body = page.content.decode()
    assert "Assisted ballot" in body
    assert "a server that is made to record choices" in body
    assert f'action="/polls/{poll.pk}/vote/"' in body
    assert "js/booth.js" not in body


def test_the_booth_of_a_closed_or_plain_poll(client_for, fed):
    voting_key(fed.member)
    poll = _open(fed)
    services.close_poll(actor=fed.secretary, poll=poll)
    page = client_for(fed.member).get(f"/polls/{poll.pk}/booth/")
    assert b"not open for voting" in page.content
    assert b"js/booth.js" not in page.content
    plain = services.open_poll(
        actor=fed.secretary, poll=make_encrypted(fed.secretary, fed.committee_a1, encrypted=False)
    )
    assert client_for(fed.member).get(f"/polls/{plain.pk}/booth/").status_code == 404


def test_an_outsider_cannot_see_the_booth_of_a_committee_poll(client_for, fed):
    poll = _open(fed)
    assert client_for(fed.outsider).get(f"/polls/{poll.pk}/booth/").status_code == 404


def test_the_voting_key_page_shows_the_active_key(client_for, fed):
    client = client_for(fed.member)
    page = client.get("/polls/voting-key/")
    assert page.status_code == 200
    assert b"You have no voting key" in page.content
    assert b'data-register-url="/api/v1/voting-keys/"' in page.content
    pair = voting_key(fed.member)
    page = client.get("/polls/voting-key/")
    assert pair.public.hex().encode() in page.content
    assert b"Polls already open keep the credential" in page.content
    assert b"<noscript>" in page.content
