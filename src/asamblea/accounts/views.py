"""Sign-in, profile and API tokens (joining by invitation and the invitations
pages are ``federation.invitation_views``).

Views parse input with a form, call a service or selector, and render. A
``DomainError`` is shown next to its field with the error's 4xx status.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME, authenticate, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import (
    PasswordResetCompleteView,
    PasswordResetConfirmView,
    PasswordResetDoneView,
    PasswordResetView,
)
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import formats, timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from asamblea.accounts import ratelimit, selectors, services
from asamblea.accounts.errors import RateLimited
from asamblea.accounts.forms import (
    ContactForm,
    EmailResetRequestForm,
    EmailSetPasswordForm,
    LanguageForm,
    LoginForm,
    PasswordChangeForm,
    RefusedAdminLoginForm,
    TokenForm,
)
from asamblea.accounts.models import Member, PasswordReset
from asamblea.accounts.pseudonyms import pseudonym_key
from asamblea.accounts.requests import signed_in_member
from asamblea.core.confirm import Confirmation, is_confirmed, render_confirmation
from asamblea.core.errors import DomainError, reraise_refusal

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _show_error(form: Form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


def _remember_language(request: HttpRequest, response: HttpResponse, language: str) -> None:
    """Apply a member's language from now on: session (read by
    MemberLanguageMiddleware) and cookie (kept after logging out)."""
    request.session["member_language"] = language
    _set_language_cookie(response, language)


# Session key: the language a visitor chose with the switcher before signing
# in. Signing in keeps the session's data, so the choice survives it.
CHOSEN_LANGUAGE_KEY = "chosen_language"


def adopt_chosen_language(request: HttpRequest, member: Member) -> str:
    """The language a member just signed in with: the one they chose before
    signing in, if any (saved on their profile, so that it follows them),
    else the one on their profile."""
    chosen = request.session.pop(CHOSEN_LANGUAGE_KEY, None)
    if chosen in dict(settings.LANGUAGES) and chosen != member.language:
        services.update_profile(member=member, language=chosen)
    return member.language


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


def notify_resets(request: HttpRequest, member: Member) -> None:
    """Tell a member who just signed in of every reset code issued for them and
    every reset of their password since they were last told."""
    for reset in services.take_reset_notices(member=member):
        when = formats.date_format(timezone.localtime(reset.created_at), "SHORT_DATETIME_FORMAT")
        if reset.kind == PasswordReset.Kind.EMAIL:
            text = _(
                "Your password was reset on %(when)s through a link sent to your e-mail address."
            ) % {"when": when}
        else:
            text = _(
                "On %(when)s, %(secretary)s issued a reset code for your account at %(committee)s."
            ) % {
                "when": when,
                "secretary": reset.created_by or _("an operator"),
                "committee": reset.node,
            }
            if reset.used_at is not None:
                used = formats.date_format(
                    timezone.localtime(reset.used_at), "SHORT_DATETIME_FORMAT"
                )
                text += " " + _("It was used on %(when)s to set a new password.") % {"when": used}
        text += " " + _("If this was not you, tell your secretary at once.")
        messages.warning(request, text)


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
    if not form.is_valid():
        return render(request, "accounts/login.html", context, status=422)
    pseudonym = form.cleaned_data["pseudonym"]
    try:
        attempt = ratelimit.begin(
            scope=ratelimit.SIGN_IN, request=request, account=pseudonym_key(pseudonym)
        )
    except RateLimited as exc:
        _show_error(form, exc)
        return render(request, "accounts/login.html", context, status=exc.status)
    user = authenticate(request, pseudonym=pseudonym, password=form.cleaned_data["password"])
    if isinstance(user, Member):
        attempt.succeeded()
        auth_login(request, user)
        language = adopt_chosen_language(request, user)
        with translation.override(language):
            notify_resets(request, user)
        response = HttpResponseRedirect(_safe_next(request))
        _remember_language(request, response, language)
        return response
    form.add_error(None, _("Wrong pseudonym or password."))
    return render(request, "accounts/login.html", context, status=422)


@never_cache
@require_http_methods(["GET", "POST"])
def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's own sign-in page, behind the same attempt limits as ``login``
    (and sharing its counters, so that neither page adds guesses to the other)."""
    if request.method != "POST":
        return admin.site.login(request)
    pseudonym = str(request.POST.get("username", ""))
    try:
        attempt = ratelimit.begin(
            scope=ratelimit.SIGN_IN, request=request, account=pseudonym_key(pseudonym)
        )
    except RateLimited as exc:
        form = RefusedAdminLoginForm(request, data=request.POST, refusal=str(exc.message))
        context = {
            **admin.site.each_context(request),
            "title": _("Log in"),
            "app_path": request.get_full_path(),
            "form": form,
            REDIRECT_FIELD_NAME: request.POST.get(REDIRECT_FIELD_NAME, ""),
        }
        return render(request, "admin/login.html", context, status=exc.status)
    response = admin.site.login(request)
    if response.status_code == 302 and request.user.is_authenticated:
        attempt.succeeded()
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def admin_password_change(request: HttpRequest) -> HttpResponse:
    """The admin's password change, which asks for the current password: behind
    the same limit as ``password`` so that a stolen operator session cannot
    be used to guess it."""
    user = request.user
    if request.method != "POST" or not (isinstance(user, Member) and user.is_staff):
        return admin.site.password_change(request)
    try:
        attempt = ratelimit.begin(
            scope=ratelimit.PASSWORD_CHANGE, request=request, account=f"member:{user.pk}"
        )
    except RateLimited as exc:
        context = {**admin.site.each_context(request), "message": exc.message}
        return render(request, "accounts/admin_refused.html", context, status=exc.status)
    response = admin.site.password_change(request)
    old_password = str(request.POST.get("old_password", ""))[: services.MAX_PASSWORD_LENGTH]
    if response.status_code == 302 or user.check_password(old_password):
        attempt.succeeded()  # changed, or refused for the new password only
    return response


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    return redirect("core:home")


# --- profile ----------------------------------------------------------------------


def _render_profile(request: HttpRequest, *, status: int = 200, **forms: Form) -> HttpResponse:
    member = signed_in_member(request)
    context: dict[str, Any] = {
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
        # Someone holding a stolen session must not learn the password by guessing.
        attempt = ratelimit.begin(
            scope=ratelimit.PASSWORD_CHANGE, request=request, account=f"member:{member.pk}"
        )
    except RateLimited as exc:
        _show_error(form, exc)
        return _render_profile(request, status=exc.status, password_form=form)
    try:
        services.change_password(
            member=member,
            old_password=form.cleaned_data["old_password"],
            new_password=form.cleaned_data["new_password"],
        )
    except DomainError as exc:
        if exc.field != "old_password":
            attempt.succeeded()  # the current password was right
        _show_error(form, exc)
        return _render_profile(request, status=exc.status, password_form=form)
    attempt.succeeded()
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
        request.session[CHOSEN_LANGUAGE_KEY] = language
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
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    if not is_confirmed(request):
        token = next(
            (
                t
                for t in selectors.active_api_tokens(member=signed_in_member(request))
                if t.pk == token_id
            ),
            None,
        )
        if token is None:
            raise Http404
        confirmation = Confirmation(
            title=_("Revoke the token “%(name)s”?") % {"name": token.name},
            consequences=[
                _("Every program that uses this token loses access at once."),
                _("A revoked token cannot be used again; create a new one if needed."),
            ],
            action_url=reverse("accounts:token_revoke", args=[token.pk]),
            button=_("Yes, revoke it"),
            cancel_url=reverse("accounts:tokens"),
        )
        return render_confirmation(request, confirmation)
    try:
        services.revoke_api_token(member=signed_in_member(request), token_id=token_id)
    except DomainError as exc:
        reraise_refusal(exc)
        raise
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:tokens")


# --- password reset by e-mail (for members who gave an address) -------------------


class EmailResetView(PasswordResetView):
    """Django's reset-link request. Each request takes a slot by client
    address that is never given back, so that nobody floods members' mailboxes."""

    form_class = EmailResetRequestForm
    template_name = "accounts/email_reset.html"
    email_template_name = "accounts/email_reset_message.txt"
    subject_template_name = "accounts/email_reset_subject.txt"
    success_url = reverse_lazy("accounts:email_reset_sent")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            ratelimit.begin(scope=ratelimit.EMAIL_RESET, request=request)
        except RateLimited as exc:
            form = self.get_form()
            form.is_valid()
            form.add_error(None, str(exc.message))
            return render(request, self.template_name, {"form": form}, status=exc.status)
        return super().post(request, *args, **kwargs)


class EmailResetConfirmView(PasswordResetConfirmView):
    """The page the e-mailed link opens. The password is set through
    ``services.reset_password_by_email`` (audited, told on next sign-in), which
    ends every session of the member; they then sign in."""

    form_class = EmailSetPasswordForm
    template_name = "accounts/email_reset_confirm.html"
    success_url = reverse_lazy("accounts:email_reset_done")


email_reset = never_cache(EmailResetView.as_view())
email_reset_sent = PasswordResetDoneView.as_view(template_name="accounts/email_reset_sent.html")
email_reset_confirm = EmailResetConfirmView.as_view()
email_reset_done = PasswordResetCompleteView.as_view(template_name="accounts/email_reset_done.html")
