"""Pure rules of the federation: which node may sit under which, bounds on
node settings, and who may end a mandate for which reason. No ORM here."""

from __future__ import annotations

from asamblea.federation.models import MandateEnd, NodeKind, Role

# Which kind of node may sit under which; committees are the leaves.
ALLOWED_CHILDREN: dict[str, frozenset[str]] = {
    NodeKind.ASSEMBLY: frozenset({NodeKind.REGION, NodeKind.ZONE, NodeKind.COMMITTEE}),
    NodeKind.REGION: frozenset({NodeKind.ZONE, NodeKind.COMMITTEE}),
    NodeKind.ZONE: frozenset({NodeKind.ZONE, NodeKind.COMMITTEE}),
    NodeKind.COMMITTEE: frozenset(),
}

NAME_MAX_LENGTH = 120
DESCRIPTION_MAX_LENGTH = 4000
INSTRUCTIONS_MAX_LENGTH = 4000
# A committee of thousands still needs only a handful of seconders; the bound
# keeps a typo from making every motion impossible to second.
SECONDERS_MAX = 100

# A decision for a whole region or the assembly should not start from one
# committee alone: by default the seconds of a motion there must come from
# members of at least two committees. Below, one committee is enough.
WIDE_NODE_KINDS: frozenset[str] = frozenset({NodeKind.ASSEMBLY, NodeKind.REGION})
WIDE_SECONDING_COMMITTEES = 2


def default_seconding_committees(kind: str) -> int:
    """How many committees the seconds of a motion at a ``kind`` node come
    from, unless the node says otherwise."""
    return WIDE_SECONDING_COMMITTEES if kind in WIDE_NODE_KINDS else 1


# Roles a membership may hold. Being a delegate is a mandate, not a role.
MEMBERSHIP_ROLES: frozenset[str] = frozenset({Role.MEMBER, Role.SECRETARY})


def may_hold_child(*, parent_kind: str | None, child_kind: str) -> bool:
    """Whether a ``child_kind`` node may be placed under ``parent_kind`` (None:
    at the top of the tree, where only an assembly may stand)."""
    if parent_kind is None:
        return child_kind == NodeKind.ASSEMBLY
    return child_kind in ALLOWED_CHILDREN.get(parent_kind, frozenset())


def leaves_committee_without_secretary(
    *, current_role: str, new_role: str | None, secretaries: int
) -> bool:
    """Whether moving one membership from ``current_role`` to ``new_role`` (None:
    the membership ends) would leave its committee with no secretary.
    ``secretaries`` counts the committee's active secretaries, this one included."""
    if current_role != Role.SECRETARY or new_role == Role.SECRETARY:
        return False
    return secretaries <= 1


def end_reasons_allowed(*, is_system: bool, is_delegate: bool, is_manager: bool) -> frozenset[str]:
    """The reasons for which an actor may end a mandate.

    The system (acting on a vote result or on a member leaving) may use any
    reason. A delegate may resign. A secretary or operator may replace a
    delegate; a recall is decided by the committee's vote, never by one person.
    """
    if is_system:
        return frozenset(MandateEnd.values)
    allowed: set[str] = set()
    if is_delegate:
        allowed.add(MandateEnd.RESIGNED)
    if is_manager:
        allowed.add(MandateEnd.REPLACED)
    return frozenset(allowed)
