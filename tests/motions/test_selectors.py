"""Reads of motions: visibility, filters, versions, discussion tree, previews."""

from __future__ import annotations

import pytest

from asamblea.core.actors import SYSTEM
from asamblea.core.errors import NotFound
from asamblea.motions import selectors, services
from asamblea.motions.models import AmendmentKind, AmendmentState


def test_get_motion_for_hides_sibling_committees(fed, draft):
    assert selectors.get_motion_for(member=fed.secretary, motion_id=draft.pk) == draft
    assert selectors.get_motion_for(member=fed.operator, motion_id=draft.pk) == draft
    with pytest.raises(NotFound):
        selectors.get_motion_for(member=fed.outsider, motion_id=draft.pk)
    with pytest.raises(NotFound):
        selectors.get_motion_for(member=fed.neighbour, motion_id=draft.pk)
    with pytest.raises(NotFound):
        selectors.get_motion_for(member=fed.member, motion_id=draft.pk + 1000)


def test_list_motions_for_filters_by_node_and_state(fed, draft):
    above = services.submit_motion(actor=fed.neighbour, node=fed.zone_a, title="Zone", body="B")
    services.submit_motion(actor=fed.outsider, node=fed.committee_b1, title="Cusco", body="B")
    assert set(selectors.list_motions_for(member=fed.member)) == {draft, above}
    assert list(selectors.list_motions_for(member=fed.member, node=fed.zone_a)) == [above]
    assert list(selectors.list_motions_for(member=fed.member, state="debate")) == []
    assert selectors.list_motions_for(member=fed.operator).count() == 3
    assert list(selectors.recent_motions_for(member=fed.neighbour)) == [above]


def test_nodes_for_drafting_are_own_committee_and_above(fed):
    nodes = set(selectors.nodes_for_drafting(member=fed.member))
    assert nodes == {fed.assembly, fed.region_a, fed.zone_a, fed.committee_a1}


def test_comments_tree_nests_replies(fed, draft):
    a = services.add_comment(actor=fed.member, motion=draft, body="a")
    b = services.add_comment(actor=fed.other_member, motion=draft, body="b", parent=a)
    c = services.add_comment(actor=fed.member, motion=draft, body="c", parent=b)
    d = services.add_comment(actor=fed.secretary, motion=draft, body="d")
    tree = selectors.comments_tree(motion=draft)
    assert [n.comment for n in tree] == [a, d]
    assert tree[0].replies[0].comment == b
    assert tree[0].replies[0].replies[0].comment == c
    assert list(selectors.comments_of(motion=draft)) == [a, b, c, d]


def test_versions_and_diff(fed, debate):
    amendment = services.propose_amendment(
        actor=fed.other_member,
        motion=debate,
        kind=AmendmentKind.INSERT_PARAGRAPH,
        paragraph=3,
        text="Long live the assembly.",
    )
    services.accept_amendment(actor=SYSTEM, amendment=amendment)
    assert [v.number for v in selectors.versions(motion=debate)] == [1, 2]
    diff = selectors.version_diff(motion=debate, from_number=1, to_number=2)
    assert diff.body_ops[-1] == ("insert", "\n\nLong live the assembly.")
    history = selectors.version_history(motion=debate)
    assert history[0][1] == []
    assert history[1][1] == diff.body_ops
    with pytest.raises(NotFound):
        selectors.version_diff(motion=debate, from_number=1, to_number=3)


def test_open_amendments_and_previews(fed, debate):
    first = services.propose_amendment(
        actor=fed.other_member,
        motion=debate,
        kind=AmendmentKind.INSERT_PARAGRAPH,
        paragraph=0,
        text="Preamble.",
    )
    second = services.propose_amendment(
        actor=fed.secretary,
        motion=debate,
        kind=AmendmentKind.REPLACE_PARAGRAPH,
        paragraph=1,
        text="We demand justice.",
    )
    assert list(selectors.open_amendments(motion=debate)) == [first, second]
    services.accept_amendment(actor=SYSTEM, amendment=first)
    debate.refresh_from_db()
    assert list(selectors.open_amendments(motion=debate)) == [second]
    previews = {p.amendment.pk: p for p in selectors.amendment_previews(motion=debate)}
    assert previews[first.pk].amendment.state == AmendmentState.ACCEPTED
    assert previews[first.pk].version_number == 2
    # The paragraph moved down by one after the insertion was merged.
    assert previews[second.pk].paragraph_number == 3
    assert previews[second.pk].applies
    assert ("insert", "justice.") in previews[second.pk].ops


def test_get_amendment_for_hides_invisible_ones(fed, debate):
    amendment = services.propose_amendment(
        actor=fed.other_member, motion=debate, kind="delete_paragraph", paragraph=0, text=""
    )
    assert selectors.get_amendment_for(member=fed.member, amendment_id=amendment.pk) == amendment
    with pytest.raises(NotFound):
        selectors.get_amendment_for(member=fed.outsider, amendment_id=amendment.pk)


def test_seconds_summary(fed, draft):
    summary = selectors.seconds_summary(motion=draft, member=fed.member)
    assert (summary.count, summary.required, summary.can_second) == (0, 1, False)
    assert selectors.seconds_summary(motion=draft, member=fed.secretary).can_second
