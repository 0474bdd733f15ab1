"""Ballots cast at once: the board's head moves one ballot at a time, so the
lines form one chain and every receipt handed out matches its line.

Real threads with their own connections, so committed data
(``transactional_db``).
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection

from asamblea.core.errors import Conflict
from asamblea.voting import services
from asamblea.voting.encrypted import services as enc
from asamblea.voting.errors import BallotReplayed
from asamblea.voting.models import BoardLine, Election
from secret_ballot.ballot import tracker_start
from tests.factories import build_federation
from tests.voting.encrypted.conftest import device_ballot, make_encrypted, voting_key

ROUNDS = 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_casts_form_one_chain_and_every_receipt_matches():
    fed = build_federation()
    pair = voting_key(fed.member)
    poll = services.open_poll(
        actor=fed.secretary, poll=make_encrypted(fed.secretary, fed.committee_a1)
    )
    device = [device_ballot(poll, pair, [r % 2, 1 - r % 2, 0])[0] for r in range(ROUNDS)]
    receipts: list[dict[str, object]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def retrying(cast) -> None:
        while True:
            try:
                receipts.append(cast().receipt)
                return
            except OperationalError:
                # The shared in-memory SQLite test database reports a busy
                # table at once where a file database would wait: retry.
                time.sleep(0.001)

    def run(voter) -> None:
        start.wait(timeout=10)
        try:
            for r in range(ROUNDS):
                if voter == fed.member:
                    retrying(
                        lambda r=r: enc.cast_encrypted_ballot(
                            voter=voter, poll_id=poll.pk, ballot=device[r]
                        )
                    )
                else:
                    retrying(
                        lambda r=r: enc.cast_assisted_ballot(
                            voter=voter, poll_id=poll.pk, choice=[r % 3]
                        )
                    )
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(v,))
        for v in (fed.member, fed.other_member, fed.secretary)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    election = Election.objects.get(poll=poll)
    lines = list(BoardLine.objects.filter(election=election).order_by("index"))
    assert [line.index for line in lines] == list(range(1, 3 * ROUNDS + 1))
    previous = tracker_start(bytes.fromhex(election.election_hash)).hex()  # type: ignore[arg-type]
    for line in lines:
        assert line.previous_tracker == previous
        previous = line.tracker
    assert election.head == previous
    by_index = {line.index: line.tracker for line in lines}
    assert len(receipts) == 3 * ROUNDS
    for receipt in receipts:
        assert by_index[receipt["index"]] == receipt["tracker"]


@pytest.mark.django_db(transaction=True)
def test_a_cast_racing_the_close_is_on_the_board_before_it_or_refused():
    fed = build_federation()
    poll = services.open_poll(
        actor=fed.secretary, poll=make_encrypted(fed.secretary, fed.committee_a1)
    )
    acknowledged: list[dict[str, object]] = []
    refused: list[int] = []
    at_close: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def cast(voter) -> None:
        start.wait(timeout=10)
        try:
            for turn in range(10_000):
                try:
                    acknowledged.append(
                        enc.cast_assisted_ballot(
                            voter=voter, poll_id=poll.pk, choice=[turn % 3]
                        ).receipt
                    )
                except Conflict:
                    refused.append(voter.pk)
                    return
                except OperationalError:
                    time.sleep(0.001)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def close() -> None:
        start.wait(timeout=10)
        try:
            time.sleep(0.05)  # let some ballots in first; correctness does not depend on it
            while True:
                try:
                    services.close_poll(actor=fed.secretary, poll=poll)
                    break
                except OperationalError:
                    time.sleep(0.001)
            at_close.append(BoardLine.objects.filter(election__poll=poll).count())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=cast, args=(fed.other_member,)),
        threading.Thread(target=cast, args=(fed.secretary,)),
        threading.Thread(target=close),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sorted(refused) == sorted([fed.other_member.pk, fed.secretary.pk])
    lines = {line.index: line.tracker for line in BoardLine.objects.filter(election__poll=poll)}
    assert len(lines) == at_close[0]  # nothing was appended after the close
    assert len(acknowledged) == len(lines)
    for receipt in acknowledged:
        assert lines[receipt["index"]] == receipt["tracker"]


@pytest.mark.django_db(transaction=True)
def test_the_same_ballot_cast_twice_at_once_is_put_on_the_board_once():
    """Ballots are checked and their ciphertexts claimed before the board is
    locked: of two copies racing, one is cast and the other is a replay."""
    fed = build_federation()
    pair = voting_key(fed.member)
    poll = services.open_poll(
        actor=fed.secretary, poll=make_encrypted(fed.secretary, fed.committee_a1)
    )
    ballot = device_ballot(poll, pair, [0, 1, 0])[0]
    outcomes: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def cast() -> None:
        start.wait(timeout=10)
        try:
            while True:
                try:
                    enc.cast_encrypted_ballot(voter=fed.member, poll_id=poll.pk, ballot=ballot)
                    outcomes.append("cast")
                    return
                except BallotReplayed:
                    outcomes.append("replay")
                    return
                except OperationalError:
                    time.sleep(0.001)  # SQLite's busy table, as above
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=cast) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sorted(outcomes) == ["cast", "replay"]
    assert BoardLine.objects.filter(election__poll=poll).count() == 1
