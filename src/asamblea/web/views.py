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


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "core/welcome.html")
    return dashboard(request)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    context = {
        "memberships": federation_selectors.active_memberships(member=signed_in_member(request)),
        "delegate_of": viewer.delegate_committee_ids(),
        "open_polls": voting_selectors.open_polls_for(member=viewer),
        "recent_motions": motion_selectors.recent_motions_for(member=viewer),
    }
    return render(request, "core/dashboard.html", context)
