"""Admin for operators: browse only. Password hashes and code/token digests are
never shown as fields; invitations and tokens are created through the services
(raw codes are shown once), and the operator's changes to members (deactivate,
reactivate, grant or revoke operator rights) are actions that call the
services, so that each lands in the audit log with the operator as actor.
Invitations are in the federation's admin."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from asamblea.accounts import services
from asamblea.accounts.models import ApiToken, Member, PasswordReset
from asamblea.accounts.requests import signed_in_member
from asamblea.core.admin import ServiceOwnedAdmin, run_each

# Operator rights are all or nothing (``is_staff`` and ``is_superuser``, granted
# by an audited action); permission groups would grant admin rights around it.
admin.site.unregister(Group)


@admin.register(Member)
class MemberAdmin(ServiceOwnedAdmin):
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
    readonly_fields = fields
    actions = ("deactivate", "reactivate", "grant_operator", "revoke_operator")

    @admin.action(description=_("Deactivate the selected members"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Member]) -> None:
        actor = signed_in_member(request)
        run_each(
            self,
            request,
            queryset,
            lambda m: services.set_member_active(actor=actor, member=m, active=False),
            done=_("%(count)d member(s) deactivated."),
        )

    @admin.action(description=_("Reactivate the selected members"))
    def reactivate(self, request: HttpRequest, queryset: QuerySet[Member]) -> None:
        actor = signed_in_member(request)
        run_each(
            self,
            request,
            queryset,
            lambda m: services.set_member_active(actor=actor, member=m, active=True),
            done=_("%(count)d member(s) reactivated."),
        )

    @admin.action(description=_("Grant operator rights to the selected members"))
    def grant_operator(self, request: HttpRequest, queryset: QuerySet[Member]) -> None:
        actor = signed_in_member(request)
        run_each(
            self,
            request,
            queryset,
            lambda m: services.set_operator(actor=actor, member=m, operator=True),
            done=_("%(count)d member(s) are now operators."),
        )

    @admin.action(description=_("Revoke operator rights of the selected members"))
    def revoke_operator(self, request: HttpRequest, queryset: QuerySet[Member]) -> None:
        actor = signed_in_member(request)
        run_each(
            self,
            request,
            queryset,
            lambda m: services.set_operator(actor=actor, member=m, operator=False),
            done=_("%(count)d member(s) are no longer operators."),
        )


@admin.register(ApiToken)
class ApiTokenAdmin(ServiceOwnedAdmin):
    list_display = ("name", "member", "prefix", "created_at", "last_used_on", "revoked_at")
    search_fields = ("name", "member__pseudonym", "prefix")
    readonly_fields = (
        "member",
        "name",
        "digest",
        "prefix",
        "created_at",
        "last_used_on",
        "revoked_at",
    )


@admin.register(PasswordReset)
class PasswordResetAdmin(ServiceOwnedAdmin):
    """Browse-only: codes are issued by secretaries on the committee's page."""

    list_display = ("member", "kind", "code_hint", "node", "created_by", "created_at", "used_at")
    list_filter = ("kind",)
    search_fields = ("member__pseudonym", "code_hint")
    readonly_fields = (
        "kind",
        "member",
        "code_digest",
        "code_hint",
        "node",
        "created_by",
        "created_at",
        "expires_at",
        "used_at",
        "revoked_at",
        "notified_at",
    )
