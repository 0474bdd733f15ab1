"""What follows a poll's results, once they are stored: the audit entry that
records them, the outcome the poll decided and the next step of a motion.

A plain poll reaches this at its close; an encrypted poll when its trustees'
decryption is combined (``tally``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.utils import timezone

from asamblea.core import audit
from asamblea.federation.access import Actor
from asamblea.motions.models import AmendmentState, Motion, MotionState
from asamblea.voting import outcomes
from asamblea.voting.models import Poll, PollResult, PollState, Purpose
from asamblea.voting.services.motion_votes import advance_motion, settings_of


def follow_up_motion_poll(closed: Poll, actor: Actor) -> None:
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


def record_results(
    actor: Actor, poll: Poll, results: Sequence[PollResult], *, extra: dict[str, Any] | None = None
) -> None:
    """Audit the stored ``results`` of closed ``poll``, apply what the poll
    decided (its result at its own node) and follow up a motion's amendments.
    Precondition: inside the transaction that stored them."""
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
            **(extra or {}),
        },
    )
    outcomes.apply_outcome(poll=poll, result=top)
    follow_up_motion_poll(poll, actor)
