"""Services of the federation: the tree, roles, memberships and mandates."""

from __future__ import annotations

import pytest

from asamblea.core.actors import SYSTEM
from asamblea.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from asamblea.core.models import AuditEntry
from asamblea.federation import services
from asamblea.federation.models import (
    Mandate,
    MandateEnd,
    MandateSource,
    Membership,
    Node,
    NodeKind,
    Role,
)
from tests.factories import join, make_member


def snapshot() -> tuple[int, int, int, int]:
    return (
        Node.objects.count(),
        Membership.objects.filter(ended_at__isnull=True).count(),
        Mandate.objects.filter(ended_at__isnull=True).count(),
        AuditEntry.objects.count(),
    )


def last_action() -> str:
    return AuditEntry.objects.order_by("-seq").values_list("action", flat=True)[0]


# --- tree -------------------------------------------------------------------


def test_operator_creates_committee_under_zone_with_path_and_audit(fed):
    node = services.create_node(
        actor=fed.operator, kind=NodeKind.COMMITTEE, name="  Comité Nuevo ", parent=fed.zone_a
    )
    assert node.name == "Comité Nuevo"
    assert node.path == fed.zone_a.path + Node.segment(node.pk)
    assert node.depth == fed.zone_a.depth + 1
    assert last_action() == "node.created"


def test_zones_nest_to_any_depth(fed):
    inner = services.create_node(
        actor=fed.operator, kind=NodeKind.ZONE, name="Sub", parent=fed.zone_a
    )
    deeper = services.create_node(
        actor=fed.operator, kind=NodeKind.COMMITTEE, name="Deep", parent=inner
    )
    assert deeper.lineage_ids()[:-2] == fed.zone_a.lineage_ids()


@pytest.mark.parametrize(
    ("kind", "parent_attr", "name", "seconders", "field"),
    [
        ("planet", "zone_a", "X", 2, "kind"),
        (NodeKind.REGION, None, "X", 2, "parent"),
        (NodeKind.ZONE, "committee_a1", "X", 2, "parent"),
        (NodeKind.ASSEMBLY, "region_a", "X", 2, "parent"),
        (NodeKind.COMMITTEE, "zone_a", "   ", 2, "name"),
        (NodeKind.COMMITTEE, "zone_a", "x" * 121, 2, "name"),
        (NodeKind.COMMITTEE, "zone_a", "X", 101, "seconders_required"),
        (NodeKind.COMMITTEE, "zone_a", "X", -1, "seconders_required"),
    ],
)
def test_invalid_node_is_rejected_and_nothing_written(
    fed, kind, parent_attr, name, seconders, field
):
    before = snapshot()
    with pytest.raises(InvalidInput) as err:
        services.create_node(
            actor=fed.operator,
            kind=kind,
            name=name,
            parent=getattr(fed, parent_attr) if parent_attr else None,
            seconders_required=seconders,
        )
    assert err.value.field == field
    assert str(err.value.message)
    assert snapshot() == before


def test_oversized_description_is_rejected(fed):
    before = snapshot()
    with pytest.raises(InvalidInput, match="description is too long"):
        services.create_node(
            actor=fed.operator,
            kind=NodeKind.COMMITTEE,
            name="X",
            parent=fed.zone_a,
            description="d" * 4001,
        )
    assert snapshot() == before


@pytest.mark.parametrize("who", ["secretary", "member", "outsider"])
def test_only_operators_create_nodes(fed, who):
    before = snapshot()
    with pytest.raises(Forbidden):
        services.create_node(
            actor=getattr(fed, who), kind=NodeKind.COMMITTEE, name="X", parent=fed.zone_a
        )
    assert snapshot() == before


def test_operator_updates_node_and_audit_lists_changes(fed):
    services.update_node(
        actor=fed.operator, node=fed.committee_a1, name="Renamed", seconders_required=3
    )
    fed.committee_a1.refresh_from_db()
    assert (fed.committee_a1.name, fed.committee_a1.seconders_required) == ("Renamed", 3)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "node.updated"
    assert entry.data == {"name": "Renamed", "seconders_required": 3}


def test_update_without_changes_writes_nothing(fed):
    before = snapshot()
    services.update_node(actor=fed.operator, node=fed.zone_a, name=fed.zone_a.name)
    assert snapshot() == before


def test_update_by_member_is_forbidden_when_visible_and_not_found_when_not(fed):
    before = snapshot()
    with pytest.raises(Forbidden):
        services.update_node(actor=fed.secretary, node=fed.committee_a1, name="X")
    with pytest.raises(NotFound):
        services.update_node(actor=fed.secretary, node=fed.committee_b1, name="X")
    assert snapshot() == before


# --- roles and memberships --------------------------------------------------


def membership(fed, who, node="committee_a1") -> Membership:
    return Membership.objects.get(
        member=getattr(fed, who), node=getattr(fed, node), ended_at__isnull=True
    )


def test_secretary_promotes_member_and_it_is_audited(fed):
    m = services.change_role(
        actor=fed.secretary, membership=membership(fed, "member"), role=Role.SECRETARY
    )
    assert m.role == Role.SECRETARY
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "membership.role_changed"
    assert entry.data["from"] == Role.MEMBER


def test_last_secretary_cannot_step_down(fed):
    before = snapshot()
    with pytest.raises(Conflict, match="at least one secretary"):
        services.change_role(
            actor=fed.secretary, membership=membership(fed, "secretary"), role=Role.MEMBER
        )
    assert membership(fed, "secretary").role == Role.SECRETARY
    assert snapshot() == before


def test_secretary_can_step_down_once_another_is_named(fed):
    services.change_role(
        actor=fed.secretary, membership=membership(fed, "member"), role=Role.SECRETARY
    )
    services.change_role(
        actor=fed.secretary, membership=membership(fed, "secretary"), role=Role.MEMBER
    )
    assert membership(fed, "secretary").role == Role.MEMBER


@pytest.mark.parametrize("role", ["delegate", "king", ""])
def test_unknown_role_is_rejected(fed, role):
    before = snapshot()
    with pytest.raises(InvalidInput):
        services.change_role(actor=fed.secretary, membership=membership(fed, "member"), role=role)
    assert snapshot() == before


def test_plain_member_cannot_change_roles(fed):
    before = snapshot()
    with pytest.raises(Forbidden):
        services.change_role(
            actor=fed.member, membership=membership(fed, "other_member"), role=Role.SECRETARY
        )
    assert snapshot() == before


def test_secretary_of_sibling_committee_gets_not_found(fed):
    sec_b = make_member("sec_b")
    join(sec_b, fed.committee_b1, Role.SECRETARY)
    before = snapshot()
    with pytest.raises(NotFound):
        services.change_role(actor=sec_b, membership=membership(fed, "member"), role=Role.SECRETARY)
    with pytest.raises(NotFound):
        services.end_membership(actor=sec_b, membership=membership(fed, "member"))
    assert snapshot() == before


def test_secretary_removes_member_and_their_mandate_ends_as_left(fed):
    mandate = services.appoint_delegate(
        actor=fed.secretary, committee=fed.committee_a1, delegate=fed.member
    )
    services.end_membership(actor=fed.secretary, membership=membership(fed, "member"))
    mandate.refresh_from_db()
    assert mandate.ended_reason == MandateEnd.LEFT
    actions = list(AuditEntry.objects.order_by("-seq").values_list("action", flat=True)[:2])
    assert actions == ["mandate.ended", "membership.ended"]


def test_member_leaves_committee_themselves(fed):
    m = services.end_membership(actor=fed.member, membership=membership(fed, "member"))
    assert m.ended_at is not None
    assert AuditEntry.objects.order_by("-seq").first().data["left"] is True


def test_member_cannot_remove_another_member(fed):
    before = snapshot()
    with pytest.raises(Forbidden):
        services.end_membership(actor=fed.member, membership=membership(fed, "other_member"))
    assert snapshot() == before


def test_last_secretary_cannot_leave_or_be_removed(fed):
    before = snapshot()
    with pytest.raises(Conflict):
        services.end_membership(actor=fed.secretary, membership=membership(fed, "secretary"))
    with pytest.raises(Conflict):
        services.end_membership(actor=fed.operator, membership=membership(fed, "secretary"))
    assert snapshot() == before


def test_ended_membership_cannot_end_twice(fed):
    m = membership(fed, "member")
    services.end_membership(actor=fed.member, membership=m)
    before = snapshot()
    with pytest.raises(Conflict, match="already ended"):
        services.end_membership(actor=fed.secretary, membership=m)
    with pytest.raises(Conflict):
        services.change_role(actor=fed.secretary, membership=m, role=Role.SECRETARY)
    assert snapshot() == before


# --- mandates ---------------------------------------------------------------


def test_secretary_appoints_member_as_delegate(fed):
    mandate = services.appoint_delegate(
        actor=fed.secretary, committee=fed.committee_a1, delegate=fed.member, instructions="Vote no"
    )
    assert mandate.is_active
    assert mandate.source == MandateSource.APPOINTED
    assert last_action() == "mandate.started"


def test_system_records_elected_mandate_without_actor(fed):
    mandate = services.appoint_delegate(
        actor=SYSTEM,
        committee=fed.committee_a1,
        delegate=fed.other_member,
        source=MandateSource.ELECTED,
    )
    assert mandate.source == MandateSource.ELECTED
    assert AuditEntry.objects.order_by("-seq").first().actor_ref is None


def test_non_member_cannot_be_appointed_delegate(fed):
    before = snapshot()
    with pytest.raises(InvalidInput, match="active member"):
        services.appoint_delegate(
            actor=fed.secretary, committee=fed.committee_a1, delegate=fed.outsider
        )
    assert snapshot() == before


def test_member_cannot_hold_two_active_mandates_for_same_committee(fed):
    services.appoint_delegate(actor=fed.secretary, committee=fed.committee_a1, delegate=fed.member)
    before = snapshot()
    with pytest.raises(Conflict, match="already holds a mandate"):
        services.appoint_delegate(
            actor=fed.secretary, committee=fed.committee_a1, delegate=fed.member
        )
    assert snapshot() == before


def test_delegates_are_appointed_by_committees_only(fed):
    before = snapshot()
    with pytest.raises(InvalidInput, match="Only committees"):
        services.appoint_delegate(actor=fed.operator, committee=fed.zone_a, delegate=fed.member)
    assert snapshot() == before


def test_oversized_instructions_and_unknown_source_are_rejected(fed):
    before = snapshot()
    with pytest.raises(InvalidInput, match="instructions are too long"):
        services.appoint_delegate(
            actor=fed.secretary,
            committee=fed.committee_a1,
            delegate=fed.member,
            instructions="i" * 4001,
        )
    with pytest.raises(InvalidInput, match="source"):
        services.appoint_delegate(
            actor=fed.secretary, committee=fed.committee_a1, delegate=fed.member, source="bought"
        )
    assert snapshot() == before


def test_delegate_resigns_and_history_is_kept(fed):
    mandate = services.appoint_delegate(
        actor=fed.secretary, committee=fed.committee_a1, delegate=fed.member
    )
    services.end_mandate(actor=fed.member, mandate=mandate, reason=MandateEnd.RESIGNED)
    mandate.refresh_from_db()
    assert (mandate.is_active, mandate.ended_reason) == (False, MandateEnd.RESIGNED)
    assert last_action() == "mandate.ended"
    again = services.appoint_delegate(
        actor=fed.secretary, committee=fed.committee_a1, delegate=fed.member
    )
    assert Mandate.objects.filter(committee=fed.committee_a1).count() == 2
    assert again.is_active


def test_delegate_cannot_declare_themselves_recalled(fed):
    mandate = services.appoint_delegate(
        actor=fed.secretary, committee=fed.committee_a1, delegate=fed.member
    )
    before = snapshot()
    with pytest.raises(Forbidden):
        services.end_mandate(actor=fed.member, mandate=mandate, reason=MandateEnd.RECALLED)
    with pytest.raises(Forbidden):
        services.end_mandate(actor=fed.secretary, mandate=mandate, reason=MandateEnd.RECALLED)
    assert snapshot() == before


def test_system_ends_mandate_as_recalled(fed):
    mandate = services.appoint_delegate(
        actor=fed.secretary, committee=fed.committee_a1, delegate=fed.member
    )
    services.end_mandate(actor=SYSTEM, mandate=mandate, reason=MandateEnd.RECALLED)
    assert Mandate.objects.get(pk=mandate.pk).ended_reason == MandateEnd.RECALLED


def test_ended_mandate_cannot_end_again_and_bad_reason_is_invalid(fed):
    mandate = services.appoint_delegate(
        actor=fed.secretary, committee=fed.committee_a1, delegate=fed.member
    )
    with pytest.raises(InvalidInput):
        services.end_mandate(actor=fed.secretary, mandate=mandate, reason="bored")
    services.end_mandate(actor=fed.secretary, mandate=mandate, reason=MandateEnd.REPLACED)
    before = snapshot()
    with pytest.raises(Conflict):
        services.end_mandate(actor=SYSTEM, mandate=mandate, reason=MandateEnd.RECALLED)
    assert snapshot() == before


def test_plain_member_cannot_end_someone_elses_mandate(fed):
    mandate = services.appoint_delegate(
        actor=fed.secretary, committee=fed.committee_a1, delegate=fed.member
    )
    before = snapshot()
    with pytest.raises(Forbidden):
        services.end_mandate(actor=fed.other_member, mandate=mandate, reason=MandateEnd.RESIGNED)
    with pytest.raises(NotFound):
        services.end_mandate(actor=fed.outsider, mandate=mandate, reason=MandateEnd.RESIGNED)
    assert snapshot() == before
