"""Domain errors of the accounts app. Each invitation failure has its own code
so that the newcomer learns what to ask the secretary for."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from asamblea.core.errors import Conflict, DomainError, InvalidInput


class InvalidCode(InvalidInput):
    code = "invalid_code"
    default_message = _("This invitation code is not valid. Check it and type it again.")


class ExpiredCode(InvalidInput):
    code = "expired_code"
    default_message = _("This invitation code has expired. Ask your committee for a new one.")


class UsedCode(InvalidInput):
    code = "used_code"
    default_message = _("This invitation code has already been used.")


class RevokedCode(InvalidInput):
    code = "revoked_code"
    default_message = _("This invitation code was withdrawn by the committee.")


class PseudonymTaken(InvalidInput):
    code = "pseudonym_taken"
    default_message = _("This pseudonym is already taken. Choose another one.")


class TooManyTokens(Conflict):
    code = "too_many_tokens"
    default_message = _("You have too many API tokens. Revoke one before creating another.")


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"
    default_message = _("Too many failed attempts. Wait a few minutes and try again.")
