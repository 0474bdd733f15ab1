"""Joining by invitation and a committee's invitations pages (mounted under
/accounts/ with the accounts pages, so their addresses and names stay
``accounts:join``, ``accounts:invitations``, ``accounts:invitation_revoke``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from asamblea.accounts import ratelimit, rules
from asamblea.accounts.errors import RateLimited
from asamblea.accounts.forms import JoinForm
from asamblea.accounts.qr import join_qr_svg
from asamblea.accounts.requests import signed_in_member
from asamblea.accounts.views import MODEL_BACKEND, _current_language, _remember_language
from asamblea.core.confirm import Confirmation, is_confirmed, render_confirmation
from asamblea.core.errors import DomainError, reraise_refusal
from asamblea.core.htmx import is_htmx, pick_template
from asamblea.federation import invitations
from asamblea.federation.access import viewer_of
from asamblea.federation.forms import InvitationForm
from asamblea.federation.models import Node

# Session key under which freshly created codes wait for the page showing them.
FRESH_CODES_KEY = "fresh_invitation_codes"


def _show_error(form: Form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


@never_cache
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        if "code" in request.GET:
            # A link from before codes moved into the fragment: send the browser
            # to the fragment form, so that the address bar, the history and any
            # later request no longer carry the code.
            code = rules.normalize_code(request.GET["code"])
            target = reverse("accounts:join")
            if code is not None:
                target = rules.join_link(target, rules.format_code(code))
            return HttpResponseRedirect(target, status=303)
        return render(request, "accounts/join.html", {"form": JoinForm()})
    form = JoinForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/join.html", {"form": form}, status=422)
    try:
        attempt = ratelimit.begin(scope=ratelimit.INVITATION_CODE, request=request)
    except RateLimited as exc:
        _show_error(form, exc)
        return render(request, "accounts/join.html", {"form": form}, status=exc.status)
    data = form.cleaned_data
    try:
        member = invitations.redeem_invitation(
            code=data["code"],
            pseudonym=data["pseudonym"],
            password=data["password"],
            email=data["email"],
            phone=data["phone"],
            language=_current_language(),
        )
    except DomainError as exc:
        if exc.field != "code":
            attempt.succeeded()  # not a guess at a code
        _show_error(form, exc)
        return render(request, "accounts/join.html", {"form": form}, status=exc.status)
    attempt.succeeded()
    auth_login(request, member, backend=MODEL_BACKEND)
    messages.success(request, _("Welcome! You are now a member of your committee."))
    response = redirect("core:home")
    _remember_language(request, response, member.language)
    return response


def _invitable_committee(request: HttpRequest, node_id: int) -> Node:
    try:
        return invitations.get_invitable_committee(member=viewer_of(request), node_id=node_id)
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
    rows = invitations.list_invitations(member=viewer_of(request), committee=committee)
    context = {"committee": committee, "rows": rows, "form": form, "error": error}
    return render(request, "accounts/invitations.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def invitations_page(request: HttpRequest, node_id: int) -> HttpResponse:
    committee = _invitable_committee(request, node_id)
    if request.method != "POST":
        return _render_invitations(request, committee, InvitationForm())
    form = InvitationForm(request.POST)
    if not form.is_valid():
        return _render_invitations(request, committee, form, status=422)
    try:
        created = invitations.create_invitations(
            actor=signed_in_member(request),
            committee=committee,
            role=form.cleaned_data["role"],
            count=form.cleaned_data["count"],
            valid_days=form.cleaned_data["valid_days"],
        )
    except DomainError as exc:
        _show_error(form, exc)
        return _render_invitations(request, committee, form, status=exc.status)
    # The raw codes exist nowhere but here (the database keeps digests). They
    # wait in the session for the one page that shows them, which takes them
    # out again: a reload of that page, or of this POST's answer, can neither
    # create more codes nor show these twice (post/redirect/get).
    request.session[FRESH_CODES_KEY] = {
        "node": committee.pk,
        "codes": [[invitation.pk, code] for invitation, code in created],
    }
    return HttpResponseRedirect(
        reverse("accounts:invitations_created", kwargs={"node_id": committee.pk}), status=303
    )


@never_cache
@login_required
@require_http_methods(["GET"])
def invitations_created(request: HttpRequest, node_id: int) -> HttpResponse:
    """The codes just created, shown once with their QR codes for printing."""
    committee = _invitable_committee(request, node_id)
    fresh = request.session.get(FRESH_CODES_KEY)
    pairs: list[list[object]] = []
    if isinstance(fresh, dict) and fresh.get("node") == committee.pk:
        pairs = list(fresh.get("codes") or [])
        del request.session[FRESH_CODES_KEY]
    by_id = {
        row.invitation.pk: row.invitation
        for row in invitations.list_invitations(member=viewer_of(request), committee=committee)
    }
    join_url = request.build_absolute_uri(reverse("accounts:join"))
    cards = []
    for invitation_id, code in pairs:
        invitation = by_id.get(int(str(invitation_id)))
        if invitation is None:
            continue
        url = rules.join_link(join_url, str(code))
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
@require_http_methods(["GET", "POST"])
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    member = signed_in_member(request)
    try:
        invitation = invitations.get_invitation_for(
            member=viewer_of(request), invitation_id=invitation_id
        )
    except DomainError as exc:
        reraise_refusal(exc)
        raise
    if not is_confirmed(request) and invitations.invitation_row(invitation).can_revoke:
        confirmation = Confirmation(
            title=_("Withdraw the invitation code %(hint)s…?") % {"hint": invitation.code_hint},
            consequences=[
                _("Nobody can join %(committee)s with this code any more.")
                % {"committee": invitation.node.name},
                _("Whoever was given it needs a new code."),
            ],
            action_url=reverse("accounts:invitation_revoke", args=[invitation.pk]),
            button=_("Yes, withdraw it"),
            cancel_url=reverse("accounts:invitations", args=[invitation.node_id]),
        )
        return render_confirmation(request, confirmation)
    if request.method != "POST":
        return redirect("accounts:invitations", node_id=invitation.node_id)
    committee = invitation.node
    try:
        invitation = invitations.revoke_invitation(actor=member, invitation=invitation)
    except DomainError as exc:
        if is_htmx(request):
            # htmx swaps 409 answers: give it the row as it now is, with the reason.
            invitation.refresh_from_db()
            context = {"row": invitations.invitation_row(invitation), "row_error": str(exc.message)}
            return render(request, "accounts/_invitation_row.html", context, status=exc.status)
        return _render_invitations(
            request, committee, InvitationForm(), status=exc.status, error=str(exc.message)
        )
    if is_htmx(request):
        template = pick_template(
            request, "accounts/invitations.html", "accounts/_invitation_row.html"
        )
        return render(request, template, {"row": invitations.invitation_row(invitation)})
    messages.success(request, _("The invitation was withdrawn."))
    return redirect("accounts:invitations", node_id=committee.pk)
