"""Putting a motion and its amendments to the vote."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from asamblea.accounts.models import Member
from asamblea.core.errors import Conflict, Forbidden, InvalidInput
from asamblea.federation.access import Actor, Viewer
from asamblea.motions import access as motions_access
from asamblea.motions import services as motion_services
from asamblea.motions.models import Amendment, AmendmentState, Motion, MotionState
from asamblea.voting.models import (
    Aggregation,
    Method,
    Poll,
    PollState,
    Purpose,
    QuestionCode,
)
from asamblea.voting.services.electorate import open_locked
from asamblea.voting.services.polls import create_draft
from asamblea.voting.spec import PollSpec, defaults_for


def settings_of(poll: Poll) -> PollSpec:
    """The settings a motion's next poll takes over from ``poll`` (its
    question, method and times are the next poll's own)."""
    return PollSpec(
        question="",
        secret=poll.secret,
        aggregation=poll.aggregation,
        majority_num=poll.majority_num,
        majority_den=poll.majority_den,
        majority_base=poll.majority_base,
        majority_strict=poll.majority_strict,
        quorum_num=poll.quorum_num,
        quorum_den=poll.quorum_den,
    )


def _motion_poll(
    *,
    created_by: Member,
    actor: Actor,
    motion: Motion,
    amendment: Amendment | None,
    settings: PollSpec,
    closes_at: datetime | None,
) -> Poll:
    coded: tuple[str, dict[str, Any]]
    if amendment is not None:
        params = {"number": amendment.number, "title": motion.title, "kind": amendment.kind}
        coded = (QuestionCode.AMENDMENT, params)
    else:
        coded = (QuestionCode.MOTION, {"title": motion.title})
    spec = replace(
        settings,
        method=Method.YES_NO_ABSTAIN,
        purpose=Purpose.AMENDMENT if amendment is not None else Purpose.MOTION,
        closes_at=closes_at,
    )
    return create_draft(
        created_by=created_by,
        actor=actor,
        node=motion.node,
        spec=spec,
        motion=motion,
        amendment=amendment,
        coded=coded,
    )


def advance_motion(
    *,
    created_by: Member,
    actor: Actor,
    motion: Motion,
    settings: PollSpec,
    closes_at: datetime | None,
) -> list[Poll]:
    """Open a poll per proposed amendment; without any, move the motion to
    voting and open its own poll. Precondition: motion in debate, inside a
    transaction."""
    amendments = list(motion.amendments.filter(state=AmendmentState.PROPOSED))
    polls = []
    for amendment in amendments:
        poll = _motion_poll(
            created_by=created_by,
            actor=actor,
            motion=motion,
            amendment=amendment,
            settings=settings,
            closes_at=closes_at,
        )
        polls.append(open_locked(actor, poll))
        motion_services.mark_amendment_voting(amendment=amendment, actor=actor)
    if not amendments:
        motion_services.mark_motion_voting(motion=motion, actor=actor)
        poll = _motion_poll(
            created_by=created_by,
            actor=actor,
            motion=motion,
            amendment=None,
            settings=settings,
            closes_at=closes_at,
        )
        polls.append(open_locked(actor, poll))
    return polls


def open_motion_vote(
    *,
    actor: Actor,
    motion: Motion,
    secret: bool = False,
    aggregation: str = Aggregation.POOLED,
    closes_at: datetime | None = None,
    quorum: tuple[int, int] | None = None,
) -> list[Poll]:
    """Put a motion in debate to the vote (``quorum`` as numerator and
    denominator; None: the default at the motion's node, a third at a region
    or the assembly, ``spec.defaults_for``): first one yes/no/abstain poll per
    proposed amendment; when the last of them closes the motion's own poll
    opens with the same settings. Without amendments the motion's poll opens
    at once. The author, the node's managers and operators may do it
    (``motions.access``, ``to="vote"``); ``SYSTEM`` only follows up a closed
    poll, never starts this. A motion at a region or the assembly is put to
    every committee beneath it. Returns the polls opened.
    """
    motions_access.check_motion(Viewer.of(actor), motion, to="vote")
    if not isinstance(actor, Member):
        raise Forbidden()
    if aggregation not in Aggregation.values:
        raise InvalidInput(_("Unknown way of adding up committees."), field="aggregation")
    if quorum is None:
        defaults = defaults_for(node_kind=motion.node.kind)
        quorum = (defaults.quorum_num, defaults.quorum_den)
    with transaction.atomic():
        motion = Motion.objects.select_for_update().select_related("node").get(pk=motion.pk)
        if motion.state != MotionState.DEBATE:
            raise Conflict(_("Only a motion in debate can be put to the vote."))
        if Poll.objects.filter(motion=motion, state__in=[PollState.DRAFT, PollState.OPEN]).exists():
            raise Conflict(_("This motion is already being voted on."))
        return advance_motion(
            created_by=actor,
            actor=actor,
            motion=motion,
            settings=PollSpec(
                question="",
                secret=secret,
                aggregation=aggregation,
                quorum_num=quorum[0],
                quorum_den=quorum[1],
            ),
            closes_at=closes_at,
        )
