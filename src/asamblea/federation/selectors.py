"""Reads of the federation, permission-aware.

Visibility rule: a member sees the internal content of each committee they
belong to and of every node above it, never that of sibling committees.
Operators (``is_staff``) see everything. Objects a member may not see are
reported as not found, so that their existence does not leak.
"""

from __future__ import annotations

from django.db.models import QuerySet

from asamblea.accounts.models import Member
from asamblea.core.errors import NotFound
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
