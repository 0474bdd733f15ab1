"""A person's page for the documenters of their committee: consents
(record, withdraw) and merging a duplicate into the person kept, with its
history. No JavaScript (POST, redirect, GET); refusals next to the form."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from asamblea.accounts.requests import signed_in_member
from asamblea.core.errors import DomainError, reraise_refusal
from asamblea.federation.access import viewer_of
from asamblea.incidents import access, keyring, selectors, services
from asamblea.incidents.forms import ConsentForm, MergePersonForm, WithdrawConsentForm
from asamblea.incidents.models import Person


def _page(request: HttpRequest, person: Person, *, status: int = 200, **extra: Any) -> HttpResponse:
    context: dict[str, Any] = {
        "person": person,
        "page": selectors.person_page(
            viewer=viewer_of(request),
            person=person,
            key=keyring.key_for(request, person.committee_id),
        ),
        "consent_form": ConsentForm(),
        "withdraw_form": WithdrawConsentForm(),
        "merge_form": MergePersonForm(),
    }
    context.update(extra)
    return render(request, "incidents/person.html", context, status=status)


def _back(person: Person) -> HttpResponse:
    return redirect(reverse("incidents:person", args=[person.pk]))


@login_required
@require_GET
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    return _page(request, access.access_person(viewer_of(request), person_id))


@login_required
@require_POST
def record_consent(request: HttpRequest, person_id: int) -> HttpResponse:
    member = signed_in_member(request)
    found = access.access_person(viewer_of(request), person_id)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        return _page(request, found, status=422, consent_form=form)
    data = services.ConsentData(**form.cleaned_data)
    try:
        services.record_consent(actor=member, person=found, data=data)
    except DomainError as exc:
        reraise_refusal(exc)
        form.add_error(None, str(exc.message))
        return _page(request, found, status=exc.status, consent_form=form)
    return _back(found)


@login_required
@require_POST
def withdraw_consent(request: HttpRequest, consent_id: int) -> HttpResponse:
    member = signed_in_member(request)
    consent = access.access_consent(viewer_of(request), consent_id)
    form = WithdrawConsentForm(request.POST)
    if not form.is_valid():
        return _page(request, consent.person, status=422, withdraw_form=form)
    try:
        services.withdraw_consent(actor=member, consent=consent, method=form.cleaned_data["method"])
    except DomainError as exc:
        reraise_refusal(exc)
        return _page(request, consent.person, status=exc.status, error=exc.message)
    return _back(consent.person)


@login_required
@require_POST
def merge(request: HttpRequest, person_id: int) -> HttpResponse:
    member = signed_in_member(request)
    viewer = viewer_of(request)
    duplicate = access.access_person(viewer, person_id)
    form = MergePersonForm(request.POST)
    if not form.is_valid():
        return _page(request, duplicate, status=422, merge_form=form)
    kept = Person.objects.filter(
        committee_id=duplicate.committee_id, code=form.cleaned_data["kept_code"].strip()
    ).first()
    if kept is None:
        form.add_error("kept_code", gettext("No person of this committee has that code."))
        return _page(request, duplicate, status=422, merge_form=form)
    try:
        services.merge_persons(actor=member, kept=kept, merged=duplicate)
    except DomainError as exc:
        reraise_refusal(exc)
        form.add_error("kept_code" if exc.field == "merged" else None, str(exc.message))
        return _page(request, duplicate, status=exc.status, merge_form=form)
    return _back(kept)
