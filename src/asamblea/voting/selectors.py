"""Reads of polls and results, permission-aware.

Who may see which poll is decided in ``voting.access``: a member sees the polls
of every node they can see (their committees and the nodes above them);
operators see all. Anything else is "not found".
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from asamblea.accounts.models import Member
from asamblea.core.errors import Conflict, InvalidInput
from asamblea.federation.access import Viewer, as_viewer
from asamblea.federation.models import Node
from asamblea.motions import access as motions_access
from asamblea.motions import rules as motion_rules
from asamblea.motions import selectors as motion_selectors
from asamblea.motions.models import Amendment, Motion, MotionVersion
from asamblea.voting import access, counting, rules
from asamblea.voting.models import (
    Ballot,
    DelegateCast,
    ElectorateEntry,
    Poll,
    PollResult,
    PollState,
    VoteLedger,
)
from asamblea.voting.results import expand_details, tally


def _visible_polls(member: Member | Viewer) -> QuerySet[Poll]:
    """The polls ``voting.access`` lets the viewer read, as one query."""
    polls = Poll.objects.select_related("node")
    ids = as_viewer(member).visible_ids()
    if ids is None:
        return polls
    return polls.filter(node_id__in=ids)


def open_polls_for(*, member: Member | Viewer) -> QuerySet[Poll]:
    return _visible_polls(member).filter(state=PollState.OPEN).order_by("closes_at", "pk")


def get_poll_for(*, member: Member | Viewer, poll_id: int) -> Poll:
    """The poll with its node, or ``NotFound`` if unknown or invisible."""
    return access.access_poll(as_viewer(member), poll_id)


def list_polls_for(
    *,
    member: Member | Viewer,
    node: Node | None = None,
    state: str | None = None,
    text: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[Poll]:
    """Polls ``member`` may see, newest first, optionally of one node or
    state, containing every word of ``text`` in the question, the description
    or the title of the motion voted on (case-insensitive, as the database
    compares), and created between ``since`` and ``until`` (dates in the
    site's time zone, both included)."""
    polls = _visible_polls(member)
    if node is not None:
        polls = polls.filter(node=node)
    if state is not None:
        polls = polls.filter(state=state)
    for word in text.split():
        polls = polls.filter(
            Q(question__icontains=word)
            | Q(description__icontains=word)
            | Q(motion__title__icontains=word)
        )
    if since is not None:
        polls = polls.filter(created_at__date__gte=since)
    if until is not None:
        polls = polls.filter(created_at__date__lte=until)
    return polls.order_by("-created_at", "-pk")


def polls_for_motion(*, member: Member | Viewer, motion: Motion) -> QuerySet[Poll]:
    """The polls of a motion and of its amendments, oldest first."""
    if not motions_access.may(as_viewer(member), motion, to="read"):
        return Poll.objects.none()
    return (
        Poll.objects.filter(motion=motion)
        .select_related("amendment")
        .prefetch_related("results")
        .order_by("created_at", "pk")
    )


@dataclass(frozen=True)
class BallotState:
    """What the member may know of their own ballot."""

    entitled: bool
    has_voted: bool
    # Positions chosen, while the poll is open (secret: found through the slot).
    choice: tuple[int, ...] | None
    # The ranked, score or grade ballot, under the same conditions.
    data: dict[str, Any] | None = None


def ballot_state_for(*, member: Member, poll: Poll) -> BallotState:
    entitled = ElectorateEntry.objects.filter(poll=poll, member=member).exists()
    has_voted = VoteLedger.objects.filter(poll=poll, member=member).exists()
    choice = None
    data = None
    if has_voted:
        ballot = None
        if not poll.secret:
            ballot = Ballot.objects.filter(poll=poll, voter=member).first()
        elif poll.state == PollState.OPEN and poll.ballot_key:
            slot = hmac.new(
                bytes.fromhex(poll.ballot_key), str(member.pk).encode("ascii"), hashlib.sha256
            ).hexdigest()
            ballot = Ballot.objects.filter(poll=poll, slot=slot).first()
        if ballot is not None:
            choice = rules.decode_mask(ballot.mask)
            data = ballot.data if isinstance(ballot.data, dict) else None
    return BallotState(entitled=entitled, has_voted=has_voted, choice=choice, data=data)


def _levels_visible_to(member: Member | Viewer, poll: Poll) -> frozenset[int] | None:
    """Node ids whose results ``member`` may see; None means all (operators)."""
    return as_viewer(member).visible_ids()


def results_tree(*, member: Member | Viewer, poll: Poll) -> list[PollResult]:
    """Results at the levels the member may see (their committee, zone, region,
    assembly), from the top down. Stored results after the close; a live count
    while a named poll is open; refused while a secret poll is open.

    Precondition: ``poll`` came from :func:`get_poll_for` for this member.
    """
    if poll.state in (PollState.DRAFT, PollState.CANCELLED):
        raise Conflict(_("This poll has no results."))
    if poll.state == PollState.OPEN:
        if poll.secret:
            raise Conflict(_("The results of a secret poll are shown only after it closes."))
        results = tally(poll=poll).results
    else:
        results = list(PollResult.objects.filter(poll=poll))
    visible = _levels_visible_to(member, poll)
    if visible is not None:
        results = [r for r in results if r.node_id in visible]
    nodes = Node.objects.in_bulk([r.node_id for r in results])
    for result in results:
        result.node = nodes[result.node_id]
    expand_details(poll=poll, results=results)
    return sorted(results, key=lambda r: r.node.path)


def delegate_casts_for(*, member: Member | Viewer, poll: Poll) -> QuerySet[DelegateCast]:
    """The delegates' casts the member may see (after the close)."""
    casts = DelegateCast.objects.filter(poll=poll).select_related("committee", "delegate")
    visible = _levels_visible_to(member, poll)
    if visible is not None:
        casts = casts.filter(committee_id__in=visible)
    return casts.order_by("committee__path")


@dataclass(frozen=True)
class Turnout:
    node: Node
    entitled: int
    voted: int


def turnout_for(*, member: Member | Viewer, poll: Poll) -> list[Turnout]:
    """Live turnout per visible committee while a poll is open (no counts, so
    also for secret polls)."""
    visible = _levels_visible_to(member, poll)
    entries = ElectorateEntry.objects.filter(poll=poll)
    if visible is not None:
        entries = entries.filter(committee_id__in=visible)
    entitled = dict(
        entries.values("committee_id").annotate(n=Count("id")).values_list("committee_id", "n")
    )
    voted = dict(
        VoteLedger.objects.filter(poll=poll, committee_id__in=list(entitled))
        .values("committee_id")
        .annotate(n=Count("id"))
        .values_list("committee_id", "n")
    )
    nodes = Node.objects.in_bulk(list(entitled))
    rows = [
        Turnout(node=nodes[cid], entitled=n, voted=voted.get(cid, 0))
        for cid, n in entitled.items()
        if cid in nodes
    ]
    return sorted(rows, key=lambda t: t.node.path)


def export_ballots_for(*, member: Member, poll: Poll, fmt: str) -> str:
    """The poll's anonymised ballots as BLT or JSON, after the close.

    Any member who can see the poll may export it: the file holds each
    distinct ballot once with its count, so that anyone can recount it with
    ``python -m asamblea.voting.methods count``. Precondition: ``poll`` came
    from :func:`get_poll_for` for this member.
    """
    if fmt not in counting.EXPORT_FORMATS:
        raise InvalidInput(_("Ballots are exported as blt or json."), field="format")
    if poll.state == PollState.OPEN:
        raise Conflict(_("The ballots can be exported once the poll has closed."))
    if poll.state != PollState.CLOSED:
        raise Conflict(_("This poll has no ballots to export."))
    if fmt == "blt" and rules.ballot_kind(poll.method) != rules.KIND_RANKING:
        raise InvalidInput(
            _("BLT holds ranked ballots only; export this poll as JSON."), field="format"
        )
    return counting.export_text(poll, fmt)


# --- what a ballot decides ------------------------------------------------------


@dataclass(frozen=True)
class Electorate:
    """The frozen electorate's size: people and committees (None before it is
    frozen, when the poll opens)."""

    entitled: int | None
    committees: int | None


def electorate_of(*, poll: Poll) -> Electorate:
    """How many members may vote in ``poll`` and in how many committees (one
    query; nothing before the poll opens)."""
    if poll.state == PollState.DRAFT:
        return Electorate(None, None)
    sizes = ElectorateEntry.objects.filter(poll=poll).aggregate(
        n=Count("id"), c=Count("committee_id", distinct=True)
    )
    return Electorate(int(sizes["n"] or 0), int(sizes["c"] or 0))


@dataclass(frozen=True)
class Subject:
    """What a poll decides, as its page shows it: a motion's text (``body``,
    at ``version``), an amendment's change to it (``ops``, a word diff of the
    paragraph it changes, ``paragraph`` 1-based), or nothing more than the
    question and its description."""

    motion: Motion | None = None
    amendment: Amendment | None = None
    body: str = ""
    version: int | None = None
    paragraph: int | None = None
    ops: list[tuple[motion_rules.DiffOp, str]] = field(default_factory=list)
    applies: bool = True


def _version_at(motion: Motion, poll: Poll) -> MotionVersion | None:
    """The motion's text when the poll opened (its latest version before)."""
    versions = MotionVersion.objects.filter(motion=motion)
    if poll.opened_at is not None:
        versions = versions.filter(created_at__lte=poll.opened_at)
    return versions.order_by("-number").first()


def subject_of(*, member: Member | Viewer, poll: Poll) -> Subject:
    """What ``poll`` decides, for its ballot page and its minutes.

    A motion's poll shows the text put to the vote; an amendment's poll the
    change against the paragraph it changes (the diff of the text it was
    drafted against, as the motion page shows it before the vote).
    Precondition: ``poll`` came from :func:`get_poll_for` for this member.
    """
    if poll.motion_id is None:
        return Subject()
    motion = motion_selectors.get_motion_for(member=member, motion_id=poll.motion_id)
    version = _version_at(motion, poll)
    body = version.body if version is not None else motion.body
    number = version.number if version is not None else motion.version
    if poll.amendment_id is None:
        return Subject(motion=motion, body=body, version=number)
    amendment = Amendment.objects.select_related("author").get(pk=poll.amendment_id)
    base = (
        MotionVersion.objects.filter(motion=motion, number=amendment.base_version)
        .values_list("body", flat=True)
        .first()
    )
    try:
        old, new = motion_rules.affected_fragments(
            base or "", amendment.kind, amendment.paragraph, amendment.text
        )
    except motion_rules.AmendmentDoesNotApply:
        return Subject(motion=motion, amendment=amendment, version=number, applies=False)
    paragraph = amendment.paragraph + 1 if amendment.paragraph is not None else None
    return Subject(
        motion=motion,
        amendment=amendment,
        version=amendment.base_version,
        paragraph=paragraph,
        ops=motion_rules.diff_words(old, new),
    )


# --- may I vote? -------------------------------------------------------------------


@dataclass(frozen=True)
class VoteMark:
    """Whether the member has voted, can vote, or cannot (and why), for lists."""

    code: str  # "voted", "can_vote", "cannot_vote", "" (nothing to say: not open)
    reason: str = ""


def vote_marks_for(*, member: Member | Viewer, polls: list[Poll]) -> dict[int, VoteMark]:
    """A mark per open poll of ``polls`` (two queries, whatever their number):
    voted, can vote, or cannot vote with the reason. ``voting.access`` says
    who may vote at all; the frozen electorate says who may in this poll."""
    viewer = as_viewer(member)
    open_ids = [p.pk for p in polls if p.state == PollState.OPEN]
    if viewer.member is None or not open_ids:
        return {p.pk: VoteMark("") for p in polls}
    entitled = set(
        ElectorateEntry.objects.filter(poll_id__in=open_ids, member=viewer.member).values_list(
            "poll_id", flat=True
        )
    )
    voted = set(
        VoteLedger.objects.filter(poll_id__in=open_ids, member=viewer.member).values_list(
            "poll_id", flat=True
        )
    )
    marks = {}
    for poll in polls:
        if poll.state != PollState.OPEN:
            marks[poll.pk] = VoteMark("")
        elif poll.pk in voted:
            marks[poll.pk] = VoteMark("voted")
        elif poll.voting_time_over:
            marks[poll.pk] = VoteMark("cannot_vote", str(_("the voting time is over")))
        elif not access.may(viewer, poll, to="vote"):
            marks[poll.pk] = VoteMark("cannot_vote", str(_("you may not vote at this node")))
        elif poll.pk not in entitled:
            marks[poll.pk] = VoteMark(
                "cannot_vote",
                str(_("you were not a member beneath its node when it opened")),
            )
        else:
            marks[poll.pk] = VoteMark("can_vote")
    return marks
