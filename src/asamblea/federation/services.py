"""Writes to the federation. Each service checks permission first (through
``federation.access``), owns its transaction and appends to the audit log.

``actor`` is a member or ``core.actors.SYSTEM`` (management commands, or
another app applying a vote result). The system is checked like anyone else:
each service's docstring says whether it accepts it.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asamblea.accounts.models import Invitation, Member
from asamblea.core import audit
from asamblea.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from asamblea.federation import access, rules, selectors
from asamblea.federation.access import Actor, Viewer
from asamblea.federation.models import (
    Mandate,
    MandateEnd,
    MandateSource,
    Membership,
    Node,
    NodeKind,
    Role,
)

# Kept importable from here: other code reads the tree's shape from services.
ALLOWED_CHILDREN = rules.ALLOWED_CHILDREN


TREE_OPERATORS_ONLY = _("Only operators may change the tree.")


def _check_tree_shaper(viewer: Viewer, node: Node | None) -> None:
    if not access.may_shape_tree(viewer):
        if node is not None and not access.may_see(viewer, node):
            raise NotFound()
        raise Forbidden(TREE_OPERATORS_ONLY)


def check_manager(*, actor: Actor, node: Node, system_allowed: bool = False) -> None:
    """Refuse an actor who cannot see ``node`` (404) or may not manage its
    members and delegates (403); ``SYSTEM`` only where ``system_allowed``.
    Callers that must look up more input before calling a service use it to
    refuse first, without leaking what they look up."""
    viewer = Viewer.of(actor)
    if viewer.is_system and system_allowed:
        return
    access.check_node(viewer, node, to="manage")


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput(_("A name is required."), field="name")
    if len(name) > rules.NAME_MAX_LENGTH:
        raise InvalidInput(
            _("The name is too long (at most %(max)d characters).")
            % {"max": rules.NAME_MAX_LENGTH},
            field="name",
        )
    return name


def _check_description(description: str) -> None:
    if len(description) > rules.DESCRIPTION_MAX_LENGTH:
        raise InvalidInput(
            _("The description is too long (at most %(max)d characters).")
            % {"max": rules.DESCRIPTION_MAX_LENGTH},
            field="description",
        )


def _check_seconders(seconders_required: int) -> None:
    if not 0 <= seconders_required <= rules.SECONDERS_MAX:
        raise InvalidInput(
            _("Seconders required must be between 0 and %(max)d.") % {"max": rules.SECONDERS_MAX},
            field="seconders_required",
        )


def _check_seconding_committees(count: int) -> None:
    if not 1 <= count <= rules.SECONDERS_MAX:
        raise InvalidInput(
            _("Committees among the seconders must be between 1 and %(max)d.")
            % {"max": rules.SECONDERS_MAX},
            field="seconding_committees",
        )


def create_node(
    *,
    actor: Actor,
    kind: str,
    name: str,
    parent: Node | None = None,
    seconders_required: int = 2,
    seconding_committees: int | None = None,
    description: str = "",
) -> Node:
    """Create a node of the tree. Operators and ``SYSTEM`` (management
    commands) may do this. ``seconding_committees`` None: the default of the
    kind (``rules.default_seconding_committees``)."""
    _check_tree_shaper(Viewer.of(actor), None)
    if kind not in NodeKind.values:
        raise InvalidInput(_("Unknown kind of node."), field="kind")
    name = _clean_name(name)
    _check_description(description)
    _check_seconders(seconders_required)
    if seconding_committees is None:
        seconding_committees = rules.default_seconding_committees(kind)
    _check_seconding_committees(seconding_committees)
    if not rules.may_hold_child(parent_kind=parent.kind if parent else None, child_kind=kind):
        if parent is None:
            raise InvalidInput(_("Only an assembly can be at the top of the tree."), field="parent")
        raise InvalidInput(
            _("A %(child)s cannot be placed under a %(parent)s.")
            % {"child": NodeKind(kind).label, "parent": NodeKind(parent.kind).label},
            field="parent",
        )
    with transaction.atomic():
        node = Node.objects.create(
            kind=kind,
            name=name,
            parent=parent,
            seconders_required=seconders_required,
            seconding_committees=seconding_committees,
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


def update_node(
    *,
    actor: Actor,
    node: Node,
    name: str | None = None,
    description: str | None = None,
    seconders_required: int | None = None,
    seconding_committees: int | None = None,
) -> Node:
    """Change a node's name, description, seconders required or committees
    among the seconders (None: keep).
    Operators and ``SYSTEM``; a member who cannot see the node gets ``NotFound``."""
    _check_tree_shaper(Viewer.of(actor), node)
    changes: dict[str, object] = {}
    if name is not None:
        changes["name"] = _clean_name(name)
    if description is not None:
        _check_description(description)
        changes["description"] = description
    if seconders_required is not None:
        _check_seconders(seconders_required)
        changes["seconders_required"] = seconders_required
    if seconding_committees is not None:
        _check_seconding_committees(seconding_committees)
        changes["seconding_committees"] = seconding_committees
    changes = {k: v for k, v in changes.items() if getattr(node, k) != v}
    if not changes:
        return node
    with transaction.atomic():
        for field, value in changes.items():
            setattr(node, field, value)
        node.save(update_fields=list(changes))
        audit.record(actor=actor, action="node.updated", target=node, data=changes)
    return node


def add_membership(
    *,
    actor: Actor,
    member: Member,
    committee: Node,
    role: str = Role.MEMBER,
    invitation: Invitation | None = None,
) -> Membership:
    """Admit ``member`` to ``committee``: its secretaries, operators, ``SYSTEM``
    (management commands), or the member themself redeeming an invitation
    (``invitation``, for this committee and role, checked and locked by the
    caller)."""
    if not (
        invitation is not None
        and isinstance(actor, Member)
        and actor.pk == member.pk
        and invitation.node_id == committee.pk
        and invitation.role == role
    ):
        check_manager(actor=actor, node=committee, system_allowed=True)
    if not committee.is_committee:
        raise InvalidInput(_("Members join committees, not higher nodes."), field="node")
    if role not in rules.MEMBERSHIP_ROLES:
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


def _lock_membership(membership: Membership) -> Membership:
    """Re-read ``membership`` under a row lock and lock its committee's active
    secretaries, so that two secretaries stepping down at once cannot both pass
    the last-secretary check. Must run inside a transaction."""
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    list(
        Membership.objects.select_for_update()
        .filter(node_id=locked.node_id, role=Role.SECRETARY, ended_at__isnull=True)
        .values_list("pk", flat=True)
    )
    return locked


def _secretary_count(node_id: int) -> int:
    return Membership.objects.filter(
        node_id=node_id, role=Role.SECRETARY, ended_at__isnull=True
    ).count()


LAST_SECRETARY_MESSAGE = _(
    "A committee must keep at least one secretary. Name another secretary first."
)


def change_role(*, actor: Actor, membership: Membership, role: str) -> Membership:
    """Make a member a secretary or a plain member of their committee.

    Only the committee's secretaries and operators (not ``SYSTEM``); the last
    secretary cannot step down."""
    check_manager(actor=actor, node=membership.node)
    if role not in rules.MEMBERSHIP_ROLES:
        raise InvalidInput(_("Unknown role."), field="role")
    with transaction.atomic():
        locked = _lock_membership(membership)
        if locked.ended_at is not None:
            raise Conflict(_("This membership has already ended."))
        if locked.role == role:
            return locked
        if rules.leaves_committee_without_secretary(
            current_role=locked.role, new_role=role, secretaries=_secretary_count(locked.node_id)
        ):
            raise Conflict(LAST_SECRETARY_MESSAGE, field="role")
        previous = locked.role
        locked.role = role
        locked.save(update_fields=["role"])
        audit.record(
            actor=actor,
            action="membership.role_changed",
            target=locked,
            data={"member": locked.member_id, "node": locked.node_id, "from": previous, "to": role},
        )
    membership.role = locked.role
    return locked


def _end_mandate_locked(*, actor: Actor, mandate: Mandate, reason: str) -> None:
    mandate.ended_at = timezone.now()
    mandate.ended_reason = reason
    mandate.save(update_fields=["ended_at", "ended_reason"])
    audit.record(
        actor=actor,
        action="mandate.ended",
        target=mandate,
        data={"committee": mandate.committee_id, "delegate": mandate.delegate_id, "reason": reason},
    )


def end_membership(*, actor: Actor, membership: Membership) -> Membership:
    """End a membership: a secretary or operator removes a member, or a member
    leaves (``actor`` is the member); not ``SYSTEM``. Their active mandate for
    the committee ends with reason ``left``. The last secretary cannot go."""
    leaving = isinstance(actor, Member) and actor.pk == membership.member_id
    if not leaving:
        check_manager(actor=actor, node=membership.node)
    with transaction.atomic():
        locked = _lock_membership(membership)
        if locked.ended_at is not None:
            raise Conflict(_("This membership has already ended."))
        if rules.leaves_committee_without_secretary(
            current_role=locked.role, new_role=None, secretaries=_secretary_count(locked.node_id)
        ):
            raise Conflict(LAST_SECRETARY_MESSAGE)
        locked.ended_at = timezone.now()
        locked.save(update_fields=["ended_at"])
        audit.record(
            actor=actor,
            action="membership.ended",
            target=locked,
            data={
                "member": locked.member_id,
                "node": locked.node_id,
                "left": leaving,
            },
        )
        for mandate in Mandate.objects.select_for_update().filter(
            committee_id=locked.node_id, delegate_id=locked.member_id, ended_at__isnull=True
        ):
            _end_mandate_locked(actor=actor, mandate=mandate, reason=MandateEnd.LEFT)
    membership.ended_at = locked.ended_at
    return locked


def appoint_delegate(
    *,
    actor: Actor,
    committee: Node,
    delegate: Member,
    instructions: str = "",
    source: str = MandateSource.APPOINTED,
    poll: Model | None = None,
) -> Mandate:
    """Give ``delegate`` a mandate to represent ``committee`` at its parent node.

    A secretary or operator appoints; ``SYSTEM`` applies an election
    (``source=ELECTED`` with its ``poll``) or runs a management command. The
    delegate must be an active member of the committee and hold no active
    mandate for it."""
    check_manager(actor=actor, node=committee, system_allowed=True)
    if not committee.is_committee:
        raise InvalidInput(_("Only committees appoint delegates."), field="committee")
    if source not in MandateSource.values:
        raise InvalidInput(_("Unknown source of mandate."), field="source")
    if len(instructions) > rules.INSTRUCTIONS_MAX_LENGTH:
        raise InvalidInput(
            _("The instructions are too long (at most %(max)d characters).")
            % {"max": rules.INSTRUCTIONS_MAX_LENGTH},
            field="instructions",
        )
    with transaction.atomic():
        if not selectors.is_member_of(member=delegate, node=committee):
            raise InvalidInput(
                _("The delegate must be an active member of the committee."), field="delegate"
            )
        # Lock the delegate's row so that two appointments of the same person
        # serialise; the partial unique constraint is the last line of defence.
        Member.objects.select_for_update().filter(pk=delegate.pk).exists()
        if selectors.mandate_for_member(member=delegate, committee=committee) is not None:
            raise Conflict(
                _("This member already holds a mandate for this committee."), field="delegate"
            )
        mandate = Mandate.objects.create(
            committee=committee,
            delegate=delegate,
            source=source,
            instructions=instructions,
            poll_id=poll.pk if poll is not None else None,
        )
        audit.record(
            actor=actor,
            action="mandate.started",
            target=mandate,
            data={
                "committee": committee.pk,
                "delegate": delegate.pk,
                "source": source,
                "poll": mandate.poll_id,
            },
        )
    return mandate


def end_mandate(*, actor: Actor, mandate: Mandate, reason: str) -> Mandate:
    """End an active mandate. The delegate may resign; a secretary or operator
    may replace the delegate; ``SYSTEM`` (applying a recall vote) may give any
    reason."""
    viewer = Viewer.of(actor)
    if not access.may_see(viewer, mandate.committee):
        raise NotFound()
    allowed = rules.end_reasons_allowed(
        is_system=viewer.is_system,
        is_delegate=isinstance(actor, Member) and actor.pk == mandate.delegate_id,
        is_manager=access.may_manage(viewer, mandate.committee),
    )
    if not allowed:
        raise Forbidden(_("Only the delegate, a secretary or an operator may end this mandate."))
    if reason not in MandateEnd.values:
        raise InvalidInput(_("Unknown reason for ending a mandate."), field="reason")
    if reason not in allowed:
        raise Forbidden(_("You may not end this mandate for this reason."))
    with transaction.atomic():
        locked = Mandate.objects.select_for_update().get(pk=mandate.pk)
        if locked.ended_at is not None:
            raise Conflict(_("This mandate has already ended."))
        _end_mandate_locked(actor=actor, mandate=locked, reason=reason)
    mandate.ended_at = locked.ended_at
    mandate.ended_reason = locked.ended_reason
    return locked
