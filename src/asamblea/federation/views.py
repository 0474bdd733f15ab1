"""Pages of the federation: the tree, a node, operator forms, and the
secretary's management of members and delegates. Views parse input, call a
service or selector and render; every page works without JavaScript."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from asamblea.accounts.models import Member
from asamblea.accounts.requests import signed_in_member
from asamblea.core.confirm import Confirmation, is_confirmed, render_confirmation
from asamblea.core.errors import DomainError, InvalidInput, reraise_refusal
from asamblea.core.htmx import is_htmx, pick_template
from asamblea.federation import access, selectors, services
from asamblea.federation.access import viewer_of
from asamblea.federation.forms import (
    AppointForm,
    EndMandateForm,
    NodeCreateForm,
    NodeEditForm,
    RoleForm,
)
from asamblea.federation.models import Node


def _visible_node(request: HttpRequest, node_id: int) -> Node:
    return access.access_node(viewer_of(request), node_id)


def _node_context(request: HttpRequest, node: Node) -> dict[str, Any]:
    viewer = viewer_of(request)
    membership = selectors.membership_in(member=signed_in_member(request), node=node)
    children = list(selectors.children(node=node))
    context: dict[str, Any] = {
        "node": node,
        "ancestors": selectors.ancestors(node=node),
        "children": children,
        "my_membership": membership,
        "can_manage": node.is_committee and access.may_manage(viewer, node),
        "is_operator": access.may_shape_tree(viewer),
        "visible_ids": {child.pk for child in children if viewer.sees(child.pk)},
        "role_form": RoleForm(),
        "end_form": EndMandateForm(),
    }
    if node.is_committee:
        mandates = list(selectors.mandate_history(committee=node))
        context["members"] = selectors.members_of(node=node)
        context["delegate_ids"] = {m.delegate_id for m in mandates if m.is_active}
        context["active_mandates"] = [m for m in mandates if m.is_active]
        context["past_mandates"] = [m for m in mandates if not m.is_active]
    return context


def _render_node(
    request: HttpRequest, node: Node, *, error: DomainError | None = None, target: int | None = None
) -> HttpResponse:
    """The node page (or its members partial for htmx), with ``error`` shown
    next to the form it came from (``target`` is that row's id)."""
    context = _node_context(request, node)
    context["error"] = error
    context["error_target"] = target
    template = pick_template(request, "federation/node.html", "federation/_members.html")
    return render(request, template, context, status=error.status if error else 200)


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    branches = selectors.tree_branches_for(member=viewer)
    context = {"branches": branches, "may_shape_tree": access.may_shape_tree(viewer)}
    return render(request, "federation/tree.html", context)


@login_required
def node_detail(request: HttpRequest, node_id: int) -> HttpResponse:
    node = _visible_node(request, node_id)
    return _render_node(request, node)


@login_required
@require_http_methods(["GET", "POST"])
def create_node(request: HttpRequest) -> HttpResponse:
    member = signed_in_member(request)
    if not access.may_shape_tree(viewer_of(request)):
        raise PermissionDenied
    parent: Node | None = None
    raw_parent = request.GET.get("parent", "")
    if raw_parent:
        if not raw_parent.isdigit():
            raise Http404
        parent = _visible_node(request, int(raw_parent))
    form = NodeCreateForm(request.POST or None, parent_kind=parent.kind if parent else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                node = services.create_node(
                    actor=member,
                    kind=form.cleaned_data["kind"],
                    name=form.cleaned_data["name"],
                    parent=parent,
                    description=form.cleaned_data["description"],
                    seconders_required=form.cleaned_data["seconders_required"],
                    seconding_committees=form.cleaned_data["seconding_committees"],
                )
            except DomainError as exc:
                reraise_refusal(exc)
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("Node created."))
                return redirect("federation:node", node_id=node.pk)
        else:
            status = 422
    return render(
        request, "federation/node_form.html", {"form": form, "parent": parent}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_node(request: HttpRequest, node_id: int) -> HttpResponse:
    member = signed_in_member(request)
    node = _visible_node(request, node_id)
    if not access.may_shape_tree(viewer_of(request)):
        raise PermissionDenied
    initial = {
        "name": node.name,
        "description": node.description,
        "seconders_required": node.seconders_required,
        "seconding_committees": node.seconding_committees,
    }
    form = NodeEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_node(actor=member, node=node, **form.cleaned_data)
            except DomainError as exc:
                reraise_refusal(exc)
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("Node saved."))
                return redirect("federation:node", node_id=node.pk)
        else:
            status = 422
    return render(request, "federation/node_form.html", {"form": form, "node": node}, status=status)


def _after_member_action(request: HttpRequest, node: Node, message: str | Promise) -> HttpResponse:
    if is_htmx(request):
        return _render_node(request, node)
    messages.success(request, str(message))
    return redirect("federation:node", node_id=node.pk)


@login_required
@require_POST
def change_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    member = signed_in_member(request)
    membership = selectors.get_visible_membership(
        member=viewer_of(request), membership_id=membership_id
    )
    form = RoleForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(_("Choose member or secretary."), field="role")
        services.change_role(actor=member, membership=membership, role=form.cleaned_data["role"])
    except DomainError as exc:
        reraise_refusal(exc)
        return _render_node(request, membership.node, error=exc, target=membership.pk)
    return _after_member_action(request, membership.node, _("Role changed."))


@login_required
@require_POST
def end_membership(request: HttpRequest, membership_id: int) -> HttpResponse:
    """Remove a member (secretary, operator) or leave a committee (the member)."""
    member = signed_in_member(request)
    membership = selectors.get_visible_membership(
        member=viewer_of(request), membership_id=membership_id
    )
    try:
        services.end_membership(actor=member, membership=membership)
    except DomainError as exc:
        reraise_refusal(exc)
        return _render_node(request, membership.node, error=exc, target=membership.pk)
    if membership.member_id == member.pk:
        messages.success(request, _("You have left the committee."))
        return redirect("federation:tree")
    return _after_member_action(request, membership.node, _("Member removed."))


@login_required
@require_http_methods(["GET", "POST"])
def appoint(request: HttpRequest, node_id: int) -> HttpResponse:
    member = signed_in_member(request)
    node = _visible_node(request, node_id)
    if not (node.is_committee and access.may_manage(viewer_of(request), node)):
        raise PermissionDenied
    candidates = Member.objects.filter(
        memberships__node=node, memberships__ended_at__isnull=True
    ).order_by("pseudonym")
    form = AppointForm(request.POST or None, members=candidates)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.appoint_delegate(
                    actor=member,
                    committee=node,
                    delegate=form.cleaned_data["delegate"],
                    instructions=form.cleaned_data["instructions"],
                )
            except DomainError as exc:
                reraise_refusal(exc)
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("Delegate appointed."))
                return redirect("federation:node", node_id=node.pk)
        else:
            status = 422
    return render(request, "federation/appoint.html", {"form": form, "node": node}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def end_mandate(request: HttpRequest, mandate_id: int) -> HttpResponse:
    member = signed_in_member(request)
    mandate = selectors.get_visible_mandate(member=viewer_of(request), mandate_id=mandate_id)
    if not is_confirmed(request):
        own = mandate.delegate_id == member.pk
        if not own and not access.may_manage(viewer_of(request), mandate.committee):
            raise PermissionDenied
        confirmation = Confirmation(
            title=(
                _("Resign as delegate of %(committee)s?")
                if own
                else _("End the mandate of %(delegate)s as delegate of %(committee)s?")
            )
            % {"delegate": mandate.delegate.pseudonym, "committee": mandate.committee.name},
            consequences=[
                _("From now on they no longer represent the committee or vote for it above."),
                _("The committee can then appoint or elect another delegate."),
                _("The ended mandate stays in the committee's history."),
            ],
            action_url=reverse("federation:end_mandate", args=[mandate.pk]),
            button=_("Yes, end the mandate"),
            cancel_url=reverse("federation:node", args=[mandate.committee_id]),
        )
        return render_confirmation(request, confirmation)
    form = EndMandateForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(_("Choose a reason."), field="reason")
        services.end_mandate(actor=member, mandate=mandate, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        reraise_refusal(exc)
        return _render_node(request, mandate.committee, error=exc, target=mandate.pk)
    messages.success(request, _("Mandate ended."))
    return redirect("federation:node", node_id=mandate.committee_id)
