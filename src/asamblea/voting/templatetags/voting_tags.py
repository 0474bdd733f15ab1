"""Template tags for other apps' pages that show polls (the motion page)."""

from __future__ import annotations

from typing import Any

from django import template

from asamblea.accounts.models import Member
from asamblea.motions.models import Motion, MotionState
from asamblea.voting import selectors, services
from asamblea.voting.models import PollState

register = template.Library()


@register.simple_tag(takes_context=True)
def motion_polls(context: dict[str, Any], motion: Motion) -> dict[str, Any]:
    """The polls of ``motion`` and its amendments the viewer may see, and
    whether the viewer may put the motion to the vote now."""
    user = context.get("user")
    if not isinstance(user, Member):
        return {"polls": [], "can_open": False}
    polls = list(selectors.polls_for_motion(member=user, motion=motion))
    voting = any(p.state in (PollState.DRAFT, PollState.OPEN) for p in polls)
    return {
        "polls": polls,
        "can_open": motion.state == MotionState.DEBATE
        and not voting
        and services.can_open_motion_vote(member=user, motion=motion),
    }
