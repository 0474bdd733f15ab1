"""Who may read and write what in the incident register: its one home.

Every rule starts from the federation's visibility (``federation.access``)
and then from the record's confidentiality level. An incident that is not
verified yet counts as at least ``committee`` whatever its level, so that a
draft is never shared beyond its committee.

==============  ============================================================
level           who reads the internal record (beyond the public projection)
==============  ============================================================
``public``      like ``assembly``; the public projection is for anyone,
                once verified and not archived
``assembly``    every member who sees the committee's assembly (the root of
                its branch), operators, the system
``committee``   the committee's members and documenters, the system
``restricted``  the committee's documenters and secretaries (named roles)
``sealed``      the committee's documenters only
==============  ============================================================

Operators get no reading right beyond ``assembly``: the register is kept
from the server's operator by design (docs/incidents-security.md).

Writing (recording, reviewing, archiving, consent, merging) is for the
committee's active documenters only; naming documenters for its secretaries.
Names, contacts and private descriptions also need the register key, which
the server does not hold: these rules decide who may ask, the key decides
who can read.

Unknown and unreadable records look the same (``NotFound``); a readable
record that the viewer may not change answers ``Forbidden`` (``NotDocumenter``).
"""

from __future__ import annotations

from typing import Literal

from django.db.models import Q, QuerySet

from asamblea.core.errors import Forbidden, NotFound
from asamblea.federation import access as federation_access
from asamblea.federation.access import MAX_ID, Viewer
from asamblea.federation.models import Membership, Node, NodeKind, Role
from asamblea.incidents.codes import Confidentiality, VerificationState
from asamblea.incidents.errors import EvidenceSealed, NotDocumenter
from asamblea.incidents.models import Consent, Documenter, Evidence, Incident, Person

IncidentAction = Literal["read", "write"]

SHARED_LEVELS = (Confidentiality.PUBLIC, Confidentiality.ASSEMBLY)


def documenter_of(viewer: Viewer, committee_id: int) -> Documenter | None:
    """The viewer's active documenter role at the committee, if any."""
    if viewer.member is None:
        return None
    return Documenter.objects.filter(
        committee_id=committee_id, member=viewer.member, ended_at__isnull=True
    ).first()


def documenter_committee_ids(viewer: Viewer) -> frozenset[int]:
    if viewer.member is None:
        return frozenset()
    return frozenset(
        Documenter.objects.filter(member=viewer.member, ended_at__isnull=True).values_list(
            "committee_id", flat=True
        )
    )


def effective_level(incident: Incident) -> str:
    """The level that applies now: ``public`` and ``assembly`` only once verified."""
    level = incident.confidentiality
    if level in SHARED_LEVELS and incident.state != VerificationState.VERIFIED:
        return Confidentiality.COMMITTEE
    return level


def _root_id(committee: Node) -> int:
    return committee.lineage_ids()[0]


def may_read(viewer: Viewer, incident: Incident) -> bool:
    """Whether ``viewer`` may read the internal record (see the module's table)."""
    committee = incident.committee
    level = effective_level(incident)
    is_documenter = documenter_of(viewer, committee.pk) is not None
    if level in SHARED_LEVELS:
        return viewer.is_system or (viewer.member is not None and viewer.sees(_root_id(committee)))
    if level == Confidentiality.COMMITTEE:
        return viewer.is_system or viewer.belongs_to(committee.pk) or is_documenter
    if level == Confidentiality.RESTRICTED:
        return is_documenter or viewer.is_secretary(committee.pk)
    return is_documenter


def readable_incidents(viewer: Viewer) -> QuerySet[Incident]:
    """Every incident ``viewer`` may read, as one query (the rule of
    :func:`may_read`, restated; a differential test keeps them equal)."""
    incidents = Incident.objects.all()
    if viewer.is_system:
        return incidents.exclude(
            confidentiality__in=(Confidentiality.RESTRICTED, Confidentiality.SEALED)
        )
    if viewer.member is None:
        return incidents.none()
    verified = Q(state=VerificationState.VERIFIED)
    shared = Q(confidentiality__in=SHARED_LEVELS) & verified
    unverified_shared = Q(confidentiality__in=SHARED_LEVELS) & ~verified
    documenting = documenter_committee_ids(viewer)
    members_of = viewer.committee_ids()
    secretary_of = frozenset(n for n in members_of if viewer.is_secretary(n))
    visible = viewer.visible_ids()
    if visible is None:
        shared_rule = shared
    else:
        roots = {int(p) for p in visible}
        shared_rule = shared & _under_roots(roots)
    committee_rule = (Q(confidentiality=Confidentiality.COMMITTEE) | unverified_shared) & Q(
        committee_id__in=members_of | documenting
    )
    restricted_rule = Q(confidentiality=Confidentiality.RESTRICTED) & Q(
        committee_id__in=secretary_of | documenting
    )
    sealed_rule = Q(confidentiality=Confidentiality.SEALED) & Q(committee_id__in=documenting)
    return incidents.filter(shared_rule | committee_rule | restricted_rule | sealed_rule)


def _under_roots(node_ids: set[int]) -> Q:
    """Incidents whose committee's path starts at one of ``node_ids``."""
    rule = Q(pk__in=[])
    for node_id in node_ids:
        rule |= Q(committee__path__startswith=Node.segment(node_id))
    return rule


def access_incident(viewer: Viewer, incident_id: int, *, to: IncidentAction = "read") -> Incident:
    """The incident if ``viewer`` may read it (``NotFound`` otherwise); with
    ``to="write"`` also an active documenter of its committee (``NotDocumenter``)."""
    if not 0 < incident_id <= MAX_ID:
        raise NotFound()
    incident = Incident.objects.select_related("committee").filter(pk=incident_id).first()
    if incident is None:
        raise NotFound()
    check_incident(viewer, incident, to=to)
    return incident


def check_incident(viewer: Viewer, incident: Incident, *, to: IncidentAction = "read") -> None:
    if not may_read(viewer, incident):
        raise NotFound()
    if to == "write":
        require_documenter(viewer, incident.committee)


def require_documenter(viewer: Viewer, committee: Node) -> Documenter:
    """The viewer's documenter role at ``committee``: ``NotFound`` if they do
    not see the committee, ``NotDocumenter`` if they see it but are none."""
    if not federation_access.may_see(viewer, committee) or not committee.is_committee:
        raise NotFound()
    documenter = documenter_of(viewer, committee.pk)
    if documenter is None:
        raise NotDocumenter()
    return documenter


def access_committee_register(viewer: Viewer, committee_id: int) -> tuple[Node, Documenter]:
    """A committee and the viewer's documenter role there."""
    committee = federation_access.access_node(viewer, committee_id)
    return committee, require_documenter(viewer, committee)


def may_name_documenters(viewer: Viewer, committee: Node) -> bool:
    """The committee's secretaries, and no one else (not operators: a
    documenter reads the register, and the operator is kept out of it)."""
    return committee.is_committee and viewer.is_secretary(committee.pk)


def check_name_documenters(viewer: Viewer, committee: Node) -> None:
    if not federation_access.may_see(viewer, committee):
        raise NotFound()
    if not may_name_documenters(viewer, committee):
        raise Forbidden(federation_access.MANAGERS_ONLY)


def is_active_member(member_id: int, committee: Node) -> bool:
    return Membership.objects.filter(
        member_id=member_id, node=committee, ended_at__isnull=True
    ).exists()


def is_secretary_row(member_id: int, committee: Node) -> bool:
    return Membership.objects.filter(
        member_id=member_id, node=committee, ended_at__isnull=True, role=Role.SECRETARY
    ).exists()


def access_person(viewer: Viewer, person_id: int) -> Person:
    """A person of a committee where ``viewer`` documents (persons are never
    read outside their committee's documenters except through an incident)."""
    if not 0 < person_id <= MAX_ID:
        raise NotFound()
    person = Person.objects.select_related("committee").filter(pk=person_id).first()
    if person is None or documenter_of(viewer, person.committee_id) is None:
        raise NotFound()
    return person


def access_consent(viewer: Viewer, consent_id: int) -> Consent:
    """A consent of a person of a committee where ``viewer`` documents."""
    if not 0 < consent_id <= MAX_ID:
        raise NotFound()
    consent = Consent.objects.select_related("person").filter(pk=consent_id).first()
    if consent is None or documenter_of(viewer, consent.person.committee_id) is None:
        raise NotFound()
    return consent


def access_public_assembly(assembly_id: int) -> Node:
    """An assembly whose public statistics anyone may read (the statistics
    come from the public projection only); ``NotFound`` for anything else."""
    if not 0 < assembly_id <= MAX_ID:
        raise NotFound()
    assembly = Node.objects.filter(pk=assembly_id, kind=NodeKind.ASSEMBLY).first()
    if assembly is None:
        raise NotFound()
    return assembly


# --- evidence ------------------------------------------------------------------------
# An evidence item is read with its incident. Its working copy (a photo with
# its metadata removed) follows the incident's level; its original is
# ``sealed`` whatever the incident's level: only the committee's active
# documenters open it. Both are encrypted under the register key, so the
# request must also hold the unlocked key (the services check that).


def access_evidence(viewer: Viewer, evidence_id: int) -> Evidence:
    """The evidence item if ``viewer`` may read its incident (``NotFound`` otherwise)."""
    if not 0 < evidence_id <= MAX_ID:
        raise NotFound()
    evidence = (
        Evidence.objects.select_related("incident", "incident__committee")
        .filter(pk=evidence_id)
        .first()
    )
    if evidence is None:
        raise NotFound()
    check_incident(viewer, evidence.incident)
    return evidence


def check_original(viewer: Viewer, evidence: Evidence) -> None:
    """``NotFound`` if the incident is unreadable, ``EvidenceSealed`` if the
    viewer reads it but holds no documenter role at its committee."""
    check_incident(viewer, evidence.incident)
    if documenter_of(viewer, evidence.incident.committee_id) is None:
        raise EvidenceSealed()


def check_package(viewer: Viewer, incident: Incident) -> None:
    """An evidence package holds originals: the same rule as opening one."""
    check_incident(viewer, incident)
    if documenter_of(viewer, incident.committee_id) is None:
        raise EvidenceSealed()
