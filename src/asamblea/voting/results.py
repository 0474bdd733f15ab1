"""Results of a poll at every level of the tree, from the frozen snapshot.

Three aggregate queries read the whole poll (ballots grouped by committee and
mask, the electorate and the ledger grouped by committee) and one query reads
the paths of the subtree; everything else is a roll-up in Python, walking each
committee's path up to the poll's node. This keeps a poll of a million ballots
in ten thousand committees within a couple of seconds on PostgreSQL.

Aggregation modes:

* pooled: every ballot counts once, with its weight, at every level.
* by committee (members / equal): each committee's own result decides its
  block (its entitled weight, or 1); higher levels add the blocks per option.
  A committee where nobody voted, or whose result is no quorum or a tie, casts
  no block (it counts as not taking part at the levels above).
* delegates: as by committee (members), and each committee's cast is recorded
  as a ``DelegateCast`` naming its active delegate at the close, or no one.

Block approval, consent, score, grades and rankings are counted pooled by the
methods library (``counting``).

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
from asamblea.voting import counting, rules
from asamblea.voting.methods.policy import evaluate_policy
from asamblea.voting.models import (
    Aggregation,
    Ballot,
    DelegateCast,
    ElectorateEntry,
    Method,
    Outcome,
    Poll,
    PollResult,
    VoteLedger,
)

# Marks a committee row stored without its arithmetic (see ``expand_detail``).
COMPACT = "compact"
BLOCK_MODES = frozenset(
    {Aggregation.BY_COMMITTEE_MEMBERS, Aggregation.BY_COMMITTEE_EQUAL, Aggregation.DELEGATES}
)


@dataclass
class _Level:
    counts: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    participants: int = 0  # weight that took part (ballots, or blocks cast)
    entitled_weight: int = 0  # weight entitled (members' weight, or blocks)
    entitled: int = 0  # people
    voted: int = 0  # people


@dataclass
class Tally:
    results: list[PollResult]
    casts: list[DelegateCast]


def _evaluate(poll: Poll, level: _Level, option_count: int) -> tuple[str, bool, dict[str, Any]]:
    """Outcome, quorum and the arithmetic, for one level."""
    if poll.method == Method.YES_NO_ABSTAIN:
        policy = rules.make_policy(
            majority_num=poll.majority_num,
            majority_den=poll.majority_den,
            majority_base=poll.majority_base,
            majority_strict=poll.majority_strict,
            quorum_num=poll.quorum_num,
            quorum_den=poll.quorum_den,
        )
        decision = evaluate_policy(
            policy,
            yes=level.counts.get(rules.YES, 0),
            no=level.counts.get(rules.NO, 0),
            abstain=level.counts.get(rules.ABSTAIN, 0),
            entitled=level.entitled_weight,
        )
        detail: dict[str, Any] = {
            "base": str(decision.base),
            "base_votes": decision.base_votes,
            "majority": decision.majority,
            "strict": decision.strict,
            "yes": decision.yes,
            "yes_scaled": decision.yes_scaled,
            "threshold_scaled": decision.threshold_scaled,
            "majority_met": decision.majority_met,
            "fraction": f"{decision.yes}/{decision.base_votes}",
            "quorum_required": decision.quorum_required,
            "participants": decision.participants,
            "entitled_weight": level.entitled_weight,
        }
        return str(decision.outcome), decision.quorum_met, detail
    met = rules.quorum_met(
        participants=level.participants,
        entitled=level.entitled_weight,
        quorum_num=poll.quorum_num,
        quorum_den=poll.quorum_den,
    )
    top = rules.plurality(level.counts, option_count=option_count)
    if not met:
        outcome = Outcome.NO_QUORUM
    elif top.decided:
        outcome = Outcome.DECIDED
    else:
        outcome = Outcome.TIE
    detail = {
        "winners": list(top.winners) if met else [],
        "top": top.top,
        "quorum_required": f"{poll.quorum_num}/{poll.quorum_den}",
        "participants": level.participants,
        "entitled_weight": level.entitled_weight,
    }
    return str(outcome), met, detail


def expand_detail(*, poll: Poll, result: PollResult) -> dict[str, Any]:
    """The full ``detail`` of a result (the policy arithmetic, or the winners).

    Committee rows below the poll's node are stored compact, with the weights
    that took part and were entitled only: the rest follows from their counts
    and the poll's policy, and recomputing it here costs nothing next to
    writing it ten thousand times at the close. Other rows are returned as
    stored.
    """
    detail: dict[str, Any] = result.detail
    if not detail.get(COMPACT):
        return detail
    level = _Level(
        counts=defaultdict(int, {int(p): n for p, n in result.counts.items()}),
        participants=detail["participants"],
        entitled_weight=detail["entitled_weight"],
    )
    _outcome, _met, full = _evaluate(poll, level, len(result.counts))
    full["aggregation"] = detail.get("aggregation", poll.aggregation)
    full["blocks"] = detail.get("blocks", False)
    return full


def _block_choice(
    poll: Poll, outcome: str, detail: dict[str, Any], participants: int
) -> int | None:
    """The option a committee's block goes to, or None when it casts nothing."""
    if participants == 0:
        return None
    if outcome == Outcome.CARRIED:
        return rules.YES
    if outcome == Outcome.REJECTED:
        return rules.NO
    if outcome == Outcome.DECIDED:
        winner: int = detail["winners"][0]
        return winner
    return None


def tally(*, poll: Poll) -> Tally:
    """Count ``poll`` from its snapshot without writing anything.

    Precondition: the poll has been opened (its electorate is frozen).
    """
    if rules.counted_by_library(poll.method):
        return Tally(results=counting.count_levels(poll), casts=[])
    option_count = poll.options.count()
    top_depth = poll.node.depth
    subtree_paths = dict(
        Node.objects.filter(path__startswith=poll.node.path).values_list("id", "path")
    )

    per_committee: dict[int, _Level] = defaultdict(_Level)
    for committee_id, mask, weight in (
        Ballot.objects.filter(poll=poll)
        .values("committee_id", "mask")
        .annotate(n=Count("id"), w=Sum("weight"))
        .order_by()
        .values_list("committee_id", "mask", "w")
    ):
        level = per_committee[committee_id]
        for position in rules.decode_mask(mask):
            level.counts[position] += weight
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

    blocks = poll.aggregation in BLOCK_MODES
    levels: dict[int, _Level] = defaultdict(_Level)
    evaluated: dict[int, tuple[str, bool, dict[str, Any]]] = {}
    committee_casts: dict[int, tuple[int | None, int]] = {}
    for committee_id, own in per_committee.items():
        path = subtree_paths.get(committee_id)
        if path is None:  # a committee moved out of the subtree after the snapshot
            continue
        lineage = [int(p) for p in path.split("/") if p][top_depth:]
        if blocks:
            evaluated[committee_id] = _evaluate(poll, own, option_count)
            outcome, _met, detail = evaluated[committee_id]
            block = 1 if poll.aggregation == Aggregation.BY_COMMITTEE_EQUAL else own.entitled_weight
            choice = _block_choice(poll, outcome, detail, own.participants)
            committee_casts[committee_id] = (choice, block)
        for node_id in lineage:
            if node_id == committee_id:
                levels[node_id] = own
                continue
            level = levels[node_id]
            level.entitled += own.entitled
            level.voted += own.voted
            if blocks:
                choice, block = committee_casts[committee_id]
                level.entitled_weight += block
                if choice is not None:
                    level.counts[choice] += block
                    level.participants += block
            else:
                level.entitled_weight += own.entitled_weight
                level.participants += own.participants
                for position, n in own.counts.items():
                    level.counts[position] += n

    now = timezone.now()
    results = []
    for node_id, level in levels.items():
        outcome, met, detail = evaluated.get(node_id) or _evaluate(poll, level, option_count)
        if node_id in per_committee and node_id != poll.node_id:
            # Thousands of committee rows: keep only what the arithmetic cannot
            # be recomputed without (see ``expand_detail``).
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
                counts={str(p): level.counts.get(p, 0) for p in range(option_count)},
                entitled=level.entitled,
                voted=level.voted,
                quorum_met=met,
                outcome=outcome,
                detail=detail,
                computed_at=now,
            )
        )

    casts: list[DelegateCast] = []
    if poll.aggregation == Aggregation.DELEGATES:
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


def _store(counted: Tally, poll: Poll) -> None:
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
        _store(counted, poll)
    return counted.results
