"""Operator views of the register: browse only, and no wider than the
register's own rules.

Everything here changes only through the services (documenters act on the
register's pages and API). The incident list is filtered by
``access.readable_incidents`` for the operator, so the admin shows no more
than the operator could read elsewhere (verified ``public`` and ``assembly``
records). Persons, acts, sources, consents and reviews are not registered:
they are read only through an incident, where the consent rules apply.
Evidence items show their hashes and custody state, never their files. Key
material and ciphertexts are never shown."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from asamblea.accounts.models import Member
from asamblea.core.admin import ServiceOwnedAdmin
from asamblea.federation.access import Viewer
from asamblea.incidents import access, custody
from asamblea.incidents.models import Actor, Documenter, Evidence, Incident


@admin.register(Incident)
class IncidentAdmin(ServiceOwnedAdmin):
    list_display = (
        "pk",
        "committee",
        "start_date",
        "event_type",
        "sub_type",
        "state",
        "confidentiality",
        "archived_at",
    )
    list_filter = ("state", "confidentiality", "event_type")
    fields = (
        "committee",
        "public_summary",
        "start_date",
        "start_precision",
        "end_date",
        "end_precision",
        "country",
        "admin1",
        "admin2",
        "geo_precision",
        "event_type",
        "sub_type",
        "violation_types",
        "fatalities_min",
        "fatalities_max",
        "injured",
        "detained",
        "disappeared",
        "confidentiality",
        "state",
        "violation_status",
        "archived_at",
        "archive_reason",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Incident]:
        user = request.user
        if not isinstance(user, Member):
            return Incident.objects.none()
        return access.readable_incidents(Viewer.of(user)).select_related("committee")


@admin.register(Actor)
class ActorAdmin(ServiceOwnedAdmin):
    list_display = ("name", "kind", "parent", "created_at")
    list_filter = ("kind",)
    search_fields = ("name",)
    fields = ("name", "kind", "parent", "created_at")
    readonly_fields = fields


@admin.register(Documenter)
class DocumenterAdmin(ServiceOwnedAdmin):
    list_display = ("member", "committee", "named_at", "ended_at", "holds_key")
    list_filter = ("ended_at",)
    fields = ("member", "committee", "named_by", "named_at", "ended_at", "key_given_at")
    readonly_fields = fields

    @admin.display(boolean=True, description=_("holds the key"))
    def holds_key(self, documenter: Documenter) -> bool:
        return documenter.has_key

    def get_queryset(self, request: HttpRequest) -> QuerySet[Documenter]:
        return super().get_queryset(request).select_related("member", "committee")


@admin.register(Evidence)
class EvidenceAdmin(ServiceOwnedAdmin):
    """Evidence of the incidents the operator may read: hashes and custody
    state only; the files are sealed under the register key and open only on
    the register's pages."""

    list_display = ("pk", "incident", "kind", "media_type", "size", "added_at", "custody_intact")
    list_filter = ("kind",)
    fields = ("incident", "kind", "media_type", "size", "sha256", "added_at")
    readonly_fields = fields

    @admin.display(boolean=True, description=_("custody chain intact"))
    def custody_intact(self, item: Evidence) -> bool:
        return custody.verify(item).ok

    def get_queryset(self, request: HttpRequest) -> QuerySet[Evidence]:
        user = request.user
        if not isinstance(user, Member):
            return Evidence.objects.none()
        readable = access.readable_incidents(Viewer.of(user))
        return Evidence.objects.filter(incident__in=readable).select_related("incident")
