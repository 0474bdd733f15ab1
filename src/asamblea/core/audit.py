"""Append to and verify the hash-chained audit log.

Entry body (hashed as RFC 8785 canonical JSON)::

    {"seq", "at" (ISO 8601 UTC), "actor" (id or null), "actor_label", "action",
     "object_type", "object_id", "data"}

``entry_hash = sha256(prev_hash_hex_ascii || canonical_body)`` in hex.

The head (the last sequence number and its hash) is published (API, results
pages, minutes) so that members hold copies outside the server; a chain that
an operator rewrites and re-hashes no longer extends a head printed earlier,
which :func:`check_head` detects.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import rfc8785
from django.db import models, transaction
from django.utils import timezone

from asamblea.core.actors import SYSTEM, SYSTEM_LABEL
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
    state change and its audit entry commit or roll back together. ``actor``
    is a member or ``core.actors.SYSTEM`` (labelled "system", no id)."""
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or str(target.pk)
    if actor is None:
        # The system acts as ``core.actors.SYSTEM``; a missing actor is a bug.
        raise TypeError("audit.record needs an actor: a member or core.actors.SYSTEM")
    actor_id = None if actor is SYSTEM else actor.pk
    actor_label = SYSTEM_LABEL if actor is SYSTEM else str(actor.pseudonym)
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
    if head is not None and head.entry_hash != prev:
        # The head row is what the next entry chains from and what was
        # published last: it must be the last entry's hash.
        return ChainReport(checked, head.seq, "head does not match the last entry")
    return ChainReport(checked, None, "")


# --- the published head ------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    """The chain's head as published: ``seq`` entries, the last one's ``hash``,
    and the time it was appended (None while the log is empty)."""

    seq: int
    hash: str
    at: datetime | None

    @property
    def token(self) -> str:
        """``SEQ:HASH``, the form ``verify_audit --expect`` reads back."""
        return f"{self.seq}:{self.hash}"


def current_head() -> Head:
    """The head as it stands now (genesis, seq 0, for an empty log): read from
    the last entry itself, so that what is published is what the log holds."""
    last = AuditEntry.objects.order_by("-seq").values_list("seq", "entry_hash", "at").first()
    if last is None:
        return Head(seq=0, hash=GENESIS_HASH, at=None)
    seq, entry_hash, at = last
    return Head(seq=seq, hash=entry_hash, at=at)


_HEAD_TOKEN = re.compile(r"(?P<seq>[0-9]{1,18}):(?P<hash>[0-9a-fA-F]{64})")


def parse_head(text: str) -> tuple[int, str]:
    """Read ``SEQ:HASH`` (as printed with every result); ValueError if malformed."""
    match = _HEAD_TOKEN.fullmatch(text.strip())
    if match is None:
        raise ValueError(
            f"{text!r} is not a head: expected SEQ:HASH, a sequence number, a colon "
            "and 64 hexadecimal digits"
        )
    return int(match["seq"]), match["hash"].lower()


def check_head(*, seq: int, entry_hash: str) -> str:
    """Return "" when the entry ``seq`` still carries ``entry_hash``, else why not.

    Only meaningful together with :func:`verify_chain`: an intact chain whose
    entry ``seq`` has the published hash contains, unchanged, every entry up to
    ``seq`` that existed when that head was published (each hash commits to all
    before it)."""
    if seq == 0:
        if entry_hash == GENESIS_HASH:
            return ""
        return "head #0 is the empty log, whose hash is the genesis hash"
    stored = AuditEntry.objects.filter(seq=seq).values_list("entry_hash", flat=True).first()
    if stored is None:
        count = AuditEntry.objects.count()
        return (
            f"the log has no entry #{seq} (it holds {count}): entries published "
            "earlier were removed"
        )
    if stored != entry_hash:
        return (
            f"entry #{seq} has hash {stored}, not {entry_hash} as published: "
            "the log was rewritten at or before this entry"
        )
    return ""


def last_entry_for(*, action: str, target: models.Model) -> AuditEntry | None:
    """The latest entry of ``action`` on ``target`` (e.g. the result recorded
    when a poll closed), or None."""
    return (
        AuditEntry.objects.filter(
            action=action, object_type=target._meta.label_lower, object_id=str(target.pk)
        )
        .order_by("-seq")
        .first()
    )
