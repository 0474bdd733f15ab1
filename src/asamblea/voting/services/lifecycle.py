"""Opening, closing and cancelling a poll by hand or by the scheduler.

Closing stores the results, unlinks secret ballots, applies what the poll
decided (see ``outcomes``) and puts the next step of a motion to the vote.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asamblea.core import audit
from asamblea.core.errors import Conflict
from asamblea.federation.access import Actor
from asamblea.voting import outcomes
from asamblea.voting.models import CancelReason, Poll, PollState
from asamblea.voting.results import compute_results
from asamblea.voting.services.electorate import open_locked
from asamblea.voting.services.permissions import check_poll, locked_poll
from asamblea.voting.services.recording import record_results
from asamblea.voting.services.secrecy import reinsert_secret_ballots
from asamblea.voting.services.tally import start_tally


def open_poll(*, actor: Actor, poll: Poll) -> Poll:
    """Open ``poll`` and freeze its electorate. Refused when nobody could vote.
    Its managers and ``SYSTEM``."""
    check_poll(actor, poll, "open")
    with transaction.atomic():
        return open_locked(actor, locked_poll(poll))


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
        start_tally(poll)
        return poll
    results = compute_results(poll=poll)
    if poll.secret:
        reinsert_secret_ballots(poll)
    audit.record(actor=actor, action="poll.closed", target=poll, data=_by(scheduled))
    record_results(actor, poll, results)
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
