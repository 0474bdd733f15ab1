"""What a secret (not end-to-end verifiable) poll leaves in its tables after
the close, tried as the operator would with the database: order the ballots by
physical row order, by id, by slot and by weight, pair them with the ledger
rows ordered by every column, and count the voters whose own choice lands on
them. Runs on SQLite and on PostgreSQL (``DATABASE_URL``).
"""

from __future__ import annotations

import itertools

import pytest
from django.db import connection
from django.utils import timezone

from asamblea.federation.models import Membership
from asamblea.voting import services
from asamblea.voting.errors import UnequalWeights
from asamblea.voting.models import Ballot, ElectorateEntry, PollState, VoteLedger
from asamblea.voting.services.secrecy import reinsert_secret_ballots
from tests.factories import build_federation, join, make_member
from tests.voting.conftest import make_poll, open_poll

pytestmark = pytest.mark.django_db

VOTERS = 30
# A random pairing of 30 ballots with 30 voters matches about one voter, and
# at least 9 with probability about 1e-6; the pairings tried below are about
# forty, so a correct implementation fails this bound about once in 25,000
# runs. Rows kept in voting order match all 30.
MAX_MATCHES = 8

_BALLOT, _LEDGER = Ballot._meta.db_table, VoteLedger._meta.db_table


def _physical() -> str:
    return "ctid" if connection.vendor == "postgresql" else "rowid"


def _column(table: str, order: str, poll_id: int) -> list[object]:
    column = "mask" if table == _BALLOT else "member_id"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {table} WHERE poll_id = %s ORDER BY {order}",  # noqa: S608
            [poll_id],
        )
        return [row[0] for row in cursor.fetchall()]


def _voters_in_order(count: int):
    fed = build_federation()
    voters = [make_member(f"votante{i:02d}") for i in range(count)]
    for voter in voters:
        join(voter, fed.committee_a2)
    return fed, voters


def test_operator_recovers_no_more_than_chance_after_the_close():
    fed, voters = _voters_in_order(VOTERS)
    options = [f"Propuesta {i}" for i in range(VOTERS)]
    poll = open_poll(fed.operator, fed.committee_a2, method="single", options=options, secret=True)
    # Each voter's choice is their own (voter i picks option i), and they vote
    # in the order of their ids, as in the review's attack.
    for index, voter in enumerate(voters):
        services.cast_ballot(voter=voter, poll=poll, choice=[index])
    # A changed vote must not leave its row's place either.
    services.cast_ballot(voter=voters[3], poll=poll, choice=[3])
    services.close_poll(actor=fed.operator, poll=poll)
    poll.refresh_from_db()
    assert poll.state == PollState.CLOSED

    choice_of = {voter.pk: 1 << index for index, voter in enumerate(voters)}
    physical = _physical()
    ballot_orders = [physical, "id", "slot", f"weight, {physical}", "weight DESC, id"]
    ledger_columns = [physical, "id", "member_id", "committee_id", "poll_id"]
    ledger_orders = [
        f"{column} {direction}, {physical}"
        for column, direction in itertools.product(ledger_columns, ("ASC", "DESC"))
    ]
    # The committee's weight is on every one of its ballots: nothing to sort by.
    assert set(Ballot.objects.filter(poll=poll).values_list("weight", flat=True)) == {1}
    matches = {}
    for ballot_order, ledger_order in itertools.product(ballot_orders, ledger_orders):
        masks = _column(_BALLOT, ballot_order, poll.pk)
        members = _column(_LEDGER, ledger_order, poll.pk)
        assert len(masks) == len(members) == VOTERS
        matches[ballot_order, ledger_order] = sum(
            mask == choice_of[member] for mask, member in zip(masks, members, strict=True)
        )
    assert max(matches.values()) <= MAX_MATCHES, matches
    # The counts are intact.
    (top,) = [r for r in poll.results.all() if r.node_id == poll.node_id]
    assert sorted(top.counts.values()) == [1] * VOTERS


def test_secret_poll_with_unequal_weights_in_a_committee_does_not_open():
    """The review identified the one member with weight 2 by their ballot's
    weight. A secret poll now refuses to open with such an electorate."""
    fed, voters = _voters_in_order(3)
    Membership.objects.filter(member=voters[0], node=fed.committee_a2).update(weight=2)
    poll = make_poll(fed.operator, fed.committee_a2, secret=True)
    with pytest.raises(UnequalWeights, match="Comité Villa Hermosa") as refused:
        services.open_poll(actor=fed.operator, poll=poll)
    assert refused.value.status == 409
    poll.refresh_from_db()
    assert poll.state == PollState.DRAFT
    assert not ElectorateEntry.objects.filter(poll=poll).exists()
    # A named poll may weigh members as they are.
    named = open_poll(fed.operator, fed.committee_a2)
    services.cast_ballot(voter=voters[0], poll=named, choice=["yes"])
    assert Ballot.objects.get(poll=named).weight == 2


def test_equal_weights_other_than_one_are_the_committees_in_a_secret_poll():
    fed, voters = _voters_in_order(3)
    Membership.objects.filter(node=fed.committee_a2).update(weight=3)
    poll = open_poll(fed.operator, fed.committee_a2, secret=True)
    for voter in voters:
        services.cast_ballot(voter=voter, poll=poll, choice=["yes"])
    assert set(Ballot.objects.filter(poll=poll).values_list("weight", flat=True)) == {3}


def test_scheduled_secret_poll_with_unequal_weights_is_cancelled_with_its_reason():
    fed, voters = _voters_in_order(2)
    Membership.objects.filter(member=voters[1], node=fed.committee_a2).update(weight=2)
    poll = make_poll(fed.operator, fed.committee_a2, secret=True, opens_at=timezone.now())
    assert services.apply_schedule(now=timezone.now()) == services.ScheduleRun(cancelled=1)
    poll.refresh_from_db()
    assert (poll.state, poll.cancel_reason) == (PollState.CANCELLED, "unequal_weights")


def test_sqlite_deletes_securely():
    if connection.vendor != "sqlite":
        # PostgreSQL has no such setting; ADR 0002 says what VACUUM leaves.
        assert connection.vendor == "postgresql"
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        assert cursor.fetchone()[0] == 1


def test_reinserting_again_keeps_one_row_per_ballot():
    """Each re-insertion deletes every row but its own, whatever wrote them."""
    fed, voters = _voters_in_order(3)
    poll = open_poll(fed.operator, fed.committee_a2, secret=True)
    for voter in voters:
        services.cast_ballot(voter=voter, poll=poll, choice=["no"])
    for _ in range(3):
        reinsert_secret_ballots(poll)
    assert list(Ballot.objects.filter(poll=poll).values_list("mask", flat=True)) == [2, 2, 2]
