"""Every API failure is ``{"error": {"code": ..., "message": ...}}`` with a 4xx
or 5xx status, never an HTML page. ``code`` is an ``ErrorCode``.

The handlers here cover what reaches ninja; ``asamblea.core.middleware.
ApiErrorMiddleware`` covers what never does (unknown paths, ids that a URL
converter refuses, failures in other middleware).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.errors import AuthorizationError as NinjaAuthorizationError

from asamblea.core.errors import DomainError, ErrorCode, code_for_status, message_for_status

logger = logging.getLogger("asamblea.api")


class FieldErrorOut(Schema):
    field: str
    message: str


class ErrorDetailOut(Schema):
    code: ErrorCode
    message: str
    field: str | None = None
    fields: list[FieldErrorOut] | None = None


class ErrorOut(Schema):
    """The body of every API failure."""

    error: ErrorDetailOut


ERROR_STATUSES: dict[int, str] = {
    400: "Bad request: malformed JSON or a refused operation (code says which).",
    401: "No valid bearer token or session.",
    403: "Not allowed, or the CSRF check of a session request failed.",
    404: "Unknown, or not visible to this member (the two look the same).",
    409: "Conflicts with the current state.",
    413: "Request body over the size limit.",
    422: "Invalid input; fields lists each problem.",
    429: "Too many attempts.",
    500: "Unexpected server error (nothing was saved).",
}
"""The failure statuses documented on every operation of the OpenAPI schema."""


def error_body(code: ErrorCode, message: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"code": str(ErrorCode(code)), "message": message}
    body.update({k: v for k, v in extra.items() if v is not None})
    return {"error": body}


def _describe(errors: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    fields = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ())]
        # ninja prefixes the location ("body" and the handler's parameter name,
        # or "query"/"path" alone); the rest names the field.
        if loc[:1] == ["body"]:
            loc = loc[2:] if len(loc) > 2 else loc[1:]
        elif loc[:1] and loc[0] in ("query", "path", "header", "cookie", "form"):
            loc = loc[1:]
        message = str(err.get("msg", ""))
        # pydantic prefixes the text of a ValueError raised by a validator.
        message = message.removeprefix("Value error, ")
        fields.append({"field": ".".join(loc), "message": message})
    if fields and fields[0]["field"]:
        first = fields[0]
        return _("Invalid value for %(field)s: %(message)s") % first, fields
    if fields:
        return str(fields[0]["message"]), fields
    return _("Invalid request."), fields


def install(api: NinjaAPI) -> None:
    def answer(
        request: HttpRequest, code: ErrorCode, message: str, status: int, **extra: Any
    ) -> HttpResponse:
        response: HttpResponse = api.create_response(
            request, error_body(code, message, **extra), status=status
        )
        return response

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return answer(request, ErrorCode(exc.code), str(exc.message), exc.status, field=exc.field)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = list(exc.errors)
        if any(e.get("type") == "json_invalid" or "JSON" in str(e.get("msg", "")) for e in errors):
            return answer(
                request, ErrorCode.MALFORMED_JSON, _("The request body is not valid JSON."), 400
            )
        message, fields = _describe(errors)
        return answer(request, ErrorCode.INVALID, message, 422, fields=fields)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
        return answer(request, ErrorCode.UNAUTHENTICATED, _("Authentication required."), 401)

    @api.exception_handler(NinjaAuthorizationError)
    def unauthorized(request: HttpRequest, exc: Exception) -> HttpResponse:
        return answer(request, ErrorCode.FORBIDDEN, _("You are not allowed to do this."), 403)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return answer(request, ErrorCode.NOT_FOUND, _("Not found."), 404)

    @api.exception_handler(RequestDataTooBig)
    def too_large(request: HttpRequest, exc: Exception) -> HttpResponse:
        return answer(request, ErrorCode.TOO_LARGE, message_for_status(413), 413)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        status = exc.status_code
        if status == 400 and "parse request body" in str(exc):
            return answer(
                request, ErrorCode.MALFORMED_JSON, _("The request body is not valid JSON."), 400
            )
        if status == 403 and "CSRF" in str(exc):
            return answer(
                request,
                ErrorCode.CSRF_FAILED,
                _("The CSRF token is missing or wrong. Nothing was saved."),
                403,
            )
        return answer(request, code_for_status(status), str(exc), status)

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Services write inside transaction.atomic, so an unexpected error
        # leaves nothing half-written; the traceback goes to the log only.
        logger.error("Unhandled API error on %s", request.path, exc_info=exc)
        return answer(request, ErrorCode.SERVER_ERROR, message_for_status(500), 500)
