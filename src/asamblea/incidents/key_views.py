"""Pages that rotate a committee's register key and take a documenter's
copy of it away (``incidents.rotation``); no JavaScript (POST, redirect)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from asamblea.accounts.requests import signed_in_member
from asamblea.core.errors import DomainError, reraise_refusal
from asamblea.federation.access import viewer_of
from asamblea.incidents import access, keyring, rotation, selectors
from asamblea.incidents.forms import RotateKeyForm
from asamblea.incidents.views import (
    _back_to_register,
    _committee,
    _register_page,
    active_documenter,
)


@login_required
@require_POST
def rotate_key(request: HttpRequest, committee_id: int) -> HttpResponse:
    member = signed_in_member(request)
    committee = _committee(request, committee_id)
    own = access.require_documenter(viewer_of(request), committee)
    form = RotateKeyForm(
        request.POST, holders=selectors.key_holders(committee=committee, besides=own)
    )
    if not form.is_valid():
        return _register_page(request, committee, status=422, rotate_form=form)
    try:
        new = rotation.rotate_register_key(
            actor=member,
            key=keyring.key_for(request, committee.pk),
            committee=committee,
            remove=list(form.cleaned_data["remove"]),
        )
    except DomainError as exc:
        reraise_refusal(exc)
        form.add_error(None, str(exc.message))
        return _register_page(request, committee, status=exc.status, rotate_form=form)
    keyring.remember(request, new)
    response = _back_to_register(committee)
    keyring.set_cookie(request, response)
    return response


@login_required
@require_POST
def remove_key(request: HttpRequest, committee_id: int, documenter_id: int) -> HttpResponse:
    member = signed_in_member(request)
    committee = _committee(request, committee_id)
    documenter = active_documenter(committee, documenter_id)
    try:
        rotation.remove_register_key(actor=member, documenter=documenter)
    except DomainError as exc:
        reraise_refusal(exc)
        return _register_page(request, committee, status=exc.status, error=exc.message)
    return _back_to_register(committee)
