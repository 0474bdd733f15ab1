"""The polls API for ranked, score and grade polls: create, cast, results, export."""

from __future__ import annotations

import json

import pytest

from asamblea.accounts import services as account_services
from asamblea.voting.models import Ballot
from tests.voting.conftest import open_poll, snapshot

pytestmark = pytest.mark.django_db

BASE = "/api/v1/polls"
CANDIDATES = ["Ana", "Bea", "Carla"]
_tokens: dict[int, str] = {}


@pytest.fixture(autouse=True)
def _fresh_tokens():
    _tokens.clear()


def _auth(member):
    if member.pk not in _tokens:
        _token, raw = account_services.create_api_token(member=member, name="test")
        _tokens[member.pk] = raw
    return {"HTTP_AUTHORIZATION": f"Bearer {_tokens[member.pk]}"}


def _post(client, url, body, member):
    return client.post(url, data=json.dumps(body), content_type="application/json", **_auth(member))


def _get(client, url, member):
    return client.get(url, **_auth(member))


def test_ranked_poll_through_the_api_from_creation_to_export(fed, client):
    created = _post(
        client,
        f"{BASE}/",
        {
            "node": fed.committee_a1.pk,
            "question": "¿Quién?",
            "method": "irv",
            "options": CANDIDATES,
        },
        fed.secretary,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["method"], body["counting_method"], body["seats"]) == ("irv", "irv", 1)
    poll_id = body["id"]
    _post(client, f"{BASE}/{poll_id}/open", {}, fed.secretary)
    receipt = _post(client, f"{BASE}/{poll_id}/ballot", {"ranking": [[2], [0]]}, fed.member)
    assert receipt.status_code == 200, receipt.content
    assert receipt.json()["ballot"] == {"ranking": [[2], [0]]}
    mine = _get(client, f"{BASE}/{poll_id}/my-ballot", fed.member).json()
    assert mine["ballot"] == {"ranking": [[2], [0]]}
    _post(client, f"{BASE}/{poll_id}/ballot", {"ranking": [[0]]}, fed.other_member)
    _post(client, f"{BASE}/{poll_id}/ballot", {"ranking": [[2]]}, fed.secretary)
    early = _get(client, f"{BASE}/{poll_id}/export?format=blt", fed.member)
    assert early.status_code == 409
    assert "once the poll has closed" in early.json()["error"]["message"]
    _post(client, f"{BASE}/{poll_id}/close", {}, fed.secretary)
    results = _get(client, f"{BASE}/{poll_id}/results", fed.member).json()
    assert results["method"] == "irv"
    assert results["seed"]
    top = next(level for level in results["levels"] if level["node"] == fed.committee_a1.pk)
    assert top["detail"]["winners"] == [2]
    assert top["detail"]["explanation"]["winners"] == ["Carla"]
    assert top["detail"]["explanation"]["rounds"][0]["tallies"] == {"Ana": 1, "Bea": 0, "Carla": 2}
    blt = _get(client, f"{BASE}/{poll_id}/export?format=blt", fed.member)
    assert blt.status_code == 200
    assert blt["Content-Type"].startswith("text/plain")
    assert blt.content.decode().splitlines()[0] == "3 1"
    exported = _get(client, f"{BASE}/{poll_id}/export?format=json", fed.member).json()
    assert exported["candidates"] == CANDIDATES
    assert _get(client, f"{BASE}/{poll_id}/export?format=json", fed.outsider).status_code == 404


def test_score_and_grade_ballots_through_the_api(fed, client):
    score = open_poll(
        fed.secretary, fed.committee_a1, method="score", options=CANDIDATES, max_score=5
    )
    grades = open_poll(
        fed.secretary, fed.committee_a1, method="majority-judgment", options=CANDIDATES
    )
    ok = _post(client, f"{BASE}/{score.pk}/ballot", {"scores": {"0": 5, "2": 1}}, fed.member)
    assert ok.json()["ballot"] == {"scores": {"0": 5, "2": 1}}
    graded = {"0": "good", "1": "excellent", "2": "reject"}
    response = _post(client, f"{BASE}/{grades.pk}/ballot", {"grades": graded}, fed.member)
    assert response.status_code == 200
    poll = _get(client, f"{BASE}/{grades.pk}", fed.member).json()
    assert poll["grades"] == ["reject", "poor", "fair", "good", "very_good", "excellent"]


def test_api_creates_multi_winner_polls_and_accepts_library_names(fed, client):
    stv = _post(
        client,
        f"{BASE}/",
        {
            "node": fed.committee_a1.pk,
            "question": "¿Quiénes?",
            "method": "meek-stv",
            "seats": 2,
            "options": [*CANDIDATES, "Dina"],
        },
        fed.secretary,
    )
    assert stv.status_code == 201
    assert stv.json()["seats"] == 2
    plurality = _post(
        client,
        f"{BASE}/",
        {
            "node": fed.committee_a1.pk,
            "question": "¿?",
            "method": "plurality",
            "options": CANDIDATES,
        },
        fed.secretary,
    )
    assert plurality.json()["method"] == "single"


@pytest.mark.parametrize(
    ("method", "body", "message"),
    [
        ("irv", {"ranking": [[0], [0]]}, "ranked twice"),
        ("irv", {"ranking": [[0, 1]]}, "equal ranks"),
        ("irv", {"ranking": [[5]]}, "does not exist"),
        ("irv", {"ranking": [[]]}, "ranking"),
        ("irv", {"ranking": [[0]], "choice": [0]}, "exactly one of"),
        ("irv", {}, "exactly one of"),
        ("irv", {"choice": [0]}, "ranking of the options"),
        ("score", {"scores": {"0": 9}}, "between 0 and 5"),
        ("score", {"scores": {"x": 1}}, "scores"),
        ("majority-judgment", {"grades": {"0": "superb"}}, "grades"),
        ("majority-judgment", {"grades": {"0": "good"}}, "Grade every option"),
    ],
)
def test_bad_ranked_score_and_grade_ballots_are_422_and_write_nothing(
    fed, client, method, body, message
):
    poll = open_poll(
        fed.secretary, fed.committee_a1, method=method, options=CANDIDATES, max_score=5
    )
    _auth(fed.member)
    before = snapshot()
    response = _post(client, f"{BASE}/{poll.pk}/ballot", body, fed.member)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"
    assert message in response.json()["error"]["message"]
    assert snapshot() == before
    assert not Ballot.objects.filter(poll=poll).exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"method": "scottish-stv", "seats": 3}, "number of seats"),
        ({"method": "score", "max_score": 0}, "highest score"),
        ({"method": "score", "max_score": 1000}, "max_score"),
        ({"method": "irv", "aggregation": "delegates"}, "pooled"),
        ({"method": "condorcet"}, "method"),
    ],
)
def test_bad_method_settings_are_422_and_write_nothing(fed, client, extra, message):
    _auth(fed.secretary)
    before = snapshot()
    body = {"node": fed.committee_a1.pk, "question": "¿?", "options": CANDIDATES, **extra}
    response = _post(client, f"{BASE}/", body, fed.secretary)
    assert response.status_code == 422
    assert message in response.json()["error"]["message"]
    assert snapshot() == before


def test_openapi_documents_the_ballot_shapes_and_the_export(fed, client):
    schema = client.get("/api/v1/openapi.json").json()
    ballot = schema["components"]["schemas"]["BallotIn"]["properties"]
    assert {"choice", "ranking", "scores", "grades"} <= set(ballot)
    assert "/api/v1/polls/{poll_id}/export" in schema["paths"]
