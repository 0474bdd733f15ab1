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
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PSEUDONYM_VALIDATOR = RegexValidator(
    regex=r"^[\w.\-]{3,40}$",
    message=_("Use 3 to 40 letters, digits, dots, hyphens or underscores."),
)


class MemberManager(BaseUserManager["Member"]):
    use_in_migrations = True

    def create_user(self, pseudonym: str, password: str | None = None, **extra: Any) -> Member:
        member = self.model(pseudonym=pseudonym, **extra)
        member.set_password(password)
        member.save(using=self._db)
        return member

    def create_superuser(self, pseudonym: str, password: str | None = None, **extra: Any) -> Member:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(pseudonym, password, **extra)


class Member(AbstractBaseUser, PermissionsMixin):
    """A person, known by a pseudonym. ``is_staff`` marks an operator."""

    pseudonym = models.CharField(
        _("pseudonym"), max_length=40, unique=True, validators=[PSEUDONYM_VALIDATOR]
    )
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
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
