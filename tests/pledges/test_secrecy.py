"""What a counted call leaves in its tables after the decision, tried as the
operator would with the database: order the pledges by physical row order,
by id and by slot, pair them with the ledger rows ordered by every column,
and count the members whose own answer lands on them. Runs on SQLite and on
PostgreSQL (``DATABASE_URL``).
"""

from __future__ import annotations

import itertools
import random
from datetime import timedelta

import pytest
from django.db import connection

from asamblea.pledges import services
from asamblea.pledges.models import CallState, Pledge, PledgeLedger
from asamblea.pledges.schedule import apply_schedule
from tests.factories import build_federation, join, make_member
from tests.pledges.conftest import open_call

pytestmark = pytest.mark.django_db

MEMBERS = 30
# Each pairing of 30 yes/no answers with 30 members matches about 15 by
# chance; 28 or more happen with probability about 1.5e-6 per pairing, and
# about 25 pairings are tried. Rows kept in answering order match all 30.
MAX_MATCHES = 26

_PLEDGE, _LEDGER = Pledge._meta.db_table, PledgeLedger._meta.db_table


def _physical() -> str:
    return "ctid" if connection.vendor == "postgresql" else "rowid"


def _column(table: str, order: str, call_id: int) -> list[object]:
    column = "pledged" if table == _PLEDGE else "member_id"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {table} WHERE call_id = %s ORDER BY {order}",  # noqa: S608
            [call_id],
        )
        return [row[0] for row in cursor.fetchall()]


def test_operator_recovers_no_more_than_chance_after_the_decision():
    fed = build_federation()
    members = [make_member(f"huelguista{i:02d}") for i in range(MEMBERS)]
    for member in members:
        join(member, fed.committee_a2)
    call = open_call(fed.operator, fed.committee_a2.parent, scope_node_ids=[fed.committee_a2.pk])
    # Answers that nothing but their order could give away, given in the
    # order of the members' ids.
    pattern = random.Random(20221207)
    answer = {m.pk: pattern.random() < 0.5 for m in members}
    for member in members:
        services.answer_call(actor=member, call=call, pledged=answer[member.pk])
    # A withdrawal must not leave its row's place either.
    services.answer_call(actor=members[3], call=call, pledged=not answer[members[3].pk])
    services.answer_call(actor=members[3], call=call, pledged=answer[members[3].pk])
    apply_schedule(now=call.deadline + timedelta(seconds=1))
    call.refresh_from_db()
    assert call.state in (CallState.ACTIVATED, CallState.NOT_ACTIVATED)
    assert call.pledge_key == ""

    physical = _physical()
    pledge_orders = [physical, "id", "slot", f"committee_id, {physical}"]
    ledger_columns = [physical, "id", "member_id", "committee_id"]
    ledger_orders = [
        f"{column} {direction}, {physical}"
        for column, direction in itertools.product(ledger_columns, ("ASC", "DESC"))
    ]
    matches = {}
    for pledge_order, ledger_order in itertools.product(pledge_orders, ledger_orders):
        answers = _column(_PLEDGE, pledge_order, call.pk)
        who = _column(_LEDGER, ledger_order, call.pk)
        assert len(answers) == len(who) == MEMBERS
        matches[pledge_order, ledger_order] = sum(
            bool(a) == answer[m] for a, m in zip(answers, who, strict=True)
        )
    assert max(matches.values()) <= MAX_MATCHES, matches
    # The count is intact.
    assert Pledge.objects.filter(call=call, pledged=True).count() == sum(answer.values())
    assert call.decision[str(fed.committee_a2.pk)]["pledges"] == sum(answer.values())


def test_while_pledging_rows_hold_no_member_and_no_time():
    fields = {f.name for f in Pledge._meta.get_fields()}
    assert fields == {"id", "call", "committee", "slot", "pledged"}
    ledger = {f.name for f in PledgeLedger._meta.get_fields()}
    assert "pledged" not in ledger
    assert not any(f[-2:] == "at" for f in ledger)
