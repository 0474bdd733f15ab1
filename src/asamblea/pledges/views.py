"""Pages of calls to action. Every page works without JavaScript (POST,
redirect, GET) and on a narrow phone; views stay thin: they call the
services and selectors and show a refusal's message next to its form."""

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
from asamblea.core.errors import DomainError, reraise_refusal
from asamblea.federation.access import access_node, viewer_of
from asamblea.pledges import access, selectors, services
from asamblea.pledges.forms import CallForm, TurnoutForm
from asamblea.pledges.models import Call, CallState


def _detail_context(request: HttpRequest, call: Call, **extra: Any) -> dict[str, Any]:
    viewer = viewer_of(request)
    member = signed_in_member(request)
    context: dict[str, Any] = {
        "call": call,
        "scopes": selectors.explain(viewer, call),
        "me": selectors.standing(member, call),
        "may_manage": access.may(viewer, call, to="manage"),
        "reconfirmations": selectors.reconfirmations(viewer, call),
        "reports": selectors.reports(viewer, call),
        "thresholds": call.thresholds.all(),
        "states": CallState,
        "minimum": selectors.public_minimum(),
        "turnout_form": TurnoutForm(),
        "error": "",
    }
    context.update(extra)
    return context


def _call(request: HttpRequest, call_id: int) -> Call:
    return access.access_call(viewer_of(request), call_id)


def _detail(call: Call) -> str:
    return reverse("pledges:detail", args=[call.pk])


@login_required
@require_GET
def call_list(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    node = None
    node_id = request.GET.get("node", "")
    if node_id.isdigit():
        node = access_node(viewer, int(node_id))
    calls = list(selectors.visible_calls(viewer, node=node)[: selectors.LIST_LIMIT])
    awaiting = list(selectors.awaiting(signed_in_member(request))[: selectors.LIST_LIMIT])
    may_issue = selectors.nodes_for_issuing(viewer).exists()
    return render(
        request,
        "pledges/list.html",
        {"calls": calls, "awaiting": awaiting, "node": node, "may_issue": may_issue},
    )


@login_required
@require_http_methods(["GET", "POST"])
def call_create(request: HttpRequest) -> HttpResponse:
    member = signed_in_member(request)
    viewer = viewer_of(request)
    nodes = selectors.nodes_for_issuing(viewer)
    status = 200
    if request.method == "POST":
        form = CallForm(request.POST, nodes=nodes)
        if form.is_valid():
            try:
                call = services.issue_call(
                    actor=member, node=form.cleaned_data["node"], spec=form.spec()
                )
            except DomainError as exc:
                reraise_refusal(exc)
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
                status = exc.status
            else:
                return redirect(_detail(call))
        else:
            status = 422
    else:
        initial: dict[str, Any] = {}
        for name in ("node", "motion"):
            value = request.GET.get(name, "")
            if value.isdigit():
                initial[name] = int(value)
        form = CallForm(initial=initial, nodes=nodes)
    return render(request, "pledges/create.html", {"form": form}, status=status)


@login_required
@require_GET
def call_detail(request: HttpRequest, call_id: int) -> HttpResponse:
    return render(request, "pledges/detail.html", _detail_context(request, _call(request, call_id)))


def _act(request: HttpRequest, call: Call, fn: Any) -> HttpResponse:
    try:
        fn()
    except DomainError as exc:
        reraise_refusal(exc)
        call.refresh_from_db()
        context = _detail_context(request, call, error=str(exc.message))
        return render(request, "pledges/detail.html", context, status=exc.status)
    return redirect(_detail(call))


def _yes_or_no(request: HttpRequest, call: Call, fn: Any) -> HttpResponse:
    """Run ``fn(answer_is_yes)`` for a form posting ``answer=yes|no``."""
    answer = request.POST.get("answer", "")
    if answer not in ("yes", "no"):
        context = _detail_context(request, call, error=_("Choose yes or no."))
        return render(request, "pledges/detail.html", context, status=422)
    return _act(request, call, lambda: fn(answer == "yes"))


@login_required
@require_POST
def call_answer(request: HttpRequest, call_id: int) -> HttpResponse:
    """Pledge (``answer=yes``), answer no, or withdraw a pledge (``answer=no``)."""
    member = signed_in_member(request)
    call = _call(request, call_id)
    return _yes_or_no(
        request, call, lambda yes: services.answer_call(actor=member, call=call, pledged=yes)
    )


@login_required
@require_POST
def call_reconfirm(request: HttpRequest, call_id: int) -> HttpResponse:
    member = signed_in_member(request)
    call = _call(request, call_id)
    return _yes_or_no(
        request, call, lambda yes: services.reconfirm(actor=member, call=call, still_in=yes)
    )


@login_required
@require_POST
def call_open(request: HttpRequest, call_id: int) -> HttpResponse:
    member = signed_in_member(request)
    call = _call(request, call_id)
    return _act(request, call, lambda: services.open_pledging(actor=member, call=call))


@login_required
@require_http_methods(["GET", "POST"])
def call_withdraw(request: HttpRequest, call_id: int) -> HttpResponse:
    member = signed_in_member(request)
    call = _call(request, call_id)
    if not is_confirmed(request):
        access.check_call(viewer_of(request), call, to="manage")
        return render_confirmation(
            request,
            Confirmation(
                title=_("Withdraw this call?"),
                consequences=[
                    call.display_title,
                    _("The action is called off everywhere; pledges can no longer be made."),
                ],
                action_url=reverse("pledges:withdraw", args=[call.pk]),
                button=_("Yes, withdraw the call"),
                cancel_url=_detail(call),
            ),
        )
    return _act(request, call, lambda: services.withdraw_call(actor=member, call=call))


@login_required
@require_POST
def call_report(request: HttpRequest, call_id: int) -> HttpResponse:
    member = signed_in_member(request)
    call = _call(request, call_id)
    form = TurnoutForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, call, turnout_form=form)
        return render(request, "pledges/detail.html", context, status=422)
    committee = access_node(viewer_of(request), form.cleaned_data["committee"])
    return _act(
        request,
        call,
        lambda: services.report_turnout(
            actor=member, call=call, committee=committee, turnout=form.cleaned_data["turnout"]
        ),
    )
