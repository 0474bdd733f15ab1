"""Operator views of motions. Texts, versions and states change only through
the services (they keep the audit log), so most fields are read-only here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.http import HttpRequest

from asamblea.motions.models import Amendment, Comment, Motion, MotionVersion, Second

if TYPE_CHECKING:
    _VersionInline = admin.TabularInline[MotionVersion, Motion]
    _SecondInline = admin.TabularInline[Second, Motion]
    _MotionAdmin = admin.ModelAdmin[Motion]
    _AmendmentAdmin = admin.ModelAdmin[Amendment]
    _CommentAdmin = admin.ModelAdmin[Comment]
else:  # the stubs' generics are not subscriptable at run time
    _VersionInline = _SecondInline = admin.TabularInline
    _MotionAdmin = _AmendmentAdmin = _CommentAdmin = admin.ModelAdmin


class MotionVersionInline(_VersionInline):
    model = MotionVersion
    extra = 0
    can_delete = False
    fields = ("number", "title", "body", "amendment", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Motion | None = None) -> bool:
        return False


class SecondInline(_SecondInline):
    model = Second
    extra = 0
    can_delete = False
    fields = ("member", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Motion | None = None) -> bool:
        return False


@admin.register(Motion)
class MotionAdmin(_MotionAdmin):
    list_display = ("title", "node", "author", "state", "version", "updated_at")
    list_filter = ("state",)
    search_fields = ("title", "body", "author__pseudonym", "node__name")
    readonly_fields = (
        "node",
        "author",
        "body",
        "state",
        "version",
        "forwarded_from",
        "created_at",
        "updated_at",
    )
    inlines = (MotionVersionInline, SecondInline)


@admin.register(Amendment)
class AmendmentAdmin(_AmendmentAdmin):
    list_display = ("motion", "kind", "paragraph", "author", "state", "base_version", "created_at")
    list_filter = ("state", "kind")
    search_fields = ("motion__title", "text", "rationale", "author__pseudonym")
    readonly_fields = (
        "motion",
        "author",
        "kind",
        "paragraph",
        "text",
        "base_version",
        "state",
        "state_reason",
        "created_at",
    )


@admin.register(Comment)
class CommentAdmin(_CommentAdmin):
    list_display = ("motion", "author", "parent", "created_at")
    search_fields = ("body", "author__pseudonym", "motion__title")
    readonly_fields = ("motion", "author", "parent", "created_at")
