"""Domain errors of the incident register, with the messages members see."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from asamblea.core.errors import Forbidden, InvalidInput


class NotDocumenter(Forbidden):
    code = "not_documenter"
    default_message = _("Only the documenters this committee's secretaries named may do this here.")


class RegisterLocked(Forbidden):
    code = "register_locked"
    default_message = _(
        "Unlock the committee's register with your register passphrase to read or "
        "write names, contacts and private descriptions."
    )


class WrongPassphrase(InvalidInput):
    code = "wrong_passphrase"
    default_message = _("That register passphrase is not right.")


class ConsentRequired(InvalidInput):
    code = "consent_required"
    default_message = _("Record the person's consent to be recorded before their names or contact.")
