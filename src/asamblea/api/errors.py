"""Every API error is ``{"error": {"code": ..., "message": ...}}`` with a 4xx status."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.errors import AuthorizationError as NinjaAuthorizationError

from asamblea.core.errors import DomainError


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
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
        fields.append({"field": ".".join(loc), "message": str(err.get("msg", ""))})
    if fields and fields[0]["field"]:
        first = fields[0]
        return _("Invalid value for %(field)s: %(message)s") % first, fields
    if fields:
        return str(fields[0]["message"]), fields
    return _("Invalid request."), fields


def install(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return api.create_response(
            request, error_body(exc.code, str(exc.message), field=exc.field), status=exc.status
        )

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = list(exc.errors)
        if any(e.get("type") == "json_invalid" or "JSON" in str(e.get("msg", "")) for e in errors):
            return api.create_response(
                request,
                error_body("malformed_json", _("The request body is not valid JSON.")),
                status=400,
            )
        message, fields = _describe(errors)
        return api.create_response(
            request, error_body("invalid", message, fields=fields), status=422
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(
            request, error_body("unauthenticated", _("Authentication required.")), status=401
        )

    @api.exception_handler(NinjaAuthorizationError)
    def unauthorized(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(
            request, error_body("forbidden", _("You are not allowed to do this.")), status=403
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(request, error_body("not_found", _("Not found.")), status=404)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        status = exc.status_code
        if status == 400 and "parse request body" in str(exc):
            return api.create_response(
                request,
                error_body("malformed_json", _("The request body is not valid JSON.")),
                status=400,
            )
        if status == 403 and "CSRF" in str(exc):
            return api.create_response(
                request,
                error_body(
                    "csrf_failed", _("The CSRF token is missing or wrong. Nothing was saved.")
                ),
                status=403,
            )
        code = {
            400: "bad_request",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
            413: "too_large",
            429: "rate_limited",
        }.get(status, "error")
        return api.create_response(request, error_body(code, str(exc)), status=status)
