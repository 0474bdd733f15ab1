"""Invitations: one-time codes that admit a newcomer to a committee.

The ``Invitation`` rows live in ``accounts`` (with the members they create);
who may invite, and the admission itself, belong to the federation: the
committee's managers (``federation.access.may_manage``) create and withdraw
codes, and redeeming one creates the member and their membership in one
transaction.

A committee the member may not see is reported as not found; a committee they
see but may not manage invitations for is forbidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asamblea.accounts import rules
from asamblea.accounts import services as account_services
from asamblea.accounts.errors import ExpiredCode, InvalidCode, RevokedCode, UsedCode
from asamblea.accounts.models import ApiToken, Invitation, Member
from asamblea.core import audit
from asamblea.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from asamblea.federation import access, services
from asamblea.federation.access import Actor, Viewer, as_viewer
from asamblea.federation.models import Node, Role

INVITABLE_ROLES = (Role.MEMBER, Role.SECRETARY)
MAX_INVITATIONS_PER_BATCH = 50
MAX_VALID_DAYS = 90

MANAGERS_ONLY = _("Only a secretary of this committee can manage its invitations.")


# --- reads ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InvitationRow:
    """An invitation with its state computed once, for lists and the API."""

    invitation: Invitation
    state: rules.InvitationState

    @property
    def can_revoke(self) -> bool:
        return self.state == rules.InvitationState.ACTIVE


def _check_rights(who: Actor | Viewer, committee: Node) -> None:
    """Invisible committee: NotFound (no leak). Visible but not its manager:
    Forbidden."""
    viewer = as_viewer(who)
    if not access.may_see(viewer, committee):
        raise NotFound()
    if not access.may_manage(viewer, committee):
        raise Forbidden(MANAGERS_ONLY)


def get_invitable_committee(*, member: Member | Viewer, node_id: int) -> Node:
    """The committee whose invitations ``member`` may manage.

    Raises NotFound if the node does not exist, is invisible to ``member`` or
    is not a committee; Forbidden if visible but ``member`` may not manage it.
    """
    viewer = as_viewer(member)
    node = access.access_node(viewer, node_id)
    _check_rights(viewer, node)
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


def list_invitations(*, member: Member | Viewer, committee: Node) -> list[InvitationRow]:
    """Every invitation of ``committee``, newest first, with its state."""
    get_invitable_committee(member=member, node_id=committee.pk)
    now = timezone.now()
    invitations = Invitation.objects.filter(node=committee).order_by("-created_at", "-pk")
    return [invitation_row(inv, now=now) for inv in invitations]


def get_invitation_for(*, member: Member | Viewer, invitation_id: int) -> Invitation:
    """An invitation ``member`` may manage (same rules as its committee)."""
    if not 0 < invitation_id <= access.MAX_ID:
        raise NotFound()
    invitation = Invitation.objects.select_related("node").filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFound()
    get_invitable_committee(member=member, node_id=invitation.node_id)
    return invitation


# --- writes --------------------------------------------------------------------------


def create_invitations(
    *,
    actor: Actor,
    committee: Node,
    role: str = Role.MEMBER,
    count: int = 1,
    valid_days: int = 7,
) -> list[tuple[Invitation, str]]:
    """Create ``count`` one-time codes admitting people to ``committee`` with ``role``.

    Returns each invitation with its raw code, formatted for display. The raw
    codes exist only in this return value: show them once and forget them.
    """
    _check_rights(actor, committee)
    if not isinstance(actor, Member):
        raise Forbidden(MANAGERS_ONLY)
    if not committee.is_committee:
        raise InvalidInput(_("Invitations admit people to committees only."), field="node")
    if role not in INVITABLE_ROLES:
        raise InvalidInput(_("An invitation can make a member or a secretary."), field="role")
    if not 1 <= count <= MAX_INVITATIONS_PER_BATCH:
        raise InvalidInput(
            _("Create between 1 and %(n)d invitations at a time.")
            % {"n": MAX_INVITATIONS_PER_BATCH},
            field="count",
        )
    if not 1 <= valid_days <= MAX_VALID_DAYS:
        raise InvalidInput(
            _("An invitation can be valid for 1 to %(n)d days.") % {"n": MAX_VALID_DAYS},
            field="valid_days",
        )
    now = timezone.now()
    expires_at = now + timedelta(days=valid_days)
    created: list[tuple[Invitation, str]] = []
    with transaction.atomic():
        for _i in range(count):
            code = rules.generate_code()
            invitation = Invitation.objects.create(
                code_digest=rules.code_digest(code),
                code_hint=rules.code_hint(code),
                node=committee,
                role=role,
                created_by=actor,
                created_at=now,
                expires_at=expires_at,
            )
            audit.record(
                actor=actor,
                action="invitation.created",
                target=invitation,
                data={
                    "node": committee.pk,
                    "role": role,
                    "hint": invitation.code_hint,
                    "expires_at": expires_at.isoformat(),
                },
            )
            created.append((invitation, rules.format_code(code)))
    return created


def revoke_invitation(*, actor: Actor, invitation: Invitation) -> Invitation:
    """Withdraw an unused invitation so its code no longer admits anyone. Its
    committee's managers; not ``SYSTEM``."""
    _check_rights(actor, invitation.node)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.used_at is not None:
            raise Conflict(_("This invitation has already been used."), code="already_used")
        if locked.revoked_at is not None:
            raise Conflict(_("This invitation was already withdrawn."), code="already_revoked")
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action="invitation.revoked",
            target=locked,
            data={"node": locked.node_id, "hint": locked.code_hint},
        )
    return locked


def redeem_invitation(
    *,
    code: str,
    pseudonym: str,
    password: str,
    email: str = "",
    phone: str = "",
    language: str = settings.LANGUAGE_CODE,
) -> Member:
    """Create a member from an invitation code and admit them to its committee.

    Everything happens in one transaction holding a row lock on the invitation,
    so two people racing with the same code cannot both get in, and a failure
    at any step leaves no member, membership or audit entry behind.
    """
    normalized = rules.normalize_code(code)
    if normalized is None:
        raise InvalidCode(field="code")
    new = account_services.clean_new_member(
        pseudonym=pseudonym, password=password, email=email, phone=phone, language=language
    )
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .filter(code_digest=rules.code_digest(normalized))
            .first()
        )
        if invitation is None:
            raise InvalidCode(field="code")
        state = rules.invitation_state(
            now=timezone.now(),
            expires_at=invitation.expires_at,
            used_at=invitation.used_at,
            revoked_at=invitation.revoked_at,
        )
        if state == rules.InvitationState.USED:
            raise UsedCode(field="code")
        if state == rules.InvitationState.REVOKED:
            raise RevokedCode(field="code")
        if state == rules.InvitationState.EXPIRED:
            raise ExpiredCode(field="code")
        member = account_services.create_member(new=new)
        audit.record(
            actor=member,
            action="member.joined",
            target=member,
            data={"node": invitation.node_id, "role": invitation.role},
        )
        services.add_membership(
            actor=member,
            member=member,
            committee=invitation.node,
            role=invitation.role,
            invitation=invitation,
        )
        invitation.used_at = timezone.now()
        invitation.used_by = member
        invitation.save(update_fields=["used_at", "used_by"])
        audit.record(
            actor=member,
            action="invitation.redeemed",
            target=invitation,
            data={"node": invitation.node_id, "hint": invitation.code_hint},
        )
    return member


def redeem_invitation_with_token(
    *,
    code: str,
    pseudonym: str,
    password: str,
    email: str = "",
    phone: str = "",
    language: str = settings.LANGUAGE_CODE,
    token_name: str,
) -> tuple[Member, ApiToken, str]:
    """``redeem_invitation`` plus a first API token, all or nothing (for API clients)."""
    with transaction.atomic():
        member = redeem_invitation(
            code=code,
            pseudonym=pseudonym,
            password=password,
            email=email,
            phone=phone,
            language=language,
        )
        token, raw = account_services.create_api_token(member=member, name=token_name)
    return member, token, raw
