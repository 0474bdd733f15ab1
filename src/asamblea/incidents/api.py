"""JSON API of the incident register, mounted at /api/v1/incidents.

Handlers parse and bound input with schemas, call services and selectors and
return typed output. Codes (event types, act types, levels...) are plain
strings checked by the services, so that an unknown code gets the register's
own clear message (422 with ``field``); ``GET /codes`` lists them all.

Names, contacts, private descriptions and source notes are read and written
only by a browser session whose register is unlocked (``POST
/registers/{committee}/unlock``): a bearer-token client has no session to hold
the key and gets ``register_locked`` (403) if it sends them, and ``null``
where it would read them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from asamblea.accounts.requests import api_member
from asamblea.core.errors import Conflict
from asamblea.core.schemas import InputSchema, Text
from asamblea.federation import access as federation_access
from asamblea.federation.access import MAX_ID, viewer_of
from asamblea.federation.models import Node
from asamblea.incidents import access, codes, exports, keyring, public, selectors, services
from asamblea.incidents.evidence_api import router as evidence_router
from asamblea.incidents.models import (
    ACTOR_NAME_MAX,
    COMMENT_MAX,
    CONTACT_MAX,
    DESCRIPTION_MAX,
    NAME_MAX,
    NOTES_MAX,
    PLACE_MAX,
    SUMMARY_MAX,
    TAGS_MAX,
    Incident,
)
from asamblea.incidents.rules import PASSPHRASE_MAX, IncidentData

router = Router(tags=["incidents"])

CODE = 40
MAX_VICTIMS = 50
MAX_SOURCES = 50
MAX_LIST = 10


def _enum(choices: type[models.TextChoices]) -> dict[str, Any]:
    """Document a code list in the schema; the services check it (clear 422)."""
    return {"enum": list(choices.values)}


# --- schemas ------------------------------------------------------------------------


class ConsentIn(InputSchema):
    scope: str = Field(..., max_length=CODE, json_schema_extra=_enum(codes.ConsentScope))
    giver: str = Field(..., max_length=CODE, json_schema_extra=_enum(codes.ConsentGiver))
    method: str = Field(..., max_length=CODE, json_schema_extra=_enum(codes.ConsentMethod))
    given_at: datetime


class InvolvementIn(InputSchema):
    actor: int = Field(..., ge=1, le=2**63 - 1)
    degree: str = Field(..., max_length=CODE, json_schema_extra=_enum(codes.InvolvementDegree))


class VictimIn(InputSchema):
    act_type: str = Field(..., max_length=CODE, json_schema_extra=_enum(codes.ViolationType))
    names: str = Field("", max_length=NAME_MAX)
    contact: str = Field("", max_length=CONTACT_MAX)
    sex: str = Field(codes.Sex.UNKNOWN, max_length=CODE, json_schema_extra=_enum(codes.Sex))
    age_band: str = Field(
        codes.AgeBand.UNKNOWN, max_length=CODE, json_schema_extra=_enum(codes.AgeBand)
    )
    occupation: str = Field(
        codes.OccupationSector.UNKNOWN,
        max_length=CODE,
        json_schema_extra=_enum(codes.OccupationSector),
    )
    deceased: bool = False
    method: str = Field(
        codes.ActMethod.UNKNOWN, max_length=CODE, json_schema_extra=_enum(codes.ActMethod)
    )
    end_status: str = Field(
        codes.EndStatus.UNKNOWN, max_length=CODE, json_schema_extra=_enum(codes.EndStatus)
    )
    started_on: date | None = None
    ended_on: date | None = None
    consents: list[ConsentIn] = Field(default_factory=list, max_length=MAX_LIST)
    involvements: list[InvolvementIn] = Field(default_factory=list, max_length=MAX_LIST)


class SourceIn(InputSchema):
    source_type: str = Field(..., max_length=CODE, json_schema_extra=_enum(codes.SourceType))
    connection: str = Field(..., max_length=CODE, json_schema_extra=_enum(codes.SourceConnection))
    reliability: str = Field(..., max_length=CODE, json_schema_extra=_enum(codes.Reliability))
    notes: Text = Field("", max_length=NOTES_MAX)


class IncidentIn(InputSchema):
    committee: int = Field(..., ge=1, le=2**63 - 1)
    public_summary: Text = Field(..., max_length=SUMMARY_MAX)
    private_description: Text = Field("", max_length=DESCRIPTION_MAX)
    start_date: date
    start_precision: str = Field(..., max_length=CODE, json_schema_extra=_enum(codes.DatePrecision))
    end_date: date | None = None
    end_precision: str = Field("", max_length=CODE, json_schema_extra=_enum(codes.DatePrecision))
    country: str = Field(..., max_length=2, description="ISO 3166-1 alpha-2")
    admin1: str = Field("", max_length=PLACE_MAX)
    admin2: str = Field("", max_length=PLACE_MAX)
    admin3: str = Field("", max_length=PLACE_MAX)
    place: str = Field("", max_length=PLACE_MAX)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    geo_precision: str = Field(..., max_length=CODE, json_schema_extra=_enum(codes.GeoPrecision))
    event_type: str = Field(..., max_length=CODE, json_schema_extra=_enum(codes.AcledEventType))
    sub_type: str = Field(..., max_length=CODE, json_schema_extra=_enum(codes.AcledSubType))
    violation_types: list[str] = Field(default_factory=list, max_length=len(codes.ViolationType))
    fatalities_min: int = Field(0, ge=-(2**31), le=2**31)
    fatalities_max: int = Field(0, ge=-(2**31), le=2**31)
    injured: int = Field(0, ge=-(2**31), le=2**31)
    detained: int = Field(0, ge=-(2**31), le=2**31)
    disappeared: int = Field(0, ge=-(2**31), le=2**31)
    tags: list[str] = Field(default_factory=list, max_length=TAGS_MAX)
    confidentiality: str = Field(
        codes.Confidentiality.COMMITTEE,
        max_length=CODE,
        json_schema_extra=_enum(codes.Confidentiality),
    )
    victims: list[VictimIn] = Field(default_factory=list, max_length=MAX_VICTIMS)
    sources: list[SourceIn] = Field(default_factory=list, max_length=MAX_SOURCES)


class IncidentFilters(InputSchema):
    committee: int | None = Field(None, ge=1, le=2**63 - 1)
    state: str | None = Field(
        None, max_length=CODE, json_schema_extra=_enum(codes.VerificationState)
    )
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


class PublicFilters(InputSchema):
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)


class ExportFilters(InputSchema):
    assembly: int | None = Field(None, ge=1, le=MAX_ID)


class ReviewIn(InputSchema):
    to_state: str = Field(..., max_length=CODE, json_schema_extra=_enum(codes.VerificationState))
    violation_status: str = Field(
        codes.ViolationStatus.UNKNOWN,
        max_length=CODE,
        json_schema_extra=_enum(codes.ViolationStatus),
    )
    comment: Text = Field("", max_length=COMMENT_MAX)


class ArchiveIn(InputSchema):
    reason: str = Field(..., max_length=CODE, json_schema_extra=_enum(codes.ArchiveReason))


class WithdrawIn(InputSchema):
    method: str = Field(..., max_length=CODE, json_schema_extra=_enum(codes.ConsentMethod))


class PassphraseIn(InputSchema):
    passphrase: str = Field(..., max_length=PASSPHRASE_MAX)


class MergeIn(InputSchema):
    duplicate: int = Field(..., ge=1, le=2**63 - 1, description="the person merged away")


class MergeOut(Schema):
    kept: int
    merged: int
    acts: list[int]
    sources: list[int]
    consents: list[int]


class ActorIn(InputSchema):
    name: str = Field(..., max_length=ACTOR_NAME_MAX)
    kind: str = Field(..., max_length=CODE, json_schema_extra=_enum(codes.ActorKind))


class ActorOut(Schema):
    id: int
    name: str
    kind: str


class IncidentOut(Schema):
    id: int
    committee: int
    public_summary: str
    start_date: date
    start_precision: str
    end_date: date | None
    end_precision: str
    country: str
    admin1: str
    admin2: str
    admin3: str
    place: str
    latitude: float | None
    longitude: float | None
    geo_precision: str
    event_type: str
    sub_type: str
    violation_types: list[str]
    fatalities_min: int
    fatalities_max: int
    injured: int
    detained: int
    disappeared: int
    tags: list[str]
    confidentiality: str
    state: str
    violation_status: str
    archived: bool


class PersonOut(Schema):
    id: int
    code: str
    sex: str
    age_band: str
    occupation: str
    deceased: bool
    consents: list[str]
    names: str | None = Field(description="null when the register is locked or not yours")
    contact: str | None


class ActOut(Schema):
    id: int
    act_type: str
    method: str
    started_on: date | None
    ended_on: date | None
    end_status: str
    victim: PersonOut | None = Field(description="null when withheld from this member")
    actors: list[ActorOut]


class SourceOut(Schema):
    id: int
    source_type: str
    connection: str
    reliability: str
    notes: str | None


class IncidentDetailOut(IncidentOut):
    private_description: str | None
    acts: list[ActOut]
    sources: list[SourceOut]


class PublicIncidentOut(Schema):
    """The public projection (``incidents.public``); counts below the
    minimum are null."""

    id: int
    period: str
    country: str
    admin1: str
    admin2: str
    event_type: str
    sub_type: str
    violation_types: list[str]
    violation_status: str
    fatalities_min: int | None
    fatalities_max: int | None
    injured: int | None
    detained: int | None
    disappeared: int | None
    public_summary: str


class ReviewOut(Schema):
    id: int
    incident: int
    from_state: str
    to_state: str
    violation_status: str


class UnlockOut(Schema):
    committee: int
    unlocked: bool


class CodeOut(Schema):
    code: str
    label: str


# --- conversions --------------------------------------------------------------------


def _incident_out(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.pk,
        "committee": incident.committee_id,
        "public_summary": incident.public_summary,
        "start_date": incident.start_date,
        "start_precision": incident.start_precision,
        "end_date": incident.end_date,
        "end_precision": incident.end_precision,
        "country": incident.country,
        "admin1": incident.admin1,
        "admin2": incident.admin2,
        "admin3": incident.admin3,
        "place": incident.place,
        "latitude": incident.latitude,
        "longitude": incident.longitude,
        "geo_precision": incident.geo_precision,
        "event_type": incident.event_type,
        "sub_type": incident.sub_type,
        "violation_types": list(incident.violation_types),
        "fatalities_min": incident.fatalities_min,
        "fatalities_max": incident.fatalities_max,
        "injured": incident.injured,
        "detained": incident.detained,
        "disappeared": incident.disappeared,
        "tags": list(incident.tags),
        "confidentiality": incident.confidentiality,
        "state": incident.state,
        "violation_status": incident.violation_status,
        "archived": incident.is_archived,
    }


def _detail(request: HttpRequest, incident: Incident) -> IncidentDetailOut:
    view = selectors.incident_view(
        viewer=viewer_of(request),
        incident=incident,
        key=keyring.key_for(request, incident.committee_id),
    )
    acts = [
        ActOut(
            id=act.id,
            act_type=act.act_type,
            method=act.method,
            started_on=act.started_on,
            ended_on=act.ended_on,
            end_status=act.end_status,
            victim=PersonOut(
                id=act.victim.id,
                code=act.victim.code,
                sex=act.victim.sex,
                age_band=act.victim.age_band,
                occupation=act.victim.occupation,
                deceased=act.victim.deceased,
                consents=list(act.victim.consents),
                names=act.victim.names,
                contact=act.victim.contact,
            )
            if act.victim is not None
            else None,
            actors=[ActorOut(id=i[0], name=i[1], kind=i[2]) for i in act.involvements],
        )
        for act in view.acts
    ]
    sources = [
        SourceOut(
            id=s.id,
            source_type=s.source_type,
            connection=s.connection,
            reliability=s.reliability,
            notes=s.notes,
        )
        for s in view.sources
    ]
    return IncidentDetailOut(
        **_incident_out(incident),
        private_description=view.private_description,
        acts=acts,
        sources=sources,
    )


def _incident_data(payload: IncidentIn) -> IncidentData:
    return IncidentData(
        public_summary=payload.public_summary,
        private_description=payload.private_description,
        start_date=payload.start_date,
        start_precision=payload.start_precision,
        end_date=payload.end_date,
        end_precision=payload.end_precision,
        country=payload.country,
        admin1=payload.admin1,
        admin2=payload.admin2,
        admin3=payload.admin3,
        place=payload.place,
        latitude=payload.latitude,
        longitude=payload.longitude,
        geo_precision=payload.geo_precision,
        event_type=payload.event_type,
        sub_type=payload.sub_type,
        violation_types=tuple(payload.violation_types),
        fatalities_min=payload.fatalities_min,
        fatalities_max=payload.fatalities_max,
        injured=payload.injured,
        detained=payload.detained,
        disappeared=payload.disappeared,
        tags=tuple(payload.tags),
        confidentiality=payload.confidentiality,
    )


def _victim(payload: VictimIn) -> services.VictimData:
    return services.VictimData(
        act_type=payload.act_type,
        names=payload.names,
        contact=payload.contact,
        sex=payload.sex,
        age_band=payload.age_band,
        occupation=payload.occupation,
        deceased=payload.deceased,
        method=payload.method,
        end_status=payload.end_status,
        started_on=payload.started_on,
        ended_on=payload.ended_on,
        consents=tuple(
            services.ConsentData(scope=c.scope, giver=c.giver, method=c.method, given_at=c.given_at)
            for c in payload.consents
        ),
        involvements=tuple(
            services.InvolvementData(actor_id=i.actor, degree=i.degree)
            for i in payload.involvements
        ),
    )


# --- public -------------------------------------------------------------------------


@router.get("/public", auth=None, response=list[PublicIncidentOut])
def list_public(request: HttpRequest, filters: Query[PublicFilters]) -> list[dict[str, Any]]:
    """Verified public records in their public projection; anyone may read it."""
    incidents = public.public_incidents()[filters.offset : filters.offset + filters.limit]
    return [public.project(incident) for incident in incidents]


def _stream(lines: Iterator[str], content_type: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _export_scope(filters: ExportFilters) -> Node | None:
    if filters.assembly is None:
        return None
    return access.access_public_assembly(filters.assembly)


@router.get("/public/acled.csv", auth=None)
def export_acled(request: HttpRequest, filters: Query[ExportFilters]) -> StreamingHttpResponse:
    """The public projection in ACLED's columns and codes, streamed; anyone may read it."""
    lines = exports.acled_csv(_export_scope(filters))
    return _stream(lines, "text/csv; charset=utf-8", "incidents-acled.csv")


@router.get("/public/hxl.csv", auth=None)
def export_hxl(request: HttpRequest, filters: Query[ExportFilters]) -> StreamingHttpResponse:
    """The public projection with a second row of HXL hashtags, streamed."""
    lines = exports.hxl_csv(_export_scope(filters))
    return _stream(lines, "text/csv; charset=utf-8", "incidents-hxl.csv")


@router.get("/public/geojson", auth=None)
def export_geojson(request: HttpRequest, filters: Query[ExportFilters]) -> StreamingHttpResponse:
    """The public projection as GeoJSON, points at regions' centres, streamed."""
    lines = exports.geojson(_export_scope(filters))
    return _stream(lines, "application/geo+json", "incidents.geojson")


@router.get("/codes", auth=None, response=dict[str, list[CodeOut]])
def list_codes(request: HttpRequest) -> dict[str, list[CodeOut]]:
    """Every code list of the register with labels in the request's language."""
    lists: dict[str, type[models.TextChoices]] = {
        "confidentiality": codes.Confidentiality,
        "verification_state": codes.VerificationState,
        "violation_status": codes.ViolationStatus,
        "archive_reason": codes.ArchiveReason,
        "date_precision": codes.DatePrecision,
        "geo_precision": codes.GeoPrecision,
        "violation_type": codes.ViolationType,
        "act_method": codes.ActMethod,
        "end_status": codes.EndStatus,
        "sex": codes.Sex,
        "age_band": codes.AgeBand,
        "occupation_sector": codes.OccupationSector,
        "actor_kind": codes.ActorKind,
        "involvement_degree": codes.InvolvementDegree,
        "source_type": codes.SourceType,
        "source_connection": codes.SourceConnection,
        "reliability": codes.Reliability,
        "consent_scope": codes.ConsentScope,
        "consent_giver": codes.ConsentGiver,
        "consent_method": codes.ConsentMethod,
        "event_type": codes.AcledEventType,
        "sub_type": codes.AcledSubType,
    }
    return {
        name: [CodeOut(code=value, label=str(label)) for value, label in choices.choices]
        for name, choices in lists.items()
    }


# --- incidents ----------------------------------------------------------------------


@router.get("/", response=list[IncidentOut])
def list_incidents(request: HttpRequest, filters: Query[IncidentFilters]) -> list[dict[str, Any]]:
    viewer = viewer_of(request)
    committee = (
        federation_access.access_node(viewer, filters.committee) if filters.committee else None
    )
    incidents = selectors.list_incidents_for(
        viewer=viewer, committee=committee, state=filters.state
    )
    return [_incident_out(i) for i in incidents[filters.offset : filters.offset + filters.limit]]


@router.post("/", response={201: IncidentDetailOut})
def record_incident(request: HttpRequest, payload: IncidentIn) -> Status[IncidentDetailOut]:
    member = api_member(request)
    committee = federation_access.access_node(viewer_of(request), payload.committee)
    incident = services.record_incident(
        actor=member,
        committee=committee,
        data=_incident_data(payload),
        key=keyring.key_for(request, committee.pk),
        victims=[_victim(v) for v in payload.victims],
        sources=[
            services.SourceData(
                source_type=s.source_type,
                connection=s.connection,
                reliability=s.reliability,
                notes=s.notes,
            )
            for s in payload.sources
        ],
    )
    return Status(201, _detail(request, incident))


@router.get("/{int:incident_id}", response=IncidentDetailOut)
def get_incident(request: HttpRequest, incident_id: int) -> IncidentDetailOut:
    incident = selectors.get_incident_for(viewer=viewer_of(request), incident_id=incident_id)
    return _detail(request, incident)


@router.post("/{int:incident_id}/review", response=ReviewOut)
def review_incident(request: HttpRequest, incident_id: int, payload: ReviewIn) -> ReviewOut:
    member = api_member(request)
    incident = access.access_incident(viewer_of(request), incident_id)
    review = services.review_incident(
        actor=member,
        incident=incident,
        to_state=payload.to_state,
        violation_status=payload.violation_status,
        comment=payload.comment,
    )
    return ReviewOut(
        id=review.pk,
        incident=incident.pk,
        from_state=review.from_state,
        to_state=review.to_state,
        violation_status=review.violation_status,
    )


@router.post("/{int:incident_id}/archive", response=IncidentOut)
def archive_incident(request: HttpRequest, incident_id: int, payload: ArchiveIn) -> dict[str, Any]:
    member = api_member(request)
    incident = access.access_incident(viewer_of(request), incident_id)
    services.archive_incident(actor=member, incident=incident, reason=payload.reason)
    return _incident_out(incident)


@router.post("/{int:incident_id}/victims", response={201: IncidentDetailOut})
def add_victim(
    request: HttpRequest, incident_id: int, payload: VictimIn
) -> Status[IncidentDetailOut]:
    member = api_member(request)
    incident = access.access_incident(viewer_of(request), incident_id)
    services.add_victim(
        actor=member,
        incident=incident,
        data=_victim(payload),
        key=keyring.key_for(request, incident.committee_id),
    )
    return Status(201, _detail(request, incident))


@router.post("/{int:incident_id}/sources", response={201: IncidentDetailOut})
def add_source(
    request: HttpRequest, incident_id: int, payload: SourceIn
) -> Status[IncidentDetailOut]:
    member = api_member(request)
    incident = access.access_incident(viewer_of(request), incident_id)
    services.add_source(
        actor=member,
        incident=incident,
        data=services.SourceData(
            source_type=payload.source_type,
            connection=payload.connection,
            reliability=payload.reliability,
            notes=payload.notes,
        ),
        key=keyring.key_for(request, incident.committee_id),
    )
    return Status(201, _detail(request, incident))


@router.post("/persons/{int:person_id}/merge", response=MergeOut)
def merge_persons(request: HttpRequest, person_id: int, payload: MergeIn) -> MergeOut:
    """``person_id`` is kept; ``payload.duplicate`` is merged into it."""
    member = api_member(request)
    viewer = viewer_of(request)
    kept = access.access_person(viewer, person_id)
    duplicate = access.access_person(viewer, payload.duplicate)
    history = services.merge_persons(actor=member, kept=kept, merged=duplicate)
    return MergeOut(
        kept=kept.pk,
        merged=duplicate.pk,
        acts=list(history.moved.get("acts", [])),
        sources=list(history.moved.get("sources", [])),
        consents=list(history.moved.get("consents", [])),
    )


@router.post("/consents/{int:consent_id}/withdraw", response={204: None})
def withdraw_consent(request: HttpRequest, consent_id: int, payload: WithdrawIn) -> Status[None]:
    member = api_member(request)
    consent = access.access_consent(viewer_of(request), consent_id)
    services.withdraw_consent(actor=member, consent=consent, method=payload.method)
    return Status(204, None)


@router.post("/actors", response={201: ActorOut})
def create_actor(request: HttpRequest, payload: ActorIn) -> Status[ActorOut]:
    actor = services.create_actor(actor=api_member(request), name=payload.name, kind=payload.kind)
    return Status(201, ActorOut(id=actor.pk, name=actor.name, kind=actor.kind))


# --- the register key ---------------------------------------------------------------

SESSION_ONLY = _(
    "The register can be unlocked only in a signed-in browser session; a token "
    "has no session to keep the key in."
)


def _session_only(request: HttpRequest) -> None:
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        raise Conflict(SESSION_ONLY)


@router.post("/registers/{int:committee_id}/unlock", response=UnlockOut)
def unlock_register(
    request: HttpRequest, response: HttpResponse, committee_id: int, payload: PassphraseIn
) -> UnlockOut:
    _session_only(request)
    member = api_member(request)
    committee, _documenter = access.access_committee_register(viewer_of(request), committee_id)
    keyring.unlock(request, member=member, committee=committee, passphrase=payload.passphrase)
    keyring.set_cookie(request, response)
    return UnlockOut(committee=committee.pk, unlocked=True)


@router.post("/registers/{int:committee_id}/lock", response=UnlockOut)
def lock_register(request: HttpRequest, committee_id: int) -> UnlockOut:
    api_member(request)
    committee = federation_access.access_node(viewer_of(request), committee_id)
    if hasattr(request, "session"):
        keyring.forget(request, committee.pk)
    return UnlockOut(committee=committee.pk, unlocked=False)


router.add_router("", evidence_router)
