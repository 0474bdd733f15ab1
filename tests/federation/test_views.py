"""Pages of the federation: they render, refuse with 404/403, and work
without JavaScript (POST-redirect-GET) as well as with htmx partials."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.urls import reverse

from asamblea.federation.models import Mandate, MandateEnd, Membership, Node, Role
from tests.federation.conftest import db_state

ROLES = ["member", "secretary", "delegate", "operator", "outsider", "anonymous"]


def node_url(node) -> str:
    return reverse("federation:node", args=[node.pk])


# --- permission matrix (pages) -------------------------------------------------

# (own committee_a1, sibling committee_a2, zone_a above)
VIEW = {
    "member": (200, 404, 200),
    "secretary": (200, 404, 200),
    "delegate": (200, 404, 200),
    "operator": (200, 200, 200),
    "outsider": (404, 404, 404),
    "anonymous": (302, 302, 302),
}
EDIT = {
    "member": (403, 404, 403),
    "secretary": (403, 404, 403),
    "delegate": (403, 404, 403),
    "operator": (302, 302, 302),
    "outsider": (404, 404, 404),
    "anonymous": (302, 302, 302),
}
APPOINT = {
    "member": (403, 404, 403),
    "secretary": (302, 404, 403),
    "delegate": (403, 404, 403),
    "operator": (302, 302, 403),
    "outsider": (404, 404, 404),
    "anonymous": (302, 302, 302),
}
MANAGE = {
    "member": (403, 404),
    "secretary": (302, 404),
    "delegate": (403, 404),
    "operator": (302, 302),
    "outsider": (404, 404),
    "anonymous": (302, 302),
}


def targets(world):
    return [world.committee_a1, world.committee_a2, world.zone_a]


def matrix(table, n=3):
    return [
        pytest.param(role, i, table[role][i], id=f"{role}-{['own', 'sibling', 'above'][i]}")
        for role in ROLES
        for i in range(n)
    ]


def test_matrix_node_page(world, as_role):
    # Reads change nothing, so one database serves every cell of the table.
    wrong = []
    for role in ROLES:
        client = as_role(role)
        for i, node in enumerate(targets(world)):
            response = client.get(node_url(node))
            if response.status_code != VIEW[role][i]:
                wrong.append((role, node.name, response.status_code))
            elif response.status_code == 302:
                assert reverse("accounts:login") in response["Location"]
    assert wrong == []


@pytest.mark.parametrize(("role", "target", "expected"), matrix(EDIT))
def test_matrix_edit_node_page(world, as_role, role, target, expected):
    node = targets(world)[target]
    before = db_state()
    url = reverse("federation:edit_node", args=[node.pk])
    response = as_role(role).post(url, {"name": "Otro", "seconders_required": 1})
    assert response.status_code == expected
    if role != "operator":
        assert db_state() == before


@pytest.mark.parametrize(("role", "target", "expected"), matrix(APPOINT))
def test_matrix_appoint_page(world, as_role, role, target, expected):
    node = targets(world)[target]
    delegate = world.extra["target_a2" if target == 1 else "target_a1"].member
    before = db_state()
    url = reverse("federation:appoint", args=[node.pk])
    response = as_role(role).post(url, {"delegate": delegate.pk})
    assert response.status_code == expected
    if expected != 302 or role == "anonymous":
        assert db_state() == before
    else:
        assert Mandate.objects.filter(delegate=delegate, ended_at__isnull=True).exists()


@pytest.mark.parametrize(("role", "target", "expected"), matrix(MANAGE, 2))
def test_matrix_change_role_form(world, as_role, role, target, expected):
    membership = world.extra[["target_a1", "target_a2"][target]]
    before = db_state()
    url = reverse("federation:change_role", args=[membership.pk])
    response = as_role(role).post(url, {"role": "secretary"})
    assert response.status_code == expected
    membership.refresh_from_db()
    assert (membership.role == Role.SECRETARY) == (
        role in ("secretary", "operator") and expected == 302
    )
    if membership.role == Role.MEMBER:
        assert db_state() == before


@pytest.mark.parametrize(("role", "target", "expected"), matrix(MANAGE, 2))
def test_matrix_remove_member_form(world, as_role, role, target, expected):
    membership = world.extra[["target_a1", "target_a2"][target]]
    before = db_state()
    response = as_role(role).post(reverse("federation:end_membership", args=[membership.pk]))
    assert response.status_code == expected
    membership.refresh_from_db()
    if membership.ended_at is None:
        assert db_state() == before
    else:
        assert role in ("secretary", "operator")


@pytest.mark.parametrize(("role", "target", "expected"), matrix(MANAGE, 2))
def test_matrix_end_mandate_form(world, as_role, role, target, expected):
    mandate = world.extra[["mandate_a1", "mandate_a2"][target]]
    before = db_state()
    url = reverse("federation:end_mandate", args=[mandate.pk])
    response = as_role(role).post(url, {"reason": "replaced", "confirm": "yes"})
    assert response.status_code == expected
    mandate.refresh_from_db()
    if mandate.is_active:
        assert db_state() == before
    else:
        assert role in ("secretary", "operator")


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("member", 403),
        ("secretary", 403),
        ("delegate", 403),
        ("outsider", 403),
        ("operator", 302),
        ("anonymous", 302),
    ],
)
def test_matrix_create_node_page(world, as_role, role, expected):
    before = db_state()
    url = reverse("federation:create_node") + f"?parent={world.zone_a.pk}"
    response = as_role(role).post(
        url, {"kind": "committee", "name": "Nuevo", "seconders_required": 1}
    )
    assert response.status_code == expected
    if role != "operator":
        assert db_state() == before


# --- pages ----------------------------------------------------------------------


def test_tree_page_highlights_own_committee_and_hides_siblings(world, as_role):
    response = as_role("member").get(reverse("federation:tree"))
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<li class="depth-\d+ own">', html)
    assert "Comité Santa Bárbara" in html
    assert "Comité Villa Hermosa" not in html
    assert "Cusco" not in html


def test_tree_page_shows_everything_to_operator(world, as_role):
    html = as_role("operator").get(reverse("federation:tree")).content.decode()
    for name in ("Cusco", "Comité San Blas", "Comité Villa Hermosa"):
        assert name in html


def test_committee_page_shows_members_delegates_and_breadcrumb(world, as_role):
    html = as_role("member").get(node_url(world.committee_a1)).content.decode()
    assert "Juliaca" in html
    assert "Puno" in html
    assert "objetivo_a1" in html  # member list
    assert "juan" in html  # delegate
    assert "Leave this committee" in html
    assert reverse("federation:change_role", args=[world.extra["target_a1"].pk]) not in html


def test_secretary_sees_management_forms(world, as_role):
    html = as_role("secretary").get(node_url(world.committee_a1)).content.decode()
    assert reverse("federation:change_role", args=[world.extra["target_a1"].pk]) in html
    assert reverse("federation:appoint", args=[world.committee_a1.pk]) in html


def test_zone_page_lists_child_names_but_links_only_visible_ones(world, as_role):
    html = as_role("member").get(node_url(world.zone_a)).content.decode()
    assert "Comité Villa Hermosa" in html
    assert node_url(world.committee_a2) not in html
    assert node_url(world.committee_a1) in html
    assert "objetivo" not in html


def test_ended_mandates_appear_in_history(world, as_role):
    client = as_role("delegate")
    mandate = world.extra["mandate_a1"]
    response = client.post(
        reverse("federation:end_mandate", args=[mandate.pk]),
        {"reason": "resigned", "confirm": "yes"},
    )
    assert response.status_code == 302
    html = client.get(node_url(world.committee_a1)).content.decode()
    assert "Mandate history" in html
    assert Mandate.objects.get(pk=mandate.pk).ended_reason == MandateEnd.RESIGNED


def test_unknown_node_is_404(world, as_role):
    assert as_role("operator").get("/nodes/999999/").status_code == 404
    assert (
        as_role("operator").get(reverse("federation:create_node") + "?parent=999999").status_code
        == 404
    )
    assert (
        as_role("operator").get(reverse("federation:create_node") + "?parent=abc").status_code
        == 404
    )


def test_operator_creates_node_with_form(world, as_role):
    url = reverse("federation:create_node") + f"?parent={world.zone_a.pk}"
    client = as_role("operator")
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"kind": "committee", "name": "Comité Nuevo", "seconders_required": 2}
    )
    node = Node.objects.get(name="Comité Nuevo")
    assert response["Location"] == node_url(node)
    assert node.parent == world.zone_a


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "committee", "name": "x" * 121, "seconders_required": 2},
        {"kind": "committee", "name": "", "seconders_required": 2},
        {"kind": "assembly", "name": "X", "seconders_required": 2},
        {"kind": "committee", "name": "X", "seconders_required": 1000},
    ],
)
def test_bad_node_form_is_422_with_message(world, as_role, data):
    before = db_state()
    url = reverse("federation:create_node") + f"?parent={world.zone_a.pk}"
    response = as_role("operator").post(url, data)
    assert response.status_code == 422
    assert 'class="error"' in response.content.decode()
    assert db_state() == before


def test_last_secretary_demotion_is_shown_next_to_the_row(world, as_role):
    secretary = Membership.objects.get(member=world.secretary)
    before = db_state()
    response = as_role("secretary").post(
        reverse("federation:change_role", args=[secretary.pk]), {"role": "member"}
    )
    assert response.status_code == 409
    assert "at least one secretary" in response.content.decode()
    assert db_state() == before


def test_bad_role_value_is_422(world, as_role):
    membership = world.extra["target_a1"]
    before = db_state()
    response = as_role("secretary").post(
        reverse("federation:change_role", args=[membership.pk]), {"role": "king"}
    )
    assert response.status_code == 422
    assert db_state() == before


def test_htmx_role_change_returns_members_partial(world, as_role):
    membership = world.extra["target_a1"]
    response = as_role("secretary").post(
        reverse("federation:change_role", args=[membership.pk]),
        {"role": "secretary"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<section id="members"')
    assert "<html" not in html


def test_member_leaves_and_is_sent_to_the_tree(world, as_role):
    membership = Membership.objects.get(member=world.member)
    response = as_role("member").post(reverse("federation:end_membership", args=[membership.pk]))
    assert response["Location"] == reverse("federation:tree")
    membership.refresh_from_db()
    assert membership.ended_at is not None


def test_appoint_page_offers_members_and_rejects_outsiders(world, as_role):
    url = reverse("federation:appoint", args=[world.committee_a1.pk])
    client = as_role("secretary")
    html = client.get(url).content.decode()
    assert "objetivo_a1" in html
    assert "forastero" not in html
    before = db_state()
    response = client.post(url, {"delegate": world.outsider.pk})
    assert response.status_code == 422
    response = client.post(url, {"delegate": world.other_member.pk})
    assert response.status_code == 409
    assert "already holds a mandate" in response.content.decode()
    assert db_state() == before


def test_get_only_actions_refuse_get(world, as_role):
    url = reverse("federation:change_role", args=[world.extra["target_a1"].pk])
    assert as_role("secretary").get(url).status_code == 405


def test_url_or_none_gives_none_for_unknown_names(db):
    template = Template(
        "{% load federation_links %}{% url_or_none 'nowhere:nothing' as u %}[{{ u|default:'' }}]"
        "{% url_or_none 'federation:node' 7 as v %}{{ v }}"
    )
    assert template.render(Context()) == "[]/nodes/7/"


def test_admin_creates_node_through_the_service(world, as_role):
    client = as_role("operator")
    response = client.post(
        "/admin/federation/node/add/",
        {
            "kind": "committee",
            "name": "Desde admin",
            "parent": world.zone_a.pk,
            "seconders_required": 2,
            "description": "",
        },
    )
    assert response.status_code == 302
    node = Node.objects.get(name="Desde admin")
    assert node.path == world.zone_a.path + Node.segment(node.pk)
    assert node.depth == 3
    before = db_state()
    response = client.post(
        "/admin/federation/node/add/",
        {"kind": "region", "name": "Mal", "parent": world.committee_a1.pk, "seconders_required": 2},
    )
    assert response.status_code == 200
    assert db_state() == before
    assert client.get("/admin/federation/mandate/").status_code == 200
    assert client.get("/admin/federation/membership/").status_code == 200


def test_cross_app_links_follow_roles(world, as_role):
    mandate = world.extra["mandate_a1"]
    secretary = as_role("secretary").get(node_url(world.committee_a1)).content.decode()
    member = as_role("member").get(node_url(world.committee_a1)).content.decode()
    for html in (secretary, member):
        assert f"?node={world.committee_a1.pk}" in html
        assert reverse("voting:start_recall", args=[mandate.pk]) in html
    invitations = reverse("accounts:invitations", args=[world.committee_a1.pk])
    assert invitations in secretary
    assert "purpose=delegate_election" in secretary
    assert invitations not in member
    assert "purpose=delegate_election" not in member


def test_operator_sets_the_committees_among_the_seconders(world, as_role):
    client = as_role("operator")
    url = reverse("federation:create_node") + f"?parent={world.assembly.pk}"
    client.post(url, {"kind": "region", "name": "Tacna", "seconders_required": 2})
    region = Node.objects.get(name="Tacna")
    assert region.seconding_committees == 2  # the default at a region
    edit = reverse("federation:edit_node", args=[region.pk])
    assert 'name="seconding_committees" value="2"' in client.get(edit).content.decode()
    client.post(edit, {"name": "Tacna", "seconders_required": 3, "seconding_committees": 3})
    region.refresh_from_db()
    assert region.seconding_committees == 3
    response = client.post(
        edit, {"name": "Tacna", "seconders_required": 3, "seconding_committees": 0}
    )
    assert response.status_code == 422
    region.refresh_from_db()
    assert region.seconding_committees == 3
