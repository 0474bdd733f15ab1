"""Results of a poll at every level of the tree, from the frozen snapshot:
one roll-up engine for every method.

Three aggregate queries read the whole poll (ballots grouped by committee and
content, the electorate and the ledger grouped by committee) and one query
reads the paths of the subtree; the rest is a roll-up in Python, walking each
committee's path up to the poll's node, and one count per level by
:class:`asamblea.voting.counting.LevelCounter` (the methods library, ties
broken by lot with the poll's seed). This keeps a poll of a million ballots in
ten thousand committees within a couple of seconds on PostgreSQL.

Aggregation modes:

* pooled: every ballot counts once, with its weight, at every level.
* by committee (members / equal): each committee's own result decides its
  block (its entitled weight, or 1); higher levels count the blocks as
  ballots for the option each committee chose. A committee where nobody
  voted, or whose result is no quorum or nothing to decide, casts no block
  (it counts as not taking part at the levels above). Only methods whose
  result at a committee is one option allow it
  (``rules.BLOCK_AGGREGATION_METHODS``).
* delegates: as by committee (members), and each committee's cast is recorded
  as a ``DelegateCast`` naming its active delegate at the close, or no one.

Counts are weighted (membership weight); ``entitled`` and ``voted`` on a
``PollResult`` are people, for turnout. Quorum compares weights.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Model, Sum
from django.utils import timezone

from asamblea.federation.models import Mandate, Node
from asamblea.voting import rules
from asamblea.voting.counting import (
    BallotKey,
    LevelCount,
    LevelCounter,
    grouped_ballots,
)
from asamblea.voting.models import (
    Aggregation,
    DelegateCast,
    ElectorateEntry,
    Method,
    Outcome,
    Poll,
    PollResult,
    VoteLedger,
)

# Marks a committee row stored without its arithmetic (see ``expand_details``).
COMPACT = "compact"
BLOCK_MODES = frozenset(
    {Aggregation.BY_COMMITTEE_MEMBERS, Aggregation.BY_COMMITTEE_EQUAL, Aggregation.DELEGATES}
)


@dataclass
class _Level:
    groups: dict[BallotKey, int] = field(default_factory=dict)
    participants: int = 0  # weight that took part (ballots, or blocks cast)
    entitled_weight: int = 0  # weight entitled (members' weight, or blocks)
    entitled: int = 0  # people
    voted: int = 0  # people


@dataclass
class Tally:
    results: list[PollResult]
    casts: list[DelegateCast]


def _count(counter: LevelCounter, level: _Level, *, explain: bool = True) -> LevelCount:
    return counter.count(
        level.groups,
        participants=level.participants,
        entitled_weight=level.entitled_weight,
        explain=explain,
    )


def _depth(path: str) -> int:
    """Depth of a node from its materialised path (the root is 0)."""
    return path.count("/") - 1


def _parent(path: str) -> int:
    """Id of the parent of the node at ``path``. Precondition: not the root."""
    return int(path.split("/")[-3])


def _merge(target: _Level, part: _Level) -> None:
    """Add ``part`` into ``target``."""
    groups = target.groups
    for key, weight in part.groups.items():
        groups[key] = groups.get(key, 0) + weight
    target.participants += part.participants
    target.entitled_weight += part.entitled_weight
    target.entitled += part.entitled
    target.voted += part.voted


def _stored_compact(poll: Poll, committee_id: int) -> bool:
    """Whether a committee's row is stored without its arithmetic: below the
    poll's node, and only where the stored counts are the whole profile (one
    choice per ballot), so that :func:`expand_details` recomputes exactly
    what was counted."""
    return committee_id != poll.node_id and poll.method in (Method.YES_NO_ABSTAIN, Method.SINGLE)


def expand_details(*, poll: Poll, results: Iterable[PollResult]) -> None:
    """Give each of ``results`` its full ``detail`` (the policy arithmetic,
    or the winners and the explanation), in place.

    Committee rows below the poll's node of yes/no/abstain and single-choice
    polls are stored compact, with the weights that took part and were
    entitled only: the rest follows from their counts (one choice per ballot)
    and the poll's policy and seed, and recomputing it when shown costs
    nothing next to writing it ten thousand times at the close. Other rows
    keep their ``detail`` as stored.
    """
    counter: LevelCounter | None = None
    for result in results:
        detail: dict[str, Any] = result.detail
        if not detail.get(COMPACT):
            continue
        counter = counter or LevelCounter(poll)
        groups: dict[BallotKey, int] = {
            (int(p),): int(n) for p, n in result.counts.items() if int(n) > 0
        }
        full = counter.count(
            groups,
            participants=detail["participants"],
            entitled_weight=detail["entitled_weight"],
        ).detail
        full["aggregation"] = detail.get("aggregation", poll.aggregation)
        full["blocks"] = detail.get("blocks", False)
        result.detail = full


def block_choice(counted: LevelCount, participants: int) -> int | None:
    """The option a committee's block goes to, or None when it casts nothing."""
    if participants == 0:
        return None
    if counted.outcome == Outcome.CARRIED:
        return rules.YES
    if counted.outcome == Outcome.REJECTED:
        return rules.NO
    if counted.outcome == Outcome.DECIDED:
        winner: int = counted.detail["winners"][0]
        return winner
    return None


def _per_committee(poll: Poll, option_count: int) -> dict[int, _Level]:
    """Each committee's own ballots (grouped), electorate and turnout."""
    kind = rules.ballot_kind(poll.method)
    per_committee: dict[int, _Level] = defaultdict(_Level)
    for committee_id, key, weight in grouped_ballots(poll, kind, option_count):
        level = per_committee[committee_id]
        level.groups[key] = level.groups.get(key, 0) + weight
        level.participants += weight
    for committee_id, people, weight in (
        ElectorateEntry.objects.filter(poll=poll)
        .values("committee_id")
        .annotate(n=Count("id"), w=Sum("weight"))
        .order_by()
        .values_list("committee_id", "n", "w")
    ):
        level = per_committee[committee_id]
        level.entitled = people
        level.entitled_weight = weight
    for committee_id, people in (
        VoteLedger.objects.filter(poll=poll)
        .values("committee_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("committee_id", "n")
    ):
        per_committee[committee_id].voted = people
    return per_committee


def tally(*, poll: Poll) -> Tally:
    """Count ``poll`` from its snapshot without writing anything.

    Precondition: the poll has been opened (its electorate is frozen).
    """
    counter = LevelCounter(poll)
    top_depth = _depth(poll.node.path)
    subtree_paths = dict(
        Node.objects.filter(path__startswith=poll.node.path).values_list("id", "path")
    )
    per_committee = _per_committee(poll, len(counter.names))

    blocks = poll.aggregation in BLOCK_MODES and poll.method in rules.BLOCK_AGGREGATION_METHODS
    levels: dict[int, _Level] = {}
    by_depth: dict[int, list[int]] = defaultdict(list)
    counted: dict[int, LevelCount] = {}
    committee_casts: dict[int, tuple[int | None, int]] = {}
    for committee_id, own in per_committee.items():
        if committee_id not in subtree_paths:
            continue  # a committee moved out of the subtree after the snapshot
        levels[committee_id] = own
        by_depth[_depth(subtree_paths[committee_id])].append(committee_id)
        if blocks:
            counted[committee_id] = _count(
                counter, own, explain=not _stored_compact(poll, committee_id)
            )
            block = 1 if poll.aggregation == Aggregation.BY_COMMITTEE_EQUAL else own.entitled_weight
            choice = block_choice(counted[committee_id], own.participants)
            committee_casts[committee_id] = (choice, block)
    # Bottom-up, deepest first, so that each node is added once to its parent
    # (not each committee to every ancestor): a committee passes up its
    # ballots (pooled) or its block; a node above committees all it gathered.
    for depth in range(max(by_depth, default=top_depth), top_depth, -1):
        for node_id in by_depth.pop(depth, []):
            parent_id = _parent(subtree_paths[node_id])
            parent = levels.get(parent_id)
            if parent is None:
                parent = levels[parent_id] = _Level()
                by_depth[depth - 1].append(parent_id)
            level = levels[node_id]
            cast = committee_casts.get(node_id)
            if cast is None:
                _merge(parent, level)
                continue
            choice, block = cast
            if choice is not None:
                parent.groups[(choice,)] = parent.groups.get((choice,), 0) + block
                parent.participants += block
            parent.entitled_weight += block
            parent.entitled += level.entitled
            parent.voted += level.voted

    now = timezone.now()
    results = []
    for node_id, level in levels.items():
        compact = node_id in per_committee and _stored_compact(poll, node_id)
        result = counted.get(node_id) or _count(counter, level, explain=not compact)
        detail = result.detail
        if compact:
            # Thousands of committee rows: keep only what the arithmetic cannot
            # be recomputed without (see ``expand_details``).
            detail = {
                COMPACT: True,
                "participants": level.participants,
                "entitled_weight": level.entitled_weight,
            }
        detail["aggregation"] = poll.aggregation
        detail["blocks"] = blocks and node_id not in per_committee
        results.append(
            # poll_id, not poll: the related descriptor costs more than the row
            # for ten thousand results.
            PollResult(
                poll_id=poll.pk,
                node_id=node_id,
                counts=result.counts,
                entitled=level.entitled,
                voted=level.voted,
                quorum_met=result.quorum_met,
                outcome=result.outcome,
                detail=detail,
                computed_at=now,
            )
        )

    casts: list[DelegateCast] = []
    if blocks and poll.aggregation == Aggregation.DELEGATES:
        delegates: dict[int, int] = {}
        for committee_id, delegate_id in (
            Mandate.objects.filter(
                committee__path__startswith=poll.node.path, ended_at__isnull=True
            )
            .order_by("started_at", "pk")
            .values_list("committee_id", "delegate_id")
        ):
            delegates.setdefault(committee_id, delegate_id)
        for committee_id, (choice, block) in committee_casts.items():
            if committee_id == poll.node_id:
                continue  # a committee's own poll has no level above to cast at
            casts.append(
                DelegateCast(
                    poll_id=poll.pk,
                    committee_id=committee_id,
                    delegate_id=delegates.get(committee_id),
                    counts={str(choice): block} if choice is not None else {},
                    weight=block,
                    recorded_at=now,
                )
            )
    return Tally(results=results, casts=casts)


def _copy_rows(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write ``rows`` into ``model``'s table with PostgreSQL ``COPY``, in the
    current transaction. ``columns`` are column names; JSON values are given
    as text.

    Precondition: the default connection is PostgreSQL.
    """
    quote = connection.ops.quote_name
    statement = "COPY {} ({}) FROM STDIN".format(
        quote(model._meta.db_table), ", ".join(quote(c) for c in columns)
    )
    # COPY is not in Django's API: use the psycopg cursor under Django's, which
    # shares its connection and transaction.
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def store_counted(counted: Tally, poll: Poll) -> None:
    """Write the results and casts. Precondition: inside a transaction."""
    if connection.vendor != "postgresql":
        PollResult.objects.bulk_create(counted.results, batch_size=2000)
        DelegateCast.objects.bulk_create(counted.casts, batch_size=2000)
        return
    # A million-ballot poll stores about ten thousand rows per level kind;
    # COPY writes them several times faster than bulk_create's INSERTs, whose
    # parameters (JSON texts in arrays) cost more than the rows themselves.
    _copy_rows(
        PollResult,
        (
            "poll_id",
            "node_id",
            "counts",
            "entitled",
            "voted",
            "quorum_met",
            "outcome",
            "detail",
            "computed_at",
        ),
        (
            (
                poll.pk,
                r.node_id,
                _json(r.counts),
                r.entitled,
                r.voted,
                r.quorum_met,
                r.outcome,
                _json(r.detail),
                r.computed_at,
            )
            for r in counted.results
        ),
    )
    _copy_rows(
        DelegateCast,
        ("poll_id", "committee_id", "delegate_id", "counts", "weight", "recorded_at"),
        (
            (poll.pk, c.committee_id, c.delegate_id, _json(c.counts), c.weight, c.recorded_at)
            for c in counted.casts
        ),
    )


def compute_results(*, poll: Poll) -> list[PollResult]:
    """Count ``poll`` and store a ``PollResult`` per level (and the delegates'
    casts), replacing any stored before. Runs inside the caller's transaction
    when there is one. The returned results are the stored rows' values; on
    PostgreSQL they carry no primary key (they are written with COPY)."""
    counted = tally(poll=poll)
    with transaction.atomic():
        PollResult.objects.filter(poll=poll).delete()
        DelegateCast.objects.filter(poll=poll).delete()
        store_counted(counted, poll)
    return counted.results
