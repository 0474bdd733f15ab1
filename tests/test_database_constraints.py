"""The database refuses what the services refuse.

Each test writes a violating value straight into a row, as an operator with a
database shell or a script would (an ORM ``update`` skips model validation;
raw SQL skips Django altogether), and expects the database to raise
``IntegrityError``. Runs on SQLite and PostgreSQL like every test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Model

from asamblea.core.actors import SYSTEM
from asamblea.core.models import AuditHead
from asamblea.federation import invitations
from asamblea.federation import services as federation_services
from asamblea.federation.models import Mandate, Membership, Node
from asamblea.motions.models import Amendment, Motion, MotionVersion
from asamblea.voting import services as voting_services
from asamblea.voting.models import (
    Ballot,
    ElectorateEntry,
    Poll,
    PollOption,
    PollResult,
)
from tests.voting.conftest import make_poll, open_poll

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def rows(fed) -> dict[str, Model]:
    """One valid row of every constrained model, written by the services."""
    closed = open_poll(fed.secretary, fed.committee_a1)
    voting_services.cast_ballot(voter=fed.member, poll=closed, choice=["yes"])
    voting_services.close_poll(actor=fed.secretary, poll=closed)
    draft = make_poll(
        fed.secretary, fed.committee_a1, method="single", options=["Ana", "Bea", "Carla"]
    )
    mandate = federation_services.appoint_delegate(
        actor=SYSTEM, committee=fed.committee_a1, delegate=fed.member
    )
    motion = Motion.objects.create(node=fed.committee_a1, author=fed.member, title="T", body="B")
    version = MotionVersion.objects.create(motion=motion, number=1, title="T", body="B")
    amendment = Amendment.objects.create(
        motion=motion,
        number=1,
        author=fed.member,
        kind="replace_paragraph",
        paragraph=0,
        base_version=1,
    )
    (invitation, _code), *_ = invitations.create_invitations(
        actor=fed.secretary, committee=fed.committee_a1
    )
    recall = voting_services.start_recall(actor=fed.other_member, mandate=mandate, reason="r")
    AuditHead.objects.get_or_create(pk=1)
    return {
        "closed": closed,
        "draft": draft,
        "option": PollOption.objects.get(poll=draft, position=0),
        "entry": ElectorateEntry.objects.filter(poll=closed).first(),
        "ballot": Ballot.objects.get(poll=closed),
        "result": PollResult.objects.get(poll=closed),
        "node": fed.committee_a1,
        "membership": Membership.objects.get(member=fed.member, node=fed.committee_a1),
        "mandate": mandate,
        "recall": recall,
        "motion": motion,
        "version": version,
        "amendment": amendment,
        "invitation": invitation,
    }


LATER = dt.datetime(2030, 1, 2, tzinfo=dt.UTC)
EARLIER = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)

VIOLATIONS: list[tuple[str, dict[str, Any]]] = [
    # states and kinds outside their choices
    ("draft", {"state": "finished"}),
    ("draft", {"method": "dictator"}),
    ("draft", {"purpose": "coup"}),
    ("draft", {"aggregation": "loudest"}),
    ("draft", {"majority_base": "whoever"}),
    ("result", {"outcome": "won"}),
    ("node", {"kind": "cell"}),
    ("membership", {"role": "boss"}),
    ("mandate", {"source": "inherited"}),
    ("recall", {"state": "maybe"}),
    ("motion", {"state": "archived"}),
    ("amendment", {"kind": "rewrite"}),
    ("amendment", {"state": "pending"}),
    ("invitation", {"role": "delegate"}),
    # fractions: den > 0 and num <= den
    ("draft", {"majority_den": 0}),
    ("draft", {"majority_num": 3, "majority_den": 2}),
    ("draft", {"quorum_den": 0}),
    ("draft", {"quorum_num": 2, "quorum_den": 1}),
    # ranges that depend on the method
    ("draft", {"seats": 0}),
    ("draft", {"seats": 2}),  # single choice elects one
    ("draft", {"max_choices": 0}),
    ("draft", {"max_choices": 2}),  # single choice takes one
    ("draft", {"max_score": 5}),  # only score polls have a highest score
    ("draft", {"method": "score", "max_score": 0}),
    ("draft", {"method": "score", "max_score": 101}),
    ("draft", {"method": "borda", "aggregation": "by_committee_equal"}),
    ("draft", {"purpose": "delegate_election", "method": "approval"}),
    ("draft", {"opens_at": LATER, "closes_at": EARLIER}),
    ("draft", {"opens_at": LATER, "closes_at": LATER}),
    ("draft", {"state": "open"}),  # open without an opening time
    ("closed", {"closed_at": None}),
    ("option", {"position": 63}),
    # weights, counts, positions
    ("entry", {"weight": 0}),
    ("membership", {"weight": 0}),
    ("ballot", {"mask": -1}),
    ("result", {"voted": 5, "entitled": 3}),
    ("node", {"seconders_required": 101}),
    ("motion", {"version": 0}),
    ("version", {"number": 0}),
    ("amendment", {"base_version": 0}),
    ("amendment", {"kind": "replace_text"}),  # still naming a paragraph
    # times and the reasons that go with them
    ("membership", {"ended_at": dt.datetime(2000, 1, 1, tzinfo=dt.UTC)}),
    ("mandate", {"ended_at": dt.datetime(2000, 1, 1, tzinfo=dt.UTC), "ended_reason": "resigned"}),
    ("mandate", {"ended_reason": "resigned"}),  # active, yet with an end reason
    ("mandate", {"ended_at": LATER}),  # ended without a reason
    ("mandate", {"ended_at": LATER, "ended_reason": "vanished"}),
]


@pytest.mark.parametrize(("row", "values"), VIOLATIONS, ids=lambda v: str(v))
def test_database_refuses_a_row_the_services_refuse(rows, row, values):
    obj = rows[row]
    with pytest.raises(IntegrityError), transaction.atomic():
        type(obj).objects.filter(pk=obj.pk).update(**values)


def _sql(statement: str, params: list[Any]) -> Callable[[], None]:
    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)

    return run


def test_raw_sql_cannot_give_a_poll_an_unknown_state(rows):
    table = connection.ops.quote_name(Poll._meta.db_table)
    run = _sql(f"UPDATE {table} SET state = %s WHERE id = %s", ["counting", rows["draft"].pk])  # noqa: S608
    with pytest.raises(IntegrityError), transaction.atomic():
        run()
    rows["draft"].refresh_from_db()
    assert rows["draft"].state == "draft"


def test_raw_sql_cannot_insert_a_weightless_voter(rows, fed):
    table = connection.ops.quote_name(ElectorateEntry._meta.db_table)
    run = _sql(
        f"INSERT INTO {table} (poll_id, member_id, committee_id, weight) VALUES (%s, %s, %s, 0)",  # noqa: S608
        [rows["draft"].pk, fed.member.pk, fed.committee_a1.pk],
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        run()
    assert not ElectorateEntry.objects.filter(poll=rows["draft"]).exists()


@pytest.mark.parametrize("label", ["ana", "ANA", "Ana"])
def test_options_of_a_poll_are_unique_whatever_their_case(rows, label):
    with pytest.raises(IntegrityError), transaction.atomic():
        PollOption.objects.create(poll=rows["draft"], position=3, label=label)


def test_the_same_label_in_another_poll_is_accepted(rows, fed):
    other = make_poll(fed.secretary, fed.committee_a1, method="single", options=["ana", "Bea"])
    assert list(other.options.values_list("label", flat=True)) == ["ana", "Bea"]


def test_option_codes_are_unique_within_a_poll(rows):
    poll = rows["closed"]  # yes / no / abstain, coded
    with pytest.raises(IntegrityError), transaction.atomic():
        PollOption.objects.create(poll=poll, position=3, code="yes", label="Sí otra vez")


def test_there_is_one_audit_head(rows):
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditHead.objects.create(pk=2)


def test_valid_rows_still_satisfy_every_constraint(rows):
    """The fixture's rows were written by the services: the constraints hold
    for what the application writes (checked again, row by row)."""
    for obj in rows.values():
        obj.refresh_from_db()
        obj.validate_constraints()
    assert Node.objects.filter(pk=rows["node"].pk).exists()
    assert Mandate.objects.filter(pk=rows["mandate"].pk, ended_at__isnull=True).exists()
