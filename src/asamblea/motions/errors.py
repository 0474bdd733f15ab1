"""Domain errors of motions, with the messages members see."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from asamblea.core.errors import Conflict, Forbidden, InvalidInput


class MotionClosed(Conflict):
    code = "motion_closed"
    default_message = _("This motion is closed; it can no longer be changed.")


class NotInDebate(Conflict):
    code = "not_in_debate"
    default_message = _("Amendments can be proposed only while the motion is in debate.")


class OwnMotion(Forbidden):
    code = "own_motion"
    default_message = _("You cannot second your own motion.")


class AlreadySeconded(Conflict):
    code = "already_seconded"
    default_message = _("You have already seconded this motion.")


class NotAuthor(Forbidden):
    code = "not_author"
    default_message = _("Only the author can do this.")


class ParagraphOutOfRange(InvalidInput):
    code = "paragraph_out_of_range"
    default_message = _("That paragraph does not exist in the current text.")


class SecondsFromOneCommittee(Conflict):
    code = "seconds_from_one_committee"
    default_message = _(
        "This motion has the seconds it needs, but they must come from members of more "
        "committees: only a member of another committee can second it now."
    )
