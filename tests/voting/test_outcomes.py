"""What closed polls decide: amendments, motions, recalls, delegate elections."""

from __future__ import annotations

import pytest

from asamblea.accounts.models import Member
from asamblea.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from asamblea.core.models import AuditEntry
from asamblea.federation import services as federation_services
from asamblea.federation.models import Mandate, MandateSource
from asamblea.motions import services as motion_services
from asamblea.motions.models import AmendmentState, MotionState
from asamblea.voting import services
from asamblea.voting.models import Poll, PollResult, PollState, Purpose, RecallState
from tests.voting.conftest import make_poll, snapshot

pytestmark = pytest.mark.django_db


def _motion_in_debate(fed, node=None):
    motion = motion_services.submit_motion(
        actor=fed.member,
        node=node or fed.committee_a1,
        title="Paro regional",
        body="Convocamos un paro.\n\nEl jueves.",
    )
    motion_services.second_motion(actor=fed.other_member, motion=motion)
    motion.refresh_from_db()
    assert motion.state == MotionState.DEBATE
    return motion


def _all_vote(poll, voters, choice):
    for voter in voters:
        services.cast_ballot(voter=voter, poll=poll, choice=[choice])


def test_motion_without_amendments_goes_straight_to_its_poll_and_carries(fed):
    motion = _motion_in_debate(fed)
    (poll,) = services.open_motion_vote(actor=fed.member, motion=motion)
    motion.refresh_from_db()
    assert motion.state == MotionState.VOTING
    assert (poll.purpose, poll.state, poll.motion_id) == (Purpose.MOTION, PollState.OPEN, motion.pk)
    _all_vote(poll, [fed.member, fed.other_member], "yes")
    services.close_poll(actor=fed.secretary, poll=poll)
    motion.refresh_from_db()
    assert motion.state == MotionState.CARRIED


def test_amendments_are_voted_first_then_the_motion_opens_automatically(fed):
    motion = _motion_in_debate(fed)
    accepted = motion_services.propose_amendment(
        actor=fed.other_member,
        motion=motion,
        kind="replace_paragraph",
        paragraph=1,
        text="El viernes.",
    )
    rejected = motion_services.propose_amendment(
        actor=fed.secretary, motion=motion, kind="delete_paragraph", paragraph=0, text=""
    )
    polls = services.open_motion_vote(actor=fed.secretary, motion=motion, secret=True)
    assert [p.amendment_id for p in polls] == [accepted.pk, rejected.pk]
    motion.refresh_from_db()
    assert motion.state == MotionState.DEBATE
    first, second = polls
    _all_vote(first, [fed.member, fed.other_member], "yes")
    _all_vote(second, [fed.member, fed.other_member], "no")
    services.close_poll(actor=fed.secretary, poll=first)
    assert not Poll.objects.filter(motion=motion, purpose=Purpose.MOTION).exists()
    services.close_poll(actor=fed.secretary, poll=second)
    accepted.refresh_from_db()
    rejected.refresh_from_db()
    assert accepted.state == AmendmentState.ACCEPTED
    assert rejected.state == AmendmentState.REJECTED
    motion.refresh_from_db()
    assert motion.state == MotionState.VOTING
    assert "El viernes." in motion.body
    final = Poll.objects.get(motion=motion, purpose=Purpose.MOTION)
    assert final.state == PollState.OPEN
    assert final.secret  # same settings as the amendment polls
    _all_vote(final, [fed.member], "no")
    services.close_poll(actor=fed.secretary, poll=final)
    motion.refresh_from_db()
    assert motion.state == MotionState.REJECTED


def test_regional_motion_is_put_to_every_committee_beneath(fed):
    motion = motion_services.submit_motion(
        actor=fed.member, node=fed.region_a, title="Paro", body="Texto."
    )
    motion_services.second_motion(actor=fed.neighbour, motion=motion)
    motion_services.second_motion(actor=fed.other_member, motion=motion)
    motion.refresh_from_db()
    (poll,) = services.open_motion_vote(
        actor=fed.member, motion=motion, aggregation="by_committee_equal"
    )
    assert poll.electorate.count() == 4
    assert set(poll.electorate.values_list("committee_id", flat=True)) == {
        fed.committee_a1.pk,
        fed.committee_a2.pk,
    }


def test_only_author_secretary_or_operator_open_a_motion_vote(fed):
    motion = _motion_in_debate(fed)
    before = snapshot()
    with pytest.raises(Forbidden):
        services.open_motion_vote(actor=fed.other_member, motion=motion)
    with pytest.raises(NotFound):
        services.open_motion_vote(actor=fed.outsider, motion=motion)
    assert snapshot() == before
    assert services.open_motion_vote(actor=fed.operator, motion=motion)


def test_motion_not_in_debate_cannot_be_put_to_the_vote(fed):
    motion = motion_services.submit_motion(
        actor=fed.member, node=fed.committee_a1, title="Borrador", body="Texto."
    )
    before = snapshot()
    with pytest.raises(Conflict, match="in debate"):
        services.open_motion_vote(actor=fed.member, motion=motion)
    assert snapshot() == before


# --- recall ------------------------------------------------------------------


def _mandate(fed):
    return federation_services.appoint_delegate(
        actor=fed.secretary, committee=fed.committee_a1, delegate=fed.other_member
    )


def test_recall_that_carries_ends_the_mandate(fed):
    mandate = _mandate(fed)
    recall = services.start_recall(actor=fed.member, mandate=mandate, reason="No informa.")
    poll = recall.poll
    assert (poll.purpose, poll.state, poll.secret) == (Purpose.RECALL, PollState.OPEN, True)
    _all_vote(poll, [fed.member, fed.secretary], "yes")
    services.close_poll(actor=fed.secretary, poll=poll)
    mandate.refresh_from_db()
    recall.refresh_from_db()
    assert mandate.ended_reason == "recalled"
    assert recall.state == RecallState.PASSED
    assert AuditEntry.objects.filter(action="recall.passed").exists()


def test_recall_that_fails_keeps_the_mandate(fed):
    mandate = _mandate(fed)
    recall = services.start_recall(actor=fed.member, mandate=mandate, reason="No informa.")
    _all_vote(recall.poll, [fed.other_member, fed.secretary], "no")
    services.close_poll(actor=fed.secretary, poll=recall.poll)
    mandate.refresh_from_db()
    recall.refresh_from_db()
    assert mandate.is_active
    assert recall.state == RecallState.FAILED


def test_recall_is_refused_to_non_members_and_twice(fed):
    mandate = _mandate(fed)
    before = snapshot()
    with pytest.raises(NotFound):
        services.start_recall(actor=fed.outsider, mandate=mandate, reason="x")
    with pytest.raises(Forbidden):
        services.start_recall(actor=fed.operator, mandate=mandate, reason="x")
    with pytest.raises(InvalidInput, match="reason"):
        services.start_recall(actor=fed.member, mandate=mandate, reason="  ")
    with pytest.raises(InvalidInput, match="at most"):
        services.start_recall(actor=fed.member, mandate=mandate, reason="x" * 4001)
    assert snapshot() == before
    services.start_recall(actor=fed.member, mandate=mandate, reason="Uno")
    with pytest.raises(Conflict, match="already"):
        services.start_recall(actor=fed.secretary, mandate=mandate, reason="Dos")


# --- delegate elections ----------------------------------------------------------


def test_delegate_election_appoints_the_winner(fed):
    poll = make_poll(
        fed.secretary, fed.committee_a1, question="¿Delegado?", purpose="delegate_election"
    )
    labels = list(poll.options.values_list("label", flat=True))
    assert labels == sorted(
        [fed.secretary.pseudonym, fed.member.pseudonym, fed.other_member.pseudonym]
    )
    position = labels.index(fed.member.pseudonym)
    services.open_poll(actor=fed.secretary, poll=poll)
    for voter in (fed.member, fed.other_member):
        services.cast_ballot(voter=voter, poll=poll, choice=[position])
    services.close_poll(actor=fed.secretary, poll=poll)
    mandate = Mandate.objects.get(committee=fed.committee_a1, ended_at__isnull=True)
    assert mandate.delegate == fed.member
    assert mandate.source == MandateSource.ELECTED
    assert mandate.poll_id == poll.pk


def test_tied_delegate_election_appoints_the_candidate_drawn_by_lot(fed):
    poll = make_poll(
        fed.secretary, fed.committee_a1, question="¿Delegado?", purpose="delegate_election"
    )
    services.open_poll(actor=fed.secretary, poll=poll)
    services.cast_ballot(voter=fed.member, poll=poll, choice=[0])
    services.cast_ballot(voter=fed.other_member, poll=poll, choice=[1])
    poll = services.close_poll(actor=fed.secretary, poll=poll)
    result = PollResult.objects.get(poll=poll)
    (lot,) = result.detail["explanation"]["lots"]
    labels = dict(poll.options.values_list("label", "code"))
    drawn = Member.objects.get(pk=int(labels[lot["order"][0]].removeprefix("m")))
    assert sorted(lot["candidates"]) == sorted(
        poll.options.filter(position__in=[0, 1]).values_list("label", flat=True)
    )
    mandate = Mandate.objects.get(committee=fed.committee_a1, ended_at__isnull=True)
    assert mandate.delegate == drawn


def test_delegate_election_without_ballots_appoints_nobody(fed):
    poll = make_poll(
        fed.secretary, fed.committee_a1, question="¿Delegado?", purpose="delegate_election"
    )
    services.open_poll(actor=fed.secretary, poll=poll)
    services.close_poll(actor=fed.secretary, poll=poll)
    assert not Mandate.objects.exists()
    assert AuditEntry.objects.filter(action="election.undecided").exists()


def test_delegate_election_only_at_a_committee(fed):
    with pytest.raises(InvalidInput, match="elected by a committee"):
        make_poll(fed.operator, fed.zone_a, purpose="delegate_election")


def test_cancelled_amendment_poll_proposes_the_amendment_again(fed):
    motion = _motion_in_debate(fed)
    amendment = motion_services.propose_amendment(
        actor=fed.other_member,
        motion=motion,
        kind="replace_paragraph",
        paragraph=1,
        text="El viernes.",
    )
    (poll,) = services.open_motion_vote(actor=fed.secretary, motion=motion)
    amendment.refresh_from_db()
    assert amendment.state == AmendmentState.VOTING
    services.cancel_poll(actor=fed.secretary, poll=poll)
    amendment.refresh_from_db()
    motion.refresh_from_db()
    assert amendment.state == AmendmentState.PROPOSED
    assert motion.state == MotionState.DEBATE
    # It can be put to the vote again.
    (again,) = services.open_motion_vote(actor=fed.secretary, motion=motion)
    assert again.amendment_id == amendment.pk
    assert again.state == PollState.OPEN


def test_cancelled_motion_poll_returns_the_motion_to_debate(fed):
    motion = _motion_in_debate(fed)
    (poll,) = services.open_motion_vote(actor=fed.member, motion=motion)
    services.cancel_poll(actor=fed.secretary, poll=poll)
    motion.refresh_from_db()
    assert motion.state == MotionState.DEBATE
    assert AuditEntry.objects.filter(action="motion.returned_to_debate").count() == 1
