"""Selectors of the federation: visibility and the reads other apps rely on."""

from __future__ import annotations

import pytest

from asamblea.core.actors import SYSTEM
from asamblea.core.errors import InvalidInput, NotFound
from asamblea.federation import selectors, services
from asamblea.federation.access import Viewer
from asamblea.federation.models import MandateEnd, Membership


def names(nodes) -> set[str]:
    return {n.name for n in nodes}


def test_member_sees_own_committee_and_every_node_above(fed):
    visible = selectors.visible_node_ids(member=fed.member)
    assert visible == {
        fed.committee_a1.pk,
        fed.zone_a.pk,
        fed.region_a.pk,
        fed.assembly.pk,
    }


@pytest.mark.parametrize("hidden", ["committee_a2", "region_b", "committee_b1"])
def test_member_does_not_see_siblings_and_gets_not_found(fed, hidden):
    node = getattr(fed, hidden)
    assert not selectors.can_see_node(member=fed.member, node=node)
    with pytest.raises(NotFound):
        selectors.get_visible_node(member=fed.member, node_id=node.pk)


def test_operator_sees_every_node(fed):
    assert selectors.visible_nodes(member=fed.operator).count() == 7
    assert selectors.get_visible_node(member=fed.operator, node_id=fed.committee_b1.pk)


def test_unknown_node_is_not_found(fed):
    with pytest.raises(NotFound):
        selectors.get_visible_node(member=fed.operator, node_id=999_999)


def test_former_member_loses_sight_of_the_committee(fed):
    m = Membership.objects.get(member=fed.member, node=fed.committee_a1)
    services.end_membership(actor=fed.member, membership=m)
    assert selectors.visible_node_ids(member=fed.member) == set()


def test_can_act_at_nodes_above_but_not_siblings(fed):
    assert selectors.can_act_at(member=fed.member, node=fed.region_a)
    assert selectors.can_act_at(member=fed.member, node=fed.committee_a1)
    assert not selectors.can_act_at(member=fed.member, node=fed.committee_a2)
    assert selectors.can_act_at(member=fed.operator, node=fed.committee_b1)


def test_is_member_of_means_direct_membership(fed):
    assert selectors.is_member_of(member=fed.member, node=fed.committee_a1)
    assert not selectors.is_member_of(member=fed.member, node=fed.zone_a)


def test_mandate_for_member_returns_only_the_active_one(fed):
    assert selectors.mandate_for_member(member=fed.member, committee=fed.committee_a1) is None
    mandate = services.appoint_delegate(
        actor=fed.secretary, committee=fed.committee_a1, delegate=fed.member
    )
    assert selectors.mandate_for_member(member=fed.member, committee=fed.committee_a1) == mandate
    assert Viewer.of(fed.member).is_delegate(fed.committee_a1.pk)
    services.end_mandate(actor=fed.member, mandate=mandate, reason=MandateEnd.RESIGNED)
    assert selectors.mandate_for_member(member=fed.member, committee=fed.committee_a1) is None
    assert list(selectors.mandate_history(committee=fed.committee_a1)) == [mandate]


def test_committee_paths_run_from_node_down_to_each_committee(fed):
    paths = selectors.committee_paths(node=fed.region_a)
    assert paths == {
        fed.committee_a1.pk: [fed.region_a.pk, fed.zone_a.pk, fed.committee_a1.pk],
        fed.committee_a2.pk: [fed.region_a.pk, fed.zone_a.pk, fed.committee_a2.pk],
    }
    assert selectors.committee_paths(node=fed.committee_b1) == {
        fed.committee_b1.pk: [fed.committee_b1.pk]
    }


def test_tree_for_member_is_depth_first_with_own_committee_flagged(fed):
    entries = selectors.tree_for(member=fed.member)
    assert [e.node.name for e in entries] == [
        "Asamblea Nacional",
        "Puno",
        "Juliaca",
        "Comité Santa Bárbara",
    ]
    assert [e.is_own for e in entries] == [False, False, False, True]
    assert [e.depth for e in entries] == [0, 1, 2, 3]


def test_tree_for_operator_lists_all_siblings_by_name(fed):
    entries = selectors.tree_for(member=fed.operator)
    assert [e.node.name for e in entries] == [
        "Asamblea Nacional",
        "Cusco",
        "Comité San Blas",
        "Puno",
        "Juliaca",
        "Comité Santa Bárbara",
        "Comité Villa Hermosa",
    ]


def test_members_for_is_limited_to_visible_committees(fed):
    members = selectors.members_for(member=fed.member, node_id=fed.committee_a1.pk)
    assert {m.member.pseudonym for m in members} == {"secretaria", "rosa", "juan"}
    with pytest.raises(NotFound):
        selectors.members_for(member=fed.member, node_id=fed.committee_a2.pk)
    with pytest.raises(InvalidInput):
        selectors.members_for(member=fed.member, node_id=fed.zone_a.pk)


def test_visible_membership_and_mandate_hide_siblings(fed):
    m = Membership.objects.get(member=fed.outsider)
    with pytest.raises(NotFound):
        selectors.get_visible_membership(member=fed.member, membership_id=m.pk)
    assert selectors.get_visible_membership(member=fed.operator, membership_id=m.pk) == m
    mandate = services.appoint_delegate(
        actor=SYSTEM, committee=fed.committee_b1, delegate=fed.outsider
    )
    with pytest.raises(NotFound):
        selectors.get_visible_mandate(member=fed.member, mandate_id=mandate.pk)
    with pytest.raises(NotFound):
        selectors.get_visible_mandate(member=fed.member, mandate_id=999_999)


def test_active_member_of_ignores_outsiders(fed):
    assert selectors.active_member_of(committee=fed.committee_a1, member_id=fed.member.pk)
    assert selectors.active_member_of(committee=fed.committee_a1, member_id=fed.outsider.pk) is None
