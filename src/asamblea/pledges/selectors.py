"""Reads of calls to action: visible calls, the scope tree, live counts, the
activation per scope explained in plain words, and what a member owes.

Figures leave the server coarse (``rules.coarse``): below
``settings.PLEDGE_PUBLIC_MINIMUM`` pledges a scope shows none, and above it
the count is rounded down to ``settings.PLEDGE_PUBLIC_BUCKET``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from asamblea.accounts.models import Member
from asamblea.federation.access import Viewer, may_see
from asamblea.federation.models import Node, NodeKind
from asamblea.pledges import rules, secrecy
from asamblea.pledges.models import (
    Call,
    CallState,
    Elector,
    Pledge,
    PledgeLedger,
    Reconfirmation,
    Threshold,
    TurnoutReport,
)

LIST_LIMIT = 100


def public_minimum() -> int:
    return max(1, int(getattr(settings, "PLEDGE_PUBLIC_MINIMUM", 10)))


def public_bucket() -> int:
    return max(1, int(getattr(settings, "PLEDGE_PUBLIC_BUCKET", 5)))


def coarse(count: int) -> int | None:
    return rules.coarse(count, minimum=public_minimum(), bucket=public_bucket())


# --- calls --------------------------------------------------------------------------


def visible_calls(viewer: Viewer, *, node: Node | None = None) -> QuerySet[Call]:
    """Calls at nodes ``viewer`` sees (optionally one node's), newest first."""
    calls = Call.objects.select_related("node")
    visible = viewer.visible_ids()
    if visible is not None:
        calls = calls.filter(node_id__in=visible)
    if node is not None:
        calls = calls.filter(node=node)
    return calls.order_by("-created_at", "-pk")


def calls_of_motion(viewer: Viewer, motion_id: int) -> list[Call]:
    return list(visible_calls(viewer).filter(motion_id=motion_id)[:LIST_LIMIT])


# --- scope --------------------------------------------------------------------------


def _scope_roots(call: Call) -> list[Node]:
    chosen = [s.node for s in call.scopes.select_related("node")]
    return chosen or [call.node]


def committees_in_scope_q(call: Call, *, prefix: str = "") -> Q:
    """Nodes (through ``prefix``) under one of the call's scope roots."""
    return reduce(
        or_, (Q(**{f"{prefix}path__startswith": root.path}) for root in _scope_roots(call))
    )


NodeRow = tuple[int, int | None, str, str]  # id, parent id, kind, path


def _subtree(call: Call) -> list[NodeRow]:
    """Every node at or beneath the call's node, in path order (one query)."""
    rows: list[NodeRow] = list(
        Node.objects.filter(path__startswith=call.node.path).values_list(
            "pk", "parent_id", "kind", "path"
        )
    )
    rows.sort(key=lambda row: row[3])
    return rows


def scope_tree(call: Call, subtree: list[NodeRow] | None = None) -> list[rules.ScopeNode]:
    """The call's node and every node between it and a committee in scope,
    parents first."""
    rows = _subtree(call) if subtree is None else subtree
    roots = tuple(root.path for root in _scope_roots(call))
    base_depth = call.node.depth
    ids: set[int] = {call.node.pk}
    for _pk, _parent, kind, path in rows:
        if kind == NodeKind.COMMITTEE and path.startswith(roots):
            ids.update(int(p) for p in path.split("/")[base_depth:] if p)
    return [
        rules.ScopeNode(id=pk, parent_id=None if pk == call.node.pk else parent_id, level=kind)
        for pk, parent_id, kind, _path in rows
        if pk in ids
    ]


def thresholds_of(call: Call) -> dict[str, rules.Rule]:
    return {
        t.level: rules.Rule(kind=t.kind, value=t.value)  # type: ignore[arg-type]
        for t in Threshold.objects.filter(call=call)
    }


def _roll_up(per_committee: dict[int, int], paths: dict[int, str]) -> dict[int, int]:
    totals: dict[int, int] = {}
    for committee_id, count in per_committee.items():
        for segment in paths.get(committee_id, "").split("/"):
            if segment:
                node_id = int(segment)
                totals[node_id] = totals.get(node_id, 0) + count
    return totals


def live_counts(
    call: Call, subtree: list[NodeRow] | None = None
) -> tuple[dict[int, int], dict[int, int]]:
    """Frozen members and current pledges per scope (subtree totals): two
    ``GROUP BY committee`` queries, then sums along the paths."""
    members = dict(
        Elector.objects.filter(call=call)
        .values("committee_id")
        .annotate(n=Count("pk"))
        .values_list("committee_id", "n")
    )
    pledges = dict(
        Pledge.objects.filter(call=call, pledged=True)
        .values("committee_id")
        .annotate(n=Count("pk"))
        .values_list("committee_id", "n")
    )
    rows = _subtree(call) if subtree is None else subtree
    paths = {pk: path for pk, _parent, _kind, path in rows}
    return _roll_up(members, paths), _roll_up(pledges, paths)


def evaluate_call(call: Call) -> dict[int, rules.ScopeResult]:
    """The activation of every scope now (one read of the subtree, two
    ``GROUP BY committee`` counts, then sums along the paths)."""
    subtree = _subtree(call)
    members, pledges = live_counts(call, subtree)
    return rules.evaluate(
        scope_tree(call, subtree),
        members=members,
        pledges=pledges,
        thresholds=thresholds_of(call),
    )


def decision_payload(results: dict[int, rules.ScopeResult]) -> dict[str, Any]:
    """What the decision stores per scope (kept on the call, never shown raw)."""
    return {
        str(r.node_id): {
            "level": r.level,
            "members": r.members,
            "pledges": r.pledges,
            "rule": [r.rule.kind, r.rule.value] if r.rule else None,
            "needed": r.needed,
            "reached": r.reached,
            "activated": r.activated,
            "held_back_by": r.held_back_by,
        }
        for r in results.values()
    }


def _from_payload(call: Call) -> dict[int, rules.ScopeResult]:
    results: dict[int, rules.ScopeResult] = {}
    for key, row in call.decision.items():
        rule = rules.Rule(kind=row["rule"][0], value=row["rule"][1]) if row["rule"] else None
        results[int(key)] = rules.ScopeResult(
            node_id=int(key),
            level=row["level"],
            members=row["members"],
            pledges=row["pledges"],
            rule=rule,
            needed=row["needed"],
            reached=row["reached"],
            activated=row["activated"],
            held_back_by=row["held_back_by"],
        )
    return results


def results_of(call: Call) -> dict[int, rules.ScopeResult]:
    """The decision once taken, else the live evaluation (pledging), else
    nothing (draft, or withdrawn before any decision)."""
    if call.decision:
        return _from_payload(call)
    if call.state == CallState.PLEDGING:
        return evaluate_call(call)
    return {}


# --- explanation --------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeRow:
    node: Node
    depth: int
    members: int
    pledges: int | None  # coarse; None when suppressed
    needed: int
    reached: bool
    activated: bool
    threshold: str
    figure: str
    verdict: str


def _threshold_sentence(r: rules.ScopeResult) -> str:
    if r.rule is None:
        return _("No threshold at this level: one pledge is enough.")
    if r.rule.kind == "share":
        return ngettext(
            "Threshold: %(value)s%% of %(members)s members, that is %(needed)s pledge.",
            "Threshold: %(value)s%% of %(members)s members, that is %(needed)s pledges.",
            r.needed,
        ) % {"value": r.rule.value, "members": r.members, "needed": r.needed}
    return ngettext("Threshold: %(needed)s pledge.", "Threshold: %(needed)s pledges.", r.needed) % {
        "needed": r.needed
    }


def _figure_sentence(shown: int | None) -> str:
    if shown is None:
        return _(
            "Fewer than %(minimum)s pledges, or a number not shown: small figures stay"
            " on the server to protect pledgers."
        ) % {"minimum": public_minimum()}
    return _("At least %(count)s pledges (rounded down to a multiple of %(bucket)s).") % {
        "count": shown,
        "bucket": public_bucket(),
    }


def explain(viewer: Viewer, call: Call) -> list[ScopeRow]:
    """Each scope ``viewer`` sees, with its coarse figures and, in plain
    words, why it is or is not activated."""
    results = results_of(call)
    if not results:
        return []
    nodes = Node.objects.in_bulk(list(results))
    rows: list[ScopeRow] = []
    for node_id, r in sorted(results.items(), key=lambda item: nodes[item[0]].path):
        node = nodes[node_id]
        if not may_see(viewer, node):
            continue
        shown = coarse(r.pledges)
        if r.activated:
            verdict = _("Reached: activated.")
        elif not r.reached:
            verdict = _("Not reached: not activated.")
        else:
            above = nodes.get(r.held_back_by) if r.held_back_by is not None else None
            verdict = _("Reached, but not activated: %(name)s above it did not activate.") % {
                "name": above.name if above else "?"
            }
        rows.append(
            ScopeRow(
                node=node,
                depth=node.depth - call.node.depth,
                members=r.members,
                pledges=shown,
                needed=r.needed,
                reached=r.reached,
                activated=r.activated,
                threshold=_threshold_sentence(r),
                figure=_figure_sentence(shown),
                verdict=verdict,
            )
        )
    return rows


# --- the member ---------------------------------------------------------------------


@dataclass(frozen=True)
class MyStanding:
    elector: bool
    answered: bool
    pledged: bool | None  # while pledging; None once the slot key is wiped
    committee_activated: bool
    may_reconfirm: bool


def standing(member: Member | None, call: Call) -> MyStanding:
    """Where ``member`` stands with ``call``: shown to the member only."""
    if member is None:
        return MyStanding(False, False, None, False, False)
    elector = Elector.objects.filter(call=call, member=member).first()
    entry = PledgeLedger.objects.filter(call=call, member=member).first()
    pledged: bool | None = None
    if entry is not None and call.pledge_key:
        pledge = Pledge.objects.filter(call=call, slot=secrecy.slot_of(call, member.pk)).first()
        pledged = bool(pledge and pledge.pledged)
    activated = bool(
        elector is not None and call.decision.get(str(elector.committee_id), {}).get("activated")
    )
    may_reconfirm = (
        call.state == CallState.ACTIVATED
        and entry is not None
        and not entry.reconfirmed
        and activated
        and call.starts_at > timezone.now()
    )
    return MyStanding(elector is not None, entry is not None, pledged, activated, may_reconfirm)


def reconfirmations(viewer: Viewer, call: Call) -> list[tuple[Node, int | None, int | None]]:
    """Coarse "still in" and "dropped out" per activated committee the viewer sees."""
    rows = []
    for row in Reconfirmation.objects.filter(call=call).select_related("committee"):
        if may_see(viewer, row.committee):
            rows.append((row.committee, coarse(row.still_in), coarse(row.dropped_out)))
    return sorted(rows, key=lambda r: r[0].path)


def reports(viewer: Viewer, call: Call) -> list[TurnoutReport]:
    return [
        r
        for r in TurnoutReport.objects.filter(call=call).select_related("committee")
        if may_see(viewer, r.committee)
    ]


def awaiting(member: Member) -> QuerySet[Call]:
    """Calls waiting for ``member``: pledging calls they may answer and have
    not, and activated calls asking them "still in?"."""
    now = timezone.now()
    answered = PledgeLedger.objects.filter(member=member)
    pledging = Q(
        state=CallState.PLEDGING,
        deadline__gt=now,
        electors__member=member,
    ) & ~Q(pk__in=answered.values("call_id"))
    asked = answered.filter(reconfirmed=False).filter(
        Exists(
            Reconfirmation.objects.filter(
                call_id=OuterRef("call_id"), committee_id=OuterRef("committee_id")
            )
        )
    )
    reconfirming = Q(state=CallState.ACTIVATED, starts_at__gt=now, pk__in=asked.values("call_id"))
    return Call.objects.filter(pledging | reconfirming).distinct().order_by("deadline", "pk")


def nodes_for_issuing(viewer: Viewer) -> QuerySet[Node]:
    """The nodes where ``viewer`` may issue calls (``access.may_issue``)."""
    if viewer.is_operator:
        return Node.objects.order_by("path")
    secretary_of = [node_id for node_id in viewer.committees if viewer.is_secretary(node_id)]
    return Node.objects.filter(pk__in=secretary_of, kind=NodeKind.COMMITTEE).order_by("path")
