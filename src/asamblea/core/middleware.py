import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.middleware.gzip import GZipMiddleware as DjangoGZipMiddleware
from django.shortcuts import render
from django.utils import translation

from asamblea.core.errors import Forbidden, NotFound, code_for_status, message_for_status

logger = logging.getLogger("asamblea.api")

API_PREFIX = "/api/"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
"""Everything from this host only; no inline script or style, no plug-ins,
no framing. Templates keep script and style in static files."""


class MemberLanguageMiddleware:
    """Use a signed-in member's chosen language before the cookie or browser header.

    Runs before LocaleMiddleware, which then finds the language in the session-less
    path through ``request.COOKIES``; setting the cookie value here keeps one
    source of truth for LocaleMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.session.get("member_language") if hasattr(request, "session") else None
        if language and translation.check_for_language(language):
            request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = language
        return self.get_response(request)


class DomainErrorMiddleware:
    """Show a selector's or service's refusal that a view lets through as the
    404 or 403 page, so views need not translate ``NotFound`` and ``Forbidden``
    one by one (the JSON API maps every DomainError itself)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            return render(request, "404.html", status=404)
        if isinstance(exception, Forbidden):
            return render(request, "403.html", status=403)
        return None


def _json_error(status: int) -> JsonResponse:
    body = {"error": {"code": str(code_for_status(status)), "message": message_for_status(status)}}
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


class ApiErrorMiddleware:
    """Under ``/api/``, answer every failure as the API's JSON error, whatever
    produced it: an id that a URL converter refuses or an unknown path (404),
    a method the path lacks (405), a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``
    (413) or an exception outside the API's own handlers (500).

    A failure response that is already JSON (the API's own errors) passes as it
    is. Put it high in ``MIDDLEWARE`` so it sees what the others answer.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        replacement = _json_error(response.status_code)
        if response.status_code == 405 and response.has_header("Allow"):
            replacement["Allow"] = response["Allow"]
        return replacement

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path.startswith(API_PREFIX):
            return None
        if isinstance(exception, RequestDataTooBig):
            return _json_error(413)
        if isinstance(exception, Http404 | NotFound):
            return _json_error(404)
        if isinstance(exception, PermissionDenied | Forbidden):
            return _json_error(403)
        if isinstance(exception, SuspiciousOperation):
            return _json_error(400)
        logger.error("Unhandled API error on %s", request.path, exc_info=exception)
        return _json_error(500)


class SecurityHeadersMiddleware:
    """Content-Security-Policy on every answer, and ``Cache-Control: no-store``
    on every answer to a signed-in member and every API answer, so that a
    shared or seized phone's browser cache (or a proxy) keeps no copy of a
    member's ballot, receipt, profile or tokens.

    Sits after ``AuthenticationMiddleware``; static files (WhiteNoise, earlier
    in the chain) keep their long caching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or request.path.startswith(API_PREFIX):
            response["Cache-Control"] = "no-store"
        return response


class GZipMiddleware(DjangoGZipMiddleware):
    """Django's gzip, except for answers flagged ``constant_size`` (vote
    receipts): compressed, padding would shrink and their sizes would differ
    with the choice again."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if getattr(response, "constant_size", False):
            return response
        return super().process_response(request, response)
