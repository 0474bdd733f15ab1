from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


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
