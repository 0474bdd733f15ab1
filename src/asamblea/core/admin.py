"""Admin building blocks shared by the apps, and the audit log's own pages.

Every state change goes through a service, which checks permission and appends
to the hash-chained audit log. So the admin never writes a model itself where a
service owns the change: such models are registered with
:class:`ServiceOwnedAdmin` (browse only), and the operator's changes are admin
actions that call the services (:func:`run_each`), whose audit entries name the
operator as actor."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.http import HttpRequest

from asamblea.core.errors import DomainError
from asamblea.core.models import AuditEntry

if TYPE_CHECKING:  # the stubs' generics are not subscriptable at run time
    from django.utils.functional import _StrPromise

    _AnyModelAdmin = admin.ModelAdmin[Any]
    _AnyTabularInline = admin.TabularInline[Any, Any]
else:
    _AnyModelAdmin = admin.ModelAdmin
    _AnyTabularInline = admin.TabularInline


class ServiceOwnedAdmin(_AnyModelAdmin):
    """Browse only: adding, changing and deleting belong to the services."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ServiceOwnedInline(_AnyTabularInline):
    """An inline shown, never edited, added to or deleted from."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def run_each(
    modeladmin: admin.ModelAdmin[Any],
    request: HttpRequest,
    objects: Iterable[Any],
    service: Callable[[Any], object],
    *,
    done: str | _StrPromise,
) -> int:
    """Call ``service`` on each object, each in the service's own transaction.
    A refusal (a domain error) is shown next to the object's name and leaves the
    others going; ``done`` (with ``%(count)d``) reports how many succeeded."""
    count = 0
    for obj in objects:
        try:
            service(obj)
        except DomainError as exc:
            modeladmin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
        else:
            count += 1
    if count:
        modeladmin.message_user(request, str(done) % {"count": count}, messages.SUCCESS)
    return count


@admin.register(AuditEntry)
class AuditEntryAdmin(ServiceOwnedAdmin):
    """The log itself: read-only, never deleted (a gap breaks the chain)."""

    list_display = ("seq", "at", "actor_label", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("action", "object_type", "object_id", "actor_label", "entry_hash")
    fields = (
        "seq",
        "at",
        "actor_ref",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "data",
        "prev_hash",
        "entry_hash",
    )
    readonly_fields = fields
    ordering = ("-seq",)
    show_full_result_count = False

    list_display_links = ("seq",)
