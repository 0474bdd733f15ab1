"""Reads of the federation, permission-aware.

Who may see and manage what is decided in ``federation.access``; the
selectors that take a ``member`` (or the request's ``Viewer``) ask it and
report what that member may not see as not found.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from asamblea.accounts.models import Member
from asamblea.core.errors import InvalidInput
from asamblea.federation import access
from asamblea.federation.access import Viewer, as_viewer
from asamblea.federation.models import Mandate, Membership, Node, NodeKind


def active_memberships(*, member: Member) -> QuerySet[Membership]:
    return Membership.objects.filter(member=member, ended_at__isnull=True).select_related("node")


def membership_in(*, member: Member, node: Node) -> Membership | None:
    return Membership.objects.filter(member=member, node=node, ended_at__isnull=True).first()


def visible_node_ids(*, member: Member | Viewer) -> set[int]:
    """Ids of the nodes whose internal content ``member`` may see through their
    memberships (an operator's own memberships only: operators see every node,
    see :func:`visible_nodes`)."""
    return set(as_viewer(member).visible)


def can_see_node(*, member: Member | Viewer, node: Node) -> bool:
    return access.may_see(as_viewer(member), node)


def get_visible_node(*, member: Member | Viewer, node_id: int) -> Node:
    return access.access_node(as_viewer(member), node_id)


def visible_nodes(*, member: Member | Viewer) -> QuerySet[Node]:
    ids = as_viewer(member).visible_ids()
    if ids is None:
        return Node.objects.all()
    return Node.objects.filter(pk__in=ids)


def node_choices_for(*, member: Member | Viewer) -> list[tuple[int, str]]:
    """The visible nodes as choices of a search form, in tree order, each
    label indented by its depth."""
    return [
        (pk, "\u00a0\u00a0" * depth + name)
        for pk, name, depth in visible_nodes(member=member)
        .order_by("path")
        .values_list("pk", "name", "depth")
    ]


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


def can_act_at(*, member: Member | Viewer, node: Node) -> bool:
    """Whether ``member`` belongs to a committee at or below ``node``, or is an
    operator: the test for acting at a node (proposing, voting) as opposed to
    managing it."""
    return access.may_see(as_viewer(member), node)


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


def get_visible_membership(*, member: Member | Viewer, membership_id: int) -> Membership:
    """A membership (active or ended) of a committee ``member`` may see."""
    return access.access_membership(as_viewer(member), membership_id)


def get_visible_mandate(*, member: Member | Viewer, mandate_id: int) -> Mandate:
    """A mandate (active or ended) of a committee ``member`` may see."""
    return access.access_mandate(as_viewer(member), mandate_id)


def members_for(*, member: Member | Viewer, node_id: int) -> QuerySet[Membership]:
    """The active members of a committee, for its own members and operators.

    Raises ``NotFound`` if the node is unknown or invisible (a sibling
    committee), ``InvalidInput`` if the node is not a committee."""
    node = get_visible_node(member=member, node_id=node_id)
    if not node.is_committee:
        raise InvalidInput(_("Only committees have members."), field="node")
    return members_of(node=node)


def mandates_for(*, member: Member | Viewer, node_id: int) -> QuerySet[Mandate]:
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


@dataclass
class TreeBranch:
    """A node of the tree page with the branches beneath it; ``holds_own``
    when one of the member's committees is in it (the page opens those)."""

    entry: TreeEntry
    children: list[TreeBranch] = field(default_factory=list)
    holds_own: bool = False


def tree_branches_for(*, member: Member | Viewer) -> list[TreeBranch]:
    """``tree_for`` as nested branches (the collapsible tree page)."""
    roots: list[TreeBranch] = []
    open_path: list[TreeBranch] = []
    for entry in tree_for(member=member):
        branch = TreeBranch(entry=entry, holds_own=entry.is_own)
        while open_path and open_path[-1].entry.depth >= entry.depth:
            open_path.pop()
        (open_path[-1].children if open_path else roots).append(branch)
        if entry.is_own:
            for ancestor in open_path:
                ancestor.holds_own = True
        open_path.append(branch)
    return roots


def tree_for(*, member: Member | Viewer) -> list[TreeEntry]:
    """The nodes ``member`` may see (all of them for an operator), depth first
    with siblings by name, each flagged when it is one of the member's own
    committees."""
    viewer = as_viewer(member)
    nodes = list(visible_nodes(member=viewer).only("pk", "kind", "name", "parent_id", "depth"))
    own = viewer.committee_ids()
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
