"""Counting polls with the methods library (``asamblea.voting.methods``).

Block approval, consent, score, majority judgment and the ranked methods are
counted here at the close: the ballots are read grouped (identical ballots of
a committee become one row with a weight), each level of the tree (committee,
zone, region, assembly) adds up the groups of its subtree, and the library
counts that level's grouped profile with the poll's seed. These methods are
always pooled (see ``rules.BLOCK_AGGREGATION_METHODS``).

The same grouped profile of the whole poll is what ``export_text`` writes, so
``python -m asamblea.voting.methods count`` on an export gives the stored
result back.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone

from asamblea.federation.models import Node
from asamblea.voting import rules
from asamblea.voting.methods import (
    ApprovalProfile,
    ChoiceProfile,
    CountingError,
    Profile,
    RankedProfile,
    ScoreProfile,
    count,
    write_blt,
    write_json,
)
from asamblea.voting.models import (
    Ballot,
    ElectorateEntry,
    Method,
    Outcome,
    Poll,
    PollResult,
    VoteLedger,
)

BallotKey = tuple[Any, ...]
"""A ballot frozen for grouping: positions (masks), ranks of positions
(rankings) or a row of integers, one per option (scores, grade numbers)."""

EXPORT_FORMATS = ("blt", "json")


def candidate_names(poll: Poll, labels: list[tuple[str, str]]) -> list[str]:
    """Names of the options for the library: the labels, except where the
    library knows the options by code (``policy`` and ``consent``)."""
    if poll.method in (Method.YES_NO_ABSTAIN, Method.CONSENT):
        return [code for code, _label in labels]
    return [label for _code, label in labels]


def ballot_key(kind: str, mask: int, data: Any, option_count: int) -> BallotKey:
    """Freeze a stored ballot so that identical ballots compare equal.

    Precondition: the ballot was checked by ``rules`` when it was cast.
    """
    if kind == rules.KIND_MASK:
        return rules.decode_mask(mask)
    if kind == rules.KIND_RANKING:
        return tuple(tuple(level) for level in data[kind])
    values = data[kind]
    if kind == rules.KIND_SCORES:
        return tuple(int(values.get(str(p), 0)) for p in range(option_count))
    return tuple(
        rules.GRADES.index(values.get(str(p), rules.GRADES[0])) for p in range(option_count)
    )


def build_profile(
    poll: Poll, names: list[str], groups: Counter[BallotKey], *, title: str = ""
) -> Profile:
    """The library's profile of grouped ballots, in a fixed order (so that
    nothing about the order of casting reaches a result or an export)."""
    kind = rules.ballot_kind(poll.method)
    items = sorted((key, n) for key, n in groups.items() if n > 0)
    if kind == rules.KIND_RANKING:
        levels = [(tuple(tuple(level) for level in key), n) for key, n in items]
        return RankedProfile.from_levels(names, levels, title=title)
    if kind in (rules.KIND_SCORES, rules.KIND_GRADES):
        rows = [(dict(zip(names, key, strict=True)), n) for key, n in items]
        if kind == rules.KIND_GRADES:
            return ScoreProfile.from_counts(names, rows, grades=rules.GRADES, title=title)
        return ScoreProfile.from_counts(names, rows, max_score=poll.max_score, title=title)
    if poll.method in (Method.APPROVAL, Method.BLOCK_APPROVAL):
        return ApprovalProfile.from_counts(
            names,
            [([names[p] for p in key], n) for key, n in items],
            title=title,
        )
    return ChoiceProfile.from_counts(
        names,
        [(names[key[0]] if key else None, n) for key, n in items],
        title=title,
    )


def _option_counts(kind: str, groups: Counter[BallotKey], option_count: int) -> dict[str, int]:
    """Per option: choices or approvals (masks), first preferences (rankings),
    total scores (scores); nothing for grades (their table is the explanation)."""
    totals = [0] * option_count
    if kind == rules.KIND_GRADES:
        return {}
    for key, n in groups.items():
        if kind == rules.KIND_MASK:
            for p in key:
                totals[p] += n
        elif kind == rules.KIND_RANKING:
            for p in key[0]:
                totals[p] += n
        else:
            for p, value in enumerate(key):
                totals[p] += value * n
    return {str(p): totals[p] for p in range(option_count)}


@dataclass
class _Level:
    groups: Counter[BallotKey] = field(default_factory=Counter)
    participants: int = 0
    entitled_weight: int = 0
    entitled: int = 0
    voted: int = 0


def _grouped_ballots(poll: Poll, kind: str, option_count: int) -> Iterable[tuple[int, Any, int]]:
    """(committee id, frozen ballot, weight) with identical ballots of a
    committee already summed by the database."""
    rows = (
        Ballot.objects.filter(poll=poll)
        .values("committee_id", "mask", "data")
        .annotate(w=Sum("weight"))
        .order_by()
        .values_list("committee_id", "mask", "data", "w")
    )
    for committee_id, mask, data, weight in rows.iterator(chunk_size=2000):
        yield committee_id, ballot_key(kind, mask, data, option_count), weight


def evaluate(
    poll: Poll, names: list[str], level: _Level
) -> tuple[str, bool, dict[str, str | int], dict[str, Any]]:
    """Outcome, quorum, counts per option and detail of one level."""
    kind = rules.ballot_kind(poll.method)
    met = rules.quorum_met(
        participants=level.participants,
        entitled=level.entitled_weight,
        quorum_num=poll.quorum_num,
        quorum_den=poll.quorum_den,
    )
    detail: dict[str, Any] = {
        "method": rules.registry_name(poll.method),
        "winners": [],
        "seats": poll.seats,
        "seed": poll.seed,
        "quorum_required": f"{poll.quorum_num}/{poll.quorum_den}",
        "participants": level.participants,
        "entitled_weight": level.entitled_weight,
    }
    counts: dict[str, str | int] = dict(_option_counts(kind, level.groups, len(names)))
    if not met:
        return Outcome.NO_QUORUM, False, counts, detail
    try:
        profile = build_profile(poll, names, level.groups)
        result = count(rules.registry_name(poll.method), profile, seats=poll.seats, seed=poll.seed)
    except CountingError as exc:
        # No valid ballot at this level (or nothing the method can decide).
        detail["error"] = exc.code
        return Outcome.TIE, True, counts, detail
    explanation = result.to_dict()
    position = {name: p for p, name in enumerate(names)}
    detail["winners"] = [position[w] for w in result.winners if w in position]
    detail["explanation"] = explanation
    if poll.method == Method.CONSENT:
        outcome = Outcome.CARRIED if explanation.get("outcome") == "carried" else Outcome.REJECTED
    else:
        outcome = Outcome.DECIDED if detail["winners"] else Outcome.TIE
    return outcome, True, counts, detail


def count_levels(poll: Poll) -> list[PollResult]:
    """A ``PollResult`` (unsaved) per level of the poll's subtree.

    Precondition: the poll has been opened (its electorate is frozen).
    """
    options = list(poll.options.order_by("position").values_list("code", "label"))
    names = candidate_names(poll, options)
    kind = rules.ballot_kind(poll.method)
    top_depth = poll.node.depth
    paths = dict(Node.objects.filter(path__startswith=poll.node.path).values_list("id", "path"))
    per_committee: dict[int, _Level] = defaultdict(_Level)
    for committee_id, key, weight in _grouped_ballots(poll, kind, len(names)):
        level = per_committee[committee_id]
        level.groups[key] += weight
        level.participants += weight
    for committee_id, people, weight in (
        ElectorateEntry.objects.filter(poll=poll)
        .values("committee_id")
        .annotate(n=Count("id"), w=Sum("weight"))
        .order_by()
        .values_list("committee_id", "n", "w")
    ):
        per_committee[committee_id].entitled = people
        per_committee[committee_id].entitled_weight = weight
    for committee_id, people in (
        VoteLedger.objects.filter(poll=poll)
        .values("committee_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("committee_id", "n")
    ):
        per_committee[committee_id].voted = people

    levels: dict[int, _Level] = defaultdict(_Level)
    for committee_id, own in per_committee.items():
        path = paths.get(committee_id)
        if path is None:  # a committee moved out of the subtree after the snapshot
            continue
        for node_id in [int(p) for p in path.split("/") if p][top_depth:]:
            if node_id == committee_id:
                levels[node_id] = own
                continue
            level = levels[node_id]
            level.groups.update(own.groups)
            level.participants += own.participants
            level.entitled_weight += own.entitled_weight
            level.entitled += own.entitled
            level.voted += own.voted

    now = timezone.now()
    results = []
    for node_id, level in levels.items():
        outcome, met, counts, detail = evaluate(poll, names, level)
        detail["aggregation"] = poll.aggregation
        detail["blocks"] = False
        results.append(
            PollResult(
                poll=poll,
                node_id=node_id,
                counts=counts,
                entitled=level.entitled,
                voted=level.voted,
                quorum_met=met,
                outcome=outcome,
                detail=detail,
                computed_at=now,
            )
        )
    return results


def poll_profile(poll: Poll) -> Profile:
    """Every ballot of the poll, grouped, as the library's profile.

    Precondition: the poll has at least one option.
    """
    options = list(poll.options.order_by("position").values_list("code", "label"))
    names = candidate_names(poll, options)
    kind = rules.ballot_kind(poll.method)
    groups: Counter[BallotKey] = Counter()
    for _committee_id, key, weight in _grouped_ballots(poll, kind, len(names)):
        groups[key] += weight
    return build_profile(poll, names, groups, title=poll.question)


def export_text(poll: Poll, fmt: str) -> str:
    """The anonymised ballots of ``poll`` as BLT (ranked polls) or JSON.

    No ids, no voters, no committees, no order of casting: each distinct
    ballot once with its count. Preconditions: ``fmt`` is in
    ``EXPORT_FORMATS`` and BLT is asked only of a ranked poll.
    """
    profile = poll_profile(poll)
    if fmt == "blt":
        if not isinstance(profile, RankedProfile):
            raise ValueError("BLT holds ranked ballots only")
        return write_blt(profile, seats=poll.seats)
    text = write_json(profile, seats=poll.seats)
    if poll.method != Method.YES_NO_ABSTAIN:
        return text
    # A policy recount also needs the electorate and the decision rule.
    data = json.loads(text)
    data["entitled"] = (
        ElectorateEntry.objects.filter(poll=poll).aggregate(w=Sum("weight"))["w"] or 0
    )
    data["policy"] = {
        "majority": f"{poll.majority_num}/{poll.majority_den}",
        "base": poll.majority_base,
        "strict": poll.majority_strict,
        "quorum": f"{poll.quorum_num}/{poll.quorum_den}",
    }
    return json.dumps(data, ensure_ascii=False, indent=1)
