from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from asamblea.federation import selectors as federation_selectors
from asamblea.motions import selectors as motion_selectors
from asamblea.voting import selectors as voting_selectors


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "core/welcome.html")
    return dashboard(request)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    member = request.user
    context = {
        "memberships": federation_selectors.active_memberships(member=member),  # type: ignore[arg-type]
        "delegate_of": federation_selectors.delegate_committee_ids(member=member),  # type: ignore[arg-type]
        "open_polls": voting_selectors.open_polls_for(member=member),  # type: ignore[arg-type]
        "recent_motions": motion_selectors.recent_motions_for(member=member),  # type: ignore[arg-type]
    }
    return render(request, "core/dashboard.html", context)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
