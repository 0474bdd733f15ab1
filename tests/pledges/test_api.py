"""The JSON API of calls: issue, open, answer, read coarse figures; every
refusal answers its code with a 4xx and writes nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from asamblea.accounts import services as account_services
from asamblea.pledges.models import Call, CallState
from asamblea.pledges.schedule import apply_schedule
from tests.pledges.conftest import open_call, snapshot

pytestmark = pytest.mark.django_db

BASE = "/api/v1/calls"


class Api:
    def __init__(self, member):
        _, raw = account_services.create_api_token(member=member, name="test")
        self.client = Client()
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def get(self, path, **params):
        return self.client.get(BASE + path, params, **self.auth)

    def post(self, path, data=None, raw=None):
        body = raw if raw is not None else json.dumps(data or {})
        return self.client.post(BASE + path, body, content_type="application/json", **self.auth)


def _body(fed, **overrides):
    now = timezone.now()
    body = {
        "node": fed.zone_a.pk,
        "titles": {"qu": "Llamkay sayachiy", "es": "Paro"},
        "kind": "strike",
        "deadline": (now + timedelta(days=1)).isoformat(),
        "starts_at": (now + timedelta(days=2)).isoformat(),
        "ends_at": (now + timedelta(days=2, hours=4)).isoformat(),
        "thresholds": {"committee": {"kind": "share", "value": 50}},
        "texts": {"es": "Primer párrafo.\n\nSegundo párrafo."},
    }
    body.update(overrides)
    return body


def test_issue_open_answer_and_read(fed):
    api = Api(fed.operator)
    created = api.post("/", _body(fed))
    assert created.status_code == 201, created.json()
    call_id = created.json()["id"]
    assert created.json()["state"] == "draft"
    opened = api.post(f"/{call_id}/open")
    assert opened.json()["state"] == "pledging"
    member = Api(fed.member)
    answered = member.post(f"/{call_id}/answer", {"pledge": True})
    assert answered.json() == {
        "elector": True,
        "answered": True,
        "pledged": True,
        "may_reconfirm": False,
    }
    twice = member.post(f"/{call_id}/answer", {"pledge": True})
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "already_pledged"
    detail = member.get(f"/{call_id}").json()
    scopes = {s["node"]: s for s in detail["scopes"]}
    # One pledge is below the public minimum: no figure leaves the server.
    assert scopes[fed.committee_a1.pk]["pledges"] is None
    assert fed.committee_a2.pk not in scopes
    awaiting = Api(fed.other_member).get("/awaiting").json()
    assert [c["id"] for c in awaiting] == [call_id]


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"thresholds": {"committee": {"kind": "share", "value": 101}}}, 422, "invalid"),
        ({"thresholds": {"committee": {"kind": "count", "value": 0}}}, 422, "invalid"),
        ({"secrecy": "sealed"}, 422, "sealed_unavailable"),
        ({"titles": {}}, 422, "invalid"),
        ({"kind": "riot"}, 422, "invalid"),
        ({"starts_at": timezone.now().isoformat()}, 422, "invalid"),
        ({"node": 10**30}, 404, "not_found"),
        ({"thresholds": "many"}, 422, "invalid"),
        ({"titles": {"es": "Paro\u0007"}}, 422, "invalid"),
        ({"thresholds": {"committee": {"kind": "share", "value": True}}}, 422, "invalid"),
    ],
)
def test_bad_bodies_are_refused_and_write_nothing(fed, overrides, status, code):
    api = Api(fed.operator)
    before = snapshot()
    response = api.post("/", _body(fed, **overrides))
    assert response.status_code == status, response.json()
    assert response.json()["error"]["code"] == code
    assert snapshot() == before


def test_malformed_json_is_refused(fed):
    api = Api(fed.operator)
    before = snapshot()
    response = api.post("/", raw="{not json")
    assert response.status_code == 400
    assert snapshot() == before


def test_a_member_may_not_issue_and_an_outsider_sees_nothing(fed):
    response = Api(fed.member).post("/", _body(fed))
    assert response.status_code == 403
    assert not Call.objects.exists()
    call = open_call(fed.operator, fed.zone_a)
    assert Api(fed.outsider).get(f"/{call.pk}").status_code == 404
    refused = Api(fed.outsider).post(f"/{call.pk}/answer", {"pledge": True})
    assert refused.status_code == 404


def test_reconfirm_and_turnout(fed):
    call = open_call(fed.operator, fed.zone_a)
    for who in (fed.member, fed.secretary):
        Api(who).post(f"/{call.pk}/answer", {"pledge": True})
    apply_schedule(now=call.deadline + timedelta(seconds=1))
    assert Api(fed.member).post(f"/{call.pk}/reconfirm", {"still_in": True}).status_code == 204
    again = Api(fed.member).post(f"/{call.pk}/reconfirm", {"still_in": True})
    assert again.status_code == 409
    apply_schedule(now=call.ends_at + timedelta(seconds=1))
    report = Api(fed.secretary).post(
        f"/{call.pk}/turnout", {"committee": fed.committee_a1.pk, "turnout": 2}
    )
    assert report.status_code == 204
    call.refresh_from_db()
    assert call.state == CallState.REPORTED
