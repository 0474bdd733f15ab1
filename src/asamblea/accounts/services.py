"""Writes for members, invitations and API tokens. Each service checks
permission first, owns its transaction and appends to the audit log.

Personal data (e-mail, phone) never enters the audit log: the log cannot be
edited, and a member who clears their contact details must leave no copy.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asamblea.accounts import rules
from asamblea.accounts.errors import (
    ExpiredCode,
    InvalidCode,
    PseudonymTaken,
    RevokedCode,
    TooManyTokens,
    UsedCode,
)
from asamblea.accounts.models import PSEUDONYM_VALIDATOR, ApiToken, Invitation, Member
from asamblea.core import audit
from asamblea.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from asamblea.federation import selectors as federation_selectors
from asamblea.federation import services as federation_services
from asamblea.federation.models import Node, Role

INVITABLE_ROLES = (Role.MEMBER, Role.SECRETARY)
MAX_INVITATIONS_PER_BATCH = 50
MAX_VALID_DAYS = 90
MAX_TOKENS_PER_MEMBER = 20
# A recognisable tag (not a secret) so leaked tokens are easy to spot and revoke.
TOKEN_PREFIX = "asb_"  # noqa: S105
TOKEN_LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_PASSWORD_LENGTH = 128
MAX_EMAIL_LENGTH = 254
MAX_PHONE_LENGTH = 32
MAX_TOKEN_NAME_LENGTH = 80
PHONE_RE = re.compile(r"^\+?[0-9 ()\-]{4,31}$")


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


# Member and token in one statement, written by hand: it runs on every API
# call, and the ORM's compilation of it cost three times the query itself.
_TOKEN_READ = f"""
SELECT m.*, t.id AS token_id,
       (t.last_used_at IS NULL OR t.last_used_at < %s) AS token_stale
FROM {Member._meta.db_table} m JOIN {ApiToken._meta.db_table} t ON t.member_id = m.id
WHERE t.digest = %s AND t.revoked_at IS NULL AND m.is_active
"""  # noqa: S608 (only table names are formatted in)


def authenticate_api_token(*, raw_token: str) -> Member | None:
    """Return the active member owning ``raw_token``, or None."""
    if not raw_token or len(raw_token) > 200:
        return None
    # "Last used" is shown to the member to spot a forgotten or stolen token; a
    # minute's precision is enough, and writing it on every request would add
    # a write (and its commit) to every API call. The condition keeps
    # concurrent requests from writing it twice.
    now = timezone.now()
    stale = now - TOKEN_LAST_USED_RESOLUTION
    params = [connection.ops.adapt_datetimefield_value(stale), _digest(raw_token)]
    member = next(iter(Member.objects.raw(_TOKEN_READ, params)), None)
    if member is None:
        return None
    if getattr(member, "token_stale", False):
        token_id: int = getattr(member, "token_id", 0)
        ApiToken.objects.filter(pk=token_id).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale)
        ).update(last_used_at=now)
    return member


# --- validation shared by several services -------------------------------------------


def _check_invitation_rights(*, actor: Member, committee: Node) -> None:
    """Invisible committee: NotFound (no leak). Visible but not its secretary: Forbidden."""
    if not federation_selectors.can_see_node(member=actor, node=committee):
        raise NotFound()
    if not (actor.is_staff or federation_selectors.is_secretary(member=actor, node=committee)):
        raise Forbidden(_("Only a secretary of this committee can manage its invitations."))


def _clean_password(password: str, *, member: Member, field: str) -> None:
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            _("A password can have at most %(n)d characters.") % {"n": MAX_PASSWORD_LENGTH},
            field=field,
        )
    try:
        validate_password(password, user=member)
    except ValidationError as exc:
        raise InvalidInput(" ".join(str(m) for m in exc.messages), field=field) from exc


def _clean_email(email: str) -> str:
    email = email.strip()
    if not email:
        return ""
    if len(email) > MAX_EMAIL_LENGTH:
        raise InvalidInput(_("This e-mail address is too long."), field="email")
    try:
        EmailValidator()(email)
    except ValidationError as exc:
        raise InvalidInput(_("Enter a valid e-mail address."), field="email") from exc
    return email


def _clean_phone(phone: str) -> str:
    phone = phone.strip()
    if not phone:
        return ""
    if len(phone) > MAX_PHONE_LENGTH or not PHONE_RE.match(phone):
        raise InvalidInput(
            _("Enter a phone number with digits, spaces, dashes and an optional leading +."),
            field="phone",
        )
    return phone


def _clean_language(language: str) -> str:
    if language not in dict(settings.LANGUAGES):
        raise InvalidInput(_("Unknown language."), field="language")
    return language


def _clean_pseudonym(pseudonym: str) -> str:
    pseudonym = pseudonym.strip()
    try:
        PSEUDONYM_VALIDATOR(pseudonym)
    except ValidationError as exc:
        raise InvalidInput(PSEUDONYM_VALIDATOR.message, field="pseudonym") from exc
    return pseudonym


# --- invitations -----------------------------------------------------------------


def create_invitations(
    *,
    actor: Member,
    committee: Node,
    role: str = Role.MEMBER,
    count: int = 1,
    valid_days: int = 7,
) -> list[tuple[Invitation, str]]:
    """Create ``count`` one-time codes admitting people to ``committee`` with ``role``.

    Returns each invitation with its raw code, formatted for display. The raw
    codes exist only in this return value: show them once and forget them.
    """
    _check_invitation_rights(actor=actor, committee=committee)
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


def revoke_invitation(*, actor: Member, invitation: Invitation) -> Invitation:
    """Withdraw an unused invitation so its code no longer admits anyone."""
    _check_invitation_rights(actor=actor, committee=invitation.node)
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
    pseudonym = _clean_pseudonym(pseudonym)
    _clean_password(password, member=Member(pseudonym=pseudonym), field="password")
    email = _clean_email(email)
    phone = _clean_phone(phone)
    language = _clean_language(language)
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
        # Pseudonyms differing only in case would let an infiltrator pass for
        # someone else, so uniqueness is checked without regard to case.
        if Member.objects.filter(pseudonym__iexact=pseudonym).exists():
            raise PseudonymTaken(field="pseudonym")
        try:
            with transaction.atomic():
                member = Member.objects.create_user(
                    pseudonym, password, email=email, phone=phone, language=language
                )
        except IntegrityError as exc:
            raise PseudonymTaken(field="pseudonym") from exc
        audit.record(
            actor=member,
            action="member.joined",
            target=member,
            data={"node": invitation.node_id, "role": invitation.role},
        )
        federation_services.add_membership(
            actor=member, member=member, committee=invitation.node, role=invitation.role
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
        token, raw = create_api_token(member=member, name=token_name)
    return member, token, raw


# --- profile ----------------------------------------------------------------------


def change_password(*, member: Member, old_password: str, new_password: str) -> None:
    """Replace the password after checking the current one. The caller keeps a
    browser session alive with ``update_session_auth_hash``."""
    if len(old_password) > MAX_PASSWORD_LENGTH or not member.check_password(old_password):
        raise InvalidInput(_("The current password is not correct."), field="old_password")
    _clean_password(new_password, member=member, field="new_password")
    with transaction.atomic():
        member.set_password(new_password)
        member.save(update_fields=["password"])
        audit.record(actor=member, action="password.changed", target=member)


def update_profile(
    *,
    member: Member,
    language: str | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> Member:
    """Change any of language, e-mail and phone (None leaves a field as it is,
    an empty string clears e-mail or phone). All given fields are validated
    before anything is written."""
    changes: dict[str, str] = {}
    if language is not None:
        changes["language"] = _clean_language(language)
    if email is not None:
        changes["email"] = _clean_email(email)
    if phone is not None:
        changes["phone"] = _clean_phone(phone)
    changed = {k: v for k, v in changes.items() if getattr(member, k) != v}
    if not changed:
        return member
    with transaction.atomic():
        for field, value in changed.items():
            setattr(member, field, value)
        member.save(update_fields=list(changed))
        if "language" in changed:
            audit.record(
                actor=member,
                action="language.changed",
                target=member,
                data={"language": changed["language"]},
            )
        contact = {k: bool(v) for k, v in changed.items() if k in ("email", "phone")}
        if contact:
            # Only whether a detail is set, never its value (see module docstring).
            audit.record(actor=member, action="contact.changed", target=member, data=contact)
    return member


# --- API tokens -------------------------------------------------------------------


def create_api_token(*, member: Member, name: str) -> tuple[ApiToken, str]:
    """Create a bearer token; the raw token is returned once and never stored."""
    name = name.strip()
    if not name:
        raise InvalidInput(_("Give the token a name."), field="name")
    if len(name) > MAX_TOKEN_NAME_LENGTH:
        raise InvalidInput(
            _("A token name can have at most %(n)d characters.") % {"n": MAX_TOKEN_NAME_LENGTH},
            field="name",
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        # Lock the member row so that two concurrent requests cannot both pass the cap.
        Member.objects.select_for_update().filter(pk=member.pk).first()
        active = ApiToken.objects.filter(member=member, revoked_at__isnull=True).count()
        if active >= MAX_TOKENS_PER_MEMBER:
            raise TooManyTokens(field="name")
        token = ApiToken.objects.create(
            member=member, name=name, digest=_digest(raw), prefix=raw[:12]
        )
        audit.record(
            actor=member,
            action="token.created",
            target=token,
            data={"name": name, "prefix": token.prefix},
        )
    return token, raw


def revoke_api_token(*, member: Member, token_id: int) -> ApiToken:
    """Revoke one of ``member``'s own active tokens; anyone else's is not found."""
    with transaction.atomic():
        token = (
            ApiToken.objects.select_for_update()
            .filter(pk=token_id, member=member, revoked_at__isnull=True)
            .first()
        )
        if token is None:
            raise NotFound(_("No such active token."))
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=member, action="token.revoked", target=token, data={"prefix": token.prefix}
        )
    return token
