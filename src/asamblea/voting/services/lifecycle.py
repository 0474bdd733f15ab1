"""Opening, closing and cancelling a poll by hand or by the scheduler.

Closing stores the results, unlinks secret ballots, applies what the poll
decided (see ``outcomes``) and puts the next step of a motion to the vote.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asamblea.core import audit
from asamblea.core.errors import Conflict
from asamblea.federation.access import Actor
from asamblea.motions.models import AmendmentState, Motion, MotionState
from asamblea.voting import outcomes
from asamblea.voting.models import CancelReason, Poll, PollState, Purpose
from asamblea.voting.results import compute_results
from asamblea.voting.services.electorate import open_locked
from asamblea.voting.services.motion_votes import advance_motion, settings_of
from asamblea.voting.services.permissions import check_poll, locked_poll
from asamblea.voting.services.secrecy import reinsert_secret_ballots


def open_poll(*, actor: Actor, poll: Poll) -> Poll:
    """Open ``poll`` and freeze its electorate. Refused when nobody could vote.
    Its managers and ``SYSTEM``."""
    check_poll(actor, poll, "open")
    with transaction.atomic():
        return open_locked(actor, locked_poll(poll))


def _follow_up_motion_poll(closed: Poll, actor: Actor) -> None:
    """When the last open poll of a motion's amendments closes, put the next
    step to the vote with the same settings (and the same duration when it had
    one): amendments proposed meanwhile, else the motion itself."""
    motion = closed.motion
    if closed.purpose != Purpose.AMENDMENT or motion is None:
        return
    if Poll.objects.filter(motion=motion, state__in=[PollState.DRAFT, PollState.OPEN]).exists():
        return
    motion = Motion.objects.select_related("node").get(pk=motion.pk)
    if motion.state != MotionState.DEBATE:
        return
    if motion.amendments.filter(state=AmendmentState.VOTING).exists():
        return  # an amendment poll was cancelled; a person must decide what next
    closes_at = None
    if closed.closes_at is not None and closed.opened_at is not None:
        closes_at = timezone.now() + max(closed.closes_at - closed.opened_at, timedelta(minutes=5))
    advance_motion(
        created_by=closed.created_by,
        actor=actor,
        motion=motion,
        settings=settings_of(closed),
        closes_at=closes_at,
    )


def close_poll(*, actor: Actor, poll: Poll) -> Poll:
    """Close ``poll``: store its results at every level, unlink secret ballots,
    then apply what it decided (see ``outcomes``). Its managers and ``SYSTEM``."""
    check_poll(actor, poll, "close")
    with transaction.atomic():
        poll = locked_poll(poll)
        if poll.state != PollState.OPEN:
            raise Conflict(_("Only an open poll can be closed."))
        return close_locked(actor, poll)


def close_locked(actor: Actor, poll: Poll, *, scheduled: bool = False) -> Poll:
    """Close an open poll. Precondition: inside a transaction, ``poll`` read
    under ``locked_poll`` and found open. ``scheduled`` labels the audit entry
    as the scheduler's."""
    poll.state = PollState.CLOSED
    poll.closed_at = timezone.now()
    poll.save(update_fields=["state", "closed_at"])
    if poll.encrypted:
        # Its ballots are counted by the trustees' tally, which records the
        # results and applies the outcome; the plain count would find none.
        audit.record(
            actor=actor,
            action="poll.closed",
            target=poll,
            data={**_by(scheduled), "tally": "pending"},
        )
        return poll
    results = compute_results(poll=poll)
    if poll.secret:
        reinsert_secret_ballots(poll)
    audit.record(actor=actor, action="poll.closed", target=poll, data=_by(scheduled))
    top = next((r for r in results if r.node_id == poll.node_id), None)
    audit.record(
        actor=actor,
        action="result.recorded",
        target=poll,
        data={
            "levels": len(results),
            "outcome": top.outcome if top else "",
            "counts": top.counts if top else {},
            "entitled": top.entitled if top else 0,
            "voted": top.voted if top else 0,
        },
    )
    outcomes.apply_outcome(poll=poll, result=top)
    _follow_up_motion_poll(poll, actor)
    return poll


def cancel_poll(*, actor: Actor, poll: Poll) -> Poll:
    """Cancel a poll that has not closed; its ballots are never counted. Its
    managers and ``SYSTEM``."""
    check_poll(actor, poll, "cancel")
    with transaction.atomic():
        poll = locked_poll(poll)
        if poll.state not in (PollState.DRAFT, PollState.OPEN):
            raise Conflict(_("Only a poll that has not closed can be cancelled."))
        return cancel_locked(actor, poll)


def cancel_locked(
    actor: Actor,
    poll: Poll,
    *,
    reason: str = CancelReason.NONE,
    scheduled: bool = False,
) -> Poll:
    """Cancel a draft or open poll. Precondition: inside a transaction,
    ``poll`` read under ``locked_poll`` and found draft or open. ``reason`` is
    a :class:`CancelReason`, kept on the poll and in the audit entry."""
    poll.state = PollState.CANCELLED
    poll.closed_at = timezone.now()
    poll.cancel_reason = reason
    poll.save(update_fields=["state", "closed_at", "cancel_reason"])
    if poll.secret:
        reinsert_secret_ballots(poll)
    data = _by(scheduled)
    if reason:
        data["reason"] = reason
    audit.record(actor=actor, action="poll.cancelled", target=poll, data=data)
    outcomes.apply_cancellation(poll=poll)
    return poll


def _by(scheduled: bool) -> dict[str, Any]:
    # The actor is SYSTEM; this says which part of it acted.
    return {"by": "scheduler"} if scheduled else {}
