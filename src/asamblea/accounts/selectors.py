"""Reads for invitations, tokens and a member's own profile, permission-aware.

A committee the member may not see is reported as not found; a committee they
see but may not manage invitations for is forbidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asamblea.accounts import rules
from asamblea.accounts.models import ApiToken, Invitation, Member
from asamblea.core.errors import Forbidden, NotFound
from asamblea.federation import selectors as federation_selectors
from asamblea.federation.models import Membership, Node


@dataclass(frozen=True)
class InvitationRow:
    """An invitation with its state computed once, for lists and the API."""

    invitation: Invitation
    state: rules.InvitationState

    @property
    def can_revoke(self) -> bool:
        return self.state == rules.InvitationState.ACTIVE


def can_manage_invitations(*, member: Member, node: Node) -> bool:
    return member.is_staff or federation_selectors.is_secretary(member=member, node=node)


def get_invitable_committee(*, member: Member, node_id: int) -> Node:
    """The committee whose invitations ``member`` may manage.

    Raises NotFound if the node does not exist, is invisible to ``member`` or
    is not a committee; Forbidden if visible but ``member`` is neither its
    secretary nor an operator.
    """
    node = federation_selectors.get_visible_node(member=member, node_id=node_id)
    if not can_manage_invitations(member=member, node=node):
        raise Forbidden(_("Only a secretary of this committee can manage its invitations."))
    if not node.is_committee:
        raise NotFound(_("Only committees have invitations."))
    return node


def invitation_row(invitation: Invitation, *, now: datetime | None = None) -> InvitationRow:
    return InvitationRow(
        invitation=invitation,
        state=rules.invitation_state(
            now=now or timezone.now(),
            expires_at=invitation.expires_at,
            used_at=invitation.used_at,
            revoked_at=invitation.revoked_at,
        ),
    )


def list_invitations(*, member: Member, committee: Node) -> list[InvitationRow]:
    """Every invitation of ``committee``, newest first, with its state."""
    get_invitable_committee(member=member, node_id=committee.pk)
    now = timezone.now()
    invitations = Invitation.objects.filter(node=committee).order_by("-created_at", "-pk")
    return [invitation_row(inv, now=now) for inv in invitations]


def get_invitation_for(*, member: Member, invitation_id: int) -> Invitation:
    """An invitation ``member`` may manage (same rules as its committee)."""
    invitation = Invitation.objects.select_related("node").filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFound()
    get_invitable_committee(member=member, node_id=invitation.node_id)
    return invitation


def active_api_tokens(*, member: Member) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(member=member, revoked_at__isnull=True).order_by(
        "-created_at", "-pk"
    )


def my_memberships(*, member: Member) -> QuerySet[Membership]:
    return federation_selectors.active_memberships(member=member).order_by("node__name")
