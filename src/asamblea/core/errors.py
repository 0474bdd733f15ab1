"""Domain errors. Services raise them; views show ``message`` next to the form,
the API answers ``{"error": {"code", "message"}}`` with ``status``.

Messages are lazily translated strings so each request sees its own language.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status = 400
    code = "invalid"
    default_message: Any = _("The request could not be carried out.")

    def __init__(self, message: Any = None, *, code: str | None = None, field: str | None = None):
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        self.field = field
        super().__init__(str(self.message))


class NotFound(DomainError):
    """Unknown ids and objects the member may not see look the same (no leak)."""

    status = 404
    code = "not_found"
    default_message = _("Not found.")


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    default_message = _("You are not allowed to do this.")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = _("This conflicts with the current state.")


class InvalidInput(DomainError):
    status = 422
    code = "invalid"
    default_message = _("Some data is not valid.")


def reraise_refusal(exc: DomainError) -> None:
    """Let ``NotFound`` and ``Forbidden`` through to the 404/403 pages (see
    ``core.middleware.DomainErrorMiddleware``); a view handles the rest itself."""
    if isinstance(exc, NotFound | Forbidden):
        raise exc
