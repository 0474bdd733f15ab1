"""The database refuses trustee rows the services refuse (written straight
into a row, as an operator with a database shell would); published messages
are never changed; every step is in the audit log, messages by digest only."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from asamblea.core import audit
from asamblea.core.actors import SYSTEM
from asamblea.core.models import AuditEntry
from asamblea.trustees import services
from asamblea.trustees.models import CeremonyMessage, Round, Trustee, TrusteeBoard

from .conftest import devices_for


@pytest.mark.parametrize(
    "values",
    [
        {"threshold": 4},
        {"threshold": 0},
        {"size": 26, "threshold": 1},
        {"state": "paused"},
        {"round": "vote"},
        {"round": "announce"},  # a round outside the ceremony
        {"state": "ceremony"},  # a ceremony without a round
        {"state": "active"},  # active without a joint key
        {"round_hours": 0},
    ],
)
def test_database_refuses_an_impossible_board(ready, values):
    with pytest.raises(IntegrityError), transaction.atomic():
        TrusteeBoard.objects.filter(pk=ready.board.pk).update(**values)


def test_one_active_board_per_node(fed, ready):
    other = services.create_board(actor=SYSTEM, node=fed.zone_a)
    TrusteeBoard.objects.filter(pk=ready.board.pk).update(state="active", joint_key="02" + "1" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        TrusteeBoard.objects.filter(pk=other.pk).update(
            node=fed.committee_a1, state="active", joint_key="02" + "2" * 64
        )


def test_database_refuses_impossible_seats(ready):
    seats = list(Trustee.objects.filter(board=ready.board).order_by("index"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Trustee.objects.filter(pk=seats[1].pk).update(communication_key=seats[0].communication_key)
    with pytest.raises(IntegrityError), transaction.atomic():
        Trustee.objects.filter(pk=seats[1].pk).update(index=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Trustee.objects.filter(pk=seats[1].pk).update(communication_key="")


def test_one_message_per_trustee_and_round_never_changed(fed, ready):
    board = services.start_ceremony(actor=SYSTEM, board=ready.board)
    devices = devices_for(ready)
    message = services.submit_message(
        actor=fed.secretary,
        board=board,
        round=Round.ANNOUNCE,
        payload=devices[1].announce().to_json(),
    )
    message.payload = devices[2].announce().to_json()
    with pytest.raises(ValueError, match="never changed"):
        message.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        CeremonyMessage.objects.create(
            board=board, trustee=message.trustee, round=Round.ANNOUNCE, payload={}
        )
    assert CeremonyMessage.objects.get().payload == devices[1].announce().to_json()


def test_every_step_is_audited_and_messages_only_by_digest(fed, ready):
    board = services.start_ceremony(actor=fed.secretary, board=ready.board)
    devices = devices_for(ready)
    members = dict(enumerate(ready.members, start=1))
    for i, d in devices.items():
        services.submit_message(
            actor=members[i], board=board, round=Round.ANNOUNCE, payload=d.announce().to_json()
        )
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", "actor_label"))
    trustee_actions = [a for a in actions if a[0].startswith("trustee")]
    assert trustee_actions[0] == ("trustee_board.created", "secretaria")
    assert ("trustee.appointed", "system") in trustee_actions
    assert ("trustee.key_registered", "rosa") in trustee_actions
    assert ("trustee.key_file_kept", "juan") in trustee_actions
    assert ("trustee_board.ceremony_started", "secretaria") in trustee_actions
    assert trustee_actions[-1] == ("trustee_board.round_opened", "system")
    received = AuditEntry.objects.filter(action="trustee_board.message_received")
    assert received.count() == 3
    for entry in received:
        assert set(entry.data) == {"index", "round", "sha256"}
    assert audit.verify_chain().ok
