"""Opening a poll: freeze its electorate, draw its key and seed."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asamblea.core import audit
from asamblea.core.errors import Conflict
from asamblea.federation.access import Actor
from asamblea.federation.models import Membership, NodeKind
from asamblea.voting.encrypted.services import open_election
from asamblea.voting.errors import EmptyElectorate
from asamblea.voting.models import ElectorateEntry, Poll, PollState
from asamblea.voting.services.secrecy import check_equal_weights

SNAPSHOT_BATCH = 5_000


def _freeze_electorate(poll: Poll) -> int:
    """Write the snapshot: every active member of every committee at or under
    the poll's node, with the membership weight. A member of two committees
    there votes once, from the committee joined first."""
    seen: set[int] = set()
    batch: list[ElectorateEntry] = []
    total = 0
    rows = (
        Membership.objects.filter(
            ended_at__isnull=True,
            node__kind=NodeKind.COMMITTEE,
            node__path__startswith=poll.node.path,
            member__is_active=True,
        )
        .order_by("joined_at", "pk")
        .values_list("member_id", "node_id", "weight")
    )
    for member_id, committee_id, weight in rows.iterator(chunk_size=SNAPSHOT_BATCH):
        if member_id in seen:
            continue
        seen.add(member_id)
        batch.append(
            ElectorateEntry(
                poll=poll, member_id=member_id, committee_id=committee_id, weight=weight
            )
        )
        if len(batch) >= SNAPSHOT_BATCH:
            ElectorateEntry.objects.bulk_create(batch)
            total += len(batch)
            batch = []
    ElectorateEntry.objects.bulk_create(batch)
    return total + len(batch)


def open_locked(actor: Actor, poll: Poll, *, scheduled: bool = False) -> Poll:
    """Open a locked draft poll. Precondition: inside a transaction.

    ``EmptyElectorate`` when nobody could vote; ``UnequalWeights`` when the
    poll is secret and members of one committee have different weights (the
    caller's transaction must then roll back the electorate written)."""
    if poll.state != PollState.DRAFT:
        raise Conflict(_("Only a poll that has not opened yet can be opened."))
    entitled = _freeze_electorate(poll)
    if entitled == 0:
        raise EmptyElectorate()
    if poll.secret:
        check_equal_weights(poll)
    if poll.encrypted:
        open_election(actor, poll)
    poll.state = PollState.OPEN
    poll.opened_at = timezone.now()
    poll.ballot_key = secrets.token_hex(32)
    # The seed of every draw by lot is fixed now, before any ballot, and shown
    # with the result; the audit log commits to it without revealing it early.
    poll.seed = secrets.token_hex(16)
    poll.save(update_fields=["state", "opened_at", "ballot_key", "seed"])
    audit.record(
        actor=actor,
        action="poll.opened",
        target=poll,
        data={
            "entitled": entitled,
            "seed_sha256": hashlib.sha256(poll.seed.encode("ascii")).hexdigest(),
            # The actor is SYSTEM; this says which part of it acted.
            **({"by": "scheduler"} if scheduled else {}),
        },
    )
    return poll
