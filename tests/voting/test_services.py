from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from asamblea.core.actors import SYSTEM
from asamblea.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from asamblea.core.models import AuditEntry
from asamblea.federation import services as federation_services
from asamblea.voting import selectors, services
from asamblea.voting.errors import EmptyElectorate
from asamblea.voting.models import (
    Ballot,
    CancelReason,
    ElectorateEntry,
    Poll,
    PollResult,
    PollState,
    VoteLedger,
)
from asamblea.voting.services import schedule
from tests.factories import join, make_member
from tests.voting.conftest import make_poll, open_poll, snapshot

pytestmark = pytest.mark.django_db


# --- creating ----------------------------------------------------------------


def test_secretary_creates_yes_no_abstain_poll_with_coded_options(fed):
    poll = make_poll(fed.secretary, fed.committee_a1)
    assert poll.state == PollState.DRAFT
    assert list(poll.options.values_list("position", "code")) == [
        (0, "yes"),
        (1, "no"),
        (2, "abstain"),
    ]
    assert len(poll.seed) == 32
    assert AuditEntry.objects.filter(action="poll.created", object_id=str(poll.pk)).exists()


def test_plain_member_cannot_create_a_poll(fed):
    before = snapshot()
    with pytest.raises(Forbidden):
        make_poll(fed.member, fed.committee_a1)
    assert snapshot() == before


def test_outsider_cannot_see_the_committee_to_create_a_poll(fed):
    with pytest.raises(NotFound):
        make_poll(fed.outsider, fed.committee_a1)


def test_secretary_cannot_create_a_poll_above_the_committee(fed):
    with pytest.raises(Forbidden):
        make_poll(fed.secretary, fed.zone_a)


def test_operator_creates_a_poll_at_the_assembly(fed):
    poll = make_poll(fed.operator, fed.assembly, method="single", options=["Lunes", "Martes"])
    assert poll.options.count() == 2


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"question": "x" * 301}, "question", "at most 300"),
        ({"question": "   "}, "question", "required"),
        ({"method": "single", "options": ["solo"]}, "options", "at least two"),
        ({"method": "single", "options": ["a", "A"]}, "options", "same"),
        ({"method": "single", "options": ["a", "b" * 201]}, "options", "at most 200"),
        ({"method": "approval", "options": ["a", "b"], "max_choices": 3}, "max_choices", "k must"),
        ({"method": "condorcet"}, "method", "Unknown"),
        ({"aggregation": "nope"}, "aggregation", "Unknown"),
        ({"majority_num": 3, "majority_den": 2}, "majority", "between 0 and 1"),
        ({"quorum_den": 0}, "quorum", "at least 1"),
        ({"closes_at": "past"}, "closes_at", "future"),
    ],
)
def test_bad_poll_input_is_refused_and_nothing_is_written(fed, kwargs, field, message):
    if kwargs.get("closes_at") == "past":
        kwargs["closes_at"] = timezone.now() - timedelta(minutes=1)
    before = snapshot()
    with pytest.raises(InvalidInput, match=message) as info:
        make_poll(fed.secretary, fed.committee_a1, **kwargs)
    assert info.value.field == field
    assert snapshot() == before


# --- opening -----------------------------------------------------------------


def test_opening_freezes_every_member_beneath_the_node_with_weights(fed):
    poll = open_poll(fed.operator, fed.region_a)
    entries = dict(
        ElectorateEntry.objects.filter(poll=poll).values_list("member_id", "committee_id")
    )
    assert entries == {
        fed.secretary.pk: fed.committee_a1.pk,
        fed.member.pk: fed.committee_a1.pk,
        fed.other_member.pk: fed.committee_a1.pk,
        fed.neighbour.pk: fed.committee_a2.pk,
    }
    assert poll.state == PollState.OPEN
    assert len(poll.ballot_key) == 64


def test_member_who_joins_after_opening_cannot_vote(fed):
    poll = open_poll(fed.secretary, fed.committee_a1)
    late = make_member("tardía")
    join(late, fed.committee_a1)
    before = snapshot()
    with pytest.raises(Forbidden, match="outside this poll's electorate"):
        services.cast_ballot(voter=late, poll=poll, choice=["yes"])
    assert snapshot() == before


def services_node(fed):
    return federation_services.create_node(
        actor=SYSTEM, kind="committee", name="Comité vacío", parent=fed.region_b
    )


def test_opening_twice_is_a_conflict(fed):
    poll = open_poll(fed.secretary, fed.committee_a1)
    with pytest.raises(Conflict):
        services.open_poll(actor=fed.secretary, poll=poll)


# --- casting -----------------------------------------------------------------


def test_changing_the_vote_keeps_one_ballot_and_one_ledger_row(fed):
    poll = open_poll(fed.secretary, fed.committee_a1)
    first = services.cast_ballot(voter=fed.member, poll=poll, choice=["yes"])
    second = services.cast_ballot(voter=fed.member, poll=poll, choice=[1])
    assert not first.changed
    assert second.changed
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert VoteLedger.objects.filter(poll=poll).count() == 1
    ballot = Ballot.objects.get(poll=poll)
    assert ballot.mask == 0b10
    assert ballot.voter == fed.member
    assert selectors.ballot_state_for(member=fed.member, poll=poll).choice == (1,)


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        (["yes", "no"], "exactly one"),
        ([], "exactly one"),
        ([7], "does not exist"),
        (["maybe"], "does not exist"),
        ([True], "does not exist"),
    ],
)
def test_invalid_choice_is_refused_and_nothing_is_written(fed, choice, message):
    poll = open_poll(fed.secretary, fed.committee_a1)
    before = snapshot()
    with pytest.raises(InvalidInput, match=message):
        services.cast_ballot(voter=fed.member, poll=poll, choice=choice)
    assert snapshot() == before


def test_vote_after_the_close_is_refused(fed):
    poll = open_poll(fed.secretary, fed.committee_a1)
    services.close_poll(actor=fed.secretary, poll=poll)
    before = snapshot()
    with pytest.raises(Conflict, match="closed"):
        services.cast_ballot(voter=fed.member, poll=poll, choice=["yes"])
    assert snapshot() == before


def test_vote_after_the_closing_time_is_refused_even_before_the_scheduler_runs(fed):
    poll = open_poll(fed.secretary, fed.committee_a1)
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(Conflict, match="closed"):
        services.cast_ballot(voter=fed.member, poll=poll, choice=["yes"])
    assert not Ballot.objects.exists()


def test_vote_in_a_draft_poll_is_refused(fed):
    poll = make_poll(fed.secretary, fed.committee_a1)
    with pytest.raises(Conflict, match="not open"):
        services.cast_ballot(voter=fed.member, poll=poll, choice=["yes"])


def test_outsider_cannot_vote_in_an_invisible_poll(fed):
    poll = open_poll(fed.secretary, fed.committee_a1)
    with pytest.raises(NotFound):
        services.cast_ballot(voter=fed.outsider, poll=poll, choice=["yes"])


def test_approval_poll_takes_up_to_k_and_the_empty_ballot(fed):
    poll = open_poll(
        fed.secretary,
        fed.committee_a1,
        method="approval",
        options=["Agua", "Luz", "Pistas"],
        max_choices=2,
    )
    services.cast_ballot(voter=fed.member, poll=poll, choice=[0, 2])
    services.cast_ballot(voter=fed.other_member, poll=poll, choice=[])
    with pytest.raises(InvalidInput, match="at most 2"):
        services.cast_ballot(voter=fed.secretary, poll=poll, choice=[0, 1, 2])
    assert sorted(Ballot.objects.values_list("mask", flat=True)) == [0, 0b101]


def test_casting_a_ballot_writes_no_audit_entry(fed):
    poll = open_poll(fed.secretary, fed.committee_a1, secret=True)
    before = AuditEntry.objects.count()
    services.cast_ballot(voter=fed.member, poll=poll, choice=["no"])
    services.cast_ballot(voter=fed.member, poll=poll, choice=["yes"])
    assert AuditEntry.objects.count() == before
    assert VoteLedger.objects.filter(poll=poll, member=fed.member).count() == 1


# --- secret ballots ------------------------------------------------------------


def test_secret_ballot_has_no_voter_no_time_and_is_unlinked_at_the_close(fed):
    poll = open_poll(fed.secretary, fed.committee_a1, secret=True)
    services.cast_ballot(voter=fed.member, poll=poll, choice=["yes"])
    services.cast_ballot(voter=fed.other_member, poll=poll, choice=["no"])
    services.cast_ballot(voter=fed.member, poll=poll, choice=["abstain"])
    key = poll.ballot_key
    hmacs = {
        hmac.new(bytes.fromhex(key), str(m.pk).encode(), hashlib.sha256).hexdigest()
        for m in (fed.member, fed.other_member)
    }
    ballots = list(Ballot.objects.filter(poll=poll))
    assert len(ballots) == 2
    assert all(b.voter_id is None and b.cast_at is None for b in ballots)
    assert {b.slot for b in ballots} == hmacs
    # While open the voter sees their own choice again, through the slot.
    assert selectors.ballot_state_for(member=fed.member, poll=poll).choice == (2,)
    with pytest.raises(Conflict, match="only after it closes"):
        selectors.results_tree(member=fed.member, poll=poll)

    services.close_poll(actor=fed.secretary, poll=poll)
    poll.refresh_from_db()
    assert poll.ballot_key == ""
    after = list(Ballot.objects.filter(poll=poll))
    slots = {b.slot for b in after}
    assert not slots & hmacs
    assert len(slots) == 2
    # Written again with fresh ids; the originals are deleted.
    assert not {b.id for b in after} & {b.id for b in ballots}
    assert all(b.voter_id is None and b.cast_at is None for b in after)
    state = selectors.ballot_state_for(member=fed.member, poll=poll)
    assert state.has_voted
    assert state.choice is None
    top = selectors.results_tree(member=fed.member, poll=poll)[-1]
    assert top.counts == {"0": 0, "1": 1, "2": 1}


def test_named_poll_shows_live_results_while_open(fed):
    poll = open_poll(fed.secretary, fed.committee_a1)
    services.cast_ballot(voter=fed.member, poll=poll, choice=["yes"])
    (live,) = selectors.results_tree(member=fed.member, poll=poll)
    assert live.counts == {"0": 1, "1": 0, "2": 0}
    assert not PollResult.objects.exists()


# --- closing and cancelling -----------------------------------------------------


def test_closing_stores_results_and_audits(fed):
    poll = open_poll(fed.secretary, fed.committee_a1)
    services.cast_ballot(voter=fed.member, poll=poll, choice=["yes"])
    services.close_poll(actor=fed.secretary, poll=poll)
    result = PollResult.objects.get(poll=poll)
    assert result.outcome == "carried"
    assert (result.entitled, result.voted) == (3, 1)
    actions = list(
        AuditEntry.objects.filter(object_id=str(poll.pk)).values_list("action", flat=True)
    )
    assert "poll.closed" in actions
    assert "result.recorded" in actions


def test_closing_twice_is_a_conflict_and_writes_nothing(fed):
    poll = open_poll(fed.secretary, fed.committee_a1)
    services.close_poll(actor=fed.secretary, poll=poll)
    before = snapshot()
    with pytest.raises(Conflict):
        services.close_poll(actor=fed.secretary, poll=poll)
    assert snapshot() == before


def test_member_cannot_close_a_poll(fed):
    poll = open_poll(fed.secretary, fed.committee_a1)
    with pytest.raises(Forbidden):
        services.close_poll(actor=fed.member, poll=poll)


def test_cancelled_poll_takes_no_more_votes(fed):
    poll = open_poll(fed.secretary, fed.committee_a1)
    services.cancel_poll(actor=fed.secretary, poll=poll)
    with pytest.raises(Conflict):
        services.cast_ballot(voter=fed.member, poll=poll, choice=["yes"])
    with pytest.raises(Conflict):
        services.cancel_poll(actor=fed.secretary, poll=poll)


# --- schedule ----------------------------------------------------------------


def test_schedule_opens_and_closes_polls_at_their_times(fed):
    now = timezone.now()
    poll = make_poll(
        fed.secretary,
        fed.committee_a1,
        opens_at=now + timedelta(minutes=1),
        closes_at=now + timedelta(hours=1),
    )
    assert services.apply_schedule(now=now) == services.ScheduleRun()
    assert services.apply_schedule(now=now + timedelta(minutes=2)) == services.ScheduleRun(opened=1)
    poll.refresh_from_db()
    assert poll.state == PollState.OPEN
    assert services.apply_schedule(now=now + timedelta(hours=2)) == services.ScheduleRun(closed=1)
    poll.refresh_from_db()
    assert poll.state == PollState.CLOSED
    assert PollResult.objects.filter(poll=poll).exists()
    # A retry of the same pass finds nothing left to do.
    assert services.apply_schedule(now=now + timedelta(hours=2)) == services.ScheduleRun()


def test_schedule_entries_are_the_systems_and_say_the_scheduler_acted(fed):
    poll = make_poll(fed.secretary, fed.committee_a1, opens_at=timezone.now())
    services.apply_schedule(now=timezone.now())
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now())
    services.apply_schedule(now=timezone.now())
    entries = AuditEntry.objects.filter(
        object_id=str(poll.pk), action__in=["poll.opened", "poll.closed"]
    ).order_by("seq")
    assert [e.action for e in entries] == ["poll.opened", "poll.closed"]
    for entry in entries:
        assert entry.actor_ref is None
        assert entry.data["by"] == "scheduler"


def test_opening_with_nobody_to_vote_is_its_own_error(fed):
    poll = make_poll(fed.operator, services_node(fed))
    before = snapshot()
    with pytest.raises(EmptyElectorate) as caught:
        services.open_poll(actor=fed.operator, poll=poll)
    assert not isinstance(caught.value, Conflict)
    assert caught.value.code == "empty_electorate"
    assert snapshot() == before
    poll.refresh_from_db()
    assert poll.state == PollState.DRAFT  # by hand: it may open once members join


def test_schedule_cancels_a_poll_nobody_could_vote_in_and_says_why(fed):
    poll = make_poll(fed.operator, services_node(fed), opens_at=timezone.now())
    assert services.apply_schedule(now=timezone.now()) == services.ScheduleRun(cancelled=1)
    poll.refresh_from_db()
    assert poll.state == PollState.CANCELLED
    assert poll.cancel_reason == CancelReason.EMPTY_ELECTORATE
    entry = AuditEntry.objects.get(action="poll.cancelled", object_id=str(poll.pk))
    assert entry.actor_ref is None
    assert entry.data == {"by": "scheduler", "reason": "empty_electorate"}
    assert not ElectorateEntry.objects.filter(poll=poll).exists()


def test_schedule_never_cancels_a_poll_opened_meanwhile(fed):
    """The review's race: a pass lists a due draft, someone else opens it, and
    the pass used to read the refusal to open it again as "nobody could vote"
    and cancel it. Each transition now re-reads the poll under its lock."""
    now = timezone.now()
    poll = make_poll(fed.secretary, fed.committee_a1, opens_at=now)
    services.open_poll(actor=fed.secretary, poll=poll)
    # What a pass that listed the poll before it opened does with it next:
    assert schedule._open_due(poll.pk, now) == ""
    poll.refresh_from_db()
    assert poll.state == PollState.OPEN
    assert not AuditEntry.objects.filter(action="poll.cancelled").exists()
    services.close_poll(actor=fed.secretary, poll=poll)
    assert schedule._close_due(poll.pk, now) == ""
    assert AuditEntry.objects.filter(action="poll.closed", object_id=str(poll.pk)).count() == 1


def test_run_scheduler_once_closes_due_polls(fed):
    poll = open_poll(fed.secretary, fed.committee_a1)
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    out = StringIO()
    call_command("run_scheduler", "--once", stdout=out)
    poll.refresh_from_db()
    assert poll.state == PollState.CLOSED
    assert "closed 1" in out.getvalue()
