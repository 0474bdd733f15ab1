"""Reads of the federation, permission-aware.

Visibility rule: a member sees the internal content of each committee they
belong to and of every node above it, never that of sibling committees.
Operators (``is_staff``) see everything. Objects a member may not see are
reported as not found, so that their existence does not leak.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from asamblea.accounts.models import Member
from asamblea.core.errors import InvalidInput, NotFound
from asamblea.federation.models import Mandate, Membership, Node, NodeKind, Role


def active_memberships(*, member: Member) -> QuerySet[Membership]:
    return Membership.objects.filter(member=member, ended_at__isnull=True).select_related("node")


def membership_in(*, member: Member, node: Node) -> Membership | None:
    return Membership.objects.filter(member=member, node=node, ended_at__isnull=True).first()


def visible_node_ids(*, member: Member) -> set[int]:
    """Ids of the nodes whose internal content ``member`` may see."""
    ids: set[int] = set()
    for path in Membership.objects.filter(member=member, ended_at__isnull=True).values_list(
        "node__path", flat=True
    ):
        ids.update(int(p) for p in path.split("/") if p)
    return ids


def can_see_node(*, member: Member, node: Node) -> bool:
    if member.is_staff:
        return True
    return node.pk in visible_node_ids(member=member)


def get_visible_node(*, member: Member, node_id: int) -> Node:
    node = Node.objects.filter(pk=node_id).first()
    if node is None or not can_see_node(member=member, node=node):
        raise NotFound()
    return node


def visible_nodes(*, member: Member) -> QuerySet[Node]:
    if member.is_staff:
        return Node.objects.all()
    return Node.objects.filter(pk__in=visible_node_ids(member=member))


def has_role(*, member: Member, node: Node, role: Role) -> bool:
    if role == Role.DELEGATE:
        return is_delegate(member=member, committee=node)
    return Membership.objects.filter(
        member=member, node=node, ended_at__isnull=True, role=role
    ).exists()


def is_secretary(*, member: Member, node: Node) -> bool:
    return has_role(member=member, node=node, role=Role.SECRETARY)


def is_delegate(*, member: Member, committee: Node) -> bool:
    return Mandate.objects.filter(
        committee=committee, delegate=member, ended_at__isnull=True
    ).exists()


def delegate_committee_ids(*, member: Member) -> set[int]:
    return set(
        Mandate.objects.filter(delegate=member, ended_at__isnull=True).values_list(
            "committee_id", flat=True
        )
    )


def subtree(*, node: Node) -> QuerySet[Node]:
    """The node and every node beneath it."""
    return Node.objects.filter(path__startswith=node.path)


def committees_under(*, node: Node) -> QuerySet[Node]:
    return subtree(node=node).filter(kind=NodeKind.COMMITTEE)


def ancestors(*, node: Node) -> QuerySet[Node]:
    return Node.objects.filter(pk__in=node.ancestor_ids()).order_by("depth")


def children(*, node: Node) -> QuerySet[Node]:
    return Node.objects.filter(parent=node).order_by("name")


def roots() -> QuerySet[Node]:
    return Node.objects.filter(parent__isnull=True).order_by("name")


def active_mandates(*, committee: Node) -> QuerySet[Mandate]:
    return Mandate.objects.filter(committee=committee, ended_at__isnull=True).select_related(
        "delegate"
    )


def mandate_history(*, committee: Node) -> QuerySet[Mandate]:
    return Mandate.objects.filter(committee=committee).select_related("delegate")


def members_of(*, node: Node) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(node=node, ended_at__isnull=True)
        .select_related("member")
        .order_by("member__pseudonym")
    )


def is_member_of(*, member: Member, node: Node) -> bool:
    """Whether ``member`` holds an active membership of ``node`` itself."""
    return membership_in(member=member, node=node) is not None


def can_act_at(*, member: Member, node: Node) -> bool:
    """Whether ``member`` belongs to a committee at or below ``node``, or is an
    operator: the test for acting at a node (proposing, voting) as opposed to
    managing it."""
    return can_see_node(member=member, node=node)


def can_manage(*, member: Member, node: Node) -> bool:
    """Whether ``member`` may manage ``node``'s memberships and delegates: its
    secretary, or an operator."""
    return member.is_staff or is_secretary(member=member, node=node)


def mandate_for_member(*, member: Member, committee: Node) -> Mandate | None:
    """The active mandate ``member`` holds for ``committee``, if any."""
    return Mandate.objects.filter(
        committee=committee, delegate=member, ended_at__isnull=True
    ).first()


def committee_paths(*, node: Node) -> dict[int, list[int]]:
    """For each committee at or under ``node``, the ids of the nodes from
    ``node`` down to that committee (both included): the chain a committee's
    results roll up through."""
    start = len(node.ancestor_ids())
    return {
        committee.pk: committee.lineage_ids()[start:]
        for committee in committees_under(node=node).only("pk", "path")
    }


def get_visible_membership(*, member: Member, membership_id: int) -> Membership:
    """A membership (active or ended) of a committee ``member`` may see."""
    membership = (
        Membership.objects.select_related("node", "member").filter(pk=membership_id).first()
    )
    if membership is None or not can_see_node(member=member, node=membership.node):
        raise NotFound()
    return membership


def get_visible_mandate(*, member: Member, mandate_id: int) -> Mandate:
    """A mandate (active or ended) of a committee ``member`` may see."""
    mandate = Mandate.objects.select_related("committee", "delegate").filter(pk=mandate_id).first()
    if mandate is None or not can_see_node(member=member, node=mandate.committee):
        raise NotFound()
    return mandate


def members_for(*, member: Member, node_id: int) -> QuerySet[Membership]:
    """The active members of a committee, for its own members and operators.

    Raises ``NotFound`` if the node is unknown or invisible (a sibling
    committee), ``InvalidInput`` if the node is not a committee."""
    node = get_visible_node(member=member, node_id=node_id)
    if not node.is_committee:
        raise InvalidInput(_("Only committees have members."), field="node")
    return members_of(node=node)


def mandates_for(*, member: Member, node_id: int) -> QuerySet[Mandate]:
    """Every mandate of a committee ``member`` may see, newest first."""
    node = get_visible_node(member=member, node_id=node_id)
    return mandate_history(committee=node)


def active_member_of(*, committee: Node, member_id: int) -> Member | None:
    """The member with id ``member_id`` if they belong to ``committee`` now."""
    membership = (
        Membership.objects.select_related("member")
        .filter(node=committee, member_id=member_id, ended_at__isnull=True)
        .first()
    )
    return membership.member if membership is not None else None


@dataclass(frozen=True)
class TreeEntry:
    """One line of the tree page."""

    node: Node
    depth: int
    is_own: bool


def tree_for(*, member: Member) -> list[TreeEntry]:
    """The nodes ``member`` may see (all of them for an operator), depth first
    with siblings by name, each flagged when it is one of the member's own
    committees."""
    nodes = list(visible_nodes(member=member).only("pk", "kind", "name", "parent_id", "depth"))
    own = set(
        Membership.objects.filter(member=member, ended_at__isnull=True).values_list(
            "node_id", flat=True
        )
    )
    ids = {n.pk for n in nodes}
    by_parent: dict[int | None, list[Node]] = {}
    for n in nodes:
        # A visible node whose parent is not visible cannot happen for a member
        # (visibility runs up the tree), but treat it as a root to be safe.
        key = n.parent_id if n.parent_id in ids else None
        by_parent.setdefault(key, []).append(n)
    entries: list[TreeEntry] = []
    stack = sorted(by_parent.get(None, []), key=lambda n: n.name.casefold(), reverse=True)
    while stack:
        n = stack.pop()
        entries.append(TreeEntry(node=n, depth=n.depth, is_own=n.pk in own))
        kids = by_parent.get(n.pk, [])
        stack.extend(sorted(kids, key=lambda k: k.name.casefold(), reverse=True))
    return entries
