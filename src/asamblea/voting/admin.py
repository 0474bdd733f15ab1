"""Admin for operators. Ballots and the vote ledger are not registered at all:
for a secret poll they must never be browsable, and for named polls the poll
pages already show what may be shown. Results are read-only."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from asamblea.voting.models import DelegateCast, Poll, PollOption, PollResult


class PollOptionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = PollOption
    extra = 0
    fields = ("position", "code", "label")


class PollResultInline(admin.TabularInline):  # type: ignore[type-arg]
    model = PollResult
    extra = 0
    can_delete = False
    fields = ("node", "outcome", "entitled", "voted", "quorum_met", "counts", "computed_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("question", "node", "purpose", "method", "secret", "aggregation", "state")
    list_filter = ("state", "method", "purpose", "secret", "aggregation")
    search_fields = ("question", "node__name")
    raw_id_fields = ("node", "motion", "amendment", "created_by")
    readonly_fields = ("seed", "opened_at", "closed_at", "created_at", "state")
    exclude = ("ballot_key",)
    inlines = (PollOptionInline, PollResultInline)


@admin.register(PollResult)
class PollResultAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("poll", "node", "outcome", "entitled", "voted", "quorum_met")
    list_filter = ("outcome", "quorum_met")
    search_fields = ("poll__question", "node__name")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(DelegateCast)
class DelegateCastAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("poll", "committee", "delegate", "weight", "recorded_at")
    search_fields = ("poll__question", "committee__name")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
