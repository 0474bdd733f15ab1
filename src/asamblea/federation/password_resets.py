"""Password resets: a way back in for a member who forgot their password and
gave no e-mail address (or has no access to it).

A secretary of a committee the member belongs to (or an operator) issues a
one-time reset code for them, like an invitation: expiring, stored as a
SHA-256 digest only, shown once to the secretary, printable with a QR code.
The member types their pseudonym, the code and a new password. The ``PasswordReset``
rows live in ``accounts`` with the members; who may issue a code is the
federation's question (``federation.access.may_manage`` of a committee the
member belongs to).

Every step is in the audit log (``password_reset.issued``; ``.revoked`` when a
newer code replaces it; ``.used``), and the member is told of each code issued
for them and each reset on their next sign-in
(``accounts.services.take_reset_notices``). Setting a new
password changes the session hash, so every other session of the member ends.

A secretary may not issue a code for an operator (that would hand them the
operator's powers): only operators may. Nobody issues one for themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asamblea.accounts import rules
from asamblea.accounts import services as account_services
from asamblea.accounts.errors import ExpiredCode, InvalidCode, RevokedCode, UsedCode
from asamblea.accounts.models import Member, PasswordReset
from asamblea.core import audit
from asamblea.core.errors import Forbidden, NotFound
from asamblea.federation import access
from asamblea.federation.access import Actor, Viewer, as_viewer
from asamblea.federation.models import Membership

# A forgotten password is usually sorted out at the next meeting; a code that
# lingers longer is a risk for nothing.
RESET_CODE_VALID_HOURS = 72


class InvalidResetCode(InvalidCode):
    default_message = _(
        "This pseudonym and reset code do not go together. Check both and type them again."
    )


class ExpiredResetCode(ExpiredCode):
    default_message = _("This reset code has expired. Ask your secretary for a new one.")


class UsedResetCode(UsedCode):
    default_message = _("This reset code has already been used.")


class RevokedResetCode(RevokedCode):
    default_message = _("This reset code was withdrawn. Ask your secretary for a new one.")


@dataclass(frozen=True)
class IssuedCode:
    reset: PasswordReset
    code: str  # formatted for display; exists only in this value


# --- reads ---------------------------------------------------------------------------


def access_membership_for_reset(viewer: Viewer | Actor, membership_id: int) -> Membership:
    """An active membership whose member ``viewer`` may issue a reset code for.

    NotFound if invisible (or ended); Forbidden if visible but ``viewer`` does
    not manage its committee, it is their own, or the member is an operator and
    ``viewer`` is not.
    """
    viewer = as_viewer(viewer)
    membership = access.access_membership(viewer, membership_id)
    if membership.ended_at is not None:
        raise NotFound()
    if not access.may_manage(viewer, membership.node):
        raise Forbidden(_("Only a secretary of this committee can issue reset codes."))
    member = membership.member
    if viewer.member is not None and viewer.member.pk == member.pk:
        raise Forbidden(_("Change your own password on your profile page."))
    if member.is_staff and not viewer.is_operator:
        raise Forbidden(_("Only an operator can issue a reset code for an operator."))
    return membership


# --- writes --------------------------------------------------------------------------


def issue_reset_code(*, actor: Actor, membership: Membership) -> IssuedCode:
    """A fresh one-time code that lets ``membership.member`` set a new password.

    Earlier active codes of the member are withdrawn (one code in circulation
    at a time). The raw code exists only in the return value.
    """
    access_membership_for_reset(actor, membership.pk)
    if not isinstance(actor, Member):
        raise Forbidden(_("Only a secretary of this committee can issue reset codes."))
    now = timezone.now()
    code = rules.generate_code()
    with transaction.atomic():
        stale = PasswordReset.objects.select_for_update().filter(
            member=membership.member,
            kind=PasswordReset.Kind.CODE,
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
        )
        for old in stale:
            old.revoked_at = now
            old.save(update_fields=["revoked_at"])
            audit.record(
                actor=actor,
                action="password_reset.revoked",
                target=old,
                data={"member": old.member_id, "hint": old.code_hint, "why": "replaced"},
            )
        reset = PasswordReset.objects.create(
            kind=PasswordReset.Kind.CODE,
            member=membership.member,
            code_digest=rules.code_digest(code),
            code_hint=rules.code_hint(code),
            node=membership.node,
            created_by=actor,
            created_at=now,
            expires_at=now + timedelta(hours=RESET_CODE_VALID_HOURS),
        )
        audit.record(
            actor=actor,
            action="password_reset.issued",
            target=reset,
            data={
                "member": membership.member_id,
                "node": membership.node_id,
                "hint": reset.code_hint,
                "expires_at": reset.expires_at.isoformat(),
            },
        )
    return IssuedCode(reset=reset, code=rules.format_code(code))


def _code_state(reset: PasswordReset, now: datetime) -> rules.InvitationState:
    return rules.invitation_state(
        now=now, expires_at=reset.expires_at, used_at=reset.used_at, revoked_at=reset.revoked_at
    )


def redeem_reset_code(*, pseudonym: str, code: str, new_password: str) -> Member:
    """Set a new password with a reset code issued for the member ``pseudonym``.

    The pseudonym and the code must go together; a wrong pair is reported the
    same whether the pseudonym exists or not. One transaction holding a row
    lock on the code, so that it serves once. The new password ends every
    session of the member (their session hash changes).
    """
    normalized = rules.normalize_code(code)
    if normalized is None:
        raise InvalidResetCode(field="code")
    with transaction.atomic():
        reset = (
            PasswordReset.objects.select_for_update()
            .select_related("member")
            .filter(kind=PasswordReset.Kind.CODE, code_digest=rules.code_digest(normalized))
            .first()
        )
        try:
            member = Member.objects.get_by_natural_key(pseudonym)
        except Member.DoesNotExist:
            member = None
        if reset is None or member is None or reset.member_id != member.pk:
            raise InvalidResetCode(field="code")
        now = timezone.now()
        state = _code_state(reset, now)
        if state == rules.InvitationState.USED:
            raise UsedResetCode(field="code")
        if state == rules.InvitationState.REVOKED:
            raise RevokedResetCode(field="code")
        if state == rules.InvitationState.EXPIRED:
            raise ExpiredResetCode(field="code")
        account_services.set_new_password(member=member, new_password=new_password)
        reset.used_at = now
        # Told now, on the page that follows; earlier notices stay for sign-in.
        reset.save(update_fields=["used_at"])
        audit.record(
            actor=member,
            action="password_reset.used",
            target=reset,
            data={"member": member.pk, "hint": reset.code_hint},
        )
    return member
