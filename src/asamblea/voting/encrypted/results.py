"""The decrypted tally as the voting app's results (spec §8.6, §12.5).

The trustees decrypt group sums, not committees: a committee with fewer
counted ballots than the minimum group is counted with its parent's group and
gets no result of its own. So the levels stored are

- every zone, region or assembly of the poll: its pooled total (the groups
  standing at it or beneath it, ``totals`` of tally.json), or under a
  by-committee aggregation the blocks of those groups;
- every committee that stands alone: its group's counts.

A merged committee has no ``PollResult``; the results page lists the groups
with their committees ("counted with zone Hills: 5 ballots from 2
committees"). Under a by-committee aggregation the units are groups, not
committees (spec §12.5): each group's own result decides its block (its
members' weight, or 1). Every level's count goes through the same
``LevelCounter`` as a plain poll's, so headlines, quorums, majorities and
ties read the same.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone

from asamblea.federation.models import Node
from asamblea.voting import rules
from asamblea.voting.counting import BallotKey, LevelCounter
from asamblea.voting.models import Aggregation, ElectorateEntry, Poll, PollResult, VoteLedger
from asamblea.voting.results import BLOCK_MODES, block_choice

ENCRYPTED = "encrypted"
"""The key of ``PollResult.detail`` that says what an encrypted level covers."""


def node_pk(tree_id: str) -> int:
    """The federation id of a tree node id ``<kind>-<id>``."""
    return int(tree_id.rsplit("-", 1)[1])


def groups_of_counts(kind: str, counts: Sequence[int], max_score: int) -> dict[BallotKey, int]:
    """Grouped ballots that give ``counts`` per option to the counting rules.

    Choices and approvals: each option's count as ballots for it. Scores: the
    totals as ballots of the highest score (and one ballot of the rest), so
    every total is kept; nothing else about the ballots is known."""
    groups: dict[BallotKey, int] = {}
    if kind != rules.KIND_SCORES:
        for p, n in enumerate(counts):
            if n:
                groups[(p,)] = n
        return groups
    k = len(counts)
    top = max(max_score, 1)
    for p, total in enumerate(counts):
        full, rest = divmod(total, top)
        if full:
            key = tuple(top if q == p else 0 for q in range(k))
            groups[key] = groups.get(key, 0) + full
        if rest:
            key = tuple(rest if q == p else 0 for q in range(k))
            groups[key] = groups.get(key, 0) + 1
    return groups


@dataclass
class _People:
    entitled: int = 0
    weight: int = 0
    voted: int = 0


def _people_by_node(poll: Poll) -> tuple[dict[int, _People], dict[int, list[int]]]:
    """Electorate and turnout per node (each committee added to every node
    above it up to the poll's node), and each node's ancestors in the poll."""
    paths = dict(Node.objects.filter(path__startswith=poll.node.path).values_list("id", "path"))
    lineage: dict[int, list[int]] = {}
    top = poll.node.path
    for pk, path in paths.items():
        rest = path[len(top) :].strip("/")
        lineage[pk] = [poll.node_id] + [int(x) for x in rest.split("/") if x]
    people: dict[int, _People] = defaultdict(_People)
    for committee_id, n, w in (
        ElectorateEntry.objects.filter(poll=poll)
        .values("committee_id")
        .annotate(n=Count("id"), w=Sum("weight"))
        .order_by()
        .values_list("committee_id", "n", "w")
    ):
        for pk in lineage.get(committee_id, []):
            people[pk].entitled += n
            people[pk].weight += w
    for committee_id, n in (
        VoteLedger.objects.filter(poll=poll)
        .values("committee_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("committee_id", "n")
    ):
        for pk in lineage.get(committee_id, []):
            people[pk].voted += n
    return people, lineage


def _flat(contests: Sequence[Mapping[str, Any]]) -> list[int]:
    return [int(o["count"]) for o in contests[0]["options"]]


def results_of_tally(poll: Poll, tally: Mapping[str, Any]) -> list[PollResult]:
    """The ``PollResult`` rows of decrypted ``tally`` (tally.json), unsaved."""
    counter = LevelCounter(poll)
    kind = counter.kind
    people, lineage = _people_by_node(poll)
    now = timezone.now()
    blocks = poll.aggregation in BLOCK_MODES and poll.method in rules.BLOCK_AGGREGATION_METHODS
    results: list[PollResult] = []

    def row(pk: int, count: Any, covered: int, detail_extra: dict[str, Any]) -> PollResult:
        p = people[pk]
        detail = dict(count.detail)
        detail["aggregation"] = poll.aggregation
        detail[ENCRYPTED] = {"covered": covered, **detail_extra}
        return PollResult(
            poll_id=poll.pk,
            node_id=pk,
            counts=count.counts,
            entitled=p.entitled,
            voted=min(p.voted, p.entitled),
            quorum_met=count.quorum_met,
            outcome=count.outcome,
            detail=detail,
            computed_at=now,
        )

    group_units: list[tuple[int, Any, int]] = []  # (standing node pk, choice, block)
    for group in tally["groups"]:
        pk = node_pk(group["group_id"])
        committees = [node_pk(c["committee_id"]) for c in group["committees"]]
        weight = sum(people[c].weight for c in committees)
        count = counter.count(
            groups_of_counts(kind, _flat(group["contests"]), poll.max_score),
            participants=group["ballots"],
            entitled_weight=weight,
        )
        if group["group_id"].startswith("committee-"):
            results.append(row(pk, count, group["ballots"], {"group": group["group_id"]}))
        if blocks:
            block = 1 if poll.aggregation == Aggregation.BY_COMMITTEE_EQUAL else weight
            group_units.append((pk, block_choice(count, group["ballots"]), block))
    for total in tally["totals"]:
        pk = node_pk(total["node_id"])
        if not blocks:
            count = counter.count(
                groups_of_counts(kind, list(total["counts"][0]), poll.max_score),
                participants=total["ballots"],
                entitled_weight=people[pk].weight,
            )
            results.append(row(pk, count, total["ballots"], {}))
            continue
        units: dict[BallotKey, int] = {}
        participants = entitled = n_units = 0
        for standing, choice, block in group_units:
            if pk not in lineage.get(standing, []):
                continue
            n_units += 1
            entitled += block
            if choice is not None:
                units[(choice,)] = units.get((choice,), 0) + block
                participants += block
        count = counter.count(units, participants=participants, entitled_weight=entitled)
        detail = {"groups": n_units}
        results.append(row(pk, count, total["ballots"], detail))
        results[-1].detail["blocks"] = True
    return results
