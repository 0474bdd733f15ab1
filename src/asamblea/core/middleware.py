from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from asamblea.core.errors import Forbidden, NotFound


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
