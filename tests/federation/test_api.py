"""JSON API at /api/v1/nodes, including its rows of the permission matrix."""

from __future__ import annotations

import hashlib
import json

import pytest

from asamblea.accounts.models import ApiToken
from asamblea.core.models import AuditEntry
from asamblea.federation.models import Mandate, MandateEnd, Membership, Node, Role
from tests.federation.conftest import db_state

API = "/api/v1/nodes"
ROLES = ["member", "secretary", "delegate", "operator", "outsider", "anonymous"]


def send(client, method, url, body=None, **extra):
    kwargs = {"content_type": "application/json"}
    if body is not None:
        kwargs["data"] = json.dumps(body)
    return getattr(client, method)(url, **kwargs, **extra)


def assert_error(response, status, code=None):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["message"]
    if code:
        assert error["code"] == code


def node_of(world, target):
    return {"own": world.committee_a1, "sibling": world.committee_a2, "above": world.zone_a}[target]


def check(response, expected, before):
    assert response.status_code == expected, (response.status_code, response.content)
    if expected >= 400:
        assert response.json()["error"]["message"]
        assert db_state() == before


# --- permission matrix --------------------------------------------------------

# (role, target) -> status, per action. "above" is zone_a, over committee_a1.
VIEW = {
    "member": (200, 404, 200),
    "secretary": (200, 404, 200),
    "delegate": (200, 404, 200),
    "operator": (200, 200, 200),
    "outsider": (404, 404, 404),
    "anonymous": (401, 401, 401),
}
MEMBERS = {
    "member": (200, 404, 422),
    "secretary": (200, 404, 422),
    "delegate": (200, 404, 422),
    "operator": (200, 200, 422),
    "outsider": (404, 404, 404),
    "anonymous": (401, 401, 401),
}
EDIT = {
    "member": (403, 404, 403),
    "secretary": (403, 404, 403),
    "delegate": (403, 404, 403),
    "operator": (200, 200, 200),
    "outsider": (404, 404, 404),
    "anonymous": (401, 401, 401),
}
APPOINT = {
    "member": (403, 404, 403),
    "secretary": (201, 404, 403),
    "delegate": (403, 404, 403),
    "operator": (201, 201, 422),
    "outsider": (404, 404, 404),
    "anonymous": (401, 401, 401),
}
# Acting on a membership or mandate of committee_a1 (own) or committee_a2.
MANAGE = {
    "member": (403, 404),
    "secretary": (200, 404),
    "delegate": (403, 404),
    "operator": (200, 200),
    "outsider": (404, 404),
    "anonymous": (401, 401),
}
TARGETS = ["own", "sibling", "above"]


def matrix(table, targets=TARGETS):
    return [
        pytest.param(role, target, table[role][i], id=f"{role}-{target}")
        for role in ROLES
        for i, target in enumerate(targets)
    ]


def read_matrix(world, as_role, table, suffix):
    """Reads change nothing, so one database serves every cell of the table;
    returns the cells whose status differs from the table's."""
    before = db_state()
    wrong = []
    for role in ROLES:
        client = as_role(role)
        for i, target in enumerate(TARGETS):
            response = client.get(f"{API}/{node_of(world, target).pk}{suffix}")
            if response.status_code != table[role][i]:
                wrong.append((role, target, response.status_code))
            elif response.status_code >= 400:
                assert response.json()["error"]["message"]
    assert db_state() == before
    return wrong


def test_matrix_view_node(world, as_role):
    assert read_matrix(world, as_role, VIEW, "") == []


def test_matrix_list_children(world, as_role):
    assert read_matrix(world, as_role, VIEW, "/children") == []


def test_matrix_list_mandates(world, as_role):
    assert read_matrix(world, as_role, VIEW, "/mandates") == []


def test_matrix_list_members(world, as_role):
    assert read_matrix(world, as_role, MEMBERS, "/members") == []


@pytest.mark.parametrize(("role", "target", "expected"), matrix(EDIT))
def test_matrix_edit_node(world, as_role, role, target, expected):
    node = node_of(world, target)
    before = db_state()
    response = send(as_role(role), "patch", f"{API}/{node.pk}", {"name": "Nuevo nombre"})
    check(response, expected, before)
    node.refresh_from_db()
    assert (node.name == "Nuevo nombre") == (expected == 200)


@pytest.mark.parametrize(("role", "target", "expected"), matrix(APPOINT))
def test_matrix_appoint_delegate(world, as_role, role, target, expected):
    node = node_of(world, target)
    delegate = world.extra["target_a2" if target == "sibling" else "target_a1"].member
    before = db_state()
    response = send(as_role(role), "post", f"{API}/{node.pk}/mandates", {"delegate": delegate.pk})
    check(response, expected, before)
    if expected == 201:
        assert response.json()["delegate"] == delegate.pk
        assert Mandate.objects.filter(delegate=delegate, ended_at__isnull=True).count() == 1


@pytest.mark.parametrize(("role", "target", "expected"), matrix(MANAGE, ["own", "sibling"]))
def test_matrix_change_role(world, as_role, role, target, expected):
    membership = world.extra["target_a1" if target == "own" else "target_a2"]
    before = db_state()
    response = send(
        as_role(role), "patch", f"{API}/memberships/{membership.pk}", {"role": "secretary"}
    )
    check(response, expected, before)
    membership.refresh_from_db()
    assert (membership.role == Role.SECRETARY) == (expected == 200)


@pytest.mark.parametrize(("role", "target", "expected"), matrix(MANAGE, ["own", "sibling"]))
def test_matrix_remove_member(world, as_role, role, target, expected):
    membership = world.extra["target_a1" if target == "own" else "target_a2"]
    before = db_state()
    response = send(as_role(role), "delete", f"{API}/memberships/{membership.pk}")
    check(response, expected, before)
    membership.refresh_from_db()
    assert (membership.ended_at is not None) == (expected == 200)


@pytest.mark.parametrize(("role", "target", "expected"), matrix(MANAGE, ["own", "sibling"]))
def test_matrix_end_mandate_as_replaced(world, as_role, role, target, expected):
    mandate = world.extra["mandate_a1" if target == "own" else "mandate_a2"]
    before = db_state()
    response = send(
        as_role(role), "post", f"{API}/mandates/{mandate.pk}/end", {"reason": "replaced"}
    )
    check(response, expected, before)
    mandate.refresh_from_db()
    assert mandate.is_active == (expected != 200)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("member", 403),
        ("secretary", 403),
        ("delegate", 403),
        ("outsider", 403),
        ("operator", 201),
        ("anonymous", 401),
    ],
)
def test_matrix_create_node(world, as_role, role, expected):
    before = db_state()
    response = send(
        as_role(role),
        "post",
        f"{API}/",
        {"kind": "committee", "name": "Comité Nuevo", "parent": world.zone_a.pk},
    )
    check(response, expected, before)


# --- behaviour ----------------------------------------------------------------


def test_list_nodes_gives_visible_nodes_with_kind_parent_and_depth(world, as_role):
    body = as_role("member").get(f"{API}/").json()
    assert [(n["name"], n["kind"], n["depth"]) for n in body] == [
        ("Asamblea Nacional", "assembly", 0),
        ("Puno", "region", 1),
        ("Juliaca", "zone", 2),
        ("Comité Santa Bárbara", "committee", 3),
    ]
    assert body[1]["parent"] == world.assembly.pk
    assert len(as_role("operator").get(f"{API}/").json()) == 7


def test_node_detail_lists_ancestors_and_children_names(world, as_role):
    body = as_role("member").get(f"{API}/{world.zone_a.pk}").json()
    assert [a["name"] for a in body["ancestors"]] == ["Asamblea Nacional", "Puno"]
    assert [c["name"] for c in body["children"]] == ["Comité Santa Bárbara", "Comité Villa Hermosa"]
    assert body["is_member"] is False
    children = as_role("member").get(f"{API}/{world.zone_a.pk}/children").json()
    assert [c["kind"] for c in children] == ["committee", "committee"]


def test_members_and_mandates_bodies(world, as_role):
    members = as_role("secretary").get(f"{API}/{world.committee_a1.pk}/members").json()
    assert {m["pseudonym"] for m in members} == {"secretaria", "rosa", "juan", "objetivo_a1"}
    mandates = as_role("member").get(f"{API}/{world.committee_a1.pk}/mandates").json()
    assert [(m["pseudonym"], m["is_active"]) for m in mandates] == [("juan", True)]


def test_operator_creates_node_and_gets_its_detail(world, as_role):
    response = send(
        as_role("operator"),
        "post",
        f"{API}/",
        {"kind": "zone", "name": "Ilave", "parent": world.region_a.pk, "seconders_required": 3},
    )
    assert response.status_code == 201
    body = response.json()
    node = Node.objects.get(pk=body["id"])
    assert (node.path, body["depth"]) == (world.region_a.path + Node.segment(node.pk), 2)
    assert AuditEntry.objects.order_by("-seq").first().action == "node.created"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "planet", "name": "X", "parent": 1}, "kind"),
        ({"kind": "zone", "name": "X", "parent": 999_999}, "parent"),
        ({"kind": "region", "name": "X"}, "parent"),
        ({"kind": "zone", "name": "X" * 121, "parent": 1}, "name"),
        ({"kind": "zone", "name": "   ", "parent": 1}, "name"),
        ({"kind": "zone", "name": "X", "parent": 1, "seconders_required": 10_000}, None),
        ({"kind": "zone", "name": "X", "parent": "abc"}, None),
        ({"name": "X"}, None),
    ],
)
def test_bad_node_input_is_422_and_nothing_written(world, as_role, body, field):
    if body.get("parent") == 1:
        body["parent"] = world.region_a.pk
    before = db_state()
    response = send(as_role("operator"), "post", f"{API}/", body)
    assert_error(response, 422)
    if field:
        error = response.json()["error"]
        # The service names the field; schema validation lists the fields.
        named = error.get("field") or error["fields"][0]["field"]
        assert named == field
    assert db_state() == before


def test_committee_under_committee_is_422(world, as_role):
    before = db_state()
    response = send(
        as_role("operator"),
        "post",
        f"{API}/",
        {"kind": "zone", "name": "X", "parent": world.committee_a1.pk},
    )
    assert_error(response, 422, "invalid")
    assert "cannot be placed" in response.json()["error"]["message"]
    assert db_state() == before


def test_malformed_json_is_400(world, as_role):
    before = db_state()
    response = as_role("operator").post(f"{API}/", data="{oops", content_type="application/json")
    assert_error(response, 400)
    assert db_state() == before


@pytest.mark.parametrize(
    "url",
    [f"{API}/999999", f"{API}/999999/members", f"{API}/999999/mandates", f"{API}/999999/children"],
)
def test_unknown_ids_are_404(world, as_role, url):
    assert_error(as_role("operator").get(url), 404, "not_found")


def test_unknown_membership_and_mandate_are_404(world, as_role):
    before = db_state()
    client = as_role("operator")
    assert_error(send(client, "patch", f"{API}/memberships/999999", {"role": "member"}), 404)
    assert_error(send(client, "delete", f"{API}/memberships/999999"), 404)
    assert_error(send(client, "post", f"{API}/mandates/999999/end", {"reason": "replaced"}), 404)
    assert_error(send(client, "patch", f"{API}/999999", {"name": "X"}), 404)
    assert db_state() == before


def test_last_secretary_demotion_is_409(world, as_role):
    secretary = Membership.objects.get(member=world.secretary)
    before = db_state()
    response = send(
        as_role("secretary"), "patch", f"{API}/memberships/{secretary.pk}", {"role": "member"}
    )
    assert_error(response, 409, "conflict")
    assert "at least one secretary" in response.json()["error"]["message"]
    response = send(as_role("secretary"), "delete", f"{API}/memberships/{secretary.pk}")
    assert_error(response, 409)
    assert db_state() == before


def test_bad_role_and_reason_are_422(world, as_role):
    membership = world.extra["target_a1"]
    mandate = world.extra["mandate_a1"]
    before = db_state()
    client = as_role("secretary")
    assert_error(send(client, "patch", f"{API}/memberships/{membership.pk}", {"role": "king"}), 422)
    assert_error(
        send(client, "patch", f"{API}/memberships/{membership.pk}", {"role": "x" * 500}), 422
    )
    assert_error(send(client, "post", f"{API}/mandates/{mandate.pk}/end", {"reason": "bored"}), 422)
    assert_error(send(client, "post", f"{API}/mandates/{mandate.pk}/end", {}), 422)
    assert db_state() == before


def test_appoint_errors(world, as_role):
    client = as_role("secretary")
    url = f"{API}/{world.committee_a1.pk}/mandates"
    before = db_state()
    # An outsider is no member of the committee; an unknown id neither.
    for delegate in (world.outsider.pk, 999_999):
        response = send(client, "post", url, {"delegate": delegate})
        assert_error(response, 422)
        assert response.json()["error"]["field"] == "delegate"
    response = send(client, "post", url, {"delegate": world.other_member.pk})
    assert_error(response, 409)
    response = send(client, "post", url, {"delegate": world.member.pk, "instructions": "i" * 4001})
    assert_error(response, 422)
    assert db_state() == before


def test_delegate_resigns_through_api(world, as_role):
    mandate = world.extra["mandate_a1"]
    response = send(
        as_role("delegate"), "post", f"{API}/mandates/{mandate.pk}/end", {"reason": "resigned"}
    )
    assert response.status_code == 200
    assert response.json()["ended_reason"] == MandateEnd.RESIGNED
    assert response.json()["is_active"] is False


def test_member_leaves_through_api_and_mandate_ends(world, as_role):
    membership = Membership.objects.get(member=world.other_member)
    response = send(as_role("delegate"), "delete", f"{API}/memberships/{membership.pk}")
    assert response.status_code == 200
    assert response.json()["ended_at"] is not None
    assert Mandate.objects.get(pk=world.extra["mandate_a1"].pk).ended_reason == MandateEnd.LEFT


def test_bearer_token_authenticates(world, client):
    raw = "federation-test-token"
    ApiToken.objects.create(
        member=world.member,
        name="t",
        digest=hashlib.sha256(raw.encode()).hexdigest(),
        prefix=raw[:8],
    )
    response = client.get(f"{API}/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert len(response.json()) == 4
