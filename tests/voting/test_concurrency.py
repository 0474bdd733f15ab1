"""Votes racing the close: every acknowledged vote is counted, every vote the
close did not count is refused.

Runs real threads with their own database connections, so it needs committed
data (``transactional_db``) rather than a test wrapped in one transaction.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection

from asamblea.core.errors import Conflict
from asamblea.voting import services
from asamblea.voting.models import PollResult
from asamblea.voting.spec import PollSpec
from tests.factories import build_federation

CHOICES = ("yes", "no", "abstain")


@pytest.mark.django_db(transaction=True)
def test_a_vote_racing_the_close_is_either_counted_or_refused():
    fed = build_federation()
    poll = services.open_poll(
        actor=fed.secretary,
        poll=services.create_poll(
            actor=fed.secretary, node=fed.committee_a1, spec=PollSpec(question="¿Ya?")
        ),
    )
    voters = [fed.secretary, fed.member, fed.other_member]
    last_ack: dict[int, int] = {}
    refused: list[int] = []
    start = threading.Barrier(len(voters) + 1)

    def vote(voter) -> None:
        start.wait(timeout=10)
        try:
            for turn in range(10_000):
                position = turn % len(CHOICES)
                try:
                    services.cast_ballot(voter=voter, poll=poll.pk, choice=[position])
                except Conflict:
                    refused.append(voter.pk)
                    return
                except OperationalError:
                    # The shared in-memory SQLite test database reports a busy
                    # table at once where a file database would wait: retry.
                    time.sleep(0.001)
                    continue
                last_ack[voter.pk] = position
        finally:
            connection.close()

    def close() -> None:
        start.wait(timeout=10)
        try:
            time.sleep(0.2)  # let the votes run
            for _ in range(1_000):
                try:
                    services.close_poll(actor=fed.secretary, poll=poll)
                except OperationalError:
                    time.sleep(0.001)
                    continue
                return
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(v,)) for v in voters]
    threads.append(threading.Thread(target=close))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(refused) == sorted(v.pk for v in voters)
    result = PollResult.objects.get(poll=poll, node=fed.committee_a1)
    expected = {str(p): 0 for p in range(len(CHOICES))}
    for position in last_ack.values():
        expected[str(position)] += 1
    assert result.counts == expected
    assert result.voted == len(last_ack) == len(voters)
