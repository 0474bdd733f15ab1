"""Pages for an incident's evidence: upload (one plain form, no JavaScript),
the working copy, the sealed original, the custody log and the evidence
package. Each read of a file is recorded in its custody chain by the service."""

from __future__ import annotations

import base64
import tempfile
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from asamblea.accounts.requests import signed_in_member
from asamblea.core.errors import DomainError, NotFound, reraise_refusal
from asamblea.federation.access import viewer_of
from asamblea.incidents import access, custody, evidence, keyring, package, selectors
from asamblea.incidents.errors import TimestampFailed
from asamblea.incidents.forms import EvidenceForm, EvidencePackageForm
from asamblea.incidents.models import Act, Evidence, Incident

# Multipart overhead allowed above the largest file, before the body is read.
_BODY_SLACK = 64 * 1024


def _not_found_through(exc: DomainError) -> None:
    """Let ``NotFound`` through to the 404 page; a locked register or a
    missing role is shown next to the form."""
    if isinstance(exc, NotFound):
        raise exc


def _persons(incident: Incident) -> list[tuple[int, str]]:
    acts = Act.objects.filter(incident=incident).select_related("victim").order_by("pk")
    return [(act.victim_id, act.victim.code) for act in acts]


def evidence_context(
    request: HttpRequest,
    incident: Incident,
    *,
    form: EvidenceForm | None = None,
    package_form: EvidencePackageForm | None = None,
    refusal: str = "",
) -> dict[str, Any]:
    """What the incident's page shows of its evidence."""
    viewer = viewer_of(request)
    return {
        "is_documenter": access.documenter_of(viewer, incident.committee_id) is not None,
        "unlocked": keyring.key_for(request, incident.committee_id) is not None,
        "items": evidence.evidence_of(viewer=viewer, incident=incident),
        "form": form or EvidenceForm(persons=_persons(incident)),
        "package_form": package_form or EvidencePackageForm(),
        "max_mb": evidence.max_megabytes(),
        "refusal": refusal,
        "timestamping": evidence.timestamping_enabled(),
    }


def _form_again(
    request: HttpRequest, incident: Incident, status: int, **forms: Any
) -> HttpResponse:
    """A small page with the refused form and its message (not the whole
    incident again: cheaper on a weak connection)."""
    context = {"incident": incident, "ev": evidence_context(request, incident, **forms)}
    return render(request, "incidents/evidence_form.html", context, status=status)


def _back(incident: Incident) -> HttpResponse:
    return redirect(reverse("incidents:detail", args=[incident.pk]) + "#evidence")


@login_required
@require_POST
def upload(request: HttpRequest, incident_id: int) -> HttpResponse:
    member = signed_in_member(request)
    incident = selectors.get_incident_for(viewer=viewer_of(request), incident_id=incident_id)
    declared = int(request.META.get("CONTENT_LENGTH") or 0)
    if declared > settings.ASAMBLEA_EVIDENCE_MAX_BYTES + _BODY_SLACK:
        # Refuse before Django reads the body into a temporary file.
        return _form_again(request, incident, 422, refusal=str(evidence.too_large().message))
    form = EvidenceForm(request.POST, request.FILES, persons=_persons(incident))
    status = 422
    if form.is_valid():
        file = form.cleaned_data["file"]
        person_id = form.cleaned_data["person"]
        person = next(
            (a.victim for a in Act.objects.filter(incident=incident, victim_id=person_id)), None
        )
        if person_id is not None and person is None:
            form.add_error("person", _("Choose a person of this incident."))
        else:
            try:
                item = evidence.add_evidence(
                    actor=member,
                    incident=incident,
                    key=keyring.key_for(request, incident.committee_id),
                    upload=file,
                    filename=file.name or "",
                    kind=form.cleaned_data["kind"],
                    size=file.size,
                    person=person,
                )
            except DomainError as exc:
                _not_found_through(exc)
                form.add_error(
                    "file" if exc.field in (None, "file") else exc.field, str(exc.message)
                )
                status = exc.status
            else:
                messages.success(
                    request, _("Evidence added. SHA-256: %(hash)s") % {"hash": item.sha256}
                )
                _timestamp(request, member, item)
                return _back(incident)
    return _form_again(request, incident, status, form=form)


def _timestamp(request: HttpRequest, member: Any, item: Evidence) -> None:
    if not evidence.timestamping_enabled():
        return
    try:
        evidence.timestamp_evidence(actor=member, evidence=item)
    except TimestampFailed as exc:
        messages.warning(request, str(exc.message))


@login_required
@require_POST
def timestamp(request: HttpRequest, evidence_id: int) -> HttpResponse:
    member = signed_in_member(request)
    item = access.access_evidence(viewer_of(request), evidence_id)
    try:
        evidence.timestamp_evidence(actor=member, evidence=item)
    except DomainError as exc:
        reraise_refusal(exc)
        messages.error(request, str(exc.message))
    return _back(item.incident)


@login_required
@require_GET
def working_copy(request: HttpRequest, evidence_id: int) -> HttpResponse:
    member = signed_in_member(request)
    item = access.access_evidence(viewer_of(request), evidence_id)
    try:
        data = evidence.open_working_copy(
            actor=member, evidence=item, key=keyring.key_for(request, item.incident.committee_id)
        )
    except DomainError as exc:
        _not_found_through(exc)
        return _form_again(request, item.incident, exc.status, refusal=str(exc.message))
    response = HttpResponse(data, content_type=item.derivative_media_type)
    response["Content-Disposition"] = f'inline; filename="{item.uid}-copy"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def original(request: HttpRequest, evidence_id: int) -> HttpResponseBase:
    member = signed_in_member(request)
    item = access.access_evidence(viewer_of(request), evidence_id)
    try:
        chunks = evidence.open_original(
            actor=member, evidence=item, key=keyring.key_for(request, item.incident.committee_id)
        )
    except DomainError as exc:
        _not_found_through(exc)
        return _form_again(request, item.incident, exc.status, refusal=str(exc.message))
    response = StreamingHttpResponse(chunks, content_type=item.media_type)
    response["Content-Disposition"] = f'attachment; filename="{item.uid}.{item.extension}"'
    response["Content-Length"] = str(item.size)
    digest = base64.b64encode(bytes.fromhex(item.sha256)).decode("ascii")
    response["Repr-Digest"] = f"sha-256=:{digest}:"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def custody_log(request: HttpRequest, evidence_id: int) -> HttpResponse:
    item = access.access_evidence(viewer_of(request), evidence_id)
    return render(
        request,
        "incidents/custody.html",
        {
            "item": item,
            "incident": item.incident,
            "entries": custody.entries_of(item),
            "report": custody.verify(item),
        },
    )


@login_required
@require_POST
def export_package(request: HttpRequest, incident_id: int) -> HttpResponseBase:
    member = signed_in_member(request)
    incident = selectors.get_incident_for(viewer=viewer_of(request), incident_id=incident_id)
    form = EvidencePackageForm(request.POST)
    if not form.is_valid():
        return _form_again(request, incident, 422, package_form=form)
    target = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    try:
        summary = package.build_package(
            actor=member,
            incident=incident,
            key=keyring.key_for(request, incident.committee_id),
            target=target,
            include_names=form.cleaned_data["include_names"],
        )
    except DomainError as exc:
        target.close()
        _not_found_through(exc)
        form.add_error(None, str(exc.message))
        return _form_again(request, incident, exc.status, package_form=form)
    target.seek(0)
    return FileResponse(
        target,
        as_attachment=True,
        filename=f"evidence-{incident.pk}-{summary.package[:8]}.zip",
        content_type="application/zip",
    )
