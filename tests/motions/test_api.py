"""JSON API of motions: shapes, errors, visibility, CSRF."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from asamblea.accounts import services as account_services
from asamblea.core.actors import SYSTEM
from asamblea.motions import services
from asamblea.motions.models import (
    BODY_MAX,
    COMMENT_MAX,
    TITLE_MAX,
    Amendment,
    AmendmentKind,
    MotionState,
)
from tests.motions.conftest import snapshot

BASE = "/api/v1/motions"


class Api:
    """A bearer-token client for one member."""

    def __init__(self, member):
        _, raw = account_services.create_api_token(member=member, name="test")
        self.client = Client()
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def get(self, path, **params):
        return self.client.get(BASE + path, params, **self.auth)

    def post(self, path, data=None, raw=None):
        body = raw if raw is not None else json.dumps(data or {})
        return self.client.post(BASE + path, body, content_type="application/json", **self.auth)

    def patch(self, path, data):
        return self.client.patch(
            BASE + path, json.dumps(data), content_type="application/json", **self.auth
        )


@pytest.fixture
def api():
    return Api


def error(response):
    return response.json()["error"]


def test_submit_and_read_a_motion(fed, api):
    client = api(fed.member)
    response = client.post(
        "/", {"node": fed.committee_a1.pk, "title": "Strike", "body": "One\n\nTwo"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "draft"
    assert body["paragraphs"] == ["One", "Two"]
    assert (body["seconds"], body["seconders_required"]) == (0, 1)
    detail = client.get(f"/{body['id']}").json()
    assert detail["title"] == "Strike"
    listed = client.get("/", state="draft").json()
    assert [m["id"] for m in listed] == [body["id"]]
    assert client.get("/", state="debate").json() == []


def test_list_filters_by_node_and_hides_sibling_committees(fed, api, draft):
    services.submit_motion(actor=fed.outsider, node=fed.committee_b1, title="Cusco", body="B")
    client = api(fed.member)
    assert [m["title"] for m in client.get("/").json()] == ["General strike"]
    assert client.get("/", node=fed.assembly.pk).json() == []
    response = client.get("/", node=fed.committee_b1.pk)
    assert response.status_code == 404
    assert client.get("/", state="bogus").status_code == 422


def test_reading_a_sibling_committees_motion_is_not_found(fed, api, draft):
    response = api(fed.outsider).get(f"/{draft.pk}")
    assert response.status_code == 404
    assert error(response) == {"code": "not_found", "message": "Not found."}
    assert "General strike" not in response.content.decode()
    for path in ("/versions", "/comments", "/amendments"):
        assert api(fed.outsider).get(f"/{draft.pk}{path}").status_code == 404


def test_unknown_motion_is_not_found(fed, api):
    assert api(fed.member).get("/999999").status_code == 404
    assert api(fed.member).post("/999999/second").status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "x" * (TITLE_MAX + 1), "body": "B"}, "title"),
        ({"title": "T", "body": "x" * (BODY_MAX + 1)}, "body"),
        ({"body": "B"}, "title"),
    ],
)
def test_submit_with_bad_input_is_refused(fed, api, payload, field):
    client = api(fed.member)
    before = snapshot()
    response = client.post("/", {"node": fed.committee_a1.pk, **payload})
    assert response.status_code == 422
    assert error(response)["code"] == "invalid"
    fields = error(response)["fields"]
    # The error mapping drops "body" from locations (it is also ninja's name
    # for the request body), so a field called body is known by its message.
    assert fields[0]["field"].endswith(field) or "20000" in fields[0]["message"]
    assert snapshot() == before


def test_submit_with_blank_title_gets_the_service_message(fed, api):
    client = api(fed.member)
    before = snapshot()
    response = client.post("/", {"node": fed.committee_a1.pk, "title": " ", "body": "B"})
    assert response.status_code == 422
    assert error(response)["message"] == "A title is required."
    assert snapshot() == before


def test_malformed_json_is_refused(fed, api):
    client = api(fed.member)
    before = snapshot()
    response = client.post("/", raw='{"node": 1, "title": ')
    assert response.status_code == 400
    assert error(response)["message"]
    assert snapshot() == before


def test_session_without_csrf_token_is_refused(fed, csrf_client_for, draft):
    before = snapshot()
    response = csrf_client_for(fed.other_member).post(
        f"{BASE}/{draft.pk}/second", "{}", content_type="application/json"
    )
    assert response.status_code == 403
    assert error(response)["code"] == "csrf_failed"
    assert snapshot() == before


def test_anonymous_is_refused(fed, draft):
    before = snapshot()
    response = Client().post(f"{BASE}/{draft.pk}/second")
    assert response.status_code == 401
    assert snapshot() == before


def test_second_own_motion_and_twice(fed, api, draft):
    author, seconder = api(fed.member), api(fed.other_member)
    before = snapshot()
    response = author.post(f"/{draft.pk}/second")
    assert response.status_code == 403
    assert error(response) == {
        "code": "own_motion",
        "message": "You cannot second your own motion.",
    }
    assert snapshot() == before
    response = seconder.post(f"/{draft.pk}/second")
    assert response.status_code == 200
    assert response.json()["state"] == "debate"
    response = seconder.post(f"/{draft.pk}/second")
    assert response.status_code == 409


def test_patch_edits_a_draft(fed, api, draft):
    other = api(fed.other_member)
    response = api(fed.member).patch(f"/{draft.pk}", {"title": "Renamed"})
    assert response.status_code == 200
    assert response.json()["title"] == "Renamed"
    before = snapshot()
    response = other.patch(f"/{draft.pk}", {"title": "Hijacked"})
    assert response.status_code == 403
    assert snapshot() == before


def test_withdraw(fed, api, draft):
    assert api(fed.other_member).post(f"/{draft.pk}/withdraw").status_code == 403
    response = api(fed.member).post(f"/{draft.pk}/withdraw")
    assert response.json()["state"] == MotionState.WITHDRAWN


def test_comments(fed, api, draft):
    client = api(fed.other_member)
    response = client.post(f"/{draft.pk}/comments", {"body": "Agree"})
    assert response.status_code == 201
    top = response.json()["id"]
    response = client.post(f"/{draft.pk}/comments", {"body": "More", "parent": top})
    assert response.json()["parent"] == top
    assert [c["body"] for c in client.get(f"/{draft.pk}/comments").json()] == ["Agree", "More"]
    before = snapshot()
    response = client.post(f"/{draft.pk}/comments", {"body": "x" * (COMMENT_MAX + 1)})
    assert response.status_code == 422
    response = client.post(f"/{draft.pk}/comments", {"body": "x", "parent": 987654})
    assert response.status_code == 422
    assert error(response)["field"] == "parent"
    assert snapshot() == before


def test_amendments_versions_and_diff(fed, api, debate):
    client = api(fed.other_member)
    response = client.post(
        f"/{debate.pk}/amendments",
        {"kind": AmendmentKind.REPLACE_PARAGRAPH, "paragraph": 2, "text": "We meet on Tuesday."},
    )
    assert response.status_code == 201
    amendment = response.json()
    assert amendment["base_version"] == 1
    assert [a["id"] for a in client.get(f"/{debate.pk}/amendments").json()] == [amendment["id"]]
    services.accept_amendment(actor=SYSTEM, amendment=Amendment.objects.get(pk=amendment["id"]))
    versions = client.get(f"/{debate.pk}/versions").json()
    assert [v["number"] for v in versions] == [1, 2]
    assert versions[1]["amendment"] == amendment["id"]
    diff = client.get(f"/{debate.pk}/diff", **{"from": 1, "to": 2}).json()
    assert {"op": "insert", "text": "Tuesday."} in diff["body"]
    assert client.get(f"/{debate.pk}/diff", **{"from": 1, "to": 9}).status_code == 404
    assert client.get(f"/{debate.pk}/diff", **{"from": 0, "to": 2}).status_code == 422


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"kind": "replace_paragraph", "paragraph": 3, "text": "x"}, 422, "paragraph_out_of_range"),
        ({"kind": "replace_paragraph", "paragraph": -1, "text": "x"}, 422, "invalid"),
        ({"kind": "shuffle", "paragraph": 0, "text": "x"}, 422, "invalid"),
        ({"kind": "replace_text", "text": "x" * (BODY_MAX + 1)}, 422, "invalid"),
    ],
)
def test_bad_amendments_are_refused(fed, api, debate, payload, status, code):
    client = api(fed.other_member)
    before = snapshot()
    response = client.post(f"/{debate.pk}/amendments", payload)
    assert response.status_code == status
    assert error(response)["code"] == code
    assert snapshot() == before


def test_amending_a_closed_motion_is_refused(fed, api, debate):
    services.withdraw_motion(actor=fed.member, motion=debate)
    client = api(fed.other_member)
    before = snapshot()
    response = client.post(f"/{debate.pk}/amendments", {"kind": "delete_paragraph", "paragraph": 0})
    assert response.status_code == 409
    assert error(response)["message"] == "This motion is closed; it can no longer be amended."
    assert snapshot() == before


def test_withdraw_amendment(fed, api, debate):
    amendment = services.propose_amendment(
        actor=fed.other_member, motion=debate, kind="delete_paragraph", paragraph=0, text=""
    )
    assert api(fed.member).post(f"/amendments/{amendment.pk}/withdraw").status_code == 403
    assert api(fed.outsider).post(f"/amendments/{amendment.pk}/withdraw").status_code == 404
    response = api(fed.other_member).post(f"/amendments/{amendment.pk}/withdraw")
    assert response.json()["state"] == "withdrawn"
