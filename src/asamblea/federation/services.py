"""Writes to the federation. Each service checks permission first, owns its
transaction and appends to the audit log."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from asamblea.accounts.models import Member
from asamblea.core import audit
from asamblea.core.errors import Forbidden, InvalidInput
from asamblea.federation.models import Membership, Node, NodeKind, Role

# Which kind of node may sit under which; committees are the leaves.
ALLOWED_CHILDREN: dict[str, set[str]] = {
    NodeKind.ASSEMBLY: {NodeKind.REGION, NodeKind.ZONE, NodeKind.COMMITTEE},
    NodeKind.REGION: {NodeKind.ZONE, NodeKind.COMMITTEE},
    NodeKind.ZONE: {NodeKind.ZONE, NodeKind.COMMITTEE},
    NodeKind.COMMITTEE: set(),
}


def create_node(
    *,
    actor: Member | None,
    kind: str,
    name: str,
    parent: Node | None = None,
    seconders_required: int = 2,
    description: str = "",
) -> Node:
    """Create a node of the tree. Only operators may do this (``actor`` None is
    the system itself, used by management commands)."""
    if actor is not None and not actor.is_staff:
        raise Forbidden()
    if kind not in NodeKind.values:
        raise InvalidInput(_("Unknown kind of node."), field="kind")
    if not name.strip():
        raise InvalidInput(_("A name is required."), field="name")
    if parent is None and kind != NodeKind.ASSEMBLY:
        raise InvalidInput(_("Only an assembly can be at the top of the tree."), field="parent")
    if parent is not None and kind not in ALLOWED_CHILDREN[parent.kind]:
        raise InvalidInput(
            _("A %(child)s cannot be placed under a %(parent)s.")
            % {"child": NodeKind(kind).label, "parent": NodeKind(parent.kind).label},
            field="parent",
        )
    with transaction.atomic():
        node = Node.objects.create(
            kind=kind,
            name=name.strip(),
            parent=parent,
            seconders_required=seconders_required,
            description=description,
            depth=(parent.depth + 1) if parent else 0,
        )
        node.path = (parent.path if parent else "") + Node.segment(node.pk)
        node.save(update_fields=["path"])
        audit.record(
            actor=actor,
            action="node.created",
            target=node,
            data={"kind": kind, "name": node.name, "parent": parent.pk if parent else None},
        )
    return node


def add_membership(
    *, actor: Member | None, member: Member, committee: Node, role: str = Role.MEMBER
) -> Membership:
    """Admit ``member`` to ``committee``. Callers check who may do it (a
    secretary, an operator, or a redeemed invitation)."""
    if not committee.is_committee:
        raise InvalidInput(_("Members join committees, not higher nodes."), field="node")
    if role not in (Role.MEMBER, Role.SECRETARY):
        raise InvalidInput(_("Unknown role."), field="role")
    with transaction.atomic():
        if Membership.objects.filter(member=member, node=committee, ended_at__isnull=True).exists():
            raise InvalidInput(_("Already a member of this committee."), field="member")
        membership = Membership.objects.create(member=member, node=committee, role=role)
        audit.record(
            actor=actor,
            action="membership.created",
            target=membership,
            data={"member": member.pk, "node": committee.pk, "role": role},
        )
    return membership
