"""Operator admin for the federation. Nodes are created and changed through the
services so that their path, depth and audit entry are right; memberships
and mandates are browse only, and the operator changes memberships
with actions that call the services (audited, with the operator as actor)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from asamblea.accounts.models import Invitation
from asamblea.accounts.requests import signed_in_member
from asamblea.core.admin import ServiceOwnedAdmin, run_each
from asamblea.federation import invitations, rules, services
from asamblea.federation.models import Mandate, Membership, Node, Role

# django-stubs makes these generic for the type checker only; at runtime the
# classes are not subscriptable (no django_stubs_ext monkeypatching here).
if TYPE_CHECKING:
    NodeModelForm = forms.ModelForm[Node]
    NodeModelAdmin = admin.ModelAdmin[Node]
else:
    NodeModelForm = forms.ModelForm
    NodeModelAdmin = admin.ModelAdmin


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
        actor = signed_in_member(request)
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


@admin.register(Membership)
class MembershipAdmin(ServiceOwnedAdmin):
    list_display = ["member", "node", "role", "weight", "joined_at", "ended_at"]
    list_filter = ["role", "node__kind"]
    search_fields = ["member__pseudonym", "node__name"]
    actions = ["make_secretary", "make_member", "end"]

    def _change_role(self, request: HttpRequest, queryset: QuerySet[Membership], role: str) -> None:
        actor = signed_in_member(request)
        run_each(
            self,
            request,
            queryset.select_related("node"),
            lambda m: services.change_role(actor=actor, membership=m, role=role),
            done=_("%(count)d membership(s) changed."),
        )

    @admin.action(description=_("Make the selected members secretaries"))
    def make_secretary(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        self._change_role(request, queryset, Role.SECRETARY)

    @admin.action(description=_("Make the selected secretaries plain members"))
    def make_member(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        self._change_role(request, queryset, Role.MEMBER)

    @admin.action(description=_("End the selected memberships"))
    def end(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        actor = signed_in_member(request)
        run_each(
            self,
            request,
            queryset.select_related("node"),
            lambda m: services.end_membership(actor=actor, membership=m),
            done=_("%(count)d membership(s) ended."),
        )


@admin.register(Mandate)
class MandateAdmin(ServiceOwnedAdmin):
    list_display = ["delegate", "committee", "source", "started_at", "ended_at", "ended_reason"]
    list_filter = ["source", "ended_reason"]
    search_fields = ["delegate__pseudonym", "committee__name"]


@admin.register(Invitation)
class InvitationAdmin(ServiceOwnedAdmin):
    list_display = (
        "code_hint",
        "node",
        "role",
        "created_by",
        "expires_at",
        "used_at",
        "revoked_at",
    )
    list_filter = ("role",)
    search_fields = ("code_hint", "node__name")
    readonly_fields = (
        "code_digest",
        "code_hint",
        "node",
        "role",
        "created_by",
        "created_at",
        "expires_at",
        "used_at",
        "used_by",
        "revoked_at",
    )
    actions = ("revoke",)

    @admin.action(description=_("Revoke the selected invitations"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        actor = signed_in_member(request)
        run_each(
            self,
            request,
            queryset.select_related("node"),
            lambda i: invitations.revoke_invitation(actor=actor, invitation=i),
            done=_("%(count)d invitation(s) revoked."),
        )
