from __future__ import annotations

import json

import pytest

from asamblea.accounts import services as account_services
from asamblea.core.actors import SYSTEM
from asamblea.federation import services as federation_services
from asamblea.motions import services as motion_services
from asamblea.voting import services
from asamblea.voting.models import Ballot, PollState
from tests.voting.conftest import make_poll, open_poll, snapshot

pytestmark = pytest.mark.django_db

BASE = "/api/v1/polls"


_tokens: dict[int, str] = {}


@pytest.fixture(autouse=True)
def _fresh_tokens():
    _tokens.clear()


def _auth(member):
    # One token per member and test, made before any snapshot is taken.
    if member.pk not in _tokens:
        _token, raw = account_services.create_api_token(member=member, name="test")
        _tokens[member.pk] = raw
    return {"HTTP_AUTHORIZATION": f"Bearer {_tokens[member.pk]}"}


def _post(client, url, body, member):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json", **_auth(member))


def _error(response):
    return response.json()["error"]


def test_create_open_vote_close_and_read_results(fed, client):
    created = _post(
        client,
        f"{BASE}/",
        {"node": fed.committee_a1.pk, "question": "¿Marchamos?", "secret": True},
        fed.secretary,
    )
    assert created.status_code == 201, created.content
    poll_id = created.json()["id"]
    assert [o["code"] for o in created.json()["options"]] == ["yes", "no", "abstain"]
    assert _post(client, f"{BASE}/{poll_id}/open", {}, fed.secretary).json()["state"] == "open"
    receipt = _post(client, f"{BASE}/{poll_id}/ballot", {"choice": ["yes"]}, fed.member)
    assert receipt.status_code == 200
    assert receipt.json() == {"poll": poll_id, "choice": [0], "changed": False}
    mine = client.get(f"{BASE}/{poll_id}/my-ballot", **_auth(fed.member)).json()
    assert mine == {"entitled": True, "has_voted": True, "choice": [0]}
    hidden = client.get(f"{BASE}/{poll_id}/results", **_auth(fed.member))
    assert hidden.status_code == 409
    assert "only after it closes" in _error(hidden)["message"]
    assert _post(client, f"{BASE}/{poll_id}/close", {}, fed.secretary).status_code == 200
    results = client.get(f"{BASE}/{poll_id}/results", **_auth(fed.member)).json()
    assert results["levels"][0]["counts"] == {"0": 1, "1": 0, "2": 0}
    assert results["levels"][0]["outcome"] == "carried"


def test_list_and_get_respect_visibility(fed, client):
    poll = make_poll(fed.secretary, fed.committee_a1)
    listed = client.get(f"{BASE}/", **_auth(fed.outsider)).json()
    assert poll.pk not in [p["id"] for p in listed]
    assert client.get(f"{BASE}/?node={fed.committee_a1.pk}", **_auth(fed.member)).status_code == 200
    invisible = client.get(f"{BASE}/{poll.pk}", **_auth(fed.outsider))
    assert invisible.status_code == 404
    assert _error(invisible)["code"] == "not_found"
    assert client.get(f"{BASE}/999999", **_auth(fed.member)).status_code == 404


def test_changing_a_vote_through_the_api_keeps_one_ballot(fed, client):
    poll = open_poll(fed.secretary, fed.committee_a1)
    _post(client, f"{BASE}/{poll.pk}/ballot", {"choice": [0]}, fed.member)
    again = _post(client, f"{BASE}/{poll.pk}/ballot", {"choice": ["no"]}, fed.member)
    assert again.json()["changed"] is True
    assert Ballot.objects.filter(poll=poll).count() == 1


@pytest.mark.parametrize(
    ("body", "status", "code", "message"),
    [
        ('{"choice": [', 400, "malformed_json", "not valid JSON"),
        ({"choice": ["yes", "no"]}, 422, "invalid", "exactly one"),
        ({"choice": ["perhaps"]}, 422, "invalid", "does not exist"),
        ({"choice": [9]}, 422, "invalid", "does not exist"),
        ({"choice": ["x" * 17]}, 422, "invalid", "choice"),
        ({}, 422, "invalid", "choice"),
    ],
)
def test_bad_ballots_are_refused_and_write_nothing(fed, client, body, status, code, message):
    poll = open_poll(fed.secretary, fed.committee_a1)
    _auth(fed.member)
    before = snapshot()
    response = _post(client, f"{BASE}/{poll.pk}/ballot", body, fed.member)
    assert response.status_code == status
    assert _error(response)["code"] == code
    assert message in _error(response)["message"]
    assert snapshot() == before


def test_ballot_after_close_and_outside_electorate(fed, client):
    poll = open_poll(fed.secretary, fed.committee_a1)
    outside = _post(client, f"{BASE}/{poll.pk}/ballot", {"choice": ["yes"]}, fed.operator)
    assert outside.status_code == 403
    assert "outside this poll's electorate" in _error(outside)["message"]
    services.close_poll(actor=fed.secretary, poll=poll)
    _auth(fed.member)
    before = snapshot()
    late = _post(client, f"{BASE}/{poll.pk}/ballot", {"choice": ["yes"]}, fed.member)
    assert late.status_code == 409
    assert snapshot() == before


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"question": "x" * 301}, "question"),
        ({"question": "¿?", "method": "single", "options": ["a", "b" * 201]}, "options"),
        ({"question": "¿?", "method": "single", "options": ["a"] * 64}, "options"),
        ({"question": "¿?", "method": "ranked"}, "method"),
        ({"question": "¿?", "majority_den": 0}, "majority_den"),
    ],
)
def test_oversized_or_unknown_poll_input_is_422(fed, client, body, message):
    _auth(fed.secretary)
    before = snapshot()
    response = _post(client, f"{BASE}/", {"node": fed.committee_a1.pk, **body}, fed.secretary)
    assert response.status_code == 422
    assert message in _error(response)["message"]
    assert snapshot() == before


def test_member_cannot_create_or_close_polls(fed, client):
    _auth(fed.member)
    before = snapshot()
    response = _post(
        client, f"{BASE}/", {"node": fed.committee_a1.pk, "question": "¿?"}, fed.member
    )
    assert response.status_code == 403
    assert snapshot() == before
    poll = open_poll(fed.secretary, fed.committee_a1)
    assert _post(client, f"{BASE}/{poll.pk}/close", {}, fed.member).status_code == 403
    poll.refresh_from_db()
    assert poll.state == PollState.OPEN


def test_session_without_csrf_is_refused(fed, csrf_client_for):
    poll = open_poll(fed.secretary, fed.committee_a1)
    before = snapshot()
    response = csrf_client_for(fed.member).post(
        f"{BASE}/{poll.pk}/ballot",
        data=json.dumps({"choice": ["yes"]}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert snapshot() == before


def test_anonymous_is_401(fed, client):
    poll = open_poll(fed.secretary, fed.committee_a1)
    response = client.get(f"{BASE}/{poll.pk}")
    assert response.status_code == 401


def test_motion_vote_and_recall_endpoints(fed, client):
    motion = motion_services.submit_motion(
        actor=fed.member, node=fed.committee_a1, title="Paro", body="Texto."
    )
    motion_services.second_motion(actor=fed.secretary, motion=motion)
    opened = _post(client, f"{BASE}/motion/{motion.pk}/open", {"secret": True}, fed.member)
    assert opened.status_code == 201
    assert opened.json()[0]["purpose"] == "motion"
    again = _post(client, f"{BASE}/motion/{motion.pk}/open", {}, fed.member)
    assert again.status_code == 409

    mandate = federation_services.appoint_delegate(
        actor=SYSTEM, committee=fed.committee_a1, delegate=fed.secretary
    )
    recall = _post(
        client, f"{BASE}/recalls", {"mandate": mandate.pk, "reason": "No informa."}, fed.member
    )
    assert recall.status_code == 201
    assert recall.json()["poll"]["purpose"] == "recall"
    hidden = _post(client, f"{BASE}/recalls", {"mandate": mandate.pk, "reason": "x"}, fed.outsider)
    assert hidden.status_code == 404
    too_long = _post(
        client, f"{BASE}/recalls", {"mandate": mandate.pk, "reason": "x" * 4001}, fed.member
    )
    assert too_long.status_code == 422


@pytest.mark.parametrize("poll_id", ["0", "999999", "99999999999999999999"])
def test_ballot_for_an_unknown_poll_is_not_found_and_writes_nothing(fed, client, poll_id):
    open_poll(fed.secretary, fed.committee_a1)
    _auth(fed.member)
    before = snapshot()
    response = _post(client, f"{BASE}/{poll_id}/ballot", {"choice": ["yes"]}, fed.member)
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"
    assert snapshot() == before


def test_ballot_in_a_sibling_committee_poll_is_not_found_and_writes_nothing(fed, client):
    poll = open_poll(fed.secretary, fed.committee_a1)
    _auth(fed.outsider)
    before = snapshot()
    response = _post(client, f"{BASE}/{poll.pk}/ballot", {"choice": ["yes"]}, fed.outsider)
    assert response.status_code == 404
    assert snapshot() == before


def test_a_secret_poll_says_it_is_secret_from_members_only(fed, client):
    secret = _post(
        client,
        f"{BASE}/",
        {"node": fed.committee_a1.pk, "question": "¿Secreta?", "secret": True},
        fed.secretary,
    ).json()
    named = _post(
        client, f"{BASE}/", {"node": fed.committee_a1.pk, "question": "¿Nominal?"}, fed.secretary
    ).json()
    assert (secret["secret"], secret["secrecy"]) == (True, "from_members")
    assert (named["secret"], named["secrecy"]) == (False, "none")
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    for name in ("PollIn", "PollOut"):
        description = schema[name]["properties"]["secret"]["description"]
        assert "not from whoever runs the server" in description
    assert "from_members" in schema["PollOut"]["properties"]["secrecy"]["description"]


def test_opening_with_nobody_to_vote_answers_its_own_error_code(fed, client):
    empty = federation_services.create_node(
        actor=SYSTEM, kind="committee", name="Comité vacío", parent=fed.region_b
    )
    poll = make_poll(fed.operator, empty)
    response = _post(client, f"{BASE}/{poll.pk}/open", {}, fed.operator)
    assert response.status_code == 409
    assert _error(response)["code"] == "empty_electorate"
