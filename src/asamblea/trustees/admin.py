"""Admin for operators: browse only. Boards, seats and ceremony messages change
through the services alone (an edit here could swap a trustee's key or a
message of the transcript); the ceremony's public outcome is shown read-only.
There is nothing secret to hide: the server never holds a trustee secret."""

from __future__ import annotations

from django.contrib import admin

from asamblea.core.admin import ServiceOwnedAdmin, ServiceOwnedInline
from asamblea.trustees.models import CeremonyMessage, Trustee, TrusteeBoard


class TrusteeInline(ServiceOwnedInline):
    model = Trustee
    fields = ("index", "member", "communication_key", "key_registered_at", "key_file_kept_at")
    readonly_fields = fields


@admin.register(TrusteeBoard)
class TrusteeBoardAdmin(ServiceOwnedAdmin):
    list_display = ("ceremony_id", "node", "state", "threshold", "size", "round", "round_deadline")
    list_filter = ("state", "round")
    search_fields = ("ceremony_id", "node__name", "joint_key")
    inlines = (TrusteeInline,)


@admin.register(CeremonyMessage)
class CeremonyMessageAdmin(ServiceOwnedAdmin):
    list_display = ("board", "trustee", "round", "received_at")
    list_filter = ("round",)
    search_fields = ("board__ceremony_id",)
