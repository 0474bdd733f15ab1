"""Exports for people outside the committee: the evidence package of an
incident (a zip for a prosecutor or a commission) and the partner JSON export
of a committee's verified records. Both are limited to what consent allows.

Consent (scope ``share_outside``, "share with an outside organisation or
court") decides, person by person:

- a victim without it is withheld: their act is listed, the person is not;
- evidence linked to a person without it is left out of the package;
- names are included only when asked for (``include_names``), with the
  register unlocked, and only if every person concerned consented; asking
  for names beyond that is refused (``ExportBeyondConsent``), not trimmed,
  so that the documenter knows what the package holds.

Private descriptions and source notes never leave: they are free text that
may name people who gave no consent.

The package (see ``README.txt`` inside, written by :func:`_readme`)::

    README.txt        what this is and how to check it
    SHA256SUMS        ``sha256sum -c SHA256SUMS`` checks every other file
    manifest.json     items, their SHA-256, sizes, custody heads, tokens
    incident.json     the record, as consent allows
    evidence/         the originals, as received
    custody/          each item's custody chain (JSON), ``exported`` included
    timestamps/       RFC 3161 tokens (DER) over the originals' SHA-256

:func:`verify_package` checks a package without the server (also
``manage.py verify_evidence_package FILE``).
"""

from __future__ import annotations

import hashlib
import json
import uuid
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asamblea.accounts.models import Member
from asamblea.core import audit
from asamblea.core.errors import Conflict
from asamblea.federation.access import Viewer
from asamblea.federation.models import Node
from asamblea.incidents import access, custody, evidence, timestamps
from asamblea.incidents.codes import ConsentScope, CustodyAction, VerificationState
from asamblea.incidents.crypto import DecryptionFailed, RegisterKey
from asamblea.incidents.errors import ExportBeyondConsent, RegisterLocked
from asamblea.incidents.models import (
    Act,
    Evidence,
    EvidenceTimestamp,
    Incident,
    Person,
    Source,
)
from asamblea.incidents.selectors import active_scopes, person_view

FORMAT = "asamblea-evidence-package/1"
PARTNER_FORMAT = "asamblea-partner-export/1"


def _shares_outside(person: Person) -> bool:
    return ConsentScope.SHARE_OUTSIDE in active_scopes(person)


def _victim(person: Person, key: RegisterKey | None, include_names: bool) -> dict[str, Any] | None:
    if not _shares_outside(person):
        return None
    out: dict[str, Any] = {
        "code": person.code,
        "sex": person.sex,
        "age_band": person.age_band,
        "occupation": person.occupation,
        "deceased": person.deceased,
    }
    if include_names:
        opened = person_view(
            viewer_documents=frozenset({person.committee_id}), person=person, key=key
        )
        out["names"] = opened.names if opened is not None else None
    return out


def _check_names(incidents: Iterable[Incident], key: RegisterKey | None, committee_id: int) -> None:
    """Refuse ``include_names`` when a person concerned did not consent, or
    when the register is locked."""
    missing = sorted(
        {
            act.victim.code
            for act in Act.objects.filter(incident__in=list(incidents)).select_related("victim")
            if not _shares_outside(act.victim)
        }
    )
    if missing:
        raise ExportBeyondConsent(
            _(
                "Names cannot be exported: %(codes)s did not consent to share with an "
                "outside organisation or court. Export without names, or record that "
                "consent first."
            )
            % {"codes": ", ".join(missing[:20])},
            field="include_names",
        )
    if key is None or key.committee_id != committee_id:
        raise RegisterLocked()


def _shareable_evidence(incident: Incident) -> tuple[list[Evidence], int]:
    items = list(Evidence.objects.filter(incident=incident).select_related("person").order_by("pk"))
    kept = [e for e in items if e.person is None or _shares_outside(e.person)]
    return kept, len(items) - len(kept)


def _evidence_entry(item: Evidence) -> dict[str, Any]:
    return {
        "uid": str(item.uid),
        "kind": item.kind,
        "media_type": item.media_type,
        "size": item.size,
        "sha256": item.sha256,
        "added_at": item.added_at.isoformat(),
        "person": item.person.code if item.person is not None else None,
    }


def incident_record(
    incident: Incident, *, key: RegisterKey | None, include_names: bool
) -> dict[str, Any]:
    """The record as it may leave the committee (see the module's rules)."""
    acts = (
        Act.objects.filter(incident=incident)
        .select_related("victim")
        .prefetch_related("victim__consents", "involvements__actor")
        .order_by("pk")
    )
    evidence_items, withheld = _shareable_evidence(incident)
    return {
        "uid": str(incident.uid),
        "id": incident.pk,
        "committee": incident.committee_id,
        "public_summary": incident.public_summary,
        "start_date": incident.start_date.isoformat(),
        "start_precision": incident.start_precision,
        "end_date": incident.end_date.isoformat() if incident.end_date else None,
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
        "state": incident.state,
        "violation_status": incident.violation_status,
        "acts": [
            {
                "act_type": act.act_type,
                "method": act.method,
                "started_on": act.started_on.isoformat() if act.started_on else None,
                "ended_on": act.ended_on.isoformat() if act.ended_on else None,
                "end_status": act.end_status,
                "victim": _victim(act.victim, key, include_names),
                "involvements": [
                    {"actor": i.actor.name, "kind": i.actor.kind, "degree": i.degree}
                    for i in act.involvements.all()
                ],
            }
            for act in acts
        ],
        "sources": [
            {
                "source_type": s.source_type,
                "connection": s.connection,
                "reliability": s.reliability,
            }
            for s in Source.objects.filter(incident=incident).order_by("pk")
        ],
        "evidence": [_evidence_entry(item) for item in evidence_items],
        "evidence_withheld": withheld,
    }


# --- the partner export --------------------------------------------------------------------


def partner_export(
    *, actor: Member, committee: Node, key: RegisterKey | None, include_names: bool = False
) -> dict[str, Any]:
    """The committee's verified, unarchived records for a partner
    organisation, as consent allows; for its documenters. Audited."""
    access.require_documenter(Viewer.of(actor), committee)
    incidents = list(
        Incident.objects.filter(
            committee=committee, state=VerificationState.VERIFIED, archived_at__isnull=True
        ).order_by("start_date", "pk")
    )
    if include_names:
        _check_names(incidents, key, committee.pk)
    records = [incident_record(i, key=key, include_names=include_names) for i in incidents]
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="incidents.partner_export",
            target=committee,
            data={"incidents": [i.pk for i in incidents], "names": include_names},
        )
    return {
        "format": PARTNER_FORMAT,
        "committee": committee.pk,
        "created_at": timezone.now().isoformat(),
        "names_included": include_names,
        "incidents": records,
    }


# --- the evidence package ------------------------------------------------------------------


@dataclass(frozen=True)
class PackageSummary:
    package: str
    items: int
    withheld: int


def _json_bytes(value: object) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def _readme(package_id: str, incident: Incident) -> bytes:
    text = f"""Evidence package {package_id}
Incident {incident.uid}, made with asamblea ({FORMAT}).

Check the files (Linux, macOS with coreutils, or Git Bash on Windows):

    unzip package.zip -d package && cd package
    sha256sum -c SHA256SUMS

Every line must end in "OK". manifest.json gives, for each original under
evidence/, its SHA-256 as computed when it was received; it must equal the
line of SHA256SUMS for that file.

Custody: custody/<uid>.json lists who added, sealed, viewed, downloaded,
exported and time-stamped the item. Each entry's entry_hash is the SHA-256 of
its prev_hash (64 hexadecimal characters, as ASCII) followed by the RFC 8785
canonical JSON of its fields evidence, seq, at, actor, actor_label, action
and data; the first prev_hash is 64 zeros, and the first entry's data holds
the original's SHA-256. manifest.json names the last entry_hash (the head)
at the time of export.

Time-stamps (if present): timestamps/<uid>.tsr is an RFC 3161 token over the
original's SHA-256. With the authority's certificate chain (tsa.pem):

    openssl ts -verify -digest <sha256 from manifest.json> \\
        -in timestamps/<uid>.tsr -token_in -CAfile tsa.pem

With asamblea installed, `manage.py verify_evidence_package package.zip`
checks all of the above at once.

Private descriptions, source notes and persons who did not consent to share
with an outside organisation or court are not in this package.
"""
    return text.encode()


def _write_original(
    archive: zipfile.ZipFile, name: str, item: Evidence, actor: Member, key: RegisterKey
) -> None:
    digest = hashlib.sha256()
    try:
        with archive.open(name, "w", force_zip64=True) as target:
            for chunk in evidence.open_original_for_export(actor=actor, evidence=item, key=key):
                digest.update(chunk)
                target.write(chunk)
    except (DecryptionFailed, FileNotFoundError) as exc:
        raise Conflict(
            _("The stored file of an evidence item cannot be opened; nothing exported.")
        ) from exc
    if digest.hexdigest() != item.sha256:
        raise Conflict(
            _("The stored file of an evidence item no longer matches its hash; nothing exported.")
        )


def build_package(
    *,
    actor: Member,
    incident: Incident,
    key: RegisterKey | None,
    target: BinaryIO,
    include_names: bool = False,
) -> PackageSummary:
    """Write the evidence package of ``incident`` to ``target`` (a zip) and
    append ``exported`` to each included item's chain, all or nothing (the
    caller discards ``target`` on an exception). For the committee's
    documenters with the register unlocked: it holds sealed originals."""
    access.check_package(Viewer.of(actor), incident)
    if key is None or key.committee_id != incident.committee_id:
        raise RegisterLocked()
    if include_names:
        _check_names([incident], key, incident.committee_id)
    record = incident_record(incident, key=key, include_names=include_names)
    items, withheld = _shareable_evidence(incident)
    package_id = str(uuid.uuid4())
    sums: dict[str, str] = {}
    stamps = {s.evidence_id: s for s in EvidenceTimestamp.objects.filter(evidence__in=items)}
    with transaction.atomic(), zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:

        def put(name: str, data: bytes) -> None:
            archive.writestr(name, data)
            sums[name] = hashlib.sha256(data).hexdigest()

        manifest_items = []
        for item in items:
            custody.append(
                evidence=item,
                action=CustodyAction.EXPORTED,
                actor=actor,
                data={"package": package_id, "names": include_names},
            )
            name = f"evidence/{item.uid}.{item.extension}"
            _write_original(archive, name, item, actor, key)
            sums[name] = item.sha256
            chain = custody.entries_of(item)
            put(f"custody/{item.uid}.json", _json_bytes(chain))
            entry = {
                **_evidence_entry(item),
                "file": name,
                "custody": f"custody/{item.uid}.json",
                "custody_head": chain[-1]["entry_hash"],
                "timestamp": None,
            }
            stamp = stamps.get(item.pk)
            if stamp is not None:
                token_name = f"timestamps/{item.uid}.tsr"
                put(token_name, bytes(stamp.token))
                entry["timestamp"] = {
                    "file": token_name,
                    "gen_time": stamp.gen_time.isoformat(),
                    "authority": stamp.tsa_url,
                }
            manifest_items.append(entry)
        put("incident.json", _json_bytes(record))
        manifest = {
            "format": FORMAT,
            "package": package_id,
            "incident": str(incident.uid),
            "created_at": timezone.now().isoformat(),
            "names_included": include_names,
            "items": manifest_items,
            "withheld": withheld,
        }
        put("manifest.json", _json_bytes(manifest))
        put("README.txt", _readme(package_id, incident))
        archive.writestr(
            "SHA256SUMS", "".join(f"{digest}  {name}\n" for name, digest in sorted(sums.items()))
        )
        audit.record(
            actor=actor,
            action="incidents.evidence_package.exported",
            target=incident,
            data={"package": package_id, "items": [i.pk for i in items], "names": include_names},
        )
    return PackageSummary(package=package_id, items=len(items), withheld=withheld)


# --- checking a package without the server ----------------------------------------------


def _file_hash(archive: zipfile.ZipFile, name: str) -> str:
    digest = hashlib.sha256()
    with archive.open(name) as source:
        for chunk in iter(lambda: source.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_item(
    archive: zipfile.ZipFile, item: Mapping[str, Any], sums: dict[str, str]
) -> list[str]:
    problems = []
    name = str(item["file"])
    if sums.get(name) != item["sha256"]:
        problems.append(f"{name}: its hash is not the one recorded on arrival")
    chain = json.loads(archive.read(str(item["custody"])))
    report = custody.verify_entries(
        chain, evidence_uid=str(item["uid"]), sha256=str(item["sha256"]), size=int(item["size"])
    )
    if not report.ok:
        problems.append(f"{item['custody']}: entry {report.first_broken_seq}: {report.reason}")
    elif report.head != item["custody_head"]:
        problems.append(f"{item['custody']}: the chain does not end at the head exported")
    stamp = item.get("timestamp")
    if stamp:
        try:
            timestamps.verify(archive.read(str(stamp["file"])), bytes.fromhex(str(item["sha256"])))
        except timestamps.TimestampError as exc:
            problems.append(f"{stamp['file']}: {exc}")
    return problems


def verify_package(source: BinaryIO | str) -> list[str]:
    """Every problem found in a package (an empty list: it checks out)."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        return [f"not a zip file: {exc}"]
    with archive:
        names = set(archive.namelist())
        if "SHA256SUMS" not in names or "manifest.json" not in names:
            return ["SHA256SUMS or manifest.json is missing"]
        listed: dict[str, str] = {}
        for line in archive.read("SHA256SUMS").decode().splitlines():
            digest, _sep, name = line.partition("  ")
            listed[name] = digest
        problems = [
            f"{name}: not listed in SHA256SUMS"
            for name in sorted(names - set(listed) - {"SHA256SUMS"})
        ]
        actual: dict[str, str] = {}
        for name, digest in sorted(listed.items()):
            if name not in names:
                problems.append(f"{name}: missing")
                continue
            actual[name] = _file_hash(archive, name)
            if actual[name] != digest:
                problems.append(f"{name}: its SHA-256 does not match SHA256SUMS")
        manifest = json.loads(archive.read("manifest.json"))
        for item in manifest.get("items", []):
            problems.extend(_check_item(archive, item, actual))
    return problems
