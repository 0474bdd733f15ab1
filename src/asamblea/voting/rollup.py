"""The results page's roll-up, ready to show: each level's headline and
tables, arranged as the tree of the federation, and a summary table per kind
of level (assembly, regions, zones, committees).

This is where a result is explained; the templates only lay it out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from asamblea.federation.models import NodeKind
from asamblea.voting import explain, plain, rules
from asamblea.voting.models import Poll, PollResult

COUNT_LABELS: dict[str, Promise] = {
    rules.KIND_RANKING: _("First preferences"),
    rules.KIND_SCORES: _("Total score"),
}
KIND_ORDER = [NodeKind.ASSEMBLY, NodeKind.REGION, NodeKind.ZONE, NodeKind.COMMITTEE]
KIND_PLURALS: dict[str, Promise] = {
    NodeKind.ASSEMBLY: _("Assembly"),
    NodeKind.REGION: _("Regions"),
    NodeKind.ZONE: _("Zones"),
    NodeKind.COMMITTEE: _("Committees"),
}


@dataclass(frozen=True)
class ShownTable:
    """An explanation table as shown (figures rounded where they are long)
    and, when rounding changed it, the exact one to open."""

    table: explain.Table
    exact: explain.Table | None = None


@dataclass
class Level:
    result: PollResult
    headline: str
    did_not_vote: bool
    turnout: int
    rows: list[dict[str, Any]]
    count_label: Promise | None
    tables: list[ShownTable]
    winners: list[str]
    children: list[Level] = field(default_factory=list)


@dataclass(frozen=True)
class Summary:
    """One kind of level (e.g. every committee) as a table."""

    kind: str
    title: Promise
    levels: list[Level]


@dataclass(frozen=True)
class Rollup:
    roots: list[Level]
    summaries: list[Summary]
    levels: list[Level]


def result_rows(result: PollResult, labels: Mapping[int, str]) -> list[dict[str, Any]]:
    """Per option: label, count and bar width (share of the largest count)."""
    counts = {int(k): int(v) for k, v in result.counts.items()}
    largest = max(counts.values(), default=0) or 1
    winners = set(result.detail.get("winners", []))
    return [
        {
            "label": labels.get(p, str(p)),
            "count": n,
            "width": round(100 * n / largest),
            "winner": p in winners,
        }
        for p, n in sorted(counts.items())
    ]


def shown_tables(detail: Mapping[str, Any]) -> list[ShownTable]:
    shown = []
    for table in explain.explanation_tables(detail):
        short = explain.rounded(table)
        shown.append(ShownTable(short, table) if short is not None else ShownTable(table))
    return shown


def level_of(poll: Poll, result: PollResult, labels: Mapping[int, str]) -> Level:
    """One level, explained. Precondition: ``result.detail`` is expanded."""
    return Level(
        result=result,
        headline=plain.headline(poll, result, labels),
        did_not_vote=plain.did_not_vote(result),
        turnout=plain.percent(result.voted, result.entitled),
        # Grades and rankings are told by their tables, not by one count per option.
        rows=result_rows(result, labels) if result.counts else [],
        count_label=COUNT_LABELS.get(rules.ballot_kind(poll.method)),
        tables=shown_tables(result.detail),
        winners=[labels.get(p, str(p)) for p in result.detail.get("winners", [])],
    )


def build(poll: Poll, results: Sequence[PollResult], labels: Mapping[int, str]) -> Rollup:
    """The roll-up of ``results`` (each with its ``node`` loaded): a level's
    children are the shown levels directly beneath it; a level whose parent
    is not shown is a root (the poll's node, or the highest level the member
    sees)."""
    levels = [level_of(poll, r, labels) for r in sorted(results, key=lambda r: r.node.path)]
    by_path = {level.result.node.path: level for level in levels}
    roots: list[Level] = []
    for level in levels:
        parent = _nearest_shown_ancestor(level.result.node.path, by_path)
        (parent.children if parent is not None else roots).append(level)
    summaries = [
        Summary(kind, KIND_PLURALS[kind], members)
        for kind in KIND_ORDER
        if (members := [lv for lv in levels if lv.result.node.kind == kind])
    ]
    return Rollup(roots=roots, summaries=summaries, levels=levels)


def _nearest_shown_ancestor(path: str, by_path: Mapping[str, Level]) -> Level | None:
    parts = path.split("/")[:-1]  # the path ends with "/"
    for end in range(len(parts) - 1, 0, -1):
        found = by_path.get("/".join(parts[:end]) + "/")
        if found is not None:
            return found
    return None
