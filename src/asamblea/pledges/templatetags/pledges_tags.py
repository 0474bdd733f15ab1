"""Template helpers that show calls to action on other apps' pages (the
motion page loads them instead of importing this app)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template import Context

from asamblea.federation.access import viewer_of
from asamblea.motions.models import Motion, MotionState
from asamblea.pledges import access, selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def motion_calls(context: Context, motion: Motion) -> dict[str, Any]:
    """The calls a carried motion decided, and whether the viewer may issue
    one from it (at the motion's node)."""
    request = context.get("request")
    if request is None:
        return {"calls": [], "may_issue": False}
    viewer = viewer_of(request)
    return {
        "calls": selectors.calls_of_motion(viewer, motion.pk),
        "may_issue": motion.state == MotionState.CARRIED and access.may_issue(viewer, motion.node),
    }
