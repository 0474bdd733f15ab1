"""Opening and closing polls at their times.

Only ``manage.py run_scheduler`` calls this; no web request does. It acts as
``core.actors.SYSTEM``, checked by ``voting.access`` like any actor. Every
transition is decided under the poll's row lock by re-reading the poll with
the condition that made it due, so two schedulers, a retry after a crash or a
person acting at the same moment never open, close or cancel a poll twice,
and never cancel a poll that another one has just opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from asamblea.core.actors import SYSTEM
from asamblea.voting.errors import (
    EmptyElectorate,
    NoElectionKey,
    NotEncryptable,
    UnequalWeights,
)
from asamblea.voting.models import CancelReason, Poll, PollState
from asamblea.voting.services.electorate import open_locked
from asamblea.voting.services.lifecycle import cancel_locked, close_locked
from asamblea.voting.services.permissions import check_poll

# Polls handled per pass and kind; the next pass takes the rest.
BATCH = 500


@dataclass(frozen=True)
class ScheduleRun:
    opened: int = 0
    closed: int = 0
    # Due to open with nobody to vote (``CancelReason.EMPTY_ELECTORATE``).
    cancelled: int = 0


def _due(poll_id: int, state: str, now: datetime) -> Poll | None:
    """The poll under its row lock if it is still due, else None (another
    scheduler or a person moved it meanwhile). On PostgreSQL a waiting lock
    re-checks the condition against the row the other transaction left."""
    due = {"opens_at__lte": now} if state == PollState.DRAFT else {"closes_at__lte": now}
    return (
        Poll.objects.select_for_update(of=("self",))
        .select_related("node")
        .filter(pk=poll_id, state=state, **due)
        .first()
    )


def _open_due(poll_id: int, now: datetime) -> str:
    with transaction.atomic():
        poll = _due(poll_id, PollState.DRAFT, now)
        if poll is None:
            return ""
        check_poll(SYSTEM, poll, "open")
        try:
            with transaction.atomic():
                open_locked(SYSTEM, poll, scheduled=True)
        except (EmptyElectorate, UnequalWeights, NoElectionKey, NotEncryptable) as refusal:
            # Retrying every pass would never succeed and would hide the poll
            # among the pending ones: cancel it, with the reason on the poll
            # (shown on its page) and in the audit entry.
            reason = CancelReason(refusal.code)
            check_poll(SYSTEM, poll, "cancel")
            cancel_locked(SYSTEM, poll, reason=reason, scheduled=True)
            return "cancelled"
        return "opened"


def _close_due(poll_id: int, now: datetime) -> str:
    with transaction.atomic():
        poll = _due(poll_id, PollState.OPEN, now)
        if poll is None:
            return ""
        check_poll(SYSTEM, poll, "close")
        close_locked(SYSTEM, poll, scheduled=True)
        return "closed"


def apply_schedule(*, now: datetime) -> ScheduleRun:
    """Open draft polls whose opening time has come and close open polls whose
    closing time has passed, each in its own transaction. A poll due to open
    with nobody to vote is cancelled with ``CancelReason.EMPTY_ELECTORATE``.
    Safe to run in several processes at once."""
    to_open = Poll.objects.filter(state=PollState.DRAFT, opens_at__lte=now)
    to_close = Poll.objects.filter(state=PollState.OPEN, closes_at__lte=now)
    done: list[str] = []
    for poll_id in to_open.order_by("opens_at", "pk").values_list("pk", flat=True)[:BATCH]:
        done.append(_open_due(poll_id, now))
    for poll_id in to_close.order_by("closes_at", "pk").values_list("pk", flat=True)[:BATCH]:
        done.append(_close_due(poll_id, now))
    return ScheduleRun(
        opened=done.count("opened"), closed=done.count("closed"), cancelled=done.count("cancelled")
    )
