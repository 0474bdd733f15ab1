"""Pages that add a further victim (with their act and consent) or source to
an incident: the same fields as the record form, no JavaScript."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from asamblea.accounts.requests import signed_in_member
from asamblea.core.errors import DomainError
from asamblea.federation.access import viewer_of
from asamblea.incidents import access, keyring, services
from asamblea.incidents.forms import AddSourceForm, AddVictimForm
from asamblea.incidents.views import _sources, _victims, refusal_on_form


def _add(
    request: HttpRequest,
    incident_id: int,
    form_class: type[AddVictimForm] | type[AddSourceForm],
    save: Callable[..., Any],
    title: Any,
) -> HttpResponse:
    member = signed_in_member(request)
    incident = access.access_incident(viewer_of(request), incident_id, to="write")
    key = keyring.key_for(request, incident.committee_id)
    status = 200
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                save(actor=member, incident=incident, cleaned=form.cleaned_data, key=key)
            except DomainError as exc:
                status = refusal_on_form(form, exc)
            else:
                return redirect(reverse("incidents:detail", args=[incident.pk]))
        else:
            status = 422
    return render(
        request,
        "incidents/add_part.html",
        {"form": form, "incident": incident, "title": title, "unlocked": key is not None},
        status=status,
    )


def _save_victim(*, cleaned: dict[str, Any], **kwargs: Any) -> None:
    (victim,) = _victims(cleaned)
    services.add_victim(data=victim, **kwargs)


def _save_source(*, cleaned: dict[str, Any], **kwargs: Any) -> None:
    (source,) = _sources(cleaned)
    services.add_source(data=source, **kwargs)


@login_required
@require_http_methods(["GET", "POST"])
def add_victim(request: HttpRequest, incident_id: int) -> HttpResponse:
    return _add(request, incident_id, AddVictimForm, _save_victim, _("Add a victim"))


@login_required
@require_http_methods(["GET", "POST"])
def add_source(request: HttpRequest, incident_id: int) -> HttpResponse:
    return _add(request, incident_id, AddSourceForm, _save_source, _("Add a source"))
