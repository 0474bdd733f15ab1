"""A confirmation step before what cannot be undone (closing or cancelling a
poll, withdrawing a motion, ending a mandate, revoking a code or a token).

Without JavaScript: the action's form posts without ``confirm=yes``, and the
view answers with a page that says what will happen and its consequences,
whose own form posts the same fields again with ``confirm=yes``. The same
page answers a GET, so that the step can also be linked to. With JavaScript,
``static/js/confirm.js`` asks in a native ``<dialog>`` first, using the form's
``data-confirm`` text, and adds ``confirm=yes`` itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise

CONFIRM_FIELD = "confirm"
CONFIRM_VALUE = "yes"
# Fields of the original form never carried over to the confirmation's form.
_NOT_CARRIED = {CONFIRM_FIELD, "csrfmiddlewaretoken"}


def is_confirmed(request: HttpRequest) -> bool:
    """True only for a POST that carries the confirmation."""
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == CONFIRM_VALUE


@dataclass(frozen=True)
class Confirmation:
    """What the confirmation page says: the question, what will happen, where
    the confirmed form posts, and where "keep it" leads back to."""

    title: str | Promise
    consequences: Sequence[str | Promise]
    action_url: str
    button: str | Promise
    cancel_url: str
    carried: dict[str, str] = field(default_factory=dict)


def render_confirmation(
    request: HttpRequest, confirmation: Confirmation, *, status: int = 200
) -> HttpResponse:
    """The confirmation page. Fields of the request (a refused POST, or a GET's
    query) that the action needs are carried over as hidden fields."""
    source = request.POST if request.method == "POST" else request.GET
    carried = {
        key: value[:200]
        for key, value in source.items()
        if key not in _NOT_CARRIED and len(key) <= 40
    }
    carried.update(confirmation.carried)
    context = {"confirmation": confirmation, "carried": sorted(carried.items())}
    return render(request, "core/confirm.html", context, status=status)
