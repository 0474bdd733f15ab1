"""Password resets by code: a secretary issues a code for a member of their
committee; the member sets a new password with it (mounted under /accounts/
in the ``accounts`` namespace, like the invitation pages).

Issuing a code is a confirmation step: GET says what will happen, POST does
it and redirects to the page that shows the code once (post/redirect/get).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from asamblea.accounts import ratelimit, rules
from asamblea.accounts.errors import RateLimited
from asamblea.accounts.forms import ResetCodeForm
from asamblea.accounts.pseudonyms import pseudonym_key
from asamblea.accounts.qr import join_qr_svg
from asamblea.accounts.requests import signed_in_member
from asamblea.accounts.views import (
    MODEL_BACKEND,
    _remember_language,
    _show_error,
    adopt_chosen_language,
    notify_resets,
)
from asamblea.core.errors import DomainError, reraise_refusal
from asamblea.federation import password_resets
from asamblea.federation.access import viewer_of
from asamblea.federation.models import Membership

# Session key under which a fresh code waits for the page showing it.
FRESH_RESET_KEY = "fresh_reset_code"


def _membership(request: HttpRequest, membership_id: int) -> Membership:
    try:
        return password_resets.access_membership_for_reset(viewer_of(request), membership_id)
    except DomainError as exc:
        reraise_refusal(exc)
        raise


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def issue_code(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = _membership(request, membership_id)
    context = {
        "membership": membership,
        "valid_hours": password_resets.RESET_CODE_VALID_HOURS,
    }
    if request.method != "POST":
        return render(request, "accounts/reset_code_confirm.html", context)
    if request.POST.get("confirm") != "yes":
        return render(request, "accounts/reset_code_confirm.html", context, status=422)
    try:
        issued = password_resets.issue_reset_code(
            actor=signed_in_member(request), membership=membership
        )
    except DomainError as exc:
        reraise_refusal(exc)
        raise
    request.session[FRESH_RESET_KEY] = {
        "membership": membership.pk,
        "reset": issued.reset.pk,
        "code": issued.code,
    }
    return HttpResponseRedirect(
        reverse("accounts:reset_code_created", kwargs={"membership_id": membership.pk}),
        status=303,
    )


@never_cache
@login_required
@require_http_methods(["GET"])
def code_created(request: HttpRequest, membership_id: int) -> HttpResponse:
    """The code just issued, shown once with a QR code for printing."""
    membership = _membership(request, membership_id)
    fresh = request.session.get(FRESH_RESET_KEY)
    card = None
    if isinstance(fresh, dict) and fresh.get("membership") == membership.pk:
        del request.session[FRESH_RESET_KEY]
        code = str(fresh.get("code", ""))
        url = rules.join_link(request.build_absolute_uri(reverse("accounts:reset")), code)
        title = _("Reset code for %(name)s") % {"name": membership.member.pseudonym}
        card = {"code": code, "url": url, "svg": join_qr_svg(url, title=title)}
    context = {
        "membership": membership,
        "card": card,
        "valid_hours": password_resets.RESET_CODE_VALID_HOURS,
    }
    return render(request, "accounts/reset_code_created.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def reset_with_code(request: HttpRequest) -> HttpResponse:
    """The member's side: pseudonym, code, new password; then signed in."""
    template = "accounts/reset.html"
    if request.method != "POST":
        return render(request, template, {"form": ResetCodeForm()})
    form = ResetCodeForm(request.POST)
    if not form.is_valid():
        return render(request, template, {"form": form}, status=422)
    data = form.cleaned_data
    try:
        attempt = ratelimit.begin(
            scope=ratelimit.RESET_CODE, request=request, account=pseudonym_key(data["pseudonym"])
        )
    except RateLimited as exc:
        _show_error(form, exc)
        return render(request, template, {"form": form}, status=exc.status)
    try:
        member = password_resets.redeem_reset_code(
            pseudonym=data["pseudonym"], code=data["code"], new_password=data["new_password"]
        )
    except DomainError as exc:
        if exc.field != "code":
            attempt.succeeded()  # the code was right; the new password was not
        _show_error(form, exc)
        return render(request, template, {"form": form}, status=exc.status)
    attempt.succeeded()
    auth_login(request, member, backend=MODEL_BACKEND)
    language = adopt_chosen_language(request, member)
    with translation.override(language):
        notify_resets(request, member)
        messages.success(request, _("Your new password is set. You are signed in."))
    response = redirect("core:home")
    _remember_language(request, response, language)
    return response
