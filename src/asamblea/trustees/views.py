"""Pages of trustee boards: a node's board (trustees, threshold, state, every
step per trustee, deadlines, the joint key), the managers' forms, and the
trustee's own page (what to do next, and how: in the browser with the page's
script, or from the command line). Every page works without JavaScript; the
trustee's steps themselves need the script or the command line, since the
secret is made and kept on the trustee's device."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from asamblea.accounts.models import Member
from asamblea.accounts.requests import signed_in_member
from asamblea.core.errors import DomainError, reraise_refusal
from asamblea.federation import access as federation_access
from asamblea.federation.access import viewer_of
from asamblea.trustees import access, selectors, services
from asamblea.trustees.errors import NotEligible
from asamblea.trustees.forms import AppointTrusteeForm, BoardForm, KeyFileForm, KeyForm
from asamblea.trustees.models import TrusteeBoard
from asamblea.trustees.script_text import script_text
from asamblea.trustees.selectors import Step

STEP_TEXT = {
    Step.REGISTER_KEY: _(
        "Generate your key pair on your own device and register its public communication key."
    ),
    Step.KEEP_KEY_FILE: _(
        "Save your passphrase-encrypted key file somewhere safe, then confirm it here."
    ),
    Step.WAIT_FOR_START: _("You are ready. Wait for the ceremony to start."),
    Step.ANNOUNCE: _("Send your announcement (round 1)."),
    Step.REVEAL: _("Send your reveal and the encrypted shares (round 2)."),
    Step.RESPOND: _("Check the shares dealt to you and send your responses (round 3)."),
    Step.WAIT_FOR_ROUND: _("Your message for this round arrived. Wait for the next round."),
    Step.NOT_DEALING: _(
        "You did not announce in time, so you do not deal. Send your responses in the next round."
    ),
    Step.KEEP_KEY_SHARE: _(
        "The board is active. Run the step command once more to keep your key share in"
        " your key file, and keep the file: you will need it to decrypt results."
    ),
    Step.NOTHING: _("Nothing to do on this board."),
}

FAULT_TEXT = {
    "not-announced": _("did not announce"),
    "not-revealed": _("did not reveal"),
    "malformed-reveal": _("sent a malformed reveal"),
    "missing-share": _("left out a trustee's share"),
    "commitment-mismatch": _("revealed other commitments than announced"),
    "bad-proof": _("sent a proof that does not verify"),
    "complaint-upheld": _("dealt a bad share (complaint upheld)"),
}

FAILURE_TEXT = {
    "too_few_qualified": _(
        "Fewer trustees than the threshold qualified. Renew the board to run the ceremony again."
    ),
    "identity_key": _("The joint key came out invalid. Renew the board to run it again."),
    "invalid_transcript": _("The transcript did not verify."),
}


def _board_context(request: HttpRequest, board: TrusteeBoard) -> dict[str, Any]:
    viewer = viewer_of(request)
    statuses = selectors.seat_statuses(board)
    rows = [
        {"status": s, "faults": [{"code": f, "text": FAULT_TEXT.get(f, f)} for f in s.faults]}
        for s in statuses
    ]
    mine = next((s for s in statuses if s.trustee.member_id == signed_in_member(request).pk), None)
    return {
        "board": board,
        "node": board.node,
        "rows": rows,
        "can_manage": access.may_manage_node_boards(viewer, board.node),
        "my_seat": mine.trustee if mine else None,
        "my_step": STEP_TEXT[selectors.next_step(board, mine)] if mine else None,
        "failure_text": FAILURE_TEXT.get(board.failure, board.failure),
        "appoint_form": AppointTrusteeForm(),
        "seats_left": board.size - len(statuses),
        "ready_to_start": len(statuses) == board.size and all(s.trustee.is_ready for s in statuses),
    }


def _render_board(
    request: HttpRequest,
    board: TrusteeBoard,
    *,
    error: DomainError | None = None,
    appoint_form: AppointTrusteeForm | None = None,
) -> HttpResponse:
    context = _board_context(request, board)
    context["error"] = error
    if appoint_form is not None:
        context["appoint_form"] = appoint_form
    return render(request, "trustees/board.html", context, status=error.status if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def node_boards(request: HttpRequest, node_id: int) -> HttpResponse:
    """The node's board (the one being formed or active), its past boards,
    and, for managers, the form that creates one."""
    viewer = viewer_of(request)
    node = federation_access.access_node(viewer, node_id)
    form = BoardForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                board = services.create_board(
                    actor=signed_in_member(request), node=node, **form.cleaned_data
                )
            except DomainError as exc:
                reraise_refusal(exc)
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("Board created. Now appoint its trustees."))
                return redirect("trustees:board", board_id=board.pk)
        else:
            status = 422
    current = selectors.current_board_of(node)
    context = {
        "node": node,
        "current": current,
        "history": [b for b in selectors.boards_of(node) if b != current],
        "standing": selectors.standing_board_for(node),
        "can_manage": access.may_manage_node_boards(viewer, node),
        "form": form,
        "default_size": services.default_size(node),
    }
    return render(request, "trustees/node.html", context, status=status)


@login_required
def board_detail(request: HttpRequest, board_id: int) -> HttpResponse:
    return _render_board(request, access.access_board(viewer_of(request), board_id))


@login_required
@require_POST
def appoint(request: HttpRequest, board_id: int) -> HttpResponse:
    board = access.access_board(viewer_of(request), board_id, to="manage")
    form = AppointTrusteeForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "trustees/board.html",
            _board_context(request, board) | {"appoint_form": form},
            status=422,
        )
    member = Member.objects.filter(pseudonym=form.cleaned_data["pseudonym"], is_active=True).first()
    try:
        if member is None:
            raise NotEligible(field="pseudonym")
        services.appoint_trustee(actor=signed_in_member(request), board=board, member=member)
    except DomainError as exc:
        reraise_refusal(exc)
        form.add_error("pseudonym", str(exc.message))
        return _render_board(request, board, error=exc, appoint_form=form)
    messages.success(request, _("Trustee appointed."))
    return redirect("trustees:board", board_id=board.pk)


def _board_action(request: HttpRequest, board_id: int, action: Any, done: Any) -> HttpResponse:
    board = access.access_board(viewer_of(request), board_id)
    try:
        result = action(signed_in_member(request), board)
    except DomainError as exc:
        reraise_refusal(exc)
        return _render_board(request, board, error=exc)
    messages.success(request, done)
    target = result if isinstance(result, TrusteeBoard) else board
    return redirect("trustees:board", board_id=target.pk)


@login_required
@require_POST
def start(request: HttpRequest, board_id: int) -> HttpResponse:
    return _board_action(
        request,
        board_id,
        lambda actor, board: services.start_ceremony(actor=actor, board=board),
        _("The key ceremony has started: the trustees can announce."),
    )


@login_required
@require_POST
def renew(request: HttpRequest, board_id: int) -> HttpResponse:
    return _board_action(
        request,
        board_id,
        lambda actor, board: services.renew_board(actor=actor, board=board),
        _("A new board is being formed. The current one serves until the new one is active."),
    )


def _trustee_context(request: HttpRequest, board: TrusteeBoard) -> dict[str, Any]:
    seat = access.access_seat(viewer_of(request), board)
    status = next(s for s in selectors.seat_statuses(board) if s.trustee.pk == seat.pk)
    step = selectors.next_step(board, status)
    api_board = request.build_absolute_uri(reverse("api:get_board", kwargs={"board_id": board.pk}))
    return {
        "board": board,
        "node": board.node,
        "seat": seat,
        "status": status,
        "step": step,
        "step_text": STEP_TEXT[step],
        "api_board": api_board,
        "api_root": request.build_absolute_uri("/api/v1/"),
        "key_form": KeyForm(),
        "key_file_form": KeyFileForm(),
        "forming": board.is_forming,
        "script_text": script_text(),
    }


@login_required
def trustee_page(request: HttpRequest, board_id: int) -> HttpResponse:
    board = access.access_board(viewer_of(request), board_id)
    return render(request, "trustees/trustee.html", _trustee_context(request, board))


@login_required
@require_POST
def register_key(request: HttpRequest, board_id: int) -> HttpResponse:
    board = access.access_board(viewer_of(request), board_id)
    form = KeyForm(request.POST)
    if form.is_valid():
        try:
            services.register_key(
                actor=signed_in_member(request),
                board=board,
                communication_key=form.cleaned_data["communication_key"].strip(),
            )
        except DomainError as exc:
            reraise_refusal(exc)
            form.add_error("communication_key", str(exc.message))
        else:
            messages.success(request, _("Communication key registered."))
            return redirect("trustees:trustee", board_id=board.pk)
    context = _trustee_context(request, board) | {"key_form": form}
    return render(request, "trustees/trustee.html", context, status=422)


@login_required
@require_POST
def confirm_key_file(request: HttpRequest, board_id: int) -> HttpResponse:
    board = access.access_board(viewer_of(request), board_id)
    form = KeyFileForm(request.POST)
    if form.is_valid():
        try:
            services.confirm_key_file(actor=signed_in_member(request), board=board)
        except DomainError as exc:
            reraise_refusal(exc)
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Thank you: your key file is confirmed."))
            return redirect("trustees:trustee", board_id=board.pk)
    context = _trustee_context(request, board) | {"key_file_form": form}
    return render(request, "trustees/trustee.html", context, status=422)
