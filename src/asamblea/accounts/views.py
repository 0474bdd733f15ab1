"""Sign-in, joining by invitation, profile, invitations and API tokens.

Views parse input with a form, call a service or selector, and render. A
``DomainError`` is shown next to its field with the error's 4xx status.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from asamblea.accounts import ratelimit, rules, selectors, services
from asamblea.accounts.errors import RateLimited
from asamblea.accounts.forms import (
    ContactForm,
    InvitationForm,
    JoinForm,
    LanguageForm,
    LoginForm,
    PasswordChangeForm,
    TokenForm,
)
from asamblea.accounts.models import Member
from asamblea.accounts.qr import join_qr_svg
from asamblea.accounts.requests import signed_in_member
from asamblea.core.errors import DomainError, reraise_refusal
from asamblea.core.htmx import is_htmx, pick_template
from asamblea.federation.models import Node

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _show_error(form: Form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


def _remember_language(request: HttpRequest, response: HttpResponse, language: str) -> None:
    """Apply a member's language from now on: session (read by
    MemberLanguageMiddleware) and cookie (kept after logging out)."""
    request.session["member_language"] = language
    _set_language_cookie(response, language)


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("core:home")


def _current_language() -> str:
    language = translation.get_language() or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


# --- sign in / out ----------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = LoginForm()
        return render(request, "accounts/login.html", {"form": form, "next": _safe_next(request)})
    form = LoginForm(request.POST)
    context: dict[str, Any] = {"form": form, "next": _safe_next(request)}
    address = ratelimit.client_address(request)
    valid = form.is_valid()
    try:
        ratelimit.check(scope="login", address=address)
    except RateLimited as exc:
        _show_error(form, exc)
        return render(request, "accounts/login.html", context, status=exc.status)
    if valid:
        user = authenticate(
            request,
            pseudonym=form.cleaned_data["pseudonym"],
            password=form.cleaned_data["password"],
        )
        if isinstance(user, Member):
            auth_login(request, user)
            response = HttpResponseRedirect(_safe_next(request))
            _remember_language(request, response, user.language)
            return response
        ratelimit.note_failure(scope="login", address=address)
        form.add_error(None, _("Wrong pseudonym or password."))
    return render(request, "accounts/login.html", context, status=422)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    return redirect("core:home")


@never_cache
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        code = request.GET.get("code", "")[: rules.MAX_TYPED_CODE_LENGTH]
        return render(request, "accounts/join.html", {"form": JoinForm(initial={"code": code})})
    form = JoinForm(request.POST)
    address = ratelimit.client_address(request)
    valid = form.is_valid()
    try:
        ratelimit.check(scope="join", address=address)
    except RateLimited as exc:
        _show_error(form, exc)
        return render(request, "accounts/join.html", {"form": form}, status=exc.status)
    if not valid:
        return render(request, "accounts/join.html", {"form": form}, status=422)
    data = form.cleaned_data
    try:
        member = services.redeem_invitation(
            code=data["code"],
            pseudonym=data["pseudonym"],
            password=data["password"],
            email=data["email"],
            phone=data["phone"],
            language=_current_language(),
        )
    except DomainError as exc:
        if exc.field == "code":
            ratelimit.note_failure(scope="join", address=address)
        _show_error(form, exc)
        return render(request, "accounts/join.html", {"form": form}, status=exc.status)
    auth_login(request, member, backend=MODEL_BACKEND)
    messages.success(request, _("Welcome! You are now a member of your committee."))
    response = redirect("core:home")
    _remember_language(request, response, member.language)
    return response


# --- profile ----------------------------------------------------------------------


def _render_profile(request: HttpRequest, *, status: int = 200, **forms: Form) -> HttpResponse:
    member = signed_in_member(request)
    context: dict[str, Any] = {
        "memberships": selectors.my_memberships(member=member),
        "language_form": LanguageForm(initial={"language": member.language}),
        "contact_form": ContactForm(initial={"email": member.email, "phone": member.phone}),
        "password_form": PasswordChangeForm(),
    }
    context.update(forms)
    return render(request, "accounts/profile.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def profile(request: HttpRequest) -> HttpResponse:
    return _render_profile(request)


@login_required
@require_POST
def password(request: HttpRequest) -> HttpResponse:
    member = signed_in_member(request)
    form = PasswordChangeForm(request.POST)
    if not form.is_valid():
        return _render_profile(request, status=422, password_form=form)
    try:
        services.change_password(
            member=member,
            old_password=form.cleaned_data["old_password"],
            new_password=form.cleaned_data["new_password"],
        )
    except DomainError as exc:
        _show_error(form, exc)
        return _render_profile(request, status=exc.status, password_form=form)
    # Keep this session signed in; other sessions of the member end.
    update_session_auth_hash(request, member)
    messages.success(request, _("Your password was changed."))
    return redirect("accounts:profile")


@login_required
@require_POST
def language(request: HttpRequest) -> HttpResponse:
    member = signed_in_member(request)
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return _render_profile(request, status=422, language_form=form)
    try:
        services.update_profile(member=member, language=form.cleaned_data["language"])
    except DomainError as exc:
        _show_error(form, exc)
        return _render_profile(request, status=exc.status, language_form=form)
    response = redirect("accounts:profile")
    _remember_language(request, response, member.language)
    with translation.override(member.language):
        messages.success(request, _("Your language was saved."))
    return response


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """The language switcher on every page. For a signed-in member the choice is
    also saved on their profile, so it follows them to other devices."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return render(request, "400.html", status=400)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("core:home")
    response = HttpResponseRedirect(next_url)
    if request.user.is_authenticated:
        member = signed_in_member(request)
        if member.language != language:
            services.update_profile(member=member, language=language)
        _remember_language(request, response, language)
    else:
        _set_language_cookie(response, language)
    return response


@login_required
@require_POST
def contact(request: HttpRequest) -> HttpResponse:
    member = signed_in_member(request)
    form = ContactForm(request.POST)
    if not form.is_valid():
        return _render_profile(request, status=422, contact_form=form)
    try:
        services.update_profile(
            member=member, email=form.cleaned_data["email"], phone=form.cleaned_data["phone"]
        )
    except DomainError as exc:
        _show_error(form, exc)
        return _render_profile(request, status=exc.status, contact_form=form)
    messages.success(request, _("Your contact details were saved."))
    return redirect("accounts:profile")


# --- invitations ------------------------------------------------------------------


def _invitable_committee(request: HttpRequest, node_id: int) -> Node:
    try:
        return selectors.get_invitable_committee(member=signed_in_member(request), node_id=node_id)
    except DomainError as exc:
        reraise_refusal(exc)
        raise


def _render_invitations(
    request: HttpRequest,
    committee: Node,
    form: InvitationForm,
    *,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    rows = selectors.list_invitations(member=signed_in_member(request), committee=committee)
    context = {"committee": committee, "rows": rows, "form": form, "error": error}
    return render(request, "accounts/invitations.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def invitations(request: HttpRequest, node_id: int) -> HttpResponse:
    committee = _invitable_committee(request, node_id)
    if request.method != "POST":
        return _render_invitations(request, committee, InvitationForm())
    form = InvitationForm(request.POST)
    if not form.is_valid():
        return _render_invitations(request, committee, form, status=422)
    try:
        created = services.create_invitations(
            actor=signed_in_member(request),
            committee=committee,
            role=form.cleaned_data["role"],
            count=form.cleaned_data["count"],
            valid_days=form.cleaned_data["valid_days"],
        )
    except DomainError as exc:
        _show_error(form, exc)
        return _render_invitations(request, committee, form, status=exc.status)
    # The raw codes exist only in this response (the database keeps digests), so
    # the page is rendered straight from the POST instead of redirecting, and
    # never cached.
    join_url = request.build_absolute_uri(reverse("accounts:join"))
    cards = []
    for invitation, code in created:
        url = f"{join_url}?code={code}"
        cards.append(
            {
                "invitation": invitation,
                "code": code,
                "url": url,
                "svg": join_qr_svg(url, title=_("Invitation to %(name)s") % {"name": committee}),
            }
        )
    return render(
        request, "accounts/invitations_created.html", {"committee": committee, "cards": cards}
    )


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    member = signed_in_member(request)
    try:
        invitation = selectors.get_invitation_for(member=member, invitation_id=invitation_id)
    except DomainError as exc:
        reraise_refusal(exc)
        raise
    committee = invitation.node
    try:
        invitation = services.revoke_invitation(actor=member, invitation=invitation)
    except DomainError as exc:
        if is_htmx(request):
            # htmx swaps 409 answers: give it the row as it now is, with the reason.
            invitation.refresh_from_db()
            context = {"row": selectors.invitation_row(invitation), "row_error": str(exc.message)}
            return render(request, "accounts/_invitation_row.html", context, status=exc.status)
        return _render_invitations(
            request, committee, InvitationForm(), status=exc.status, error=str(exc.message)
        )
    if is_htmx(request):
        template = pick_template(
            request, "accounts/invitations.html", "accounts/_invitation_row.html"
        )
        return render(request, template, {"row": selectors.invitation_row(invitation)})
    messages.success(request, _("The invitation was withdrawn."))
    return redirect("accounts:invitations", node_id=committee.pk)


# --- API tokens -------------------------------------------------------------------


def _render_tokens(
    request: HttpRequest, form: TokenForm, *, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {
        "tokens": selectors.active_api_tokens(member=signed_in_member(request)),
        "form": form,
    }
    context.update(extra)
    return render(request, "accounts/tokens.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render_tokens(request, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _render_tokens(request, form, status=422)
    try:
        token, raw = services.create_api_token(
            member=signed_in_member(request), name=form.cleaned_data["name"]
        )
    except DomainError as exc:
        _show_error(form, exc)
        return _render_tokens(request, form, status=exc.status)
    # Shown once, straight from the POST: only the digest is stored.
    return _render_tokens(request, TokenForm(), new_token=token, raw_token=raw)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        services.revoke_api_token(member=signed_in_member(request), token_id=token_id)
    except DomainError as exc:
        reraise_refusal(exc)
        raise
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:tokens")
