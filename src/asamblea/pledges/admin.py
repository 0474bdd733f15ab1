"""Operator views of calls to action: browse only. States change through the
services, which check and audit them; the admin's actions call those services.
Pledges, the ledger and the frozen electorate are not shown here at all:
the admin is no place to browse who answered a call."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from asamblea.accounts.requests import signed_in_member
from asamblea.core.admin import ServiceOwnedAdmin, ServiceOwnedInline, run_each
from asamblea.pledges import services
from asamblea.pledges.models import Call, CallScope, Threshold, TurnoutReport


class ThresholdInline(ServiceOwnedInline):
    model = Threshold
    fields = ("level", "kind", "value")
    readonly_fields = fields


class ScopeInline(ServiceOwnedInline):
    model = CallScope
    fields = ("node",)
    readonly_fields = fields


class TurnoutInline(ServiceOwnedInline):
    model = TurnoutReport
    fields = ("committee", "turnout", "reported_at")
    readonly_fields = fields


@admin.register(Call)
class CallAdmin(ServiceOwnedAdmin):
    list_display = ("__str__", "node", "kind", "state", "secrecy", "deadline", "starts_at")
    list_filter = ("state", "kind", "secrecy")
    search_fields = ("node__name",)
    readonly_fields = (
        "node",
        "issued_by",
        "motion",
        "titles",
        "texts",
        "kind",
        "secrecy",
        "rule",
        "state",
        "deadline",
        "starts_at",
        "ends_at",
        "practical_info",
        "created_at",
        "opened_at",
        "decided_at",
    )
    exclude = ("pledge_key", "decision")
    inlines = (ThresholdInline, ScopeInline, TurnoutInline)
    actions = ("open_calls", "withdraw_calls")

    @admin.action(description=_("Open the selected calls to pledges"))
    def open_calls(self, request: HttpRequest, queryset: QuerySet[Call]) -> None:
        actor = signed_in_member(request)
        run_each(
            self,
            request,
            queryset.select_related("node"),
            lambda c: services.open_pledging(actor=actor, call=c),
            done=_("%(count)d call(s) opened."),
        )

    @admin.action(description=_("Withdraw the selected calls"))
    def withdraw_calls(self, request: HttpRequest, queryset: QuerySet[Call]) -> None:
        actor = signed_in_member(request)
        run_each(
            self,
            request,
            queryset.select_related("node"),
            lambda c: services.withdraw_call(actor=actor, call=c),
            done=_("%(count)d call(s) withdrawn."),
        )
