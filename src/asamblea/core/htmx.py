"""Small helpers for htmx partial responses; every view also works without htmx."""

from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def pick_template(request: HttpRequest, full: str, partial: str) -> str:
    """Return the partial template for an htmx request, the full page otherwise."""
    return partial if is_htmx(request) else full
