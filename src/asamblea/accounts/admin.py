"""Admin for operators. Password hashes and code/token digests are never
editable, and invitations and tokens are only created through the services,
so that raw codes are shown once and every creation is audited."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.http import HttpRequest

from asamblea.accounts.models import ApiToken, Invitation, Member

# django-stubs makes ModelAdmin generic for the type checker only; at runtime
# the class is not subscriptable.
if TYPE_CHECKING:
    MemberModelAdmin = admin.ModelAdmin[Member]
    InvitationModelAdmin = admin.ModelAdmin[Invitation]
    ApiTokenModelAdmin = admin.ModelAdmin[ApiToken]
else:
    MemberModelAdmin = InvitationModelAdmin = ApiTokenModelAdmin = admin.ModelAdmin


@admin.register(Member)
class MemberAdmin(MemberModelAdmin):
    list_display = ("pseudonym", "language", "is_active", "is_staff", "date_joined", "last_login")
    list_filter = ("is_active", "is_staff", "language")
    search_fields = ("pseudonym",)
    ordering = ("pseudonym",)
    # The password hash is left out entirely: it is of no use to an operator.
    fields = (
        "pseudonym",
        "email",
        "phone",
        "language",
        "is_active",
        "is_staff",
        "is_superuser",
        "date_joined",
        "last_login",
    )
    readonly_fields = ("date_joined", "last_login")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Members join by invitation (or `createsuperuser` for the first operator).
        return False


@admin.register(Invitation)
class InvitationAdmin(InvitationModelAdmin):
    list_display = (
        "code_hint",
        "node",
        "role",
        "created_by",
        "expires_at",
        "used_at",
        "revoked_at",
    )
    list_filter = ("role",)
    search_fields = ("code_hint", "node__name")
    readonly_fields = (
        "code_digest",
        "code_hint",
        "node",
        "role",
        "created_by",
        "created_at",
        "expires_at",
        "used_at",
        "used_by",
        "revoked_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(ApiTokenModelAdmin):
    list_display = ("name", "member", "prefix", "created_at", "last_used_at", "revoked_at")
    search_fields = ("name", "member__pseudonym", "prefix")
    readonly_fields = (
        "member",
        "name",
        "digest",
        "prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
