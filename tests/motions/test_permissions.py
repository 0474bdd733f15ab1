"""Permission matrix of motion actions, through the API.

Roles: member, secretary and delegate of committee_a1, an operator, an
outsider from committee_b1 and an anonymous caller. Places: the own committee
(committee_a1), a sibling committee (committee_a2) and the node above (zone_a).
Invisible motions answer 404, visible but not allowed 403, anonymous 401.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from asamblea.accounts import services as account_services
from asamblea.core.errors import NotFound
from asamblea.motions import services
from tests.motions.conftest import snapshot

ROLES = ["member", "secretary", "delegate", "operator", "outsider", "anonymous"]
PLACES = ["own", "sibling", "above"]

# Who sees motions at each place.
VISIBLE = {
    "member": {"own", "above"},
    "secretary": {"own", "above"},
    "delegate": {"own", "above"},
    "operator": {"own", "sibling", "above"},
    "outsider": set(),
    "anonymous": set(),
}

# Status when the motion is visible; authorship-only actions are refused (403)
# for everyone here since no role is the author.
ALLOWED_STATUS = {
    "view": 200,
    "submit": 201,
    "second": 200,
    "comment": 201,
    "amend": 201,
    "withdraw": 403,
    "edit": 403,
}


def expected(role: str, place: str, action: str) -> int:
    if role == "anonymous":
        return 401
    if place not in VISIBLE[role]:
        # Drafting at an invisible node names a node the caller cannot see.
        return 404
    return ALLOWED_STATUS[action]


def node_for(fed, place):
    return {"own": fed.committee_a1, "sibling": fed.committee_a2, "above": fed.zone_a}[place]


def author_for(fed, place):
    return fed.neighbour if place == "sibling" else fed.other_member


def actor_for(fed, role, delegate):
    return {
        "member": fed.member,
        "secretary": fed.secretary,
        "delegate": delegate,
        "operator": fed.operator,
        "outsider": fed.outsider,
    }.get(role)


@pytest.mark.parametrize("action", list(ALLOWED_STATUS))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(fed, delegate, role, action):
    # The three places share one federation so the matrix stays fast.
    actor = actor_for(fed, role, delegate)
    headers = {}
    if actor is not None:
        _, raw = account_services.create_api_token(member=actor, name="matrix")
        headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    client = Client()
    for place in PLACES:
        node = node_for(fed, place)
        if action == "amend":
            node.seconders_required = 0
            node.save()
        motion = services.submit_motion(
            actor=author_for(fed, place), node=node, title="Matrix", body="One.\n\nTwo."
        )
        base = f"/api/v1/motions/{motion.pk}"
        requests = {
            "view": ("get", base, None),
            "submit": ("post", "/api/v1/motions/", {"node": node.pk, "title": "T", "body": "B"}),
            "second": ("post", f"{base}/second", {}),
            "comment": ("post", f"{base}/comments", {"body": "Hi"}),
            "amend": ("post", f"{base}/amendments", {"kind": "delete_paragraph", "paragraph": 0}),
            "withdraw": ("post", f"{base}/withdraw", {}),
            "edit": ("patch", base, {"title": "Changed"}),
        }
        method, url, payload = requests[action]
        before = snapshot()
        if method == "get":
            response = client.get(url, **headers)
        else:
            response = getattr(client, method)(
                url, json.dumps(payload), content_type="application/json", **headers
            )
        want = expected(role, place, action)
        assert response.status_code == want, (place, response.content)
        if want >= 400:
            assert snapshot() == before, place
            assert "Matrix" not in response.content.decode(), place


def test_outsider_sees_assembly_motions_but_not_zone_motions(fed):
    at_assembly = services.submit_motion(
        actor=fed.member, node=fed.assembly, title="National", body="B"
    )
    second = services.second_motion(actor=fed.outsider, motion=at_assembly)
    assert second.member == fed.outsider
    at_zone = services.submit_motion(actor=fed.member, node=fed.zone_a, title="Zone", body="B")
    with pytest.raises(NotFound):
        services.second_motion(actor=fed.outsider, motion=at_zone)
