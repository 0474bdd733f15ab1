"""Domain errors. Services raise them; views show ``message`` next to the form,
the API answers ``{"error": {"code", "message"}}`` with ``status``.

Messages are lazily translated strings so each request sees its own language.
``ErrorCode`` lists every code the API answers with; a domain error whose code
is not in it fails when its class is defined (or raised), not in production.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _


class ErrorCode(StrEnum):
    """Every ``error.code`` of the JSON API (also the enum in its OpenAPI schema).

    Clients branch on these codes; the message is for people and is translated.
    """

    # Request-level failures (asamblea.api.errors and the API error middleware).
    BAD_REQUEST = "bad_request"
    MALFORMED_JSON = "malformed_json"
    UNAUTHENTICATED = "unauthenticated"
    CSRF_FAILED = "csrf_failed"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    TOO_LARGE = "too_large"
    SERVER_ERROR = "server_error"
    # Generic domain errors (this module).
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    CONFLICT = "conflict"
    RATE_LIMITED = "rate_limited"
    # accounts
    INVALID_CODE = "invalid_code"
    EXPIRED_CODE = "expired_code"
    USED_CODE = "used_code"
    REVOKED_CODE = "revoked_code"
    PSEUDONYM_TAKEN = "pseudonym_taken"
    TOO_MANY_TOKENS = "too_many_tokens"
    ALREADY_USED = "already_used"
    ALREADY_REVOKED = "already_revoked"
    # motions
    MOTION_CLOSED = "motion_closed"
    NOT_IN_DEBATE = "not_in_debate"
    OWN_MOTION = "own_motion"
    ALREADY_SECONDED = "already_seconded"
    NOT_AUTHOR = "not_author"
    PARAGRAPH_OUT_OF_RANGE = "paragraph_out_of_range"
    SECONDS_FROM_ONE_COMMITTEE = "seconds_from_one_committee"
    # voting
    EMPTY_ELECTORATE = "empty_electorate"
    UNEQUAL_WEIGHTS = "unequal_weights"
    NOT_ENCRYPTABLE = "not_encryptable"
    NO_ELECTION_KEY = "no_election_key"
    INVALID_VOTING_KEY = "invalid_voting_key"
    INVALID_BALLOT = "invalid_ballot"
    WRONG_CREDENTIAL = "wrong_credential"
    BALLOT_REPLAYED = "ballot_replayed"
    ENCRYPTED_POLL = "encrypted_poll"
    NOT_DECRYPTING = "not_decrypting"
    ALREADY_ANSWERED = "already_answered"
    INVALID_ANSWER = "invalid_answer"
    # incidents
    NOT_DOCUMENTER = "not_documenter"
    REGISTER_LOCKED = "register_locked"
    WRONG_PASSPHRASE = "wrong_passphrase"  # noqa: S105 - an error code
    CONSENT_REQUIRED = "consent_required"
    FILE_TOO_LARGE = "file_too_large"
    FILE_TYPE_NOT_ALLOWED = "file_type_not_allowed"
    FILE_CONTENT_MISMATCH = "file_content_mismatch"
    EVIDENCE_SEALED = "evidence_sealed"
    EXPORT_BEYOND_CONSENT = "export_beyond_consent"
    TIMESTAMP_FAILED = "timestamp_failed"
    ROTATION_FAILED = "rotation_failed"
    # trustees
    BOARD_EXISTS = "board_exists"
    BOARD_STATE = "board_state"
    BOARD_FULL = "board_full"
    NOT_ELIGIBLE = "not_eligible"
    ALREADY_TRUSTEE = "already_trustee"
    NOT_TRUSTEE = "not_trustee"
    INVALID_KEY = "invalid_key"
    TRUSTEES_NOT_READY = "trustees_not_ready"
    WRONG_ROUND = "wrong_round"
    NOT_A_DEALER = "not_a_dealer"
    ALREADY_SUBMITTED = "already_submitted"
    INVALID_MESSAGE = "invalid_message"
    # pledges
    CALL_STATE = "call_state"
    NOT_ELECTOR = "not_elector"
    ALREADY_PLEDGED = "already_pledged"
    PLEDGING_CLOSED = "pledging_closed"
    SEALED_UNAVAILABLE = "sealed_unavailable"


def code_for_status(status: int) -> ErrorCode:
    """The generic code for an HTTP failure status."""
    return {
        400: ErrorCode.BAD_REQUEST,
        401: ErrorCode.UNAUTHENTICATED,
        403: ErrorCode.FORBIDDEN,
        404: ErrorCode.NOT_FOUND,
        405: ErrorCode.METHOD_NOT_ALLOWED,
        409: ErrorCode.CONFLICT,
        413: ErrorCode.TOO_LARGE,
        422: ErrorCode.INVALID,
        429: ErrorCode.RATE_LIMITED,
    }.get(status, ErrorCode.SERVER_ERROR if status >= 500 else ErrorCode.BAD_REQUEST)


def message_for_status(status: int) -> str:
    """A plain message for an HTTP failure status."""
    messages = {
        400: _("The request could not be understood."),
        401: _("Authentication required."),
        403: _("You are not allowed to do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        413: _("The request body is too large."),
    }
    return str(messages.get(status, _("Something went wrong on the server. Nothing was saved.")))


class DomainError(Exception):
    status = 400
    code: ClassVar[str] = ErrorCode.INVALID
    default_message: Any = _("The request could not be carried out.")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.code = ErrorCode(cls.code)

    def __init__(self, message: Any = None, *, code: str | None = None, field: str | None = None):
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = ErrorCode(code)  # type: ignore[misc]  # per instance, on purpose
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
