"""Two schedulers and a person race over the same due polls: every poll opens
once, closes once, and only a poll nobody could vote in is cancelled.

Runs real threads with their own database connections (``transactional_db``),
on SQLite and on PostgreSQL (``DATABASE_URL``).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.utils import timezone

from asamblea.core.actors import SYSTEM
from asamblea.core.errors import Conflict
from asamblea.core.models import AuditEntry
from asamblea.federation import services as federation_services
from asamblea.voting import services
from asamblea.voting.errors import EmptyElectorate
from asamblea.voting.models import CancelReason, Poll, PollResult, PollState
from tests.factories import build_federation
from tests.voting.conftest import make_poll, open_poll

ROUNDS = 3


def _retrying(action) -> None:
    """Run ``action`` until it gets through; the shared in-memory SQLite test
    database reports a busy table at once where a file database would wait."""
    for _ in range(5_000):
        try:
            action()
        except OperationalError:
            time.sleep(0.001)
            continue
        return
    raise AssertionError("the database stayed busy")


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_and_a_person_never_cancel_or_double_close():
    fed = build_federation()
    past = timezone.now() - timedelta(seconds=1)
    committees = [fed.committee_a1, fed.committee_a2, fed.committee_b1]
    to_open = [
        make_poll(fed.operator, node, question=f"¿Abrir {i}?", opens_at=past)
        for i, node in enumerate(committees * 2)
    ]
    empty = federation_services.create_node(
        actor=SYSTEM, kind="committee", name="Comité vacío", parent=fed.region_b
    )
    nobody = make_poll(fed.operator, empty, question="¿Nadie?", opens_at=past)
    to_close = [
        open_poll(fed.operator, node, question=f"¿Cerrar {i}?") for i, node in enumerate(committees)
    ]
    Poll.objects.filter(pk__in=[p.pk for p in to_close]).update(closes_at=past)
    start = threading.Barrier(3)
    errors: list[BaseException] = []

    def scheduler() -> None:
        try:
            start.wait(timeout=10)
            for _ in range(ROUNDS):
                _retrying(lambda: services.apply_schedule(now=timezone.now()))
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    def person() -> None:
        """An operator pressing "Open now" on every due poll meanwhile."""
        try:
            start.wait(timeout=10)
            for poll in [*to_open, nobody]:

                def press(poll: Poll = poll) -> None:
                    # Refused when a scheduler opened or cancelled it first, or
                    # when nobody could vote.
                    with contextlib.suppress(Conflict, EmptyElectorate):
                        services.open_poll(actor=fed.operator, poll=poll)

                _retrying(press)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    threads.append(threading.Thread(target=person))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors

    entries = Counter(
        (entry.action, entry.object_id)
        for entry in AuditEntry.objects.filter(object_type="voting.poll")
    )
    for poll in to_open:
        poll.refresh_from_db()
        assert poll.state == PollState.OPEN
        assert entries["poll.opened", str(poll.pk)] == 1
        assert entries["poll.cancelled", str(poll.pk)] == 0
    for poll in to_close:
        poll.refresh_from_db()
        assert poll.state == PollState.CLOSED
        assert entries["poll.closed", str(poll.pk)] == 1
        assert entries["result.recorded", str(poll.pk)] == 1
        assert PollResult.objects.filter(poll=poll, node=poll.node).count() == 1
    nobody.refresh_from_db()
    assert nobody.state == PollState.CANCELLED
    assert nobody.cancel_reason == CancelReason.EMPTY_ELECTORATE
    assert entries["poll.cancelled", str(nobody.pk)] == 1
    assert sum(n for (action, _), n in entries.items() if action == "poll.cancelled") == 1
    call_command("verify_audit")
