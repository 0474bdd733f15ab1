from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Values every page's layout needs: the language switcher and htmx flag."""
    return {
        "available_languages": settings.LANGUAGES,
        "current_language": get_language(),
        "is_htmx": request.headers.get("HX-Request") == "true",
    }
