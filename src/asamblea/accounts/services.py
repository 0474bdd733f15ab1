"""Writes for members and API tokens (invitations, which admit members to a
committee, are ``federation.invitations``). Each service checks
permission first, owns its transaction and appends to the audit log.

Personal data (e-mail, phone) never enters the audit log: the log cannot be
edited, and a member who clears their contact details must leave no copy.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asamblea.accounts import pseudonyms
from asamblea.accounts.errors import PseudonymTaken, TooManyTokens
from asamblea.accounts.models import PSEUDONYM_VALIDATOR, ApiToken, Member, PasswordReset
from asamblea.core import audit, rawrows
from asamblea.core.errors import Conflict, Forbidden, InvalidInput, NotFound

MAX_TOKENS_PER_MEMBER = 20
# A recognisable tag (not a secret) so leaked tokens are easy to spot and revoke.
TOKEN_PREFIX = "asb_"  # noqa: S105
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
       (t.last_used_on IS NULL OR t.last_used_on < %s) AS token_stale
FROM {Member._meta.db_table} m JOIN {ApiToken._meta.db_table} t ON t.member_id = m.id
WHERE t.digest = %s AND t.revoked_at IS NULL AND m.is_active
"""  # noqa: S608 (only table names are formatted in)
# Its write, once a day per token, by hand for the same reason.
_TOKEN_TOUCH = f"""
UPDATE {ApiToken._meta.db_table} SET last_used_on = %(today)s
WHERE id = %(token)s AND (last_used_on IS NULL OR last_used_on < %(today)s)
"""  # noqa: S608


def authenticate_api_token(*, raw_token: str) -> Member | None:
    """Return the active member owning ``raw_token``, or None."""
    if not raw_token or len(raw_token) > 200:
        return None
    # "Last used" is shown to the member to spot a forgotten or stolen token.
    # It keeps the (UTC) day only: a finer time would record when the member
    # voted, and the day is written once, so most calls add no write at all.
    # The condition keeps concurrent requests from writing it twice.
    today = connection.ops.adapt_datefield_value(timezone.now().date())
    member = rawrows.first_instance(Member, _TOKEN_READ, [today, _digest(raw_token)])
    if member is None:
        return None
    if getattr(member, "token_stale", False):
        with connection.cursor() as cursor:
            cursor.execute(_TOKEN_TOUCH, {"today": today, "token": getattr(member, "token_id", 0)})
    return member


def pseudonym_is_taken(pseudonym: str, *, exclude_pk: int | None = None) -> bool:
    """Whether ``pseudonym`` looks like (or is) an existing member's."""
    same = Q(pseudonym_folded=pseudonyms.folded_key(pseudonym)) | Q(
        pseudonym_shape=pseudonyms.shape_key(pseudonym)
    )
    members = Member.objects.filter(same)
    if exclude_pk is not None:
        members = members.exclude(pk=exclude_pk)
    return members.exists()


# --- validation shared by several services -------------------------------------------


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
    pseudonym = pseudonyms.normalize(pseudonym)
    try:
        PSEUDONYM_VALIDATOR(pseudonym)
    except ValidationError as exc:
        raise InvalidInput(PSEUDONYM_VALIDATOR.message, field="pseudonym") from exc
    return pseudonym


# --- new members --------------------------------------------------------------------


@dataclass(frozen=True)
class NewMember:
    """A newcomer's details, validated by :func:`clean_new_member`."""

    pseudonym: str
    password: str
    email: str
    phone: str
    language: str


def clean_new_member(
    *, pseudonym: str, password: str, email: str, phone: str, language: str
) -> NewMember:
    """Validate a newcomer's details (before any lock is taken)."""
    pseudonym = _clean_pseudonym(pseudonym)
    email = _clean_email(email)
    _clean_password(password, member=Member(pseudonym=pseudonym, email=email), field="password")
    return NewMember(
        pseudonym=pseudonym,
        password=password,
        email=email,
        phone=_clean_phone(phone),
        language=_clean_language(language),
    )


def create_member(*, new: NewMember) -> Member:
    """Create a member from validated details. Precondition: inside the
    caller's transaction, which admits them somewhere (an invitation, see
    ``federation.invitations``); the caller records why they joined."""
    # A pseudonym differing from a member's only in case or by look-alike
    # letters would let an infiltrator pass for them. The unique columns
    # refuse it too (IntegrityError below); this gives the clear message.
    if pseudonym_is_taken(new.pseudonym):
        raise PseudonymTaken(field="pseudonym")
    try:
        with transaction.atomic():
            return Member.objects.create_user(
                new.pseudonym,
                new.password,
                email=new.email,
                phone=new.phone,
                language=new.language,
            )
    except IntegrityError as exc:
        raise PseudonymTaken(field="pseudonym") from exc


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


def check_new_password(*, member: Member, new_password: str) -> None:
    """Raise ``InvalidInput`` (field ``new_password``) if the password is too
    long or too weak for ``member``."""
    _clean_password(new_password, member=member, field="new_password")


def set_new_password(*, member: Member, new_password: str) -> None:
    """Set a password without the current one, for a reset (the caller has
    checked the reset code or e-mail token and audits the reset). Every
    session of the member ends: their session hash changes with it."""
    _clean_password(new_password, member=member, field="new_password")
    with transaction.atomic():
        member.set_password(new_password)
        member.save(update_fields=["password"])


# How long the row of a reset by e-mail says its link was valid (Django's
# PASSWORD_RESET_TIMEOUT decides it; the row only records the use).
EMAIL_RESET_RECORD_HOURS = 24


def reset_password_by_email(*, member: Member, new_password: str) -> PasswordReset:
    """Set a new password through a link sent to the member's own address
    (Django's signed token, checked by the caller's view). Recorded and
    audited like a reset code, so that the member is told on their next
    sign-in; every session of the member ends."""
    with transaction.atomic():
        set_new_password(member=member, new_password=new_password)
        now = timezone.now()
        reset = PasswordReset.objects.create(
            kind=PasswordReset.Kind.EMAIL,
            member=member,
            created_at=now,
            expires_at=now + timedelta(hours=EMAIL_RESET_RECORD_HOURS),
            used_at=now,
        )
        audit.record(
            actor=member,
            action="password_reset.email_used",
            target=reset,
            data={"member": member.pk},
        )
    return reset


def take_reset_notices(*, member: Member) -> list[PasswordReset]:
    """Reset codes issued for ``member`` and resets of their password that
    they were not yet told about, oldest first; marks them told. Shown on
    sign-in, so that a reset the member did not ask for does not go unseen."""
    with transaction.atomic():
        pending = list(
            PasswordReset.objects.select_for_update(of=("self",))
            .select_related("created_by", "node")
            .filter(member=member, notified_at__isnull=True)
            .order_by("created_at", "pk")
        )
        if pending:
            PasswordReset.objects.filter(pk__in=[r.pk for r in pending]).update(
                notified_at=timezone.now()
            )
    return pending


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


# --- operator actions on members (the admin calls these) -----------------------------


def _locked_member(member: Member) -> Member:
    return Member.objects.select_for_update().get(pk=member.pk)


def set_member_active(*, actor: Member, member: Member, active: bool) -> Member:
    """Deactivate (sign-in, sessions and API tokens stop working) or reactivate
    ``member``. Only operators; nobody deactivates themselves (an operator
    could lock the last operator out)."""
    if not actor.is_staff:
        raise Forbidden(_("Only operators may deactivate or reactivate members."))
    if member.pk == actor.pk:
        raise Conflict(_("You cannot deactivate or reactivate yourself."))
    with transaction.atomic():
        member = _locked_member(member)
        if member.is_active == active:
            return member
        member.is_active = active
        member.save(update_fields=["is_active"])
        audit.record(
            actor=actor,
            action="member.reactivated" if active else "member.deactivated",
            target=member,
            data={"pseudonym": member.pseudonym},
        )
    return member


def set_operator(*, actor: Member, member: Member, operator: bool) -> Member:
    """Grant or revoke operator rights (``is_staff`` and ``is_superuser``
    together: operators see everything and may use the whole admin). Only a
    superuser, never on themselves, and only for active members."""
    if not actor.is_superuser:
        raise Forbidden(_("Only operators with full rights may grant or revoke operator rights."))
    if member.pk == actor.pk:
        raise Conflict(_("You cannot change your own operator rights."))
    with transaction.atomic():
        member = _locked_member(member)
        if operator and not member.is_active:
            raise Conflict(_("An inactive member cannot become an operator."))
        if member.is_staff == operator and member.is_superuser == operator:
            return member
        member.is_staff = member.is_superuser = operator
        member.save(update_fields=["is_staff", "is_superuser"])
        audit.record(
            actor=actor,
            action="member.operator_granted" if operator else "member.operator_revoked",
            target=member,
            data={"pseudonym": member.pseudonym},
        )
    return member
