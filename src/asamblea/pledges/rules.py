"""Pure rules of calls to action: thresholds, activation per scope and the
coarse public figures. No ORM here; services and selectors feed it numbers.

A call's scopes form a tree: the call's node, the nodes beneath it down to
the committees in scope. Each scope has its frozen members (its subtree's)
and its pledges (its subtree's). A scope **reaches** its level's threshold
when its pledges are at least the number needed; a level without a
threshold is always reached. A scope is **activated** when it reaches its
threshold and the scope above it is activated: "I take part if my committee
reaches half and my zone 60%" holds only where both hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

RuleKind = Literal["count", "share"]
SHARE_MAX = 100


@dataclass(frozen=True)
class Rule:
    """A threshold: ``value`` pledges (``count``), or ``value`` percent of the
    scope's frozen members (``share``), rounded up."""

    kind: RuleKind
    value: int


@dataclass(frozen=True)
class ScopeNode:
    id: int
    parent_id: int | None  # None for the call's own node
    level: str  # the node's kind: committee, zone, region, assembly


@dataclass(frozen=True)
class ScopeResult:
    node_id: int
    level: str
    members: int
    pledges: int
    rule: Rule | None
    needed: int  # 1 when the level has no threshold
    reached: bool
    activated: bool
    # The nearest scope above that is not activated, when it is what stops
    # this one.
    held_back_by: int | None


def check_rule(rule: Rule) -> str:
    """ "" when ``rule`` is acceptable, else what is wrong (a code)."""
    if rule.value < 1:
        return "below_one"
    if rule.kind == "share" and rule.value > SHARE_MAX:
        return "over_hundred"
    return ""


def needed(rule: Rule, members: int) -> int:
    """Pledges needed by ``rule`` in a scope of ``members`` frozen members; at
    least one, so that an empty scope never activates."""
    if rule.kind == "count":
        return max(1, rule.value)
    return max(1, -(-rule.value * members // SHARE_MAX))


def evaluate(
    nodes: Iterable[ScopeNode],
    *,
    members: Mapping[int, int],
    pledges: Mapping[int, int],
    thresholds: Mapping[str, Rule],
) -> dict[int, ScopeResult]:
    """The result of every scope. ``nodes`` lists parents before children;
    ``members`` and ``pledges`` are subtree totals per node id (missing ids
    count zero). Monotone: more pledges never deactivate a scope."""
    results: dict[int, ScopeResult] = {}
    for node in nodes:
        rule = thresholds.get(node.level)
        count = pledges.get(node.id, 0)
        size = members.get(node.id, 0)
        need = needed(rule, size) if rule is not None else 1
        reached = count >= need
        parent = results.get(node.parent_id) if node.parent_id is not None else None
        held_back_by: int | None = None
        if parent is not None and not parent.activated:
            held_back_by = parent.held_back_by or parent.node_id
        activated = reached and held_back_by is None
        results[node.id] = ScopeResult(
            node_id=node.id,
            level=node.level,
            members=size,
            pledges=count,
            rule=rule,
            needed=need,
            reached=reached,
            activated=activated,
            held_back_by=held_back_by,
        )
    return results


def call_activated(results: Mapping[int, ScopeResult]) -> bool:
    """A call is activated when at least one committee is: committees are
    where people act."""
    return any(r.activated and r.level == "committee" for r in results.values())


def all_activated(results: Mapping[int, ScopeResult]) -> bool:
    """Every scope activated: under "as soon as reached" nothing is left to
    wait for."""
    return bool(results) and all(r.activated for r in results.values())


def coarse(count: int, *, minimum: int, bucket: int) -> int | None:
    """A public figure: None (suppressed) below ``minimum``, else rounded
    down to a multiple of ``bucket``."""
    if count < max(1, minimum):
        return None
    step = max(1, bucket)
    return count // step * step
