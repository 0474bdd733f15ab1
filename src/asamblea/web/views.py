"""The home page (a welcome for visitors, the dashboard for members), what
needs me, and the search of motions and polls together."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from asamblea.accounts.requests import signed_in_member
from asamblea.federation import selectors as federation_selectors
from asamblea.federation.access import viewer_of
from asamblea.federation.models import Node
from asamblea.motions import selectors as motion_selectors
from asamblea.voting import selectors as voting_selectors
from asamblea.web import needs
from asamblea.web.forms import CombinedSearchForm


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "core/welcome.html")
    return dashboard(request)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    open_polls = list(voting_selectors.open_polls_for(member=viewer)[:50])
    marks = voting_selectors.vote_marks_for(member=viewer, polls=open_polls)
    context = {
        "memberships": federation_selectors.active_memberships(member=signed_in_member(request)),
        "delegate_of": viewer.delegate_committee_ids(),
        "open_polls": [(poll, marks[poll.pk]) for poll in open_polls],
        "recent_motions": motion_selectors.recent_motions_for(member=viewer),
    }
    return render(request, "core/dashboard.html", context)


@login_required
@require_GET
def needs_page(request: HttpRequest) -> HttpResponse:
    """What waits for the member: votes, seconds, amendments, trustee and
    secretary tasks, recent results; each in one plain sentence."""
    found = needs.needs_of(signed_in_member(request))
    context = {"count": found.count, "sections": needs.sections_of(needs.items_of(found))}
    return render(request, "web/needs.html", context)


SEARCH_SHOWN = 10


def _list_query(data: dict[str, Any], state: str | None) -> str:
    """The query string of one app's own search with the same words, node,
    state and dates, for its "all results" link."""
    params = {
        "q": data["q"],
        "node": data["node"] or "",
        "state": state or "",
        "since": data["since"].isoformat() if data["since"] else "",
        "until": data["until"].isoformat() if data["until"] else "",
    }
    return urlencode({k: v for k, v in params.items() if v})


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Motions and polls on one page, by words, node, state and dates (a GET
    form that works without JavaScript): the first of each kind, with a link
    to the rest in that kind's own list."""
    viewer = viewer_of(request)
    form = CombinedSearchForm(
        request.GET or None, nodes=federation_selectors.node_choices_for(member=viewer)
    )
    context: dict[str, Any] = {"form": form, "searched": False}
    status = 200
    if form.is_bound and not form.is_valid():
        status = 422
    elif form.is_bound:
        data = form.cleaned_data
        node: Node | None = None
        if data["node"]:
            node = federation_selectors.get_visible_node(member=viewer, node_id=data["node"])
        common = {"node": node, "text": data["q"], "since": data["since"], "until": data["until"]}
        context.update(searched=True, show_motions=data["motions"], show_polls=data["polls"])
        if data["motions"]:
            motions = motion_selectors.list_motions_for(
                member=viewer, state=data["motion_state"], **common
            )
            context["motions"] = list(motions[:SEARCH_SHOWN])
            context["motion_count"] = motions.count()
            context["motion_query"] = _list_query(data, data["motion_state"])
        if data["polls"]:
            polls = voting_selectors.list_polls_for(
                member=viewer, state=data["poll_state"], **common
            )
            shown = list(polls[:SEARCH_SHOWN])
            marks = voting_selectors.vote_marks_for(member=viewer, polls=shown)
            context["polls"] = [(poll, marks[poll.pk]) for poll in shown]
            context["poll_count"] = polls.count()
            context["poll_query"] = _list_query(data, data["poll_state"])
    return render(request, "web/search.html", context, status=status)
