"""Reads of the incident register, permission-aware (``incidents.access``).

What a viewer gets of a record:

- the internal record if ``access.may_read`` (else ``NotFound``);
- each victim's attributes (code, sex, age band, occupation, deceased) if the
  viewer documents for the person's committee, or the person's consent to
  share with the assembly is active; otherwise the act is listed with its
  victim withheld;
- names, contacts, private descriptions and source notes only with the
  committee's opened register key, to its documenters; a person whose
  consent to be recorded was withdrawn has none left to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q, QuerySet

from asamblea.federation.access import Viewer
from asamblea.federation.models import Node
from asamblea.incidents import access, crypto
from asamblea.incidents.codes import ConsentScope
from asamblea.incidents.crypto import DecryptionFailed, RegisterKey
from asamblea.incidents.models import (
    Act,
    Consent,
    Documenter,
    Incident,
    Involvement,
    Person,
    PersonMerge,
    Review,
    Source,
)
from asamblea.incidents.services import field_aad


def list_incidents_for(
    *,
    viewer: Viewer,
    committee: Node | None = None,
    state: str | None = None,
    include_archived: bool = False,
) -> QuerySet[Incident]:
    incidents = access.readable_incidents(viewer).select_related("committee")
    if committee is not None:
        incidents = incidents.filter(committee=committee)
    if state:
        incidents = incidents.filter(state=state)
    if not include_archived:
        incidents = incidents.filter(archived_at__isnull=True)
    return incidents.order_by("-start_date", "-pk")


def get_incident_for(*, viewer: Viewer, incident_id: int) -> Incident:
    return access.access_incident(viewer, incident_id)


def documenters_of(*, committee: Node) -> QuerySet[Documenter]:
    return Documenter.objects.filter(committee=committee, ended_at__isnull=True).select_related(
        "member"
    )


def key_holders(*, committee: Node, besides: Documenter | None = None) -> QuerySet[Documenter]:
    """The committee's active documenters who hold the register key (but
    ``besides``): those a rotation may leave out."""
    holders = (
        Documenter.objects.filter(committee=committee, ended_at__isnull=True)
        .exclude(sealed_data_key=b"")
        .select_related("member")
        .order_by("member__pseudonym")
    )
    return holders.exclude(pk=besides.pk) if besides is not None else holders


def documenter_committees(*, viewer: Viewer) -> QuerySet[Node]:
    return Node.objects.filter(pk__in=access.documenter_committee_ids(viewer)).order_by("path")


def _open(
    key: RegisterKey | None, committee_id: int, stored: bytes | memoryview, **aad: object
) -> str | None:
    """The plaintext, or None when the key is missing or of another committee."""
    blob = bytes(stored)
    if not blob:
        return ""
    if key is None or key.committee_id != committee_id:
        return None
    try:
        return crypto.decrypt_text(
            key.data_key,
            blob,
            aad=field_aad(
                committee_id=committee_id,
                kind=str(aad["kind"]),
                uid=aad["uid"],
                name=str(aad["name"]),
            ),
        )
    except DecryptionFailed:
        return None


@dataclass(frozen=True)
class PersonView:
    id: int
    code: str
    sex: str
    age_band: str
    occupation: str
    deceased: bool
    consents: tuple[str, ...]
    # None: not readable by this viewer now (locked register or no right).
    names: str | None
    contact: str | None


@dataclass(frozen=True)
class ActView:
    id: int
    act_type: str
    method: str
    started_on: date | None
    ended_on: date | None
    end_status: str
    victim: PersonView | None  # None: withheld from this viewer
    involvements: tuple[tuple[int, str, str], ...]  # (actor id, actor name, degree)


@dataclass(frozen=True)
class SourceView:
    id: int
    source_type: str
    connection: str
    reliability: str
    notes: str | None


@dataclass(frozen=True)
class IncidentView:
    incident: Incident
    is_documenter: bool
    private_description: str | None
    acts: tuple[ActView, ...]
    sources: tuple[SourceView, ...]
    reviews: tuple[Review, ...]


def active_scopes(person: Person) -> frozenset[str]:
    return frozenset(c.scope for c in person.consents.all() if c.withdrawn_at is None)


def person_view(
    *, viewer_documents: frozenset[int], person: Person, key: RegisterKey | None
) -> PersonView | None:
    scopes = active_scopes(person)
    documents = person.committee_id in viewer_documents
    if not documents and ConsentScope.SHARE_ASSEMBLY not in scopes:
        return None
    names: str | None = None
    contact: str | None = None
    if documents:
        names = _open(
            key, person.committee_id, person.names, kind="person", uid=person.uid, name="names"
        )
        contact = _open(
            key, person.committee_id, person.contact, kind="person", uid=person.uid, name="contact"
        )
    return PersonView(
        id=person.pk,
        code=person.code,
        sex=person.sex,
        age_band=person.age_band,
        occupation=person.occupation,
        deceased=person.deceased,
        consents=tuple(sorted(scopes)),
        names=names,
        contact=contact,
    )


def incident_view(
    *, viewer: Viewer, incident: Incident, key: RegisterKey | None = None
) -> IncidentView:
    """The record as ``viewer`` may see it; ``key`` opens the encrypted fields
    of its committee for a documenter."""
    access.check_incident(viewer, incident)
    documenting = access.documenter_committee_ids(viewer)
    is_documenter = incident.committee_id in documenting
    usable_key = key if is_documenter else None
    acts = (
        Act.objects.filter(incident=incident)
        .select_related("victim")
        .prefetch_related(
            Prefetch("victim__consents", queryset=Consent.objects.order_by("pk")),
            Prefetch("involvements", queryset=Involvement.objects.select_related("actor")),
        )
        .order_by("pk")
    )
    act_views = tuple(
        ActView(
            id=act.pk,
            act_type=act.act_type,
            method=act.method,
            started_on=act.started_on,
            ended_on=act.ended_on,
            end_status=act.end_status,
            victim=person_view(viewer_documents=documenting, person=act.victim, key=usable_key),
            involvements=tuple(
                (i.actor_id, i.actor.name, i.degree) for i in act.involvements.all()
            ),
        )
        for act in acts
    )
    source_views = tuple(
        SourceView(
            id=source.pk,
            source_type=source.source_type,
            connection=source.connection,
            reliability=source.reliability,
            notes=_open(
                usable_key,
                incident.committee_id,
                source.notes,
                kind="source",
                uid=source.uid,
                name="notes",
            )
            if is_documenter
            else None,
        )
        for source in Source.objects.filter(incident=incident).order_by("pk")
    )
    description = (
        _open(
            usable_key,
            incident.committee_id,
            incident.private_description,
            kind="incident",
            uid=incident.uid,
            name="private_description",
        )
        if is_documenter
        else None
    )
    reviews = (
        tuple(Review.objects.filter(incident=incident).select_related("reviewer").order_by("pk"))
        if is_documenter
        else ()
    )
    return IncidentView(
        incident=incident,
        is_documenter=is_documenter,
        private_description=description,
        acts=act_views,
        sources=source_views,
        reviews=reviews,
    )


@dataclass(frozen=True)
class PersonPage:
    view: PersonView | None
    consents: tuple[Consent, ...]  # every consent, withdrawn ones too (history)
    acts: tuple[Act, ...]  # where this person is the victim
    merges: tuple[PersonMerge, ...]  # merges into or out of this person
    merged_into: Person | None


def person_page(*, viewer: Viewer, person: Person, key: RegisterKey | None) -> PersonPage:
    """What a documenter of the person's committee sees on their page
    (``access.access_person`` has checked the role)."""
    person = (
        Person.objects.select_related("merged_into").prefetch_related("consents").get(pk=person.pk)
    )
    documents = access.documenter_committee_ids(viewer)
    merges = PersonMerge.objects.filter(Q(kept=person) | Q(merged=person)).select_related(
        "kept", "merged", "merged_by"
    )
    return PersonPage(
        view=person_view(viewer_documents=documents, person=person, key=key),
        consents=tuple(person.consents.order_by("-given_at", "-pk")),
        acts=tuple(Act.objects.filter(victim=person).select_related("incident").order_by("-pk")),
        merges=tuple(merges.order_by("-merged_at", "-pk")),
        merged_into=person.merged_into,
    )
