"""Domain errors of calls to action and pledges."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from asamblea.core.errors import Conflict, Forbidden, InvalidInput


class WrongCallState(Conflict):
    code = "call_state"
    default_message = _("The call is not in a state that allows this.")


class NotElector(Forbidden):
    code = "not_elector"
    default_message = _("Only the members in the call's scope when pledging opened may answer it.")


class AlreadyPledged(Conflict):
    code = "already_pledged"
    default_message = _("You have already pledged to this call.")


class PledgingClosed(Conflict):
    code = "pledging_closed"
    default_message = _("Pledging to this call is closed.")


class SealedUnavailable(InvalidInput):
    code = "sealed_unavailable"
    default_message = _(
        "Sealed pledges, encrypted for the trustees, are not available yet: choose"
        " counted pledges, which are secret from other members but not from whoever"
        " runs the server."
    )
