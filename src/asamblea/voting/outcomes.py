"""What a closed poll decides, applied to motions, amendments, mandates.

``voting`` sits above ``motions`` and ``federation`` (see docs/architecture.md),
so the flows a vote decides are carried out here by calling their services;
those apps never import ``voting``.

Each outcome runs in a savepoint: if the other app refuses (an accepted
amendment no longer applies, a mandate ended meanwhile), the refusal is written
to the audit log and the poll still closes with its result.
"""

from __future__ import annotations

from django.db import transaction

from asamblea.accounts.models import Member
from asamblea.core import audit
from asamblea.core.actors import SYSTEM
from asamblea.core.errors import DomainError
from asamblea.federation import services as federation_services
from asamblea.federation.models import MandateEnd, MandateSource
from asamblea.motions import services as motion_services
from asamblea.voting.models import Outcome, Poll, PollResult, Purpose, Recall, RecallState

ELECTION_CODE_PREFIX = "m"


def _apply_amendment(poll: Poll, result: PollResult) -> None:
    if poll.amendment is None:  # an amendment poll always has one; nothing to apply
        return
    if result.outcome == Outcome.CARRIED:
        motion_services.accept_amendment(actor=SYSTEM, amendment=poll.amendment)
    else:
        motion_services.reject_amendment(actor=SYSTEM, amendment=poll.amendment)


def _apply_motion(poll: Poll, result: PollResult) -> None:
    if poll.motion is None:
        return
    motion_services.conclude_motion(
        actor=SYSTEM, motion=poll.motion, carried=result.outcome == Outcome.CARRIED
    )


def _apply_recall(poll: Poll, result: PollResult) -> None:
    recall = Recall.objects.select_related("mandate").get(poll=poll)
    passed = result.outcome == Outcome.CARRIED
    if passed and recall.mandate.is_active:
        federation_services.end_mandate(
            actor=SYSTEM, mandate=recall.mandate, reason=MandateEnd.RECALLED
        )
    recall.state = RecallState.PASSED if passed else RecallState.FAILED
    recall.save(update_fields=["state"])
    audit.record(
        actor=SYSTEM,
        action="recall.passed" if passed else "recall.failed",
        target=recall,
        data={"poll": poll.pk, "mandate": recall.mandate_id},
    )


def _apply_election(poll: Poll, result: PollResult) -> None:
    winners = result.detail.get("winners", [])
    if result.outcome != Outcome.DECIDED or len(winners) != 1:
        audit.record(
            actor=SYSTEM,
            action="election.undecided",
            target=poll,
            data={"outcome": result.outcome},
        )
        return
    code = poll.options.get(position=winners[0]).code
    delegate = Member.objects.get(pk=int(code.removeprefix(ELECTION_CODE_PREFIX)))
    federation_services.appoint_delegate(
        actor=SYSTEM,
        committee=poll.node,
        delegate=delegate,
        source=MandateSource.ELECTED,
        poll=poll,
    )


_APPLY = {
    Purpose.AMENDMENT: _apply_amendment,
    Purpose.MOTION: _apply_motion,
    Purpose.RECALL: _apply_recall,
    Purpose.DELEGATE_ELECTION: _apply_election,
}


def apply_outcome(*, poll: Poll, result: PollResult | None) -> None:
    """Carry out what ``poll`` decided. ``result`` is the poll's result at its
    own node (None when nobody was counted). Precondition: called inside the
    transaction that closes the poll."""
    apply = _APPLY.get(Purpose(poll.purpose))
    if apply is None or result is None:
        return
    try:
        with transaction.atomic():
            apply(poll, result)
    except DomainError as exc:
        audit.record(
            actor=SYSTEM,
            action="outcome.failed",
            target=poll,
            # A code, never the message: the chain holds no translated text.
            data={"purpose": poll.purpose, "error": exc.code},
        )


def apply_cancellation(*, poll: Poll) -> None:
    """A cancelled poll decides nothing: a recall fails, an amendment is proposed
    again and a motion goes back to debate, so either can be put to the vote anew."""
    if poll.purpose == Purpose.AMENDMENT and poll.amendment is not None:
        motion_services.return_amendment_to_proposed(actor=SYSTEM, amendment=poll.amendment)
    elif poll.purpose == Purpose.MOTION and poll.motion is not None:
        motion_services.return_motion_to_debate(actor=SYSTEM, motion=poll.motion)
    if poll.purpose == Purpose.RECALL:
        recall = Recall.objects.filter(poll=poll).first()
        if recall is not None and recall.state == RecallState.VOTING:
            recall.state = RecallState.FAILED
            recall.save(update_fields=["state"])
            audit.record(
                actor=SYSTEM, action="recall.failed", target=recall, data={"poll": poll.pk}
            )
