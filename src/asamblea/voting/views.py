"""Poll pages. Thin: parse with a form, call a service or selector, render.

Every page works without JavaScript (plain forms, POST-redirect-GET); with
htmx the ballot form swaps in its confirmation. No view opens or closes a
poll at its set time: ``manage.py run_scheduler`` does (a vote that arrives
after the closing time is refused either way).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from asamblea.accounts.models import Member
from asamblea.accounts.requests import signed_in_member
from asamblea.core.confirm import Confirmation, is_confirmed, render_confirmation
from asamblea.core.errors import DomainError, reraise_refusal
from asamblea.core.htmx import is_htmx, pick_template
from asamblea.core.search import other_pages_query, page_of
from asamblea.federation import selectors as federation_selectors
from asamblea.federation.access import Viewer, viewer_of
from asamblea.motions import selectors as motion_selectors
from asamblea.voting import (
    access,
    minutes,
    minutes_pdf,
    plain,
    receipts,
    rollup,
    rules,
    selectors,
    services,
)
from asamblea.voting.encrypted import selectors as encrypted_selectors
from asamblea.voting.encrypted import services as encrypted_services
from asamblea.voting.forms import (
    BallotForm,
    MotionVoteForm,
    PollForm,
    PollSearchForm,
    RecallForm,
)
from asamblea.voting.models import Method, Poll, PollState, Purpose


def _poll_or_404(viewer: Viewer, poll_id: int) -> Poll:
    return selectors.get_poll_for(member=viewer, poll_id=poll_id)


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    if not value:
        return None
    if not value.isdecimal() or len(value) > 18:
        raise Http404
    return int(value)


def _posted(request: HttpRequest) -> Any:
    # An empty POST must still bind the form, so that its errors are shown.
    return request.POST if request.method == "POST" else None


def _show_error(form: forms.Form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


# --- list and create -----------------------------------------------------------


@login_required
def poll_list(request: HttpRequest) -> HttpResponse:
    """The polls the member may see, searched by words, node, state and dates
    (a GET form), a page at a time, each marked voted / can vote / cannot."""
    viewer = viewer_of(request)
    form = PollSearchForm(request.GET, nodes=federation_selectors.node_choices_for(member=viewer))
    node = None
    status = 200
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        if data["node"]:
            node = federation_selectors.get_visible_node(member=viewer, node_id=data["node"])
        filters = {
            "state": data["state"] or None,
            "text": data["q"],
            "since": data["since"],
            "until": data["until"],
        }
    elif "node" in form.errors:
        raise Http404  # not a node id: no such node, as for an invisible one
    else:
        status = 422
    page = page_of(
        selectors.list_polls_for(member=viewer, node=node, **filters), request.GET.get("page")
    )
    marks = selectors.vote_marks_for(member=viewer, polls=list(page))
    context = {
        "page": page,
        "query": other_pages_query(request.GET),
        "rows": [(poll, marks[poll.pk]) for poll in page],
        "node": node,
        "form": form,
        "searched": bool(filters.get("text")),
        "can_create": node is not None and access.may_create(viewer, node),
    }
    return render(request, "voting/list.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def poll_create(request: HttpRequest) -> HttpResponse:
    member = signed_in_member(request)
    node_id = _int_param(request, "node")
    if node_id is None:
        raise Http404
    node = federation_selectors.get_visible_node(member=viewer_of(request), node_id=node_id)
    motion_id = _int_param(request, "motion")
    if motion_id is not None:
        return redirect("voting:open_motion_vote", motion_id=motion_id)
    election = request.GET.get("purpose") == Purpose.DELEGATE_ELECTION
    form = PollForm(_posted(request), election=election, node_kind=node.kind)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                poll = services.create_poll(actor=member, node=node, spec=form.spec())
            except DomainError as exc:
                if exc.status == 404:
                    raise Http404 from exc
                _show_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The poll was created."))
                return redirect("voting:detail", poll_id=poll.pk)
        else:
            status = 422
    context = {"form": form, "node": node, "election": election}
    return render(request, "voting/create.html", context, status=status)


# --- detail, ballot, management ------------------------------------------------


def _detail_context(request: HttpRequest, poll: Poll, **extra: Any) -> dict[str, Any]:
    member = signed_in_member(request)
    state = selectors.ballot_state_for(member=member, poll=poll)
    kind = rules.ballot_kind(poll.method)
    initial: dict[str, Any] = BallotForm.initial_for(kind, state.data)
    if kind == rules.KIND_MASK and state.choice:
        initial["choice"] = (
            [str(p) for p in state.choice]
            if poll.method in (Method.APPROVAL, Method.BLOCK_APPROVAL)
            else str(state.choice[0])
        )
    context: dict[str, Any] = {
        "ballot_kind": kind,
        "equal_ranks": poll.method in rules.EQUAL_RANKS_ALLOWED,
        "poll": poll,
        "options": list(poll.options.all()),
        "ballot": state,
        "ballot_form": BallotForm(poll=poll, initial=initial),
        "can_manage": access.may(viewer_of(request), poll, to="manage"),
        "credential_kind": encrypted_selectors.credential_kind_of(member=member, poll=poll),
        "turnout": selectors.turnout_for(member=viewer_of(request), poll=poll)
        if poll.state == PollState.OPEN
        else [],
        **_what_is_decided(request, poll),
    }
    context.update(extra)
    return context


def _what_is_decided(request: HttpRequest, poll: Poll) -> dict[str, Any]:
    """What the ballot decides, by which rule, who votes and until when."""
    electorate = selectors.electorate_of(poll=poll)
    return {
        "subject": selectors.subject_of(member=viewer_of(request), poll=poll),
        "rule": plain.rule_sentence(poll, entitled=electorate.entitled),
        "aggregation_note": plain.aggregation_sentence(poll),
        "who_votes": plain.electorate_sentence(
            poll, entitled=electorate.entitled, committees=electorate.committees
        ),
        "countdown": plain.countdown(poll),
    }


@login_required
def poll_detail(request: HttpRequest, poll_id: int) -> HttpResponse:
    poll = _poll_or_404(viewer_of(request), poll_id)
    return render(request, "voting/detail.html", _detail_context(request, poll))


@login_required
@require_POST
def poll_vote(request: HttpRequest, poll_id: int) -> HttpResponse:
    member = signed_in_member(request)
    poll = _poll_or_404(viewer_of(request), poll_id)
    form = BallotForm(request.POST, poll=poll)
    status = 422
    error = None
    if poll.encrypted:
        return _assisted_vote(request, member, poll, form)
    if form.is_valid():
        try:
            receipt = services.cast_ballot(
                voter=member, poll=poll, choice=form.positions(), ballot=form.ballot()
            )
        except DomainError as exc:
            if exc.status == 404:
                raise Http404 from exc
            _show_error(form, exc)
            status = exc.status
            error = str(exc.message)
        else:
            text = _("Your vote was changed.") if receipt.changed else _("Your vote was recorded.")
            if not is_htmx(request):
                messages.success(request, text)
                return redirect("voting:detail", poll_id=poll.pk)
            context = _detail_context(request, poll, confirmation=text)
            return _constant_size_confirmation(request, poll, context)
    context = _detail_context(request, poll, ballot_form=form, action_error=error)
    template = pick_template(request, "voting/detail.html", "voting/_ballot.html")
    return render(request, template, context, status=status)


def _assisted_vote(
    request: HttpRequest, member: Member, poll: Poll, form: BallotForm
) -> HttpResponse:
    """An encrypted poll's vote from the plain form: the server encrypts it
    with the member's server-held credential (an assisted ballot)."""
    status = 422
    error = None
    if form.is_valid():
        ballot = form.ballot()
        scores = ballot.get("scores") if ballot is not None else None
        try:
            result = encrypted_services.cast_assisted_ballot(
                voter=member, poll_id=poll.pk, choice=form.positions(), scores=scores
            )
        except DomainError as exc:
            if exc.status == 404:
                raise Http404 from exc
            _show_error(form, exc)
            status = exc.status
            error = str(exc.message)
        else:
            context = _detail_context(
                request,
                poll,
                confirmation=_("Your encrypted ballot was cast."),
                receipt=result.receipt,
            )
            template = pick_template(request, "voting/detail.html", "voting/_ballot.html")
            return render(request, template, context)
    context = _detail_context(request, poll, ballot_form=form, action_error=error)
    template = pick_template(request, "voting/detail.html", "voting/_ballot.html")
    return render(request, template, context, status=status)


@login_required
def poll_booth(request: HttpRequest, poll_id: int) -> HttpResponse:
    """The booth of an encrypted poll: the member's device encrypts, proves
    and signs the ballot (``static/js/booth.js``) and talks to the JSON API.
    Without a device credential, or without JavaScript, the page offers the
    assisted form of the poll page instead, saying what it protects."""
    poll = _poll_or_404(viewer_of(request), poll_id)
    if not poll.encrypted:
        raise Http404
    context = _detail_context(request, poll)
    context["api"] = {
        name: reverse(f"api:{name}", kwargs={"poll_id": poll.pk})
        for name in ("election", "preview", "cast", "audit")
    }
    return render(request, "voting/booth.html", context)


@login_required
def voting_key(request: HttpRequest) -> HttpResponse:
    """The member's voting key: made, kept and restored on the device
    (``static/js/voting-key.js``); the server sees only its public half."""
    member = signed_in_member(request)
    context = {
        "key": encrypted_selectors.active_voting_key(member=member),
        "register_url": reverse("api:register_voting_key"),
    }
    return render(request, "voting/voting_key.html", context)


@login_required
def poll_board(request: HttpRequest, poll_id: int) -> HttpResponse:
    """The bulletin board of an encrypted poll, with the tracker search."""
    tracker = request.GET.get("tracker", "")
    start = _int_param(request, "from") or 1
    try:
        page = encrypted_selectors.board_page(
            viewer=viewer_of(request), poll_id=poll_id, tracker=tracker, start=start
        )
    except DomainError as exc:
        raise Http404 from exc
    labels = {o.position: o.display_label for o in page.poll.options.all()}
    summary = encrypted_selectors.tally_summary(
        viewer=viewer_of(request), poll=page.poll, labels=labels
    )
    return render(
        request, "voting/board.html", {"board": page, "poll": page.poll, "encrypted": summary}
    )


@login_required
def poll_record(request: HttpRequest, poll_id: int) -> HttpResponse:
    """The election record (.zip) as it stands."""
    try:
        poll, data, complete = encrypted_selectors.record_bytes(
            viewer=viewer_of(request), poll_id=poll_id
        )
    except DomainError as exc:
        raise Http404 from exc
    name = f"poll-{poll.pk}-record{'' if complete else '-partial'}.zip"
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _constant_size_confirmation(
    request: HttpRequest, poll: Poll, context: dict[str, Any]
) -> HttpResponse:
    """The confirmation htmx swaps in, padded to the size it has for the widest
    ballot of this poll, so that its size does not tell the choice
    (``voting.receipts``)."""
    html = render_to_string("voting/_ballot.html", context, request=request)
    messages_ = (_("Your vote was changed."), _("Your vote was recorded."))
    initial = receipts.widest_initial(
        kind=context["ballot_kind"],
        method=poll.method,
        option_count=len(context["options"]),
        max_score=poll.max_score,
    )
    widest = {
        **context,
        "confirmation": max(messages_, key=lambda m: len(str(m).encode())),
        "ballot_form": BallotForm(poll=poll, initial=initial),
    }
    size = len(render_to_string("voting/_ballot.html", widest, request=request).encode())
    return receipts.mark_constant_size(HttpResponse(receipts.pad_html(html, size)))


def _confirmation(poll: Poll, action: str) -> Confirmation:
    """What closing or cancelling ``poll`` does, said before it is done."""
    if action == "close":
        consequences = [
            _("Votes are no longer accepted, even before the set closing time."),
            _("The results are counted and recorded, at every level."),
        ]
        if poll.purpose != Purpose.QUESTION:
            consequences.append(_("What the vote decided is applied at once."))
        if poll.secret:
            consequences.append(_("The link between ballots and voters is erased."))
        consequences.append(_("A closed poll cannot be opened again."))
        title, button = _("Close this poll now?"), _("Yes, close the poll")
    else:
        consequences = [
            _("The poll ends without a result; any ballots cast are not counted."),
            _("A cancelled poll cannot be opened again; a new poll would be needed."),
        ]
        title, button = _("Cancel this poll?"), _("Yes, cancel the poll")
    return Confirmation(
        title=title,
        consequences=[poll.display_question, *consequences],
        action_url=reverse(f"voting:{action}", args=[poll.pk]),
        button=button,
        cancel_url=reverse("voting:detail", args=[poll.pk]),
    )


def _manage(request: HttpRequest, poll_id: int, action: str) -> HttpResponse:
    member = signed_in_member(request)
    poll = _poll_or_404(viewer_of(request), poll_id)
    if action in ("close", "cancel") and not is_confirmed(request):
        try:
            access.check_poll(
                viewer_of(request), poll, to="close" if action == "close" else "cancel"
            )
        except DomainError as exc:
            reraise_refusal(exc)
            raise
        return render_confirmation(request, _confirmation(poll, action))
    service = {
        "open": services.open_poll,
        "close": services.close_poll,
        "cancel": services.cancel_poll,
    }[action]
    try:
        service(actor=member, poll=poll)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from exc
        context = _detail_context(request, poll, action_error=str(exc.message))
        return render(request, "voting/detail.html", context, status=exc.status)
    done = {
        "open": _("The poll is open."),
        "close": _("The poll is closed and its results are recorded."),
        "cancel": _("The poll was cancelled."),
    }[action]
    messages.success(request, done)
    return redirect("voting:detail", poll_id=poll.pk)


@login_required
@require_POST
def poll_open(request: HttpRequest, poll_id: int) -> HttpResponse:
    return _manage(request, poll_id, "open")


@login_required
@require_http_methods(["GET", "POST"])
def poll_close(request: HttpRequest, poll_id: int) -> HttpResponse:
    return _manage(request, poll_id, "close")


@login_required
@require_http_methods(["GET", "POST"])
def poll_cancel(request: HttpRequest, poll_id: int) -> HttpResponse:
    return _manage(request, poll_id, "cancel")


# --- results ------------------------------------------------------------------


@login_required
def poll_results(request: HttpRequest, poll_id: int) -> HttpResponse:
    poll = _poll_or_404(viewer_of(request), poll_id)
    labels = {o.position: o.display_label for o in poll.options.all()}
    try:
        results = selectors.results_tree(member=viewer_of(request), poll=poll)
    except DomainError as exc:
        context = {"poll": poll, "error": str(exc.message), "levels": []}
        return render(request, "voting/results.html", context, status=exc.status)
    tree = rollup.build(poll, results, labels)
    casts = selectors.delegate_casts_for(member=viewer_of(request), poll=poll)
    cast_rows = [
        {
            "cast": c,
            "choice": ", ".join(labels.get(int(k), k) for k in c.counts) or None,
        }
        for c in casts
    ]
    context = {
        "poll": poll,
        "levels": tree.levels,
        "tree": tree,
        "casts": cast_rows,
        "registry_name": rules.registry_name(poll.method),
        "exports": [] if poll.encrypted else _export_formats(poll),
        "encrypted": (
            encrypted_selectors.tally_summary(viewer=viewer_of(request), poll=poll, labels=labels)
            if poll.encrypted and poll.state == PollState.CLOSED
            else None
        ),
    }
    return render(request, "voting/results.html", context)


def _export_formats(poll: Poll) -> list[str]:
    if poll.state != PollState.CLOSED:
        return []
    if rules.ballot_kind(poll.method) == rules.KIND_RANKING:
        return ["blt", "json"]
    return ["json"]


@login_required
def poll_export(request: HttpRequest, poll_id: int, fmt: str) -> HttpResponse:
    """The anonymised ballots as a file, to recount with the methods CLI."""
    member = signed_in_member(request)
    poll = _poll_or_404(viewer_of(request), poll_id)
    try:
        text = selectors.export_ballots_for(member=member, poll=poll, fmt=fmt)
    except DomainError as exc:
        context = {"poll": poll, "error": str(exc.message), "levels": []}
        return render(request, "voting/results.html", context, status=exc.status)
    content_type = "application/json" if fmt == "json" else "text/plain"
    response = HttpResponse(text, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="poll-{poll.pk}-ballots.{fmt}"'
    return response


# --- motions and recalls -----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def open_motion_vote(request: HttpRequest, motion_id: int) -> HttpResponse:
    member = signed_in_member(request)
    motion = motion_selectors.get_motion_for(member=viewer_of(request), motion_id=motion_id)
    form = MotionVoteForm(_posted(request), node_kind=motion.node.kind)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.open_motion_vote(
                    actor=member,
                    motion=motion,
                    secret=form.cleaned_data["secret"],
                    aggregation=form.cleaned_data["aggregation"],
                    closes_at=form.cleaned_data["closes_at"],
                    quorum=form.quorum(),
                )
            except DomainError as exc:
                if exc.status == 404:
                    raise Http404 from exc
                _show_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The motion was put to the vote."))
                return redirect(reverse("motions:detail", args=[motion.pk]))
    context = {"form": form, "motion": motion}
    return render(request, "voting/motion_vote.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def start_recall(request: HttpRequest, mandate_id: int) -> HttpResponse:
    member = signed_in_member(request)
    mandate = federation_selectors.get_visible_mandate(
        member=viewer_of(request), mandate_id=mandate_id
    )
    form = RecallForm(_posted(request))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                recall = services.start_recall(
                    actor=member, mandate=mandate, reason=form.cleaned_data["reason"]
                )
            except DomainError as exc:
                if exc.status == 404:
                    raise Http404 from exc
                _show_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The recall vote is open."))
                return redirect("voting:detail", poll_id=recall.poll_id)
    context = {"form": form, "mandate": mandate}
    return render(request, "voting/recall.html", context, status=status)


# --- minutes ---------------------------------------------------------------------


@login_required
def poll_minutes(request: HttpRequest, poll_id: int) -> HttpResponse:
    """The printable record of a closed poll."""
    poll = _poll_or_404(viewer_of(request), poll_id)
    try:
        record = minutes.minutes_for(member=viewer_of(request), poll=poll)
    except DomainError as exc:
        context = {"poll": poll, "error": str(exc.message)}
        return render(request, "voting/minutes.html", context, status=exc.status)
    return render(request, "voting/minutes.html", {"poll": poll, "minutes": record})


@login_required
def poll_minutes_pdf(request: HttpRequest, poll_id: int) -> HttpResponse:
    """The same record as a PDF download."""
    poll = _poll_or_404(viewer_of(request), poll_id)
    try:
        record = minutes.minutes_for(member=viewer_of(request), poll=poll)
    except DomainError as exc:
        context = {"poll": poll, "error": str(exc.message)}
        return render(request, "voting/minutes.html", context, status=exc.status)
    response = HttpResponse(minutes_pdf.render_pdf(record), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="poll-{poll.pk}-minutes.pdf"'
    return response
