"""What needs me: the reads behind the "what needs me" page and the count in
the navigation.

Each kind of item is one queryset built here, so that the page's lists and
the count cannot disagree: the count is the same querysets counted as
scalar subqueries of one statement (one query per page, whatever the
federation's size). Visibility is restated in SQL as ``federation.access``
states it (a member sees the nodes at and above their active memberships;
operators see all); ``tests/web/test_needs.py`` holds it to the access
functions.

What is counted asks the member to act: polls they may vote in and have not,
calls to action waiting for their pledge or their "still in?",
drafts they may second, proposed amendments to motions they wrote, their
steps as a trustee (a key to register, a key file to keep, a ceremony round
to send, a closed encrypted poll's sums to decrypt), and a secretary's polls
waiting to be opened by hand, motions whose amendments wait to be put to the
vote and trustee boards whose every seat is ready for the ceremony to start.
Results of polls they voted in are shown, not counted: reading them is not
owed to anyone.

``items_of`` says each of them in one plain sentence, the same for the page
and the API (``web/api.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from asamblea.accounts.models import Member
from asamblea.federation.models import Membership, Role
from asamblea.motions.models import Amendment, AmendmentState, Motion, MotionState, Second
from asamblea.pledges.models import Call, CallState
from asamblea.pledges.selectors import awaiting as calls_to_answer
from asamblea.trustees import selectors as trustee_selectors
from asamblea.trustees.models import BoardState, Round, Trustee, TrusteeBoard
from asamblea.voting import plain
from asamblea.voting.encrypted.models import AnswerState, Tally, TallyAnswer, TallyState
from asamblea.voting.models import ElectorateEntry, Poll, PollState, VoteLedger

RECENT_RESULTS = timedelta(days=14)
LIST_LIMIT = 50


class _Count(Subquery):
    """``(SELECT COUNT(*) FROM (subquery))``: a queryset's size as a column."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _needs_count)"
    output_field = IntegerField()


def _sees(member: Member, path: str) -> Q:
    """The node at ``path`` (a field path to a node's ``path``) is visible to
    ``member``: operators see all, others the nodes at and above an active
    membership."""
    if member.is_staff:
        return Q()
    return Q(_at_or_above_membership(member, path))


def _at_or_above_membership(member: Member, path: str) -> Exists:
    return Exists(
        Membership.objects.filter(
            member_id=member.pk, ended_at__isnull=True, node__path__startswith=OuterRef(path)
        )
    )


def _secretary_of(member: Member, node: str) -> Exists:
    return Exists(
        Membership.objects.filter(
            member_id=member.pk, ended_at__isnull=True, role=Role.SECRETARY, node_id=OuterRef(node)
        )
    )


def polls_to_vote(member: Member) -> QuerySet[Poll]:
    """Open polls, still before their closing time, whose frozen electorate
    holds ``member`` and where they have not voted yet (soonest to close first)."""
    now = timezone.now()
    return (
        Poll.objects.filter(state=PollState.OPEN)
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
        .filter(Exists(ElectorateEntry.objects.filter(poll_id=OuterRef("pk"), member_id=member.pk)))
        .exclude(Exists(VoteLedger.objects.filter(poll_id=OuterRef("pk"), member_id=member.pk)))
        .filter(_sees(member, "node__path"))
        .select_related("node")
        .order_by("closes_at", "pk")
    )


def drafts_to_second(member: Member) -> QuerySet[Motion]:
    """Drafts at the member's own nodes (their committees and the nodes above,
    also for operators) that they did not write and have not seconded."""
    return (
        Motion.objects.filter(state=MotionState.DRAFT)
        .exclude(author_id=member.pk)
        .exclude(Exists(Second.objects.filter(motion_id=OuterRef("pk"), member_id=member.pk)))
        .filter(_at_or_above_membership(member, "node__path"))
        .select_related("node", "author")
        .order_by("-created_at", "-pk")
    )


def amendments_to_my_motions(member: Member) -> QuerySet[Amendment]:
    """Proposed amendments by others to motions ``member`` wrote."""
    return (
        Amendment.objects.filter(state=AmendmentState.PROPOSED, motion__author_id=member.pk)
        .exclude(author_id=member.pk)
        .filter(_sees(member, "motion__node__path"))
        .select_related("motion", "author")
        .order_by("-created_at", "-pk")
    )


def polls_to_open(member: Member) -> QuerySet[Poll]:
    """Secretary's task: draft polls at their committees with no opening time
    (nobody but a manager will open them)."""
    return (
        Poll.objects.filter(state=PollState.DRAFT, opens_at__isnull=True)
        .filter(_secretary_of(member, "node_id"))
        .select_related("node")
        .order_by("created_at", "pk")
    )


def motions_with_amendments_to_vote(member: Member) -> QuerySet[Motion]:
    """Secretary's task: motions in debate at their committees with proposed
    amendments, which wait to be put to the vote."""
    return (
        Motion.objects.filter(state=MotionState.DEBATE)
        .filter(
            Exists(
                Amendment.objects.filter(motion_id=OuterRef("pk"), state=AmendmentState.PROPOSED)
            )
        )
        .filter(_secretary_of(member, "node_id"))
        .select_related("node")
        .order_by("updated_at", "pk")
    )


def trustee_steps(member: Member) -> QuerySet[Trustee]:
    """Trustee's tasks: seats whose board waits for ``member`` (a key to
    register, a key file to keep, a ceremony round to send)."""
    return trustee_selectors.seats_awaiting(member.pk)


def decryptions_to_answer(member: Member) -> QuerySet[Tally]:
    """Trustee's tasks: tallies of closed encrypted polls whose sums wait for
    the partial decryption of a seat ``member`` holds on the board that made
    the key, and that seat has not answered with an accepted one."""
    seat = Trustee.objects.filter(member=member, board__ceremony_id=OuterRef("ceremony_id"))
    # Inside the answers' subquery the tally is one level further out.
    own_index = Trustee.objects.filter(
        member=member, board__ceremony_id=OuterRef(OuterRef("ceremony_id"))
    ).values("index")[:1]
    accepted = TallyAnswer.objects.filter(
        tally=OuterRef("pk"), state=AnswerState.ACCEPTED, trustee=Subquery(own_index)
    )
    return (
        Tally.objects.filter(state=TallyState.DECRYPTING)
        .filter(Exists(seat))
        .exclude(Exists(accepted))
        .annotate(board_id=Subquery(seat.values("board_id")[:1]))
        .select_related("election__poll__node")
        .order_by("created_at", "pk")
    )


def boards_to_start(member: Member) -> QuerySet[TrusteeBoard]:
    """Secretary's task: forming trustee boards at their committees whose
    every trustee is ready, which wait for a manager to start the ceremony."""
    return trustee_selectors.boards_ready_to_start(
        Membership.objects.filter(
            member_id=member.pk, ended_at__isnull=True, role=Role.SECRETARY
        ).values("node_id")
    )


def recent_results(member: Member) -> QuerySet[Poll]:
    """Polls ``member`` voted in that closed in the last two weeks."""
    since = timezone.now() - RECENT_RESULTS
    return (
        Poll.objects.filter(state=PollState.CLOSED, closed_at__gte=since)
        .filter(Exists(VoteLedger.objects.filter(poll_id=OuterRef("pk"), member_id=member.pk)))
        .filter(_sees(member, "node__path"))
        .select_related("node")
        .order_by("-closed_at", "-pk")
    )


COUNTED = (
    polls_to_vote,
    drafts_to_second,
    amendments_to_my_motions,
    trustee_steps,
    decryptions_to_answer,
    polls_to_open,
    motions_with_amendments_to_vote,
    calls_to_answer,
    boards_to_start,
)


def needs_count(member: Member) -> int:
    """How many things wait for ``member`` (the sum of the counted lists),
    in one query."""
    columns = {
        f"n{i}": _Count(reader(member).order_by().values("pk")) for i, reader in enumerate(COUNTED)
    }
    row = Member.objects.filter(pk=member.pk).annotate(**columns).values_list(*columns).first()
    if row is None:
        return 0
    return sum(int(n or 0) for n in row)


@dataclass(frozen=True)
class Needs:
    polls_to_vote: list[Poll]
    drafts_to_second: list[Motion]
    amendments_to_my_motions: list[Amendment]
    trustee_steps: list[Trustee]
    decryptions_to_answer: list[Tally]
    polls_to_open: list[Poll]
    motions_with_amendments_to_vote: list[Motion]
    boards_to_start: list[TrusteeBoard]
    recent_results: list[Poll]
    calls_to_answer: list[Call]

    @property
    def count(self) -> int:
        return (
            len(self.polls_to_vote)
            + len(self.drafts_to_second)
            + len(self.amendments_to_my_motions)
            + len(self.trustee_steps)
            + len(self.decryptions_to_answer)
            + len(self.polls_to_open)
            + len(self.motions_with_amendments_to_vote)
            + len(self.calls_to_answer)
            + len(self.boards_to_start)
        )

    @property
    def secretary_tasks(self) -> bool:
        return bool(
            self.polls_to_open or self.motions_with_amendments_to_vote or self.boards_to_start
        )


def needs_of(member: Member) -> Needs:
    """Everything on the "what needs me" page (each list at most
    ``LIST_LIMIT`` long)."""
    return Needs(
        polls_to_vote=list(polls_to_vote(member)[:LIST_LIMIT]),
        drafts_to_second=list(drafts_to_second(member)[:LIST_LIMIT]),
        amendments_to_my_motions=list(amendments_to_my_motions(member)[:LIST_LIMIT]),
        trustee_steps=list(trustee_steps(member)[:LIST_LIMIT]),
        decryptions_to_answer=list(decryptions_to_answer(member)[:LIST_LIMIT]),
        polls_to_open=list(polls_to_open(member)[:LIST_LIMIT]),
        motions_with_amendments_to_vote=list(motions_with_amendments_to_vote(member)[:LIST_LIMIT]),
        boards_to_start=list(boards_to_start(member)[:LIST_LIMIT]),
        recent_results=list(recent_results(member)[:LIST_LIMIT]),
        calls_to_answer=list(calls_to_answer(member).select_related("node")[:LIST_LIMIT]),
    )


# --- in plain words ------------------------------------------------------------


class Section:
    """The groups of the page (and the ``section`` of each API item)."""

    VOTE = "vote"
    CALLS = "calls"
    SECOND = "second"
    AMENDMENTS = "amendments"
    TRUSTEE = "trustee"
    SECRETARY = "secretary"
    RESULTS = "results"


SECTION_TITLES = {
    Section.VOTE: gettext_lazy("Polls you have not voted in"),
    Section.CALLS: gettext_lazy("Calls to action waiting for your answer"),
    Section.SECOND: gettext_lazy("Drafts waiting for seconds"),
    Section.AMENDMENTS: gettext_lazy("Amendments to your motions"),
    Section.TRUSTEE: gettext_lazy("Your tasks as a trustee"),
    Section.SECRETARY: gettext_lazy("Secretary's tasks"),
    Section.RESULTS: gettext_lazy("Results of polls you voted in"),
}


@dataclass(frozen=True)
class Item:
    """One thing that waits, as the page shows it and the API gives it:
    what it is (``kind``, ``title``, ``url``), the one sentence that says
    what is asked and by when, and the time that matters (a closing time, a
    round's deadline, a close) or ``None``."""

    section: str
    kind: str
    title: str
    url: str
    sentence: str
    when: datetime | None = None
    counted: bool = True


def _at(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _vote_item(poll: Poll) -> Item:
    if poll.closes_at is None:
        sentence = _("You can vote at %(node)s; no closing time is set.") % {"node": poll.node.name}
    else:
        sentence = _("You can vote at %(node)s until %(time)s (%(left)s).") % {
            "node": poll.node.name,
            "time": _at(poll.closes_at),
            "left": plain.countdown(poll),
        }
    return Item(
        Section.VOTE,
        "poll_to_vote",
        poll.display_question,
        reverse("voting:detail", args=[poll.pk]),
        sentence,
        poll.closes_at,
    )


def _call_item(call: Call) -> Item:
    if call.state == CallState.PLEDGING:
        sentence = _("%(node)s calls to action: answer whether you take part, until %(time)s.") % {
            "node": call.node.name,
            "time": _at(call.deadline),
        }
        when = call.deadline
    else:
        sentence = _(
            "The call of %(node)s was activated: say whether you are still in before %(time)s."
        ) % {"node": call.node.name, "time": _at(call.starts_at)}
        when = call.starts_at
    return Item(
        Section.CALLS,
        "call_to_answer",
        call.display_title,
        reverse("pledges:detail", args=[call.pk]),
        sentence,
        when,
    )


def _second_item(motion: Motion) -> Item:
    sentence = _(
        "%(author)s drafted it at %(node)s; it needs seconds before it can be debated."
    ) % {"author": motion.author.pseudonym, "node": motion.node.name}
    return Item(
        Section.SECOND,
        "draft_to_second",
        motion.title,
        reverse("motions:detail", args=[motion.pk]),
        sentence,
        motion.created_at,
    )


def _amendment_item(amendment: Amendment) -> Item:
    sentence = _("%(author)s proposes amendment %(number)d (%(kind)s) to your motion.") % {
        "author": amendment.author.pseudonym,
        "number": amendment.number,
        "kind": amendment.get_kind_display(),
    }
    return Item(
        Section.AMENDMENTS,
        "amendment_to_my_motion",
        amendment.motion.title,
        reverse("motions:detail", args=[amendment.motion_id]) + f"#a{amendment.pk}",
        sentence,
        amendment.created_at,
    )


def _trustee_item(seat: Trustee) -> Item:
    board = seat.board
    node = board.node.name
    when = None
    if board.state == BoardState.FORMING and not seat.communication_key:
        sentence = _(
            "You are a trustee of the board of %(node)s: register your device's communication key."
        ) % {"node": node}
    elif board.state == BoardState.FORMING:
        sentence = _(
            "You are a trustee of the board of %(node)s: confirm that you kept your key file."
        ) % {"node": node}
    else:
        when = board.round_deadline
        values = {"node": node, "round": Round(board.round).label}
        if when is None:
            sentence = (
                _(
                    "The key ceremony of the board of %(node)s waits for your message of the"
                    " round “%(round)s”."
                )
                % values
            )
        else:
            sentence = _(
                "The key ceremony of the board of %(node)s waits for your message of the"
                " round “%(round)s”, before %(time)s."
            ) % {**values, "time": _at(when)}
    return Item(
        Section.TRUSTEE,
        "trustee_step",
        _("Trustee board of %(node)s") % {"node": node},
        reverse("trustees:trustee", args=[board.pk]),
        sentence,
        when,
    )


def _decryption_item(tally: Tally) -> Item:
    poll = tally.election.poll
    values = {"node": poll.node.name}
    if tally.deadline is None:
        sentence = (
            _("The encrypted poll at %(node)s has closed: decrypt its result on your trustee page.")
            % values
        )
    else:
        sentence = _(
            "The encrypted poll at %(node)s has closed: decrypt its result on your trustee"
            " page before %(time)s."
        ) % {**values, "time": _at(tally.deadline)}
    return Item(
        Section.TRUSTEE,
        "decryption",
        poll.display_question,
        reverse("trustees:trustee", args=[tally.board_id]),  # type: ignore[attr-defined]
        sentence,
        tally.deadline,
    )


def _poll_to_open_item(poll: Poll) -> Item:
    sentence = _("A draft poll at %(node)s with no opening time: open it or cancel it.") % {
        "node": poll.node.name
    }
    return Item(
        Section.SECRETARY,
        "poll_to_open",
        poll.display_question,
        reverse("voting:detail", args=[poll.pk]),
        sentence,
        poll.created_at,
    )


def _amendments_to_vote_item(motion: Motion) -> Item:
    sentence = _("Amendments to this motion at %(node)s wait to be put to the vote.") % {
        "node": motion.node.name
    }
    return Item(
        Section.SECRETARY,
        "amendments_to_vote",
        motion.title,
        reverse("motions:detail", args=[motion.pk]),
        sentence,
        motion.updated_at,
    )


def _board_to_start_item(board: TrusteeBoard) -> Item:
    sentence = _("Every trustee of the board of %(node)s is ready: start its key ceremony.") % {
        "node": board.node.name
    }
    return Item(
        Section.SECRETARY,
        "board_to_start",
        _("Trustee board of %(node)s") % {"node": board.node.name},
        reverse("trustees:board", args=[board.pk]),
        sentence,
        board.created_at,
    )


def _result_item(poll: Poll) -> Item:
    closed = poll.closed_at or poll.created_at
    sentence = _("Voting closed at %(node)s on %(time)s: the result is published.") % {
        "node": poll.node.name,
        "time": _at(closed),
    }
    return Item(
        Section.RESULTS,
        "result",
        poll.display_question,
        reverse("voting:results", args=[poll.pk]),
        sentence,
        poll.closed_at,
        counted=False,
    )


def items_of(needs: Needs) -> list[Item]:
    """Every item of ``needs`` in the page's order, each in plain words (in
    the active language)."""
    return [
        *map(_vote_item, needs.polls_to_vote),
        *map(_call_item, needs.calls_to_answer),
        *map(_second_item, needs.drafts_to_second),
        *map(_amendment_item, needs.amendments_to_my_motions),
        *map(_trustee_item, needs.trustee_steps),
        *map(_decryption_item, needs.decryptions_to_answer),
        *map(_poll_to_open_item, needs.polls_to_open),
        *map(_amendments_to_vote_item, needs.motions_with_amendments_to_vote),
        *map(_board_to_start_item, needs.boards_to_start),
        *map(_result_item, needs.recent_results),
    ]


def sections_of(items: list[Item]) -> list[tuple[str, str, list[Item]]]:
    """The non-empty sections of the page, in order: (key, title, items)."""
    grouped: dict[str, list[Item]] = {key: [] for key in SECTION_TITLES}
    for item in items:
        grouped[item.section].append(item)
    return [(key, str(SECTION_TITLES[key]), rows) for key, rows in grouped.items() if rows]
