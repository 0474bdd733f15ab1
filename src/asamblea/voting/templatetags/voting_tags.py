"""Template tags for other apps' pages that show polls (the motion page)."""

from __future__ import annotations

from typing import Any

from django import template

from asamblea.accounts.models import Member
from asamblea.federation.access import Viewer, viewer_of
from asamblea.motions import access as motions_access
from asamblea.motions.models import Motion, MotionState
from asamblea.voting import selectors
from asamblea.voting.models import PollState

register = template.Library()


@register.simple_tag(takes_context=True)
def motion_polls(context: dict[str, Any], motion: Motion) -> dict[str, Any]:
    """The polls of ``motion`` and its amendments the viewer may see, and
    whether the viewer may put the motion to the vote now."""
    request = context.get("request")
    user = context.get("user")
    if request is not None:
        viewer = viewer_of(request)
    elif isinstance(user, Member):  # rendered outside a request
        viewer = Viewer.of(user)
    else:
        return {"polls": [], "can_open": False}
    if viewer.member is None:
        return {"polls": [], "can_open": False}
    polls = list(selectors.polls_for_motion(member=viewer, motion=motion))
    voting = any(p.state in (PollState.DRAFT, PollState.OPEN) for p in polls)
    return {
        "polls": polls,
        "can_open": motion.state == MotionState.DEBATE
        and not voting
        and motions_access.may(viewer, motion, to="vote"),
    }
