"""The federation's access matrix: role x action x where the node sits
(the viewer's own committee, a sibling committee, a node above, another
branch), against ``federation.access``. Expectations are written out, not
computed, so that a change of rule shows up here."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from asamblea.core.actors import SYSTEM
from asamblea.core.errors import Forbidden, NotFound
from asamblea.federation import access, services
from asamblea.federation.models import Membership, Role
from tests.access_matrix import ROLES, outcome, viewer_for
from tests.factories import make_member
from tests.federation.conftest import db_state

# node: own = committee_a1, sibling = committee_a2, higher = zone_a,
# top = assembly, branch = committee_b1 (another region).
NODES = ("own", "sibling", "higher", "top", "branch")
_NODE_ATTR = {
    "own": "committee_a1",
    "sibling": "committee_a2",
    "higher": "zone_a",
    "top": "assembly",
    "branch": "committee_b1",
}

READ = {
    #            own    sibling higher  top    branch
    "operator": ("ok", "ok", "ok", "ok", "ok"),
    "secretary": ("ok", "404", "ok", "ok", "404"),
    "member": ("ok", "404", "ok", "ok", "404"),
    "delegate": ("ok", "404", "ok", "ok", "404"),
    "neighbour": ("404", "ok", "ok", "ok", "404"),
    "outsider": ("404", "404", "404", "ok", "ok"),
    "system": ("ok", "ok", "ok", "ok", "ok"),
}
MANAGE = {
    "operator": ("ok", "ok", "ok", "ok", "ok"),
    "secretary": ("ok", "404", "403", "403", "404"),
    "member": ("403", "404", "403", "403", "404"),
    "delegate": ("403", "404", "403", "403", "404"),
    "neighbour": ("404", "403", "403", "403", "404"),
    "outsider": ("404", "404", "404", "403", "403"),
    "system": ("403", "403", "403", "403", "403"),
}


def _cases(table):
    return [
        pytest.param(role, where, table[role][i], id=f"{role}-{where}")
        for role in ROLES
        for i, where in enumerate(NODES)
    ]


@pytest.mark.parametrize(("role", "where", "expected"), _cases(READ))
def test_read_matrix(fed, role, where, expected):
    viewer = viewer_for(fed, role)
    node = getattr(fed, _NODE_ATTR[where])
    assert outcome(lambda: access.access_node(viewer, node.pk)) == expected
    assert access.may_see(viewer, node) == (expected == "ok")


@pytest.mark.parametrize(("role", "where", "expected"), _cases(MANAGE))
def test_manage_matrix(fed, role, where, expected):
    viewer = viewer_for(fed, role)
    node = getattr(fed, _NODE_ATTR[where])
    assert outcome(lambda: access.access_node(viewer, node.pk, to="manage")) == expected
    assert access.may_manage(viewer, node) == (expected == "ok")


@pytest.mark.parametrize("node_id", [0, -1, 10**9, access.MAX_ID, access.MAX_ID + 1])
def test_unknown_nodes_look_like_invisible_ones(fed, node_id):
    viewer = viewer_for(fed, "operator")
    assert outcome(lambda: access.access_node(viewer, node_id)) == "404"


def test_an_ended_membership_sees_nothing_of_its_committee(fed):
    membership = fed.committee_a1.memberships.get(member=fed.member)
    services.end_membership(actor=fed.member, membership=membership)
    viewer = viewer_for(fed, "member")
    assert outcome(lambda: access.access_node(viewer, fed.committee_a1.pk)) == "404"
    assert outcome(lambda: access.access_node(viewer, fed.assembly.pk)) == "404"


def test_the_viewer_holds_roles_per_node(fed):
    viewer = viewer_for(fed, "delegate")
    assert viewer.belongs_to(fed.committee_a1.pk)
    assert viewer.is_delegate(fed.committee_a1.pk)
    assert not viewer.is_secretary(fed.committee_a1.pk)
    assert viewer_for(fed, "secretary").is_secretary(fed.committee_a1.pk)
    assert not viewer_for(fed, "secretary").is_secretary(fed.zone_a.pk)


def test_the_system_may_not_change_roles_or_end_memberships(fed):
    membership = Membership.objects.get(member=fed.member, node=fed.committee_a1)
    before = db_state()
    with pytest.raises(Forbidden):
        services.change_role(actor=SYSTEM, membership=membership, role=Role.SECRETARY)
    with pytest.raises(Forbidden):
        services.end_membership(actor=SYSTEM, membership=membership)
    assert db_state() == before


def test_a_member_may_not_admit_people_without_an_invitation(fed):
    newcomer = make_member("nuevo")
    before = db_state()
    with pytest.raises(NotFound):
        services.add_membership(actor=newcomer, member=newcomer, committee=fed.committee_a1)
    with pytest.raises(Forbidden):
        services.add_membership(actor=fed.member, member=newcomer, committee=fed.committee_a1)
    assert db_state() == before


def test_the_request_viewer_is_computed_once_per_request(fed, rf, django_assert_num_queries):
    request = rf.get("/")
    request.user = fed.secretary
    with django_assert_num_queries(2):  # memberships, mandates
        viewer = access.viewer_of(request)
    with django_assert_num_queries(0):
        assert access.viewer_of(request) is viewer
    assert viewer.is_secretary(fed.committee_a1.pk)
    # The API's authenticated member wins over the session's user.
    request.auth = fed.outsider
    assert access.viewer_of(request).member == fed.outsider
    assert not access.viewer_of(request).sees(fed.committee_a1.pk)


def test_a_request_without_a_member_sees_nothing(fed, rf):
    request = rf.get("/")
    request.user = AnonymousUser()
    viewer = access.viewer_of(request)
    assert viewer.member is None
    assert outcome(lambda: access.access_node(viewer, fed.assembly.pk)) == "404"
