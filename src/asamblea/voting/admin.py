"""Admin for operators: browse only. Ballots and the vote ledger are not
registered at all: for a secret poll they must never be browsable, and for
named polls the poll pages already show what may be shown. A poll's settings,
options and results, and delegate casts, change only through the services (an
edit here could change the winner shown, or turn a secret poll into a named
one while it is open); the operator opens, closes and cancels polls with
actions that call those services, audited with the operator as actor.

Encrypted polls' tables (voting keys, credentials, board lines) are not
registered either: the public board page shows what is public, and the
sealed secrets of server-held credentials have no business on a screen."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from asamblea.accounts.requests import signed_in_member
from asamblea.core.admin import ServiceOwnedAdmin, ServiceOwnedInline, run_each
from asamblea.voting import services
from asamblea.voting.models import DelegateCast, Poll, PollOption, PollResult, Recall


class PollOptionInline(ServiceOwnedInline):
    model = PollOption
    fields = ("position", "code", "label")
    readonly_fields = fields


class PollResultInline(ServiceOwnedInline):
    model = PollResult
    fields = ("node", "outcome", "entitled", "voted", "quorum_met", "counts", "computed_at")
    readonly_fields = fields


@admin.register(Poll)
class PollAdmin(ServiceOwnedAdmin):
    list_display = (
        "question",
        "node",
        "purpose",
        "method",
        "secret",
        "encrypted",
        "aggregation",
        "state",
    )
    list_filter = ("state", "method", "purpose", "secret", "encrypted", "aggregation")
    search_fields = ("question", "node__name")
    # The ballot key links secret ballots to voters while the poll is open.
    exclude = ("ballot_key",)
    inlines = (PollOptionInline, PollResultInline)
    actions = ("open_polls", "close_polls", "cancel_polls")

    @admin.action(description=_("Open the selected polls"))
    def open_polls(self, request: HttpRequest, queryset: QuerySet[Poll]) -> None:
        actor = signed_in_member(request)
        run_each(
            self,
            request,
            queryset.select_related("node"),
            lambda p: services.open_poll(actor=actor, poll=p),
            done=_("%(count)d poll(s) opened."),
        )

    @admin.action(description=_("Close the selected polls and count them"))
    def close_polls(self, request: HttpRequest, queryset: QuerySet[Poll]) -> None:
        actor = signed_in_member(request)
        run_each(
            self,
            request,
            queryset.select_related("node"),
            lambda p: services.close_poll(actor=actor, poll=p),
            done=_("%(count)d poll(s) closed."),
        )

    @admin.action(description=_("Cancel the selected polls (their ballots are never counted)"))
    def cancel_polls(self, request: HttpRequest, queryset: QuerySet[Poll]) -> None:
        actor = signed_in_member(request)
        run_each(
            self,
            request,
            queryset.select_related("node"),
            lambda p: services.cancel_poll(actor=actor, poll=p),
            done=_("%(count)d poll(s) cancelled."),
        )


@admin.register(PollResult)
class PollResultAdmin(ServiceOwnedAdmin):
    list_display = ("poll", "node", "outcome", "entitled", "voted", "quorum_met")
    list_filter = ("outcome", "quorum_met")
    search_fields = ("poll__question", "node__name")


@admin.register(DelegateCast)
class DelegateCastAdmin(ServiceOwnedAdmin):
    list_display = ("poll", "committee", "delegate", "weight", "recorded_at")
    search_fields = ("poll__question", "committee__name")


@admin.register(Recall)
class RecallAdmin(ServiceOwnedAdmin):
    list_display = ["mandate", "started_by", "state", "started_at"]
    list_filter = ["state"]
    search_fields = ["mandate__delegate__pseudonym", "reason"]
