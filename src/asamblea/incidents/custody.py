"""The custody chain of each evidence item: who added, sealed, viewed,
downloaded, exported or time-stamped it, and when.

Each item has its own chain. Entry body (hashed as RFC 8785 canonical JSON)::

    {"evidence" (the item's uid), "seq", "at" (ISO 8601 UTC),
     "actor" (member id or null), "actor_label", "action", "data"}

``entry_hash = sha256(prev_hash_hex_ascii || canonical_body)`` in hex, the
first entry's ``prev_hash`` being 64 zeros. The first entry (``added``) holds
the item's SHA-256, size and type, so that a changed hash on the item row is
caught as well. :func:`verify_entries` works on plain dicts: the evidence
package carries the chain as JSON and is checked with the same function,
without the server.

What the chain does not show on its own: an entry cut off at the end. Each
append is also an entry of the global audit log (with the new entry's hash),
and each package carries the head it was made at, so that a shortened chain
no longer matches a head held elsewhere.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import rfc8785
from django.db import transaction
from django.utils import timezone

from asamblea.accounts.models import Member
from asamblea.core import audit
from asamblea.core.actors import SYSTEM, SYSTEM_LABEL, SystemActor
from asamblea.core.models import GENESIS_HASH
from asamblea.incidents.codes import CustodyAction
from asamblea.incidents.models import CustodyEntry, Evidence


def body(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The hashed part of an entry given as a dict (the package's JSON)."""
    return {
        "evidence": str(entry["evidence"]),
        "seq": int(entry["seq"]),
        "at": str(entry["at"]),
        "actor": entry["actor"],
        "actor_label": str(entry["actor_label"]),
        "action": str(entry["action"]),
        "data": entry["data"],
    }


def compute_hash(prev_hash: str, entry_body: Mapping[str, Any]) -> str:
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(rfc8785.dumps(dict(entry_body)))
    return digest.hexdigest()


def as_dict(entry: CustodyEntry, evidence_uid: object) -> dict[str, Any]:
    return {
        "evidence": str(evidence_uid),
        "seq": entry.seq,
        "at": entry.at.astimezone(UTC).isoformat(),
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "data": entry.data,
        "prev_hash": entry.prev_hash,
        "entry_hash": entry.entry_hash,
    }


def append(
    *,
    evidence: Evidence,
    action: str,
    actor: Member | SystemActor,
    data: dict[str, Any] | None = None,
) -> CustodyEntry:
    """Append one entry to ``evidence``'s chain and its mirror to the audit
    log. Runs in the caller's transaction; takes the item's row lock so that
    two appends never share a ``seq``."""
    if action not in CustodyAction.values:
        raise ValueError(f"unknown custody action {action!r}")
    with transaction.atomic():
        Evidence.objects.select_for_update().filter(pk=evidence.pk).first()
        last = CustodyEntry.objects.filter(evidence=evidence).order_by("-seq").first()
        seq = 1 if last is None else last.seq + 1
        prev = GENESIS_HASH if last is None else last.entry_hash
        actor_id = None if actor is SYSTEM else actor.pk
        label = SYSTEM_LABEL if actor is SYSTEM else str(actor.pseudonym)
        at = timezone.now()
        entry = CustodyEntry(
            evidence=evidence,
            seq=seq,
            action=action,
            actor_id=actor_id,
            actor_label=label,
            at=at,
            data=data or {},
            prev_hash=prev,
        )
        entry.entry_hash = compute_hash(prev, body(as_dict(entry, evidence.uid)))
        entry.save()
        audit.record(
            actor=actor,
            action=f"incidents.evidence.{action}",
            target=evidence,
            data={"incident": evidence.incident_id, "seq": seq, "entry_hash": entry.entry_hash},
        )
    return entry


@dataclass(frozen=True)
class CustodyReport:
    checked: int
    first_broken_seq: int | None
    reason: str
    head: str

    @property
    def ok(self) -> bool:
        return self.first_broken_seq is None


def verify_entries(
    entries: Iterable[Mapping[str, Any]],
    *,
    evidence_uid: str,
    sha256: str,
    size: int | None = None,
) -> CustodyReport:
    """Walk a chain given as dicts (ordered by ``seq``): each link, each
    hash, and the first entry's record of the file's hash."""
    prev = GENESIS_HASH
    checked = 0
    for expected_seq, entry in enumerate(entries, start=1):
        seq = int(entry.get("seq", 0))
        if seq != expected_seq:
            return CustodyReport(checked, expected_seq, "missing entry", prev)
        if str(entry.get("evidence")) != evidence_uid:
            return CustodyReport(checked, seq, "entry of another item", prev)
        if entry.get("prev_hash") != prev:
            return CustodyReport(checked, seq, "previous hash does not match", prev)
        if compute_hash(prev, body(entry)) != entry.get("entry_hash"):
            return CustodyReport(checked, seq, "content does not match its hash", prev)
        if seq == 1:
            data = entry.get("data") or {}
            if entry.get("action") != CustodyAction.ADDED or data.get("sha256") != sha256:
                return CustodyReport(checked, seq, "the file's hash is not the one recorded", prev)
            if size is not None and data.get("size") != size:
                return CustodyReport(checked, seq, "the file's size is not the one recorded", prev)
        prev = str(entry["entry_hash"])
        checked += 1
    if checked == 0:
        return CustodyReport(0, 1, "missing entry", prev)
    return CustodyReport(checked, None, "", prev)


def entries_of(evidence: Evidence) -> list[dict[str, Any]]:
    return [
        as_dict(entry, evidence.uid)
        for entry in CustodyEntry.objects.filter(evidence=evidence).order_by("seq")
    ]


def verify(evidence: Evidence) -> CustodyReport:
    """Check the stored chain of ``evidence`` against itself and the item row."""
    return verify_entries(
        entries_of(evidence),
        evidence_uid=str(evidence.uid),
        sha256=evidence.sha256,
        size=evidence.size,
    )
