"""Motion pages. Every page works without JavaScript (POST, redirect, GET);
with htmx, seconding and the discussion are swapped in place."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from asamblea.accounts.requests import signed_in_member
from asamblea.core.confirm import Confirmation, is_confirmed, render_confirmation
from asamblea.core.errors import DomainError, NotFound
from asamblea.core.htmx import is_htmx, pick_template
from asamblea.core.search import other_pages_query, page_of
from asamblea.federation import selectors as federation_selectors
from asamblea.federation.access import viewer_of
from asamblea.federation.models import Node
from asamblea.motions import access, rules, selectors, services
from asamblea.motions.forms import (
    AmendmentForm,
    CommentForm,
    EditDraftForm,
    FilterForm,
    MotionForm,
    VersionDiffForm,
)
from asamblea.motions.models import Amendment, AmendmentState, Comment, Motion, MotionState


def _motion(request: HttpRequest, motion_id: int) -> Motion:
    return selectors.get_motion_for(member=viewer_of(request), motion_id=motion_id)


def _detail_url(motion: Motion, anchor: str = "") -> str:
    url = reverse("motions:detail", args=[motion.pk])
    return f"{url}#{anchor}" if anchor else url


def _detail_context(request: HttpRequest, motion: Motion, **extra: Any) -> dict[str, Any]:
    viewer = viewer_of(request)
    is_author = access.may(viewer, motion, to="author")
    context: dict[str, Any] = {
        "motion": motion,
        "lineage": federation_selectors.ancestors(node=motion.node),
        "paragraphs": list(enumerate(rules.split_paragraphs(motion.body), start=1)),
        "seconds": selectors.seconds_summary(motion=motion, member=viewer_of(request)),
        "previews": selectors.amendment_previews(motion=motion),
        "comments": selectors.comments_tree(motion=motion),
        "is_author": is_author,
        "can_edit": is_author and motion.state == MotionState.DRAFT and not motion.seconds.exists(),
        "can_withdraw": is_author and motion.state in (MotionState.DRAFT, MotionState.DEBATE),
        "can_amend": motion.state == MotionState.DEBATE and access.may(viewer, motion, to="amend"),
        "can_comment": motion.state in services.DISCUSSION_STATES
        and access.may(viewer, motion, to="comment"),
        "amendment_form": AmendmentForm(),
        "comment_form": CommentForm(),
        "errors": {},
        "proposed": AmendmentState.PROPOSED,
    }
    context.update(extra)
    return context


def _render_detail(
    request: HttpRequest, motion: Motion, *, status: int = 200, **extra: Any
) -> HttpResponse:
    return render(
        request, "motions/detail.html", _detail_context(request, motion, **extra), status=status
    )


@login_required
@require_GET
def motion_list(request: HttpRequest) -> HttpResponse:
    """The motions the member may see, searched by words, node, state and
    dates (a GET form), a page at a time."""
    viewer = viewer_of(request)
    form = FilterForm(request.GET, nodes=federation_selectors.node_choices_for(member=viewer))
    node: Node | None = None
    status = 200
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        if data["node"]:
            node = federation_selectors.get_visible_node(member=viewer, node_id=data["node"])
        filters = {
            "state": data["state"] or None,
            "text": data["q"],
            "since": data["since"],
            "until": data["until"],
        }
    else:
        status = 422
    motions = selectors.list_motions_for(member=viewer, node=node, **filters)
    context = {
        "page": page_of(motions, request.GET.get("page")),
        "query": other_pages_query(request.GET),
        "node": node,
        "form": form,
        "searched": bool(filters.get("text")),
    }
    return render(request, "motions/list.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def motion_create(request: HttpRequest) -> HttpResponse:
    member = signed_in_member(request)
    nodes = selectors.nodes_for_drafting(member=viewer_of(request))
    status = 200
    if request.method == "POST":
        form = MotionForm(request.POST, nodes=nodes)
        if form.is_valid():
            try:
                motion = services.submit_motion(
                    actor=member,
                    node=form.cleaned_data["node"],
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
                status = exc.status
            else:
                return redirect(_detail_url(motion))
        else:
            status = 422
    else:
        initial = {}
        node_id = request.GET.get("node", "")
        if node_id.isdigit() and nodes.filter(pk=int(node_id)).exists():
            initial["node"] = int(node_id)
        form = MotionForm(initial=initial, nodes=nodes)
    return render(request, "motions/create.html", {"form": form}, status=status)


@login_required
@require_GET
def motion_detail(request: HttpRequest, motion_id: int) -> HttpResponse:
    return _render_detail(request, _motion(request, motion_id))


@login_required
@require_http_methods(["GET", "POST"])
def motion_edit(request: HttpRequest, motion_id: int) -> HttpResponse:
    motion = _motion(request, motion_id)
    status = 200
    if request.method == "POST":
        form = EditDraftForm(request.POST)
        if form.is_valid():
            try:
                services.edit_draft(
                    actor=signed_in_member(request),
                    motion=motion,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
                status = exc.status
            else:
                return redirect(_detail_url(motion))
        else:
            status = 422
    else:
        form = EditDraftForm(initial={"title": motion.title, "body": motion.body})
    return render(request, "motions/edit.html", {"form": form, "motion": motion}, status=status)


@login_required
@require_POST
def motion_second(request: HttpRequest, motion_id: int) -> HttpResponse:
    motion = _motion(request, motion_id)
    member = signed_in_member(request)
    try:
        services.second_motion(actor=member, motion=motion)
    except DomainError as exc:
        if is_htmx(request):
            context = {
                "motion": motion,
                "seconds": selectors.seconds_summary(motion=motion, member=viewer_of(request)),
                "second_error": exc.message,
            }
            return render(request, "motions/_seconds.html", context, status=exc.status)
        return _render_detail(request, motion, status=exc.status, errors={"second": exc.message})
    if is_htmx(request):
        motion.refresh_from_db()
        if motion.state != MotionState.DRAFT:
            # Reaching the threshold opens the debate, which changes most of
            # the page; a reload is simpler than many partial swaps.
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        context = {
            "motion": motion,
            "seconds": selectors.seconds_summary(motion=motion, member=viewer_of(request)),
        }
        return render(request, "motions/_seconds.html", context)
    return redirect(_detail_url(motion, "seconds"))


@login_required
@require_http_methods(["GET", "POST"])
def motion_withdraw(request: HttpRequest, motion_id: int) -> HttpResponse:
    motion = _motion(request, motion_id)
    if not is_confirmed(request) and access.may(viewer_of(request), motion, to="author"):
        confirmation = Confirmation(
            title=_("Withdraw the motion “%(title)s”?") % {"title": motion.title},
            consequences=[
                _("The motion leaves the agenda: it can no longer be seconded, amended or voted."),
                _("Its pending amendments are withdrawn with it."),
                _("It stays visible, marked as withdrawn, with its history."),
            ],
            action_url=reverse("motions:withdraw", args=[motion.pk]),
            button=_("Yes, withdraw it"),
            cancel_url=_detail_url(motion),
        )
        return render_confirmation(request, confirmation)
    if request.method != "POST":
        return redirect(_detail_url(motion))
    try:
        services.withdraw_motion(actor=signed_in_member(request), motion=motion)
    except DomainError as exc:
        return _render_detail(request, motion, status=exc.status, errors={"withdraw": exc.message})
    return redirect(_detail_url(motion))


@login_required
@require_POST
def comment_add(request: HttpRequest, motion_id: int) -> HttpResponse:
    motion = _motion(request, motion_id)
    form = CommentForm(request.POST)
    status = 422
    if form.is_valid():
        parent: Comment | None = None
        parent_id = form.cleaned_data["parent"]
        if parent_id:
            parent = Comment.objects.filter(pk=parent_id, motion=motion).first()
        if parent_id and parent is None:
            form.add_error(None, str(NotFound.default_message))
            status = 404
        else:
            try:
                comment = services.add_comment(
                    actor=signed_in_member(request),
                    motion=motion,
                    body=form.cleaned_data["body"],
                    parent=parent,
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
                status = exc.status
            else:
                if is_htmx(request):
                    return render(
                        request,
                        "motions/_discussion.html",
                        _detail_context(request, motion),
                    )
                return redirect(_detail_url(motion, f"c{comment.pk}"))
    reply_to = request.POST.get("parent", "")
    extra: dict[str, Any] = {"reply_to": int(reply_to) if reply_to.isdigit() else None}
    if extra["reply_to"]:
        extra["reply_form"] = form
    else:
        extra["comment_form"] = form
    template = pick_template(request, "motions/detail.html", "motions/_discussion.html")
    return render(request, template, _detail_context(request, motion, **extra), status=status)


@login_required
@require_POST
def amendment_propose(request: HttpRequest, motion_id: int) -> HttpResponse:
    motion = _motion(request, motion_id)
    form = AmendmentForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            amendment = services.propose_amendment(
                actor=signed_in_member(request),
                motion=motion,
                kind=form.cleaned_data["kind"],
                paragraph=form.paragraph_index(),
                text=form.cleaned_data["text"],
                rationale=form.cleaned_data["rationale"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            status = exc.status
        else:
            return redirect(_detail_url(motion, f"a{amendment.pk}"))
    return _render_detail(request, motion, status=status, amendment_form=form)


@login_required
@require_POST
def amendment_withdraw(request: HttpRequest, amendment_id: int) -> HttpResponse:
    member = signed_in_member(request)
    amendment: Amendment = selectors.get_amendment_for(
        member=viewer_of(request), amendment_id=amendment_id
    )
    try:
        services.withdraw_amendment(actor=member, amendment=amendment)
    except DomainError as exc:
        return _render_detail(
            request,
            amendment.motion,
            status=exc.status,
            amendment_error_id=amendment.pk,
            amendment_error=exc.message,
        )
    return redirect(_detail_url(amendment.motion, f"a{amendment.pk}"))


@login_required
@require_GET
def motion_versions(request: HttpRequest, motion_id: int) -> HttpResponse:
    motion = _motion(request, motion_id)
    history = selectors.version_history(motion=motion)
    return render(request, "motions/versions.html", {"motion": motion, "history": history})


@login_required
@require_GET
def motion_diff(request: HttpRequest, motion_id: int) -> HttpResponse:
    motion = _motion(request, motion_id)
    form = VersionDiffForm(request.GET)
    if not form.is_valid():
        return render(request, "motions/diff.html", {"motion": motion, "form": form}, status=422)
    diff = selectors.version_diff(
        motion=motion,
        from_number=form.cleaned_data["from_"],
        to_number=form.cleaned_data["to"],
    )
    return render(request, "motions/diff.html", {"motion": motion, "diff": diff, "form": form})
