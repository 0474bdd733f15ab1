"""Operator views of motions: browse only. Texts, versions, states, seconds and
comments change only through the services, which keep the audit log, so an
operator cannot retitle a motion or rewrite a comment here without a trace."""

from __future__ import annotations

from django.contrib import admin

from asamblea.core.admin import ServiceOwnedAdmin, ServiceOwnedInline
from asamblea.motions.models import Amendment, Comment, Motion, MotionVersion, Second


class MotionVersionInline(ServiceOwnedInline):
    model = MotionVersion
    fields = ("number", "title", "body", "amendment", "created_at")
    readonly_fields = fields


class SecondInline(ServiceOwnedInline):
    model = Second
    fields = ("member", "created_at")
    readonly_fields = fields


@admin.register(Motion)
class MotionAdmin(ServiceOwnedAdmin):
    list_display = ("title", "node", "author", "state", "version", "updated_at")
    list_filter = ("state",)
    search_fields = ("title", "body", "author__pseudonym", "node__name")
    readonly_fields = (
        "node",
        "author",
        "title",
        "body",
        "state",
        "version",
        "forwarded_from",
        "created_at",
        "updated_at",
    )
    inlines = (MotionVersionInline, SecondInline)


@admin.register(Amendment)
class AmendmentAdmin(ServiceOwnedAdmin):
    list_display = ("motion", "kind", "paragraph", "author", "state", "base_version", "created_at")
    list_filter = ("state", "kind")
    search_fields = ("motion__title", "text", "rationale", "author__pseudonym")
    readonly_fields = (
        "motion",
        "author",
        "kind",
        "paragraph",
        "text",
        "rationale",
        "base_version",
        "state",
        "state_reason",
        "created_at",
    )


@admin.register(Comment)
class CommentAdmin(ServiceOwnedAdmin):
    list_display = ("motion", "author", "parent", "created_at")
    search_fields = ("body", "author__pseudonym", "motion__title")
    readonly_fields = ("motion", "author", "parent", "body", "created_at")
