"""Operator admin for the federation. Nodes are created through the service
so that their path, depth and audit entry are right; mandates and recalls are
history and stay read-only here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from asamblea.accounts.models import Member
from asamblea.federation import rules, services
from asamblea.federation.models import Mandate, Membership, Node, Recall

# django-stubs makes these generic for the type checker only; at runtime the
# classes are not subscriptable (no django_stubs_ext monkeypatching here).
if TYPE_CHECKING:
    NodeModelForm = forms.ModelForm[Node]
    NodeModelAdmin = admin.ModelAdmin[Node]
    AnyModelAdmin = admin.ModelAdmin[Any]
else:
    NodeModelForm = forms.ModelForm
    NodeModelAdmin = admin.ModelAdmin
    AnyModelAdmin = admin.ModelAdmin


class NodeAdminForm(NodeModelForm):
    class Meta:
        model = Node
        fields = ["kind", "name", "description", "parent", "seconders_required"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk is None and "kind" in data:
            parent = data.get("parent")
            if not rules.may_hold_child(
                parent_kind=parent.kind if parent else None, child_kind=data["kind"]
            ):
                raise forms.ValidationError(_("This kind of node cannot be placed there."))
        seconders = data.get("seconders_required")
        if seconders is not None and seconders > rules.SECONDERS_MAX:
            self.add_error(
                "seconders_required",
                _("At most %(max)d seconders.") % {"max": rules.SECONDERS_MAX},
            )
        return data


@admin.register(Node)
class NodeAdmin(NodeModelAdmin):
    form = NodeAdminForm
    list_display = ["indented_name", "kind", "seconders_required", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name"]
    ordering = ["path"]
    readonly_fields = ["path", "depth", "created_at"]

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj: Node) -> str:
        return "— " * obj.depth + obj.name

    def get_readonly_fields(self, request: HttpRequest, obj: Node | None = None) -> Any:
        # Moving a node would rewrite the path of its whole subtree: not offered.
        if obj is not None:
            return [*self.readonly_fields, "kind", "parent"]
        return self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: Node | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Node, form: Any, change: bool) -> None:
        # NodeAdminForm.clean() mirrors the service's checks and the admin only
        # admits operators, so the services do not refuse here.
        actor = request.user if isinstance(request.user, Member) else None
        data = form.cleaned_data
        if change:
            services.update_node(
                actor=actor,
                node=Node.objects.get(pk=obj.pk),
                name=data["name"],
                description=data["description"],
                seconders_required=data["seconders_required"],
            )
            return
        node = services.create_node(
            actor=actor,
            kind=data["kind"],
            name=data["name"],
            parent=data.get("parent"),
            description=data["description"],
            seconders_required=data["seconders_required"],
        )
        obj.pk, obj.path, obj.depth = node.pk, node.path, node.depth


class ReadOnlyAdmin(AnyModelAdmin):
    """Memberships and mandates change only through the pages and API, whose
    services check permissions and audit every change."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["member", "node", "role", "weight", "joined_at", "ended_at"]
    list_filter = ["role", "node__kind"]
    search_fields = ["member__pseudonym", "node__name"]


@admin.register(Mandate)
class MandateAdmin(ReadOnlyAdmin):
    list_display = ["delegate", "committee", "source", "started_at", "ended_at", "ended_reason"]
    list_filter = ["source", "ended_reason"]
    search_fields = ["delegate__pseudonym", "committee__name"]


@admin.register(Recall)
class RecallAdmin(ReadOnlyAdmin):
    list_display = ["mandate", "started_by", "state", "started_at"]
    list_filter = ["state"]
    search_fields = ["mandate__delegate__pseudonym", "reason"]
