"""Pseudonymous members, invitations and API tokens.

A member is a pseudonym and a password; e-mail and phone are optional and never
required, so that a seized database holds as little personal data as possible.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asamblea.accounts import pseudonyms
from asamblea.core import audit
from asamblea.core.actors import SYSTEM

PSEUDONYM_VALIDATOR = RegexValidator(
    regex=r"^[\w.\-]{3,40}$",
    message=_("Use 3 to 40 letters, digits, dots, hyphens or underscores."),
)


class MemberManager(BaseUserManager["Member"]):
    use_in_migrations = True

    def create_user(self, pseudonym: str, password: str | None = None, **extra: Any) -> Member:
        member = self.model(pseudonym=pseudonyms.normalize(pseudonym), **extra)
        member.set_password(password)
        member.save(using=self._db)
        return member

    def create_superuser(self, pseudonym: str, password: str | None = None, **extra: Any) -> Member:
        """Used by ``manage.py createsuperuser`` (the first operator): the new
        operator is recorded in the audit log like one granted in the admin."""
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        with transaction.atomic(using=self._db):
            member = self.create_user(pseudonym, password, **extra)
            audit.record(
                actor=SYSTEM,
                action="member.operator_created",
                target=member,
                data={"pseudonym": member.pseudonym},
            )
        return member

    def get_by_natural_key(self, username: str | None) -> Member:
        # Sign-in finds the member whatever compatibility form was typed (fullwidth...).
        return self.get(pseudonym=pseudonyms.normalize(username or ""))


class Member(AbstractBaseUser, PermissionsMixin):
    """A person, known by a pseudonym. ``is_staff`` marks an operator."""

    pseudonym = models.CharField(
        _("pseudonym"), max_length=40, unique=True, validators=[PSEUDONYM_VALIDATOR]
    )
    # Derived from the pseudonym on every save (see accounts/pseudonyms.py); unique,
    # so that the database itself refuses a look-alike. NULL only for a member
    # who already looked like an older one when the columns were added.
    # (NULL, unlike "", never collides in a unique column.)
    pseudonym_folded = models.TextField(unique=True, null=True, editable=False)  # noqa: DJ001
    pseudonym_shape = models.TextField(unique=True, null=True, editable=False)  # noqa: DJ001
    email = models.EmailField(_("e-mail (optional)"), blank=True)
    phone = models.CharField(_("phone (optional)"), max_length=32, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("operator"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects: ClassVar[MemberManager] = MemberManager()

    USERNAME_FIELD = "pseudonym"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self) -> str:
        return self.pseudonym

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The look-alike keys follow the pseudonym wherever it is written
        # (services, the admin, createsuperuser), so they cannot drift.
        self.pseudonym_folded = pseudonyms.folded_key(self.pseudonym)
        self.pseudonym_shape = pseudonyms.shape_key(self.pseudonym)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "pseudonym" in update_fields:
            kwargs["update_fields"] = {*update_fields, "pseudonym_folded", "pseudonym_shape"}
        super().save(*args, **kwargs)


class Invitation(models.Model):
    """A one-time, expiring code that admits one person to a committee with a role.

    Only a SHA-256 digest of the code is stored; the code itself is shown once,
    to the secretary who created it.
    """

    code_digest = models.CharField(max_length=64, unique=True)
    code_hint = models.CharField(_("code hint"), max_length=8)
    node = models.ForeignKey(
        "federation.Node",
        verbose_name=_("committee"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    role = models.CharField(_("role"), max_length=16)
    created_by = models.ForeignKey(
        Member,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    used_by = models.ForeignKey(
        Member,
        verbose_name=_("used by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            # Delegates are appointed or elected, never invited (``INVITABLE_ROLES``).
            models.CheckConstraint(
                condition=models.Q(role__in=["member", "secretary"]),
                name="accounts_invitation_role_invitable",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code_hint}… → {self.node_id}"


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its SHA-256 digest is stored."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=80)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=12)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # The day only: an exact time would record when the member voted.
    last_used_on = models.DateField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class PasswordReset(models.Model):
    """A way back in for a member who forgot their password.

    ``kind`` "code": a one-time, expiring code a secretary of the member's
    committee issued (only its SHA-256 digest is kept; the code is shown once,
    to that secretary). ``kind`` "email": a reset through a link sent to the
    member's own address, recorded when it is used. Either way the member is
    told on their next sign-in (``notified_at``).
    """

    class Kind(models.TextChoices):
        CODE = "code", _("reset code from a secretary")
        EMAIL = "email", _("link sent by e-mail")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.CODE)
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="password_resets"
    )
    # Only for codes: the digest, a hint to tell codes apart, the committee
    # through which the secretary may issue it and who did.
    code_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    code_hint = models.CharField(_("code hint"), max_length=8, blank=True)
    node = models.ForeignKey(
        "federation.Node",
        verbose_name=_("committee"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_by = models.ForeignKey(
        Member,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    notified_at = models.DateTimeField(_("member told"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("password reset")
        verbose_name_plural = _("password resets")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["code", "email"]),
                name="accounts_passwordreset_kind_valid",
            ),
            # A code reset has its digest and committee; an e-mail one neither.
            models.CheckConstraint(
                condition=(
                    models.Q(kind="code", code_digest__isnull=False, node__isnull=False)
                    | models.Q(kind="email", code_digest__isnull=True)
                ),
                name="accounts_passwordreset_code_fields",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="accounts_passwordreset_expires_after_created",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.code_hint or ''} → {self.member_id}"
