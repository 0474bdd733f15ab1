"""The vote's hand-written read restates who may vote in a poll; it must agree
with ``voting.access.access_poll_for_vote`` on every member and poll of a
generated federation (several depths, members of several committees,
secretaries, delegates, operators, ended memberships, unknown ids).

A ballot cast through ``cast_ballot`` is refused with ``NotFound`` exactly when
the hand-written read finds the poll unknown or invisible; the polls here are
drafts, closed or cancelled, or open without the member in their electorate,
so no ballot is ever written and every pair can be tried.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from asamblea.accounts.models import Member
from asamblea.core.errors import DomainError, NotFound
from asamblea.federation.access import MAX_ID, Viewer
from asamblea.federation.models import Mandate, MandateSource, Membership, Node, NodeKind, Role
from asamblea.voting import access, services
from asamblea.voting.models import Ballot, Poll, PollState, VoteLedger
from tests.factories import make_member

CHILD_KINDS = {
    NodeKind.ASSEMBLY: (NodeKind.REGION, NodeKind.ZONE, NodeKind.COMMITTEE),
    NodeKind.REGION: (NodeKind.ZONE, NodeKind.COMMITTEE),
    NodeKind.ZONE: (NodeKind.ZONE, NodeKind.COMMITTEE),
}


def _node(kind: str, parent: Node | None, name: str) -> Node:
    node = Node.objects.create(
        kind=kind, name=name, parent=parent, depth=parent.depth + 1 if parent else 0
    )
    node.path = (parent.path if parent else "") + Node.segment(node.pk)
    node.save(update_fields=["path"])
    return node


def _tree(rng: random.Random) -> list[Node]:
    """An assembly with regions, nested zones (up to depth 5) and committees."""
    nodes = [_node(NodeKind.ASSEMBLY, None, "A")]
    frontier = [nodes[0]]
    while frontier:
        parent = frontier.pop()
        if parent.kind == NodeKind.COMMITTEE:
            continue
        for i in range(rng.randint(1, 3)):
            kinds = CHILD_KINDS[NodeKind(parent.kind)]
            kind = NodeKind.COMMITTEE if parent.depth >= 4 else rng.choice(kinds)
            child = _node(kind, parent, f"{parent.name}.{i}")
            nodes.append(child)
            frontier.append(child)
    return nodes


def _people(rng: random.Random, committees: list[Node], tag: str) -> list[Member]:
    now = timezone.now()
    people = []
    for i in range(14):
        member = make_member(f"{tag}p{i}", is_staff=i < 2)
        people.append(member)
        if i == 0:
            continue  # an operator with no committee
        if i == 13:
            # Only ended memberships: sees nothing any more.
            for committee in rng.sample(committees, min(2, len(committees))):
                Membership.objects.create(
                    member=member,
                    node=committee,
                    joined_at=now - timedelta(days=2),
                    ended_at=now - timedelta(days=1),
                )
            continue
        for committee in rng.sample(committees, rng.randint(0, min(3, len(committees)))):
            ended = rng.random() < 0.25
            Membership.objects.create(
                member=member,
                node=committee,
                role=Role.SECRETARY if rng.random() < 0.3 else Role.MEMBER,
                joined_at=now - timedelta(days=2),
                ended_at=now - timedelta(hours=1) if ended else None,
            )
            if not ended and rng.random() < 0.3:
                Mandate.objects.create(
                    committee=committee, delegate=member, source=MandateSource.APPOINTED
                )
    return people


def _polls(rng: random.Random, nodes: list[Node], creator: Member) -> list[Poll]:
    states = [PollState.DRAFT, PollState.CLOSED, PollState.CANCELLED, PollState.OPEN]
    now = timezone.now()
    polls = []
    for node in nodes:
        state = rng.choice(states)
        polls.append(
            Poll.objects.create(
                node=node,
                question=f"¿{node.name}?",
                state=state,
                opened_at=now if state in (PollState.OPEN, PollState.CLOSED) else None,
                closed_at=now if state in (PollState.CLOSED, PollState.CANCELLED) else None,
                seed="00" * 16,
                created_by=creator,
            )
        )
    return polls


def _query_says_visible(member: Member, poll_id: int) -> bool:
    try:
        services.cast_ballot(voter=member, poll=poll_id, choice=[0])
    except NotFound:
        return False
    except DomainError:
        return True  # not open, or outside the electorate: found and visible
    raise AssertionError("a ballot was accepted; the test must never write one")


def _access_says_visible(member: Member, poll_id: int) -> bool:
    try:
        access.access_poll_for_vote(Viewer.of(member), poll_id)
    except NotFound:
        return False
    return True


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [3, 17, 2026])
def test_vote_query_agrees_with_the_access_function(seed):
    rng = random.Random(seed)
    nodes = _tree(rng)
    committees = [n for n in nodes if n.kind == NodeKind.COMMITTEE]
    people = _people(rng, committees, f"s{seed}")
    polls = _polls(rng, nodes, people[0])
    unknown = [0, -1, max(p.pk for p in polls) + 1000, MAX_ID, MAX_ID + 1]
    disagreements = []
    visible_pairs = 0
    for member in people:
        for poll_id in [p.pk for p in polls] + unknown:
            expected = _access_says_visible(member, poll_id)
            visible_pairs += expected
            if _query_says_visible(member, poll_id) != expected:
                disagreements.append((member.pseudonym, poll_id, expected))
    assert disagreements == []
    # The generated federation exercises both answers, for members too.
    assert 0 < visible_pairs < len(people) * (len(polls) + len(unknown))
    assert not Ballot.objects.exists()
    assert not VoteLedger.objects.exists()
