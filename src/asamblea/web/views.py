"""The home page: a welcome for visitors, the dashboard for members."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from asamblea.accounts.requests import signed_in_member
from asamblea.federation import selectors as federation_selectors
from asamblea.federation.access import viewer_of
from asamblea.motions import selectors as motion_selectors
from asamblea.voting import selectors as voting_selectors
from asamblea.web import needs


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
