"""JSON API of the register's evidence and partner export, mounted with the
incidents router at /api/v1/incidents.

Files are uploaded and opened through the pages (a browser session holds the
register key); the API lists items with their hashes and custody state, shows
each custody chain, and gives the partner export, whose names need the same
unlocked session (a bearer token gets ``register_locked`` if it asks)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from asamblea.accounts.requests import api_member
from asamblea.core.schemas import InputSchema
from asamblea.federation import access as federation_access
from asamblea.federation.access import viewer_of
from asamblea.incidents import access, custody, evidence, keyring, package, selectors

router = Router(tags=["incidents"])


class EvidenceOut(Schema):
    id: int
    uid: str
    kind: str
    media_type: str
    size: int
    sha256: str
    added_at: datetime
    working_copy: bool
    custody_ok: bool
    custody_head: str
    timestamped_at: datetime | None


class CustodyEntryOut(Schema):
    seq: int
    at: str
    actor: int | None
    actor_label: str
    action: str
    data: dict[str, Any]
    prev_hash: str
    entry_hash: str


class CustodyOut(Schema):
    evidence: str
    sha256: str
    ok: bool
    first_broken_seq: int | None
    reason: str
    entries: list[CustodyEntryOut]


class PartnerFilters(InputSchema):
    names: bool = False


@router.get("/{int:incident_id}/evidence", response=list[EvidenceOut])
def list_evidence(request: HttpRequest, incident_id: int) -> list[EvidenceOut]:
    viewer = viewer_of(request)
    incident = selectors.get_incident_for(viewer=viewer, incident_id=incident_id)
    return [
        EvidenceOut(
            id=row.evidence.pk,
            uid=str(row.evidence.uid),
            kind=row.evidence.kind,
            media_type=row.evidence.media_type,
            size=row.evidence.size,
            sha256=row.evidence.sha256,
            added_at=row.evidence.added_at,
            working_copy=row.evidence.has_working_copy,
            custody_ok=row.custody.ok,
            custody_head=row.custody.head,
            timestamped_at=row.timestamp.gen_time if row.timestamp else None,
        )
        for row in evidence.evidence_of(viewer=viewer, incident=incident)
    ]


@router.get("/evidence/{int:evidence_id}/custody", response=CustodyOut)
def custody_log(request: HttpRequest, evidence_id: int) -> CustodyOut:
    item = access.access_evidence(viewer_of(request), evidence_id)
    report = custody.verify(item)
    return CustodyOut(
        evidence=str(item.uid),
        sha256=item.sha256,
        ok=report.ok,
        first_broken_seq=report.first_broken_seq,
        reason=report.reason,
        entries=[CustodyEntryOut(**entry) for entry in custody.entries_of(item)],
    )


@router.get("/committees/{int:committee_id}/partner.json", response=dict[str, Any])
def partner_export(
    request: HttpRequest, committee_id: int, filters: Query[PartnerFilters]
) -> dict[str, Any]:
    """The committee's verified records for a partner organisation, as
    consent allows; names only with ``names=true``, every person's consent
    and the register unlocked in this browser session."""
    member = api_member(request)
    committee = federation_access.access_node(viewer_of(request), committee_id)
    return package.partner_export(
        actor=member,
        committee=committee,
        key=keyring.key_for(request, committee.pk),
        include_names=filters.names,
    )
