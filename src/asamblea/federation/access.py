"""Who may see and manage which node: the federation's one home for it.

A :class:`Viewer` is what a request knows about who is asking: the member,
the nodes whose internal content they may see, and their roles per node
(secretary, delegate; operator everywhere). It is computed once per request
(:func:`viewer_of`) and passed to the access functions of every app, which
return the object asked for or raise ``NotFound`` (unknown and invisible look
the same, so that existence does not leak) or ``Forbidden`` (visible, but not
this action).

The rules, stated once:

- **See** (read a node's internal content, act at it: draft a motion, vote):
  a member sees each committee they belong to and every node above it, never
  a sibling committee. Operators (``is_staff``) see everything. The system
  sees everything.
- **Manage** (a committee's memberships, roles, delegates, invitations and
  polls): the committee's secretaries and operators. Above committees only
  operators manage. The system manages nothing by this rule: each service that
  the system may call says so itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from asamblea.accounts.models import Member
from asamblea.core.actors import SystemActor
from asamblea.core.errors import Forbidden, NotFound
from asamblea.federation.models import Mandate, Membership, Node, Role

Actor: TypeAlias = Member | SystemActor
"""Who calls a service: a member, or ``core.actors.SYSTEM``."""

MAX_ID = 2**63 - 1  # primary keys are 64-bit; SQLite refuses larger integers

NodeAction = Literal["read", "manage"]

MANAGERS_ONLY = _("Only the committee's secretaries and operators may do this.")


@dataclass(frozen=True)
class Viewer:
    """Who is asking, as far as access is concerned. Build it with
    :meth:`of` (or :func:`viewer_of` for a request); it does not change while
    the request runs, so a service that changes the viewer's own memberships
    builds a new one for what follows."""

    member: Member | None
    is_operator: bool = False
    is_system: bool = False
    # The nodes with an active membership (committees).
    committees: frozenset[int] = frozenset()
    # Those nodes and every node above them.
    visible: frozenset[int] = frozenset()
    # Active roles per node: Role.MEMBER / Role.SECRETARY for memberships,
    # Role.DELEGATE for active mandates (held for a committee).
    roles: Mapping[int, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, actor: Actor) -> Viewer:
        """The viewer for ``actor``, read now (two queries for a member)."""
        if isinstance(actor, SystemActor):
            return SYSTEM_VIEWER
        roles: dict[int, set[str]] = {}
        committees: set[int] = set()
        visible: set[int] = set()
        for node_id, path, role in Membership.objects.filter(
            member=actor, ended_at__isnull=True
        ).values_list("node_id", "node__path", "role"):
            committees.add(node_id)
            roles.setdefault(node_id, set()).add(role)
            visible.update(int(p) for p in path.split("/") if p)
        for committee_id in Mandate.objects.filter(
            delegate=actor, ended_at__isnull=True
        ).values_list("committee_id", flat=True):
            roles.setdefault(committee_id, set()).add(Role.DELEGATE)
        return cls(
            member=actor,
            is_operator=actor.is_staff,
            committees=frozenset(committees),
            visible=frozenset(visible),
            roles={node_id: frozenset(r) for node_id, r in roles.items()},
        )

    @property
    def sees_all(self) -> bool:
        return self.is_operator or self.is_system

    def sees(self, node_id: int) -> bool:
        return self.sees_all or node_id in self.visible

    def visible_ids(self) -> frozenset[int] | None:
        """The visible node ids; None means every node (operators, system)."""
        return None if self.sees_all else self.visible

    def roles_at(self, node_id: int) -> frozenset[str]:
        return self.roles.get(node_id, frozenset())

    def belongs_to(self, node_id: int) -> bool:
        """An active membership of this node itself (a committee)."""
        return node_id in self.committees

    def is_secretary(self, node_id: int) -> bool:
        return Role.SECRETARY in self.roles_at(node_id)

    def is_delegate(self, node_id: int) -> bool:
        return Role.DELEGATE in self.roles_at(node_id)

    def committee_ids(self) -> frozenset[int]:
        """The committees the viewer belongs to."""
        return self.committees

    def delegate_committee_ids(self) -> frozenset[int]:
        return frozenset(n for n in self.roles if self.is_delegate(n))


SYSTEM_VIEWER = Viewer(member=None, is_system=True)
ANONYMOUS_VIEWER = Viewer(member=None)

_REQUEST_ATTRIBUTE = "_asamblea_viewer"


def viewer_of(request: HttpRequest) -> Viewer:
    """The viewer of ``request``, computed on first use and kept on the request.

    The member is the API's authenticated member (``request.auth``) or the
    session's user; without one the viewer sees nothing."""
    member = getattr(request, "auth", None)
    if not isinstance(member, Member):
        member = getattr(request, "user", None)
    cached = getattr(request, _REQUEST_ATTRIBUTE, None)
    if isinstance(cached, Viewer) and _same_member(cached.member, member):
        return cached
    viewer = Viewer.of(member) if isinstance(member, Member) else ANONYMOUS_VIEWER
    setattr(request, _REQUEST_ATTRIBUTE, viewer)
    return viewer


def _same_member(a: Member | None, b: object) -> bool:
    if a is None:
        return not isinstance(b, Member)
    return isinstance(b, Member) and a.pk == b.pk


def as_viewer(who: Viewer | Actor) -> Viewer:
    """A viewer as given, or the one of an actor (read now)."""
    return who if isinstance(who, Viewer) else Viewer.of(who)


# --- the rules ----------------------------------------------------------------------


def may_see(viewer: Viewer, node: Node) -> bool:
    return viewer.sees(node.pk)


def may_manage(viewer: Viewer, node: Node) -> bool:
    """THE "may manage" rule of every app: the secretaries of a committee and
    operators. Polls, invitations, memberships, roles and delegates all ask
    this one question."""
    if viewer.is_operator:
        return True
    return node.is_committee and viewer.is_secretary(node.pk)


def may_shape_tree(viewer: Viewer) -> bool:
    """Creating and changing nodes: operators, and the system (management
    commands build the tree)."""
    return viewer.is_operator or viewer.is_system


def check_node(viewer: Viewer, node: Node, *, to: NodeAction = "read") -> None:
    """Refuse ``viewer`` for ``node``: ``NotFound`` if invisible, ``Forbidden``
    if ``to="manage"`` and they may not manage it."""
    if not may_see(viewer, node):
        raise NotFound()
    if to == "manage" and not may_manage(viewer, node):
        raise Forbidden(MANAGERS_ONLY)


def access_node(viewer: Viewer, node_id: int, *, to: NodeAction = "read") -> Node:
    """The node ``node_id`` if ``viewer`` may ``to`` it (see :func:`check_node`)."""
    if not 0 < node_id <= MAX_ID:
        raise NotFound()
    node = Node.objects.filter(pk=node_id).first()
    if node is None:
        raise NotFound()
    check_node(viewer, node, to=to)
    return node


def access_membership(viewer: Viewer, membership_id: int) -> Membership:
    """A membership (active or ended) of a node ``viewer`` sees."""
    if not 0 < membership_id <= MAX_ID:
        raise NotFound()
    membership = (
        Membership.objects.select_related("node", "member").filter(pk=membership_id).first()
    )
    if membership is None or not may_see(viewer, membership.node):
        raise NotFound()
    return membership


def access_mandate(viewer: Viewer, mandate_id: int) -> Mandate:
    """A mandate (active or ended) of a committee ``viewer`` sees."""
    if not 0 < mandate_id <= MAX_ID:
        raise NotFound()
    mandate = Mandate.objects.select_related("committee", "delegate").filter(pk=mandate_id).first()
    if mandate is None or not may_see(viewer, mandate.committee):
        raise NotFound()
    return mandate
