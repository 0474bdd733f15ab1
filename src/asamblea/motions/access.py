"""Who may do what with a motion: the motions app's one home for it.

Every rule starts from the node's visibility (``federation.access``): a motion
at a node the viewer cannot see does not exist for them (``NotFound``). Then,
per action (``to=``):

=============  ===========================================================
``read``       whoever sees the node (the system too)
``second``     a member who sees it, not its author
``amend``      a member who sees it (propose an amendment)
``comment``    a member who sees it
``author``     its author only (edit a draft, withdraw it)
``vote``       put it to the vote: its author, the node's managers
               (``federation.access.may_manage``), and the system (the next
               step after an amendment poll closes)
``decide``     apply a vote's outcome (mark it voting, accept or reject an
               amendment, carry or reject it): the system, and those who may
               put it to the vote or manage its polls
=============  ===========================================================

The motion's state (draft, debate, closed) is checked by the services; these
functions answer only "who".
"""

from __future__ import annotations

from typing import Any, Literal

from django.utils.translation import gettext_lazy as _

from asamblea.core.errors import Forbidden, NotFound
from asamblea.federation import access as federation_access
from asamblea.federation.access import MAX_ID, Viewer
from asamblea.motions.errors import NotAuthor, OwnMotion
from asamblea.motions.models import Amendment, Motion

MotionAction = Literal["read", "second", "amend", "comment", "author", "vote", "decide"]


def may(viewer: Viewer, motion: Motion, *, to: MotionAction) -> bool:
    """Whether ``viewer`` may ``to`` the motion (see the module's table)."""
    try:
        check_motion(viewer, motion, to=to)
    except (NotFound, Forbidden):
        return False
    return True


def check_motion(
    viewer: Viewer, motion: Motion, *, to: MotionAction = "read", message: Any = None
) -> None:
    """Refuse ``viewer`` for ``motion``: ``NotFound`` if its node is invisible,
    ``Forbidden`` (or a subclass naming why, with ``message`` if given) if
    visible but not this action."""
    if not federation_access.may_see(viewer, motion.node):
        raise NotFound()
    if to == "read":
        return
    is_author = viewer.member is not None and motion.author_id == viewer.member.pk
    if to in ("second", "amend", "comment"):
        if viewer.member is None:
            raise Forbidden(_("Only members take part in a motion."))
        if to == "second" and is_author:
            raise OwnMotion(message)
        return
    if to == "author":
        if not is_author:
            raise NotAuthor(message)
        return
    if to in ("vote", "decide"):
        if viewer.is_system or is_author or federation_access.may_manage(viewer, motion.node):
            return
        raise Forbidden(message)
    raise ValueError(f"unknown motion action {to!r}")


def access_motion(viewer: Viewer, motion_id: int, *, to: MotionAction = "read") -> Motion:
    """The motion ``motion_id`` (with its node and author) if ``viewer`` may
    ``to`` it; ``NotFound`` when unknown or invisible, ``Forbidden`` when
    visible but not this action."""
    if not 0 < motion_id <= MAX_ID:
        raise NotFound()
    motion = Motion.objects.select_related("node", "author").filter(pk=motion_id).first()
    if motion is None:
        raise NotFound()
    check_motion(viewer, motion, to=to)
    return motion


def check_amendment(
    viewer: Viewer, amendment: Amendment, *, to: MotionAction = "read", message: Any = None
) -> None:
    """Like :func:`check_motion` for an amendment; ``to="author"`` means the
    amendment's author (withdraw it)."""
    motion = amendment.motion
    if to == "author":
        check_motion(viewer, motion, to="read")
        if viewer.member is None or amendment.author_id != viewer.member.pk:
            raise NotAuthor(message)
        return
    check_motion(viewer, motion, to=to, message=message)


def access_amendment(viewer: Viewer, amendment_id: int, *, to: MotionAction = "read") -> Amendment:
    """The amendment (with its motion and node) if ``viewer`` may ``to`` it."""
    if not 0 < amendment_id <= MAX_ID:
        raise NotFound()
    amendment = (
        Amendment.objects.select_related("motion", "motion__node").filter(pk=amendment_id).first()
    )
    if amendment is None:
        raise NotFound()
    check_amendment(viewer, amendment, to=to)
    return amendment
