"""A motion at a region or the assembly needs seconds from members of at
least two committees (``Node.seconding_committees``)."""

from __future__ import annotations

import pytest

from asamblea.core.actors import SYSTEM
from asamblea.core.errors import InvalidInput
from asamblea.federation import services as federation_services
from asamblea.federation.models import NodeKind
from asamblea.motions import rules, selectors, services
from asamblea.motions.errors import SecondsFromOneCommittee
from asamblea.motions.models import MotionState, Second
from tests.factories import join, make_member
from tests.motions.conftest import BODY, snapshot


def test_wide_nodes_default_to_two_committees_and_others_to_one(fed):
    assert fed.assembly.seconding_committees == 2
    assert fed.region_a.seconding_committees == 2
    assert fed.zone_a.seconding_committees == 1
    assert fed.committee_a1.seconding_committees == 1


def test_the_setting_can_be_changed_per_node_and_is_bounded(fed):
    federation_services.update_node(actor=SYSTEM, node=fed.region_a, seconding_committees=3)
    fed.region_a.refresh_from_db()
    assert fed.region_a.seconding_committees == 3
    with pytest.raises(InvalidInput):
        federation_services.update_node(actor=SYSTEM, node=fed.region_a, seconding_committees=0)
    node = federation_services.create_node(
        actor=SYSTEM,
        kind=NodeKind.REGION,
        name="Tacna",
        parent=fed.assembly,
        seconding_committees=1,
    )
    assert node.seconding_committees == 1


@pytest.fixture
def region_draft(fed):
    """A draft at region_a (two seconds, two committees needed)."""
    federation_services.update_node(actor=SYSTEM, node=fed.region_a, seconders_required=2)
    fed.region_a.refresh_from_db()
    return services.submit_motion(
        actor=fed.member, node=fed.region_a, title="Regional strike", body=BODY
    )


def test_seconds_from_one_committee_do_not_start_debate_and_extra_ones_are_refused(
    fed, region_draft
):
    services.second_motion(actor=fed.other_member, motion=region_draft)
    services.second_motion(actor=fed.secretary, motion=region_draft)
    region_draft.refresh_from_db()
    # Two seconds, both from committee_a1: still a draft.
    assert region_draft.state == MotionState.DRAFT
    third = make_member("tercera")
    join(third, fed.committee_a1)
    before = snapshot()
    with pytest.raises(SecondsFromOneCommittee) as caught:
        services.second_motion(actor=third, motion=region_draft)
    assert "another committee" in str(caught.value.message)
    assert snapshot() == before
    summary = selectors.seconds_summary(motion=region_draft, member=fed.member)
    assert (summary.count, summary.committees, summary.committees_required) == (2, 1, 2)
    # A member of the other committee of the region completes it.
    services.second_motion(actor=fed.neighbour, motion=region_draft)
    region_draft.refresh_from_db()
    assert region_draft.state == MotionState.DEBATE


def test_a_member_of_two_committees_counts_for_only_one(fed, region_draft):
    both = make_member("doble")
    join(both, fed.committee_a2)
    join(both, fed.committee_a1)
    services.second_motion(actor=both, motion=region_draft)
    services.second_motion(actor=fed.other_member, motion=region_draft)
    region_draft.refresh_from_db()
    # ``both`` stands for committee_a2, ``other_member`` for committee_a1.
    assert region_draft.state == MotionState.DEBATE
    assert Second.objects.filter(motion=region_draft).count() == 2


def test_a_committee_outside_the_node_does_not_count(fed):
    """Seconds at region_a count only committees beneath region_a; an operator
    belongs to none."""
    federation_services.update_node(actor=SYSTEM, node=fed.region_a, seconders_required=1)
    motion = services.submit_motion(
        actor=fed.member, node=fed.region_a, title="Regional strike", body=BODY
    )
    services.second_motion(actor=fed.operator, motion=motion)
    services.second_motion(actor=fed.other_member, motion=motion)
    motion.refresh_from_db()
    assert motion.state == MotionState.DRAFT
    services.second_motion(actor=fed.neighbour, motion=motion)
    motion.refresh_from_db()
    assert motion.state == MotionState.DEBATE


def test_a_committee_motion_needs_one_committee(fed, draft):
    services.second_motion(actor=fed.other_member, motion=draft)
    draft.refresh_from_db()
    assert draft.state == MotionState.DEBATE


def test_the_draft_page_says_how_many_committees_are_needed(fed, region_draft, client_for):
    response = client_for(fed.member).get(f"/motions/{region_draft.pk}/")
    assert b"at least 2 different committees" in response.content


@pytest.mark.parametrize(
    ("committees", "expected"),
    [
        ([], 0),
        ([{1}], 1),
        ([{1}, {1}], 1),
        ([{1, 2}, {1}], 2),
        ([{1}, {1, 2}], 2),
        ([{1, 2}, {1, 2}, {1, 2}], 2),
        ([set(), {3}], 1),
    ],
)
def test_committees_represented_is_a_matching(committees, expected):
    assert rules.committees_represented(committees) == expected
