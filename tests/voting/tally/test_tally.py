"""The tally of an encrypted poll: sums at the close through the task runner,
the trustees' answers through the API, t of n, a tampered partial refused and
named, and a complete record that the verifier accepts."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from asamblea.core.models import AuditEntry
from asamblea.voting import rules, services
from asamblea.voting.encrypted.models import Tally, TallyAnswer
from asamblea.voting.encrypted.services import cast_assisted_ballot
from asamblea.voting.models import PollResult
from asamblea.voting.services import tally as tally_services
from secret_ballot.verify import verify_record
from tests.factories import join, make_member
from tests.voting.encrypted.conftest import auth, make_encrypted, post

from .conftest import engine_of

pytestmark = pytest.mark.django_db


def _poll_with_votes(fed, choices=None):
    """An assembly yes/no/abstain poll: committee_a1 votes yes, yes, no;
    committee_a2 abstains; committee_b1 (six members) yes x4, no x2."""
    extra = [make_member() for _ in range(5)]
    for m in extra:
        join(m, fed.committee_b1)
    poll = make_encrypted(fed.operator, fed.assembly)
    poll = services.open_poll(actor=fed.operator, poll=poll)
    votes = choices or [
        (fed.secretary, rules.YES),
        (fed.member, rules.YES),
        (fed.other_member, rules.NO),
        (fed.neighbour, rules.ABSTAIN),
        (fed.outsider, rules.YES),
        (extra[0], rules.YES),
        (extra[1], rules.YES),
        (extra[2], rules.YES),
        (extra[3], rules.NO),
        (extra[4], rules.NO),
    ]
    for voter, choice in votes:
        cast_assisted_ballot(voter=voter, poll_id=poll.pk, choice=[choice])
    return poll


def _close(fed, poll, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.close_poll(actor=fed.operator, poll=poll)
    return Tally.objects.get(election__poll=poll)


def _answer(standing, index, tally):
    return standing.devices[index].decrypt_sums(engine_of(tally.election.poll), tally.request)


def test_the_close_sums_the_board_and_asks_the_trustees(
    fed, standing, client, django_capture_on_commit_callbacks
):
    poll = _poll_with_votes(fed)
    tally = _close(fed, poll, django_capture_on_commit_callbacks)
    assert tally.state == "decrypting"
    assert tally.ceremony_id == standing.board.ceremony_id
    # committee_b1 (6 ballots) stands alone; the others are merged into the root.
    groups = [g["group_id"] for g in tally.request["groups"]]
    assert groups == [f"assembly-{fed.assembly.pk}", f"committee-{fed.committee_b1.pk}"]
    assert tally.progress["counted"] == 10
    r = client.get(f"/api/v1/polls/{poll.pk}/encrypted/tally", **auth(fed.neighbour))
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["state"] == "decrypting"
    assert body["threshold"] == 2
    assert body["request"] == tally.request
    assert body["answers"] == []
    assert body["deadline"]
    r = client.get(f"/api/v1/trustees/boards/{standing.board.pk}/decryptions", **auth(fed.member))
    assert r.status_code == 200
    [waiting] = r.json()
    assert waiting["poll_id"] == poll.pk
    assert waiting["election_id"] == f"poll-{poll.pk}"
    assert (waiting["state"], waiting["answered"]) == ("decrypting", False)
    assert waiting["deadline"]
    assert waiting["question"] == poll.display_question
    # Only a seat holder is told the question.
    r = client.get(
        f"/api/v1/trustees/boards/{standing.board.pk}/decryptions", **auth(fed.neighbour)
    )
    assert r.status_code == 200
    assert [w["question"] for w in r.json()] == [None]


def test_t_answers_decrypt_and_publish_a_record_that_verifies(
    fed, standing, client, tmp_path: Path, django_capture_on_commit_callbacks
):
    poll = _poll_with_votes(fed)
    tally = _close(fed, poll, django_capture_on_commit_callbacks)
    url = f"/api/v1/polls/{poll.pk}/encrypted/tally/answer"
    # Trustee 1 answers: nothing is decrypted with fewer than t answers.
    r = post(client, url, {"answer": _answer(standing, 1, tally)}, standing.members[0])
    assert r.status_code == 201, r.content
    assert r.json() == {"trustee": 1, "state": "accepted"}
    tally.refresh_from_db()
    assert tally.state == "decrypting"
    assert tally.result is None
    assert not PollResult.objects.filter(poll=poll).exists()
    # Trustee 3 (trustee 2 is absent) completes t = 2.
    r = post(client, url, {"answer": _answer(standing, 3, tally)}, standing.members[2])
    assert r.status_code == 201, r.content
    tally.refresh_from_db()
    assert tally.state == "done"
    assert tally.result["trustees"] == [1, 3]
    top = PollResult.objects.get(poll=poll, node=fed.assembly)
    assert top.counts == {"0": 6, "1": 3, "2": 1}
    assert top.voted == 10
    b1 = PollResult.objects.get(poll=poll, node=fed.committee_b1)
    assert b1.counts == {"0": 4, "1": 2, "2": 0}
    # Merged committees get no result of their own.
    assert not PollResult.objects.filter(poll=poll, node=fed.committee_a1).exists()
    assert AuditEntry.objects.filter(action="tally.decrypted").exists()
    assert AuditEntry.objects.filter(action="result.recorded").exists()
    # The complete record verifies.
    r = client.get(f"/api/v1/polls/{poll.pk}/encrypted/record", **auth(fed.neighbour))
    assert r.status_code == 200
    assert "partial" not in r["Content-Disposition"]
    path = tmp_path / "record.zip"
    path.write_bytes(r.content)
    report = verify_record(path)
    assert report.ok, report.render()
    # A late answer is refused.
    r = post(client, url, {"answer": _answer(standing, 2, tally)}, standing.members[1])
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "not_decrypting"


def test_a_tampered_partial_is_refused_and_names_its_trustee(
    fed, standing, client, django_capture_on_commit_callbacks
):
    poll = _poll_with_votes(fed)
    tally = _close(fed, poll, django_capture_on_commit_callbacks)
    url = f"/api/v1/polls/{poll.pk}/encrypted/tally/answer"
    honest = _answer(standing, 2, tally)
    tampered = copy.deepcopy(honest)
    option = tampered["groups"][0]["contests"][0]["options"][0]
    option["share"] = _answer(standing, 1, tally)["groups"][0]["contests"][0]["options"][0]["share"]
    r = post(client, url, {"answer": tampered}, standing.members[1])
    assert r.status_code == 422, r.content
    assert r.json()["error"]["code"] == "invalid_answer"
    assert "trustee 2" in r.json()["error"]["message"]
    row = TallyAnswer.objects.get(tally=tally, trustee=2)
    assert row.state == "refused"
    assert row.answer is None
    status = client.get(f"/api/v1/polls/{poll.pk}/encrypted/tally", **auth(fed.neighbour)).json()
    assert status["answers"][0]["trustee"] == 2
    assert status["answers"][0]["state"] == "refused"
    assert status["answers"][0]["reason"]
    # The others finish.
    for i in (1, 3):
        r = post(client, url, {"answer": _answer(standing, i, tally)}, standing.members[i - 1])
        assert r.status_code == 201, r.content
    tally.refresh_from_db()
    assert tally.state == "done"
    assert tally.result["trustees"] == [1, 3]


def test_refused_answers_write_nothing(fed, standing, client, django_capture_on_commit_callbacks):
    poll = _poll_with_votes(fed)
    tally = _close(fed, poll, django_capture_on_commit_callbacks)
    url = f"/api/v1/polls/{poll.pk}/encrypted/tally/answer"
    auth(fed.neighbour), auth(standing.members[0])  # tokens made (and audited) beforehand
    before = (TallyAnswer.objects.count(), AuditEntry.objects.count())
    # Another trustee's answer, sent by trustee 1.
    r = post(client, url, {"answer": _answer(standing, 2, tally)}, standing.members[0])
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_answer"
    # Not a trustee.
    r = post(client, url, {"answer": _answer(standing, 2, tally)}, fed.neighbour)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "not_trustee"
    # Malformed.
    for body in ({"answer": {"trustee": 1, "groups": "x"}}, {"answer": "x"}, "{", {}):
        r = post(client, url, body, standing.members[0])
        assert 400 <= r.status_code < 500, r.content
    assert (TallyAnswer.objects.count(), AuditEntry.objects.count()) == before
    # Twice.
    r = post(client, url, {"answer": _answer(standing, 1, tally)}, standing.members[0])
    assert r.status_code == 201
    r = post(client, url, {"answer": _answer(standing, 1, tally)}, standing.members[0])
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "already_answered"


def test_no_answer_before_the_sums(fed, standing, client):
    poll = _poll_with_votes(fed)
    services.close_poll(actor=fed.operator, poll=poll)  # on_commit not run: pending
    tally = Tally.objects.get(election__poll=poll)
    assert tally.state == "pending"
    url = f"/api/v1/polls/{poll.pk}/encrypted/tally/answer"
    r = post(client, url, {"answer": {"trustee": 1, "groups": []}}, standing.members[0])
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "not_decrypting"
    assert tally_services.sum_pending_tallies() == 1
    tally.refresh_from_db()
    assert tally.state == "decrypting"


def test_the_request_json_is_what_a_trustee_device_takes(fed, standing):
    poll = _poll_with_votes(fed)
    services.close_poll(actor=fed.operator, poll=poll)
    tally_services.sum_pending_tallies(jobs=2)
    tally = Tally.objects.get(election__poll=poll)
    answer = _answer(standing, 1, tally)
    assert json.loads(json.dumps(answer)) == answer


def test_the_pages_show_progress_refusals_groups_and_the_verify_command(
    fed, standing, client, client_for, django_capture_on_commit_callbacks
):
    poll = _poll_with_votes(fed)
    tally = _close(fed, poll, django_capture_on_commit_callbacks)
    url = f"/api/v1/polls/{poll.pk}/encrypted/tally/answer"
    page = client_for(fed.neighbour)
    html = page.get(f"/polls/{poll.pk}/board/").content.decode()
    assert "Waiting for the trustees" in html
    bad = _answer(standing, 2, tally)
    bad["groups"][1]["contests"][0]["options"][0]["proof"]["c"] = bad["groups"][1]["contests"][0][
        "options"
    ][1]["proof"]["c"]
    assert post(client, url, {"answer": bad}, standing.members[1]).status_code == 422
    html = page.get(f"/polls/{poll.pk}/board/").content.decode()
    assert 'id="refused-answers"' in html
    assert "Trustee 2 (rosa)" in html
    for i in (1, 3):
        post(client, url, {"answer": _answer(standing, i, tally)}, standing.members[i - 1])
    html = page.get(f"/polls/{poll.pk}/results/").content.decode()
    assert 'id="tally-groups"' in html
    assert "Comité San Blas" in html
    assert "Comité Santa Bárbara: 3" in html  # merged into the assembly's group
    assert f"python -m secret_ballot verify poll-{poll.pk}-record.zip" in html
    assert 'id="headline"' in html


def test_an_accepted_answer_changed_in_the_database_is_not_combined(
    fed, standing, client, django_capture_on_commit_callbacks
):
    """The operator with the database rewrites trustee 1's stored partial
    before trustee 3 answers: the combination checks it again and fails."""
    poll = _poll_with_votes(fed)
    tally = _close(fed, poll, django_capture_on_commit_callbacks)
    url = f"/api/v1/polls/{poll.pk}/encrypted/tally/answer"
    assert post(client, url, {"answer": _answer(standing, 1, tally)}, standing.members[0])
    row = TallyAnswer.objects.get(tally=tally, trustee=1)
    forged = copy.deepcopy(row.answer)
    options = forged["groups"][0]["contests"][0]["options"]
    options[0]["share"], options[1]["share"] = options[1]["share"], options[0]["share"]
    TallyAnswer.objects.filter(pk=row.pk).update(answer=forged)
    r = post(client, url, {"answer": _answer(standing, 3, tally)}, standing.members[2])
    assert r.status_code == 201
    tally.refresh_from_db()
    assert tally.state == "failed"
    assert tally.result is None
    assert not PollResult.objects.filter(poll=poll).exists()
