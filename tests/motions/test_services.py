"""Services of motions: state machine, permissions, audit, refusals."""

from __future__ import annotations

import pytest
from django.utils import translation

from asamblea.core.actors import SYSTEM
from asamblea.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from asamblea.core.models import AuditEntry
from asamblea.federation.models import NodeKind
from asamblea.federation.services import create_node
from asamblea.motions import services
from asamblea.motions.models import (
    BODY_MAX,
    COMMENT_MAX,
    TITLE_MAX,
    AmendmentKind,
    AmendmentState,
    MotionState,
    MotionVersion,
)
from tests.factories import join
from tests.motions.conftest import BODY, snapshot


def actions() -> list[str]:
    return list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))


def test_submit_creates_a_draft_with_version_one(fed):
    motion = services.submit_motion(
        actor=fed.member, node=fed.committee_a1, title="  General   strike ", body="A\r\n\r\nB"
    )
    assert motion.state == MotionState.DRAFT
    assert motion.title == "General strike"
    assert motion.body == "A\n\nB"
    version = MotionVersion.objects.get(motion=motion)
    assert (version.number, version.body) == (1, "A\n\nB")
    assert actions()[-1] == "motion.submitted"


def test_submit_goes_straight_to_debate_when_no_seconds_are_needed(fed):
    node = create_node(
        actor=SYSTEM, kind=NodeKind.COMMITTEE, name="Sin", parent=fed.zone_a, seconders_required=0
    )
    join(fed.neighbour, node)
    motion = services.submit_motion(actor=fed.neighbour, node=node, title="T", body="B")
    assert motion.state == MotionState.DEBATE
    assert actions()[-2:] == ["motion.submitted", "motion.debate_started"]


def test_member_may_draft_at_a_node_above_but_not_at_a_sibling(fed):
    services.submit_motion(actor=fed.member, node=fed.assembly, title="T", body="B")
    before = snapshot()
    with pytest.raises(NotFound):
        services.submit_motion(actor=fed.member, node=fed.committee_b1, title="T", body="B")
    assert snapshot() == before


def test_operator_may_draft_anywhere(fed):
    motion = services.submit_motion(actor=fed.operator, node=fed.committee_b1, title="T", body="B")
    assert motion.node == fed.committee_b1


@pytest.mark.parametrize(
    ("title", "body", "field", "message"),
    [
        ("", BODY, "title", "A title is required."),
        ("x" * (TITLE_MAX + 1), BODY, "title", "The title is too long"),
        ("T", "  \n\n ", "body", "The text is required."),
        ("T", "x" * (BODY_MAX + 1), "body", "The text is too long"),
    ],
)
def test_submit_refuses_bad_input(fed, title, body, field, message):
    before = snapshot()
    with pytest.raises(InvalidInput) as info:
        services.submit_motion(actor=fed.member, node=fed.committee_a1, title=title, body=body)
    assert info.value.field == field
    assert str(info.value.message).startswith(message)
    assert snapshot() == before


def test_seconding_reaches_the_threshold_and_starts_debate(fed, draft):
    services.second_motion(actor=fed.other_member, motion=draft)
    draft.refresh_from_db()
    assert draft.state == MotionState.DEBATE
    assert actions()[-2:] == ["motion.seconded", "motion.debate_started"]


def test_seconding_ones_own_motion_is_refused(fed, draft):
    before = snapshot()
    with pytest.raises(Forbidden) as info:
        services.second_motion(actor=fed.member, motion=draft)
    assert str(info.value.message) == "You cannot second your own motion."
    assert snapshot() == before


def test_seconding_twice_is_refused(fed):
    fed.committee_a1.seconders_required = 3
    fed.committee_a1.save()
    motion = services.submit_motion(actor=fed.member, node=fed.committee_a1, title="T", body="B")
    services.second_motion(actor=fed.other_member, motion=motion)
    before = snapshot()
    with pytest.raises(Conflict) as info:
        services.second_motion(actor=fed.other_member, motion=motion)
    assert str(info.value.message) == "You have already seconded this motion."
    assert snapshot() == before


def test_seconding_a_motion_of_a_sibling_committee_is_not_found(fed, draft):
    before = snapshot()
    with pytest.raises(NotFound):
        services.second_motion(actor=fed.outsider, motion=draft)
    assert snapshot() == before


def test_seconding_a_motion_already_in_debate_is_refused(fed, debate):
    with pytest.raises(Conflict):
        services.second_motion(actor=fed.secretary, motion=debate)


def test_edit_draft_by_author_before_seconds(fed):
    fed.committee_a1.seconders_required = 2
    fed.committee_a1.save()
    motion = services.submit_motion(actor=fed.member, node=fed.committee_a1, title="T", body="B")
    services.edit_draft(actor=fed.member, motion=motion, title="T2", body="B2")
    assert MotionVersion.objects.get(motion=motion).body == "B2"
    with pytest.raises(Forbidden):
        services.edit_draft(actor=fed.other_member, motion=motion, title="X", body="X")
    services.second_motion(actor=fed.other_member, motion=motion)
    before = snapshot()
    with pytest.raises(Conflict) as info:
        services.edit_draft(actor=fed.member, motion=motion, title="T3", body="B3")
    assert "seconded" in str(info.value.message)
    assert snapshot() == before


def test_withdraw_by_author_only_and_not_once_voting(fed, debate):
    with pytest.raises(Forbidden):
        services.withdraw_motion(actor=fed.secretary, motion=debate)
    services.mark_motion_voting(actor=SYSTEM, motion=debate)
    with pytest.raises(Conflict):
        services.withdraw_motion(actor=fed.member, motion=debate)


def test_withdrawn_motion_cannot_be_withdrawn_again(fed, draft):
    services.withdraw_motion(actor=fed.member, motion=draft)
    draft.refresh_from_db()
    assert draft.state == MotionState.WITHDRAWN
    with pytest.raises(Conflict):
        services.withdraw_motion(actor=fed.member, motion=draft)


def test_comments_and_nested_replies(fed, draft):
    top = services.add_comment(actor=fed.other_member, motion=draft, body="Agree")
    reply = services.add_comment(actor=fed.member, motion=draft, body="Thanks", parent=top)
    deeper = services.add_comment(actor=fed.secretary, motion=draft, body="+1", parent=reply)
    assert deeper.parent == reply
    assert actions()[-1] == "comment.added"


@pytest.mark.parametrize(
    ("body", "message"),
    [(" \n ", "The comment is empty."), ("x" * (COMMENT_MAX + 1), "The comment is too long")],
)
def test_bad_comment_is_refused(fed, draft, body, message):
    before = snapshot()
    with pytest.raises(InvalidInput) as info:
        services.add_comment(actor=fed.member, motion=draft, body=body)
    assert str(info.value.message).startswith(message)
    assert snapshot() == before


def test_reply_to_a_comment_of_another_motion_is_refused(fed, draft):
    other = services.submit_motion(actor=fed.member, node=fed.committee_a1, title="O", body="B")
    comment = services.add_comment(actor=fed.member, motion=other, body="Hi")
    with pytest.raises(InvalidInput):
        services.add_comment(actor=fed.member, motion=draft, body="x", parent=comment)


def test_comment_on_a_closed_motion_is_refused(fed, draft):
    services.withdraw_motion(actor=fed.member, motion=draft)
    before = snapshot()
    with pytest.raises(Conflict):
        services.add_comment(actor=fed.member, motion=draft, body="late")
    assert snapshot() == before


def test_amendment_to_a_draft_is_refused(fed, draft):
    before = snapshot()
    with pytest.raises(Conflict) as info:
        services.propose_amendment(
            actor=fed.other_member,
            motion=draft,
            kind=AmendmentKind.DELETE_PARAGRAPH,
            paragraph=0,
            text="",
        )
    assert str(info.value.message) == (
        "Amendments can be proposed only while the motion is in debate."
    )
    assert snapshot() == before


@pytest.mark.parametrize("outcome", ["carried", "rejected", "withdrawn"])
def test_amendment_to_closed_motion_is_rejected(fed, debate, outcome):
    if outcome == "withdrawn":
        services.withdraw_motion(actor=fed.member, motion=debate)
    else:
        services.mark_motion_voting(actor=SYSTEM, motion=debate)
        services.conclude_motion(actor=SYSTEM, motion=debate, carried=outcome == "carried")
    before = snapshot()
    with pytest.raises(Conflict) as info:
        services.propose_amendment(
            actor=fed.other_member,
            motion=debate,
            kind=AmendmentKind.REPLACE_PARAGRAPH,
            paragraph=0,
            text="New",
        )
    assert str(info.value.message) == "This motion is closed; it can no longer be amended."
    assert snapshot() == before


@pytest.mark.parametrize(
    ("kind", "paragraph"),
    [
        (AmendmentKind.REPLACE_PARAGRAPH, 3),
        (AmendmentKind.DELETE_PARAGRAPH, 7),
        (AmendmentKind.INSERT_PARAGRAPH, 4),
        (AmendmentKind.REPLACE_PARAGRAPH, None),
    ],
)
def test_amendment_paragraph_out_of_range_is_refused(fed, debate, kind, paragraph):
    before = snapshot()
    with pytest.raises(InvalidInput) as info:
        services.propose_amendment(
            actor=fed.other_member, motion=debate, kind=kind, paragraph=paragraph, text="x"
        )
    assert info.value.field == "paragraph"
    assert str(info.value.message) == "That paragraph does not exist: the current text has 3."
    assert snapshot() == before


def test_amendment_that_changes_nothing_or_has_no_text_is_refused(fed, debate):
    with pytest.raises(InvalidInput, match="changes nothing"):
        services.propose_amendment(
            actor=fed.other_member,
            motion=debate,
            kind=AmendmentKind.REPLACE_PARAGRAPH,
            paragraph=0,
            text="We call a regional strike.",
        )
    with pytest.raises(InvalidInput, match="required"):
        services.propose_amendment(
            actor=fed.other_member,
            motion=debate,
            kind=AmendmentKind.INSERT_PARAGRAPH,
            paragraph=0,
            text="  ",
        )
    with pytest.raises(InvalidInput, match="Unknown kind"):
        services.propose_amendment(
            actor=fed.other_member, motion=debate, kind="shuffle", paragraph=0, text="x"
        )


def amend(fed, motion, kind, paragraph, text=""):
    return services.propose_amendment(
        actor=fed.other_member, motion=motion, kind=kind, paragraph=paragraph, text=text
    )


def test_accepting_an_amendment_merges_it_into_a_new_version(fed, debate):
    amendment = amend(fed, debate, AmendmentKind.REPLACE_PARAGRAPH, 0, "We call a general strike.")
    assert amendment.base_version == 1
    services.mark_amendment_voting(actor=SYSTEM, amendment=amendment)
    services.accept_amendment(actor=SYSTEM, amendment=amendment)
    debate.refresh_from_db()
    amendment.refresh_from_db()
    assert amendment.state == AmendmentState.ACCEPTED
    assert debate.version == 2
    assert debate.body.startswith("We call a general strike.\n\n")
    latest = MotionVersion.objects.get(motion=debate, number=2)
    assert latest.amendment == amendment
    assert MotionVersion.objects.filter(motion=debate).count() == 2
    assert "amendment.accepted" in actions()


def test_amendment_after_an_earlier_insertion_is_rebased(fed, debate):
    insert = amend(fed, debate, AmendmentKind.INSERT_PARAGRAPH, 0, "Preamble.")
    delete_last = amend(fed, debate, AmendmentKind.DELETE_PARAGRAPH, 2)
    services.accept_amendment(actor=SYSTEM, amendment=insert)
    services.accept_amendment(actor=SYSTEM, amendment=delete_last)
    debate.refresh_from_db()
    assert debate.body == (
        "Preamble.\n\nWe call a regional strike.\n\nWe demand the release of detainees."
    )
    assert debate.version == 3


def test_amendment_whose_paragraph_changed_becomes_obsolete(fed, debate):
    first = amend(fed, debate, AmendmentKind.REPLACE_PARAGRAPH, 1, "We demand justice.")
    second = amend(fed, debate, AmendmentKind.DELETE_PARAGRAPH, 1)
    services.mark_amendment_voting(actor=SYSTEM, amendment=second)
    services.accept_amendment(actor=SYSTEM, amendment=first)
    debate.refresh_from_db()
    body = debate.body
    result = services.accept_amendment(actor=SYSTEM, amendment=second)
    debate.refresh_from_db()
    assert result.state == AmendmentState.OBSOLETE
    # Stored as a code and shown in each reader's language, whoever triggered it.
    assert result.state_reason == "paragraph_out_of_range"
    result.refresh_from_db()
    with translation.override("en"):
        assert "changed by an accepted amendment" in result.get_state_reason_display()
    with translation.override("es"):
        assert "cambiado por una enmienda aceptada" in result.get_state_reason_display()
    assert debate.body == body
    assert debate.version == 2
    assert actions()[-1] == "amendment.obsolete"


def test_proposed_amendments_that_no_longer_apply_are_marked_obsolete(fed, debate):
    first = amend(fed, debate, AmendmentKind.REPLACE_TEXT, None, "Everything new.")
    other = amend(fed, debate, AmendmentKind.REPLACE_PARAGRAPH, 2, "We meet on Tuesday.")
    services.accept_amendment(actor=SYSTEM, amendment=first)
    other.refresh_from_db()
    assert other.state == AmendmentState.OBSOLETE


def test_reject_and_withdraw_amendment(fed, debate):
    a = amend(fed, debate, AmendmentKind.DELETE_PARAGRAPH, 0)
    b = amend(fed, debate, AmendmentKind.DELETE_PARAGRAPH, 1)
    with pytest.raises(Forbidden):
        services.withdraw_amendment(actor=fed.member, amendment=a)
    services.withdraw_amendment(actor=fed.other_member, amendment=a)
    services.reject_amendment(actor=SYSTEM, amendment=b)
    b.refresh_from_db()
    assert b.state == AmendmentState.REJECTED
    with pytest.raises(Conflict):
        services.withdraw_amendment(actor=fed.other_member, amendment=b)
    with pytest.raises(Conflict):
        services.accept_amendment(actor=SYSTEM, amendment=b)


def test_motion_is_voted_after_its_amendments(fed, debate):
    a = amend(fed, debate, AmendmentKind.DELETE_PARAGRAPH, 0)
    before = snapshot()
    with pytest.raises(Conflict, match="open amendments"):
        services.mark_motion_voting(actor=SYSTEM, motion=debate)
    assert snapshot() == before
    services.reject_amendment(actor=SYSTEM, amendment=a)
    services.mark_motion_voting(actor=SYSTEM, motion=debate)
    with pytest.raises(Conflict):
        services.mark_amendment_voting(actor=SYSTEM, amendment=a)
    services.conclude_motion(actor=SYSTEM, motion=debate, carried=True)
    debate.refresh_from_db()
    assert debate.state == MotionState.CARRIED
    assert actions()[-2:] == ["motion.voting_started", "motion.carried"]
    with pytest.raises(Conflict):
        services.conclude_motion(actor=SYSTEM, motion=debate, carried=False)


def test_draft_cannot_be_put_to_the_vote(fed, draft):
    with pytest.raises(Conflict):
        services.mark_motion_voting(actor=SYSTEM, motion=draft)


def test_withdrawing_a_motion_withdraws_its_proposed_amendments(fed, debate):
    a = amend(fed, debate, AmendmentKind.DELETE_PARAGRAPH, 0)
    services.withdraw_motion(actor=fed.member, motion=debate)
    a.refresh_from_db()
    assert a.state == AmendmentState.WITHDRAWN
    assert actions()[-2:] == ["motion.withdrawn", "amendment.withdrawn"]


def test_only_a_motion_being_voted_on_returns_to_debate(fed, debate):
    before = snapshot()
    with pytest.raises(Conflict, match="being voted on"):
        services.return_motion_to_debate(actor=SYSTEM, motion=debate)
    assert snapshot() == before
    services.mark_motion_voting(actor=SYSTEM, motion=debate)
    services.return_motion_to_debate(actor=SYSTEM, motion=debate)
    debate.refresh_from_db()
    assert debate.state == MotionState.DEBATE


def test_only_an_amendment_being_voted_on_is_proposed_again(fed, debate):
    amendment = services.propose_amendment(
        actor=fed.other_member, motion=debate, kind="delete_paragraph", paragraph=0, text=""
    )
    before = snapshot()
    with pytest.raises(Conflict, match="being voted on"):
        services.return_amendment_to_proposed(actor=SYSTEM, amendment=amendment)
    assert snapshot() == before
    services.mark_amendment_voting(actor=SYSTEM, amendment=amendment)
    services.return_amendment_to_proposed(actor=SYSTEM, amendment=amendment)
    amendment.refresh_from_db()
    assert amendment.state == "proposed"
