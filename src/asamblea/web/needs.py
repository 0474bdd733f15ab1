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
drafts they may second, proposed amendments to motions they wrote, and a
secretary's polls waiting to be opened by hand and motions whose amendments
wait to be put to the vote. Results of polls they voted in are shown, not
counted: reading them is not owed to anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from asamblea.accounts.models import Member
from asamblea.federation.models import Membership, Role
from asamblea.motions.models import Amendment, AmendmentState, Motion, MotionState, Second
from asamblea.pledges.models import Call
from asamblea.pledges.selectors import awaiting as calls_to_answer
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
    polls_to_open,
    motions_with_amendments_to_vote,
    calls_to_answer,
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
    polls_to_open: list[Poll]
    motions_with_amendments_to_vote: list[Motion]
    recent_results: list[Poll]
    calls_to_answer: list[Call]

    @property
    def count(self) -> int:
        return (
            len(self.polls_to_vote)
            + len(self.drafts_to_second)
            + len(self.amendments_to_my_motions)
            + len(self.polls_to_open)
            + len(self.motions_with_amendments_to_vote)
            + len(self.calls_to_answer)
        )

    @property
    def secretary_tasks(self) -> bool:
        return bool(self.polls_to_open or self.motions_with_amendments_to_vote)


def needs_of(member: Member) -> Needs:
    """Everything on the "what needs me" page (each list at most
    ``LIST_LIMIT`` long)."""
    return Needs(
        polls_to_vote=list(polls_to_vote(member)[:LIST_LIMIT]),
        drafts_to_second=list(drafts_to_second(member)[:LIST_LIMIT]),
        amendments_to_my_motions=list(amendments_to_my_motions(member)[:LIST_LIMIT]),
        polls_to_open=list(polls_to_open(member)[:LIST_LIMIT]),
        motions_with_amendments_to_vote=list(motions_with_amendments_to_vote(member)[:LIST_LIMIT]),
        recent_results=list(recent_results(member)[:LIST_LIMIT]),
        calls_to_answer=list(calls_to_answer(member)[:LIST_LIMIT]),
    )
