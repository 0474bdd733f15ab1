"""Pages of the incident register. Every page works without JavaScript
(POST, redirect, GET). Names, contacts and descriptions are shown and taken
only while the committee's register is unlocked in this browser (``keyring``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from asamblea.accounts.models import Member
from asamblea.accounts.requests import signed_in_member
from asamblea.core.errors import DomainError, NotFound, reraise_refusal
from asamblea.federation import access as federation_access
from asamblea.federation.access import viewer_of
from asamblea.federation.models import Node
from asamblea.incidents import access, evidence_views, keyring, selectors, services
from asamblea.incidents.forms import (
    ArchiveForm,
    NameDocumenterForm,
    NewPassphraseForm,
    PassphraseForm,
    RecordIncidentForm,
    ReviewForm,
    RotateKeyForm,
)
from asamblea.incidents.models import Documenter, Incident
from asamblea.incidents.rules import IncidentData

LIST_LIMIT = 200

# Service field names -> the record form's field names.
_FORM_FIELDS = {
    "act_type": "victim_act_type",
    "method": "victim_method",
    "end_status": "victim_end_status",
    "names": "victim_names",
    "contact": "victim_contact",
    "sex": "victim_sex",
    "age_band": "victim_age_band",
    "occupation": "victim_occupation",
    "consent_scope": "consent_scopes",
    "consent_giver": "consent_giver",
    "consent_method": "consent_method",
    "connection": "source_connection",
    "reliability": "source_reliability",
}


def _raise_not_found(exc: DomainError) -> None:
    """Let ``NotFound`` through to the 404 page; other refusals (a locked
    register, a missing role) are shown next to the form."""
    if isinstance(exc, NotFound):
        raise exc


def _committee(request: HttpRequest, committee_id: int) -> Node:
    committee = federation_access.access_node(viewer_of(request), committee_id)
    if not committee.is_committee:
        raise NotFound()
    return committee


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    committee_ids = viewer.committee_ids() | access.documenter_committee_ids(viewer)
    committees = Node.objects.filter(pk__in=committee_ids).order_by("path")
    incidents = selectors.list_incidents_for(viewer=viewer)[:LIST_LIMIT]
    assemblies = Node.objects.filter(
        pk__in={committee.lineage_ids()[0] for committee in committees}
    ).order_by("path")
    return render(
        request,
        "incidents/home.html",
        {"committees": committees, "incidents": incidents, "assemblies": assemblies},
    )


@login_required
@require_GET
def committee_list(request: HttpRequest, committee_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    committee = _committee(request, committee_id)
    incidents = selectors.list_incidents_for(viewer=viewer, committee=committee)[:LIST_LIMIT]
    return render(
        request,
        "incidents/list.html",
        {
            "committee": committee,
            "incidents": incidents,
            "documenter": access.documenter_of(viewer, committee.pk),
            "unlocked": keyring.key_for(request, committee.pk) is not None,
        },
    )


def _incident_data(cleaned: dict[str, Any]) -> IncidentData:
    return IncidentData(
        public_summary=cleaned["public_summary"],
        private_description=cleaned["private_description"],
        start_date=cleaned["start_date"],
        start_precision=cleaned["start_precision"],
        end_date=cleaned["end_date"],
        end_precision=cleaned["end_precision"] if cleaned["end_date"] else "",
        country=cleaned["country"],
        admin1=cleaned["admin1"],
        admin2=cleaned["admin2"],
        admin3=cleaned["admin3"],
        place=cleaned["place"],
        latitude=cleaned["latitude"],
        longitude=cleaned["longitude"],
        geo_precision=cleaned["geo_precision"],
        event_type=cleaned["event_type"],
        sub_type=cleaned["sub_type"],
        violation_types=tuple(cleaned["violation_types"]),
        fatalities_min=cleaned["fatalities_min"],
        fatalities_max=cleaned["fatalities_max"],
        injured=cleaned["injured"],
        detained=cleaned["detained"],
        disappeared=cleaned["disappeared"],
        tags=tuple(cleaned["tags"]),
        confidentiality=cleaned["confidentiality"],
    )


def _victims(cleaned: dict[str, Any]) -> list[services.VictimData]:
    if not cleaned["victim_act_type"]:
        return []
    now = timezone.now()
    return [
        services.VictimData(
            act_type=cleaned["victim_act_type"],
            method=cleaned["victim_method"],
            end_status=cleaned["victim_end_status"],
            names=cleaned["victim_names"],
            contact=cleaned["victim_contact"],
            sex=cleaned["victim_sex"],
            age_band=cleaned["victim_age_band"],
            occupation=cleaned["victim_occupation"],
            deceased=cleaned["victim_deceased"],
            consents=tuple(
                services.ConsentData(
                    scope=scope,
                    giver=cleaned["consent_giver"],
                    method=cleaned["consent_method"],
                    given_at=now,
                )
                for scope in cleaned["consent_scopes"]
            ),
        )
    ]


def _sources(cleaned: dict[str, Any]) -> list[services.SourceData]:
    if not cleaned["source_type"]:
        return []
    return [
        services.SourceData(
            source_type=cleaned["source_type"],
            connection=cleaned["source_connection"],
            reliability=cleaned["source_reliability"],
            notes=cleaned["source_notes"],
        )
    ]


def refusal_on_form(form: forms.Form, exc: DomainError) -> int:
    """Show a service's refusal next to the record form's field it names;
    its status. Not-found and forbidden go to their pages."""
    _raise_not_found(exc)
    name = _FORM_FIELDS.get(exc.field or "", exc.field)
    form.add_error(name if name in form.fields else None, str(exc.message))
    return exc.status


@login_required
@require_http_methods(["GET", "POST"])
def record(request: HttpRequest, committee_id: int) -> HttpResponse:
    member = signed_in_member(request)
    committee, _documenter = access.access_committee_register(viewer_of(request), committee_id)
    key = keyring.key_for(request, committee.pk)
    status = 200
    if request.method == "POST":
        form = RecordIncidentForm(request.POST)
        if form.is_valid():
            try:
                incident = services.record_incident(
                    actor=member,
                    committee=committee,
                    data=_incident_data(form.cleaned_data),
                    key=key,
                    victims=_victims(form.cleaned_data),
                    sources=_sources(form.cleaned_data),
                )
            except DomainError as exc:
                status = refusal_on_form(form, exc)
            else:
                return redirect(reverse("incidents:detail", args=[incident.pk]))
        else:
            status = 422
    else:
        form = RecordIncidentForm()
    return render(
        request,
        "incidents/record.html",
        {"form": form, "committee": committee, "unlocked": key is not None},
        status=status,
    )


def _detail_context(request: HttpRequest, incident: Incident, **extra: Any) -> dict[str, Any]:
    viewer = viewer_of(request)
    view = selectors.incident_view(
        viewer=viewer, incident=incident, key=keyring.key_for(request, incident.committee_id)
    )
    context: dict[str, Any] = {
        "incident": incident,
        "view": view,
        "unlocked": keyring.key_for(request, incident.committee_id) is not None,
        "review_form": ReviewForm(),
        "archive_form": ArchiveForm(),
        "evidence": evidence_views.evidence_context(request, incident),
    }
    context.update(extra)
    return context


@login_required
@require_GET
def detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = selectors.get_incident_for(viewer=viewer_of(request), incident_id=incident_id)
    return render(request, "incidents/detail.html", _detail_context(request, incident))


@login_required
@require_POST
def review(request: HttpRequest, incident_id: int) -> HttpResponse:
    member = signed_in_member(request)
    incident = selectors.get_incident_for(viewer=viewer_of(request), incident_id=incident_id)
    form = ReviewForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.review_incident(
                actor=member,
                incident=incident,
                to_state=form.cleaned_data["to_state"],
                violation_status=form.cleaned_data["violation_status"],
                comment=form.cleaned_data["comment"],
            )
        except DomainError as exc:
            _raise_not_found(exc)
            form.add_error(None, str(exc.message))
            status = exc.status
        else:
            return redirect(reverse("incidents:detail", args=[incident.pk]))
    return render(
        request,
        "incidents/detail.html",
        _detail_context(request, incident, review_form=form),
        status=status,
    )


@login_required
@require_POST
def archive(request: HttpRequest, incident_id: int) -> HttpResponse:
    member = signed_in_member(request)
    incident = selectors.get_incident_for(viewer=viewer_of(request), incident_id=incident_id)
    form = ArchiveForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.archive_incident(
                actor=member, incident=incident, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            _raise_not_found(exc)
            form.add_error(None, str(exc.message))
            status = exc.status
        else:
            return redirect(reverse("incidents:detail", args=[incident.pk]))
    return render(
        request,
        "incidents/detail.html",
        _detail_context(request, incident, archive_form=form),
        status=status,
    )


# --- the register and its documenters -----------------------------------------------


def _register_context(request: HttpRequest, committee: Node, **extra: Any) -> dict[str, Any]:
    viewer = viewer_of(request)
    documenter = access.documenter_of(viewer, committee.pk)
    may_name = access.may_name_documenters(viewer, committee)
    candidates = Member.objects.filter(
        memberships__node=committee, memberships__ended_at__isnull=True
    ).exclude(documenter_roles__committee=committee, documenter_roles__ended_at__isnull=True)
    context: dict[str, Any] = {
        "committee": committee,
        "documenter": documenter,
        "may_name": may_name,
        "documenters": selectors.documenters_of(committee=committee)
        if documenter is not None or may_name
        else [],
        "unlocked": keyring.key_for(request, committee.pk) is not None,
        "passphrase_form": NewPassphraseForm(),
        "unlock_form": PassphraseForm(),
        "name_form": NameDocumenterForm(members=candidates.order_by("pseudonym")),
        "rotate_form": RotateKeyForm(
            holders=selectors.key_holders(committee=committee, besides=documenter)
        ),
    }
    context.update(extra)
    return context


def _register_page(
    request: HttpRequest, committee: Node, *, status: int = 200, **extra: Any
) -> HttpResponse:
    return render(
        request,
        "incidents/register.html",
        _register_context(request, committee, **extra),
        status=status,
    )


def active_documenter(committee: Node, documenter_id: int) -> Documenter:
    """A documenter of ``committee`` whose role has not ended, or 404."""
    documenter = Documenter.objects.filter(
        pk=documenter_id, committee=committee, ended_at__isnull=True
    ).first()
    if documenter is None:
        raise NotFound()
    return documenter


def _back_to_register(committee: Node) -> HttpResponse:
    return redirect(reverse("incidents:register", args=[committee.pk]))


@login_required
@require_GET
def register(request: HttpRequest, committee_id: int) -> HttpResponse:
    return _register_page(request, _committee(request, committee_id))


@login_required
@require_POST
def choose_passphrase(request: HttpRequest, committee_id: int) -> HttpResponse:
    member = signed_in_member(request)
    committee = _committee(request, committee_id)
    form = NewPassphraseForm(request.POST)
    if form.is_valid():
        try:
            services.set_register_passphrase(
                actor=member, committee=committee, passphrase=form.cleaned_data["passphrase"]
            )
        except DomainError as exc:
            reraise_refusal(exc)
            form.add_error("passphrase" if exc.field == "passphrase" else None, str(exc.message))
            return _register_page(request, committee, status=exc.status, passphrase_form=form)
        return _back_to_register(committee)
    return _register_page(request, committee, status=422, passphrase_form=form)


@login_required
@require_POST
def unlock(request: HttpRequest, committee_id: int) -> HttpResponse:
    member = signed_in_member(request)
    committee = _committee(request, committee_id)
    form = PassphraseForm(request.POST)
    if form.is_valid():
        try:
            keyring.unlock(
                request,
                member=member,
                committee=committee,
                passphrase=form.cleaned_data["passphrase"],
            )
        except DomainError as exc:
            reraise_refusal(exc)
            form.add_error("passphrase" if exc.field == "passphrase" else None, str(exc.message))
            return _register_page(request, committee, status=exc.status, unlock_form=form)
        response = _back_to_register(committee)
        keyring.set_cookie(request, response)
        return response
    return _register_page(request, committee, status=422, unlock_form=form)


@login_required
@require_POST
def lock(request: HttpRequest, committee_id: int) -> HttpResponse:
    committee = _committee(request, committee_id)
    keyring.forget(request, committee.pk)
    return _back_to_register(committee)


@login_required
@require_POST
def give_key(request: HttpRequest, committee_id: int, documenter_id: int) -> HttpResponse:
    member = signed_in_member(request)
    committee = _committee(request, committee_id)
    access.require_documenter(viewer_of(request), committee)
    documenter = active_documenter(committee, documenter_id)
    try:
        services.give_register_key(
            actor=member, key=keyring.key_for(request, committee.pk), documenter=documenter
        )
    except DomainError as exc:
        _raise_not_found(exc)
        return _register_page(request, committee, status=exc.status, error=exc.message)
    return _back_to_register(committee)


@login_required
@require_POST
def name_documenter(request: HttpRequest, committee_id: int) -> HttpResponse:
    member = signed_in_member(request)
    committee = _committee(request, committee_id)
    access.check_name_documenters(viewer_of(request), committee)
    context = _register_context(request, committee)
    form = NameDocumenterForm(request.POST, members=context["name_form"].fields["member"].queryset)
    if form.is_valid():
        try:
            services.name_documenter(
                actor=member, committee=committee, member=form.cleaned_data["member"]
            )
        except DomainError as exc:
            reraise_refusal(exc)
            form.add_error(None, str(exc.message))
            return _register_page(request, committee, status=exc.status, name_form=form)
        return _back_to_register(committee)
    return _register_page(request, committee, status=422, name_form=form)
