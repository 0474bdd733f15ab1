"""Append to and verify the hash-chained audit log.

Entry body (hashed as RFC 8785 canonical JSON)::

    {"seq", "at" (ISO 8601 UTC), "actor" (id or null), "actor_label", "action",
     "object_type", "object_id", "data"}

``entry_hash = sha256(prev_hash_hex_ascii || canonical_body)`` in hex.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import rfc8785
from django.db import models, transaction
from django.utils import timezone

from asamblea.core.models import GENESIS_HASH, AuditEntry, AuditHead


def _body(
    *,
    seq: int,
    at: str,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    data: dict[str, Any],
) -> dict[str, Any]:
    return {
        "seq": seq,
        "at": at,
        "actor": actor_id,
        "actor_label": actor_label,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "data": data,
    }


def compute_hash(prev_hash: str, body: dict[str, Any]) -> str:
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(rfc8785.dumps(body))
    return digest.hexdigest()


def record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Must run inside the caller's transaction so that the
    state change and its audit entry commit or roll back together."""
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or str(target.pk)
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    actor_label = str(getattr(actor, "pseudonym", "")) if actor is not None else ""
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        at = timezone.now()
        seq = head.seq + 1
        body = _body(
            seq=seq,
            at=at.isoformat(),
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            data=data or {},
        )
        entry_hash = compute_hash(head.entry_hash, body)
        entry = AuditEntry.objects.create(
            seq=seq,
            at=at,
            actor_ref=actor_id,
            actor_label=actor_label,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            data=data or {},
            prev_hash=head.entry_hash,
            entry_hash=entry_hash,
        )
        head.seq = seq
        head.entry_hash = entry_hash
        head.save(update_fields=["seq", "entry_hash"])
    return entry


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_seq: int | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.first_broken_seq is None


def _entries() -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)


def verify_chain() -> ChainReport:
    """Walk the whole log and return the first entry whose link or hash is wrong."""
    prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for entry in _entries():
        if entry.seq != expected_seq:
            return ChainReport(checked, expected_seq, "missing entry")
        if entry.prev_hash != prev:
            return ChainReport(checked, entry.seq, "previous hash does not match")
        body = _body(
            seq=entry.seq,
            at=entry.at.astimezone(UTC).isoformat(),
            actor_id=entry.actor_ref,
            actor_label=entry.actor_label,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            data=entry.data,
        )
        if compute_hash(prev, body) != entry.entry_hash:
            return ChainReport(checked, entry.seq, "content does not match its hash")
        prev = entry.entry_hash
        expected_seq += 1
        checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and head.seq != checked:
        return ChainReport(checked, checked + 1, "log is shorter than its head")
    return ChainReport(checked, None, "")
