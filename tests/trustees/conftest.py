"""Shared builders: a committee board with three trustees, each with the
communication key pair their device generated (kept here, as the device would)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from asamblea.accounts.models import Member
from asamblea.core.actors import SYSTEM
from asamblea.core.models import AuditEntry
from asamblea.trustees import engine, services
from asamblea.trustees.models import CeremonyMessage, Trustee, TrusteeBoard


@dataclass
class Ready:
    board: TrusteeBoard
    members: list[Member]
    secrets: dict[int, str] = field(default_factory=dict)
    """Communication secrets by trustee index (on the devices, never sent)."""


def db_state() -> tuple[int, int, int, int, tuple[tuple[int, str, str, str], ...]]:
    """Everything a refused trustees request must leave untouched."""
    return (
        TrusteeBoard.objects.count(),
        Trustee.objects.count(),
        CeremonyMessage.objects.count(),
        AuditEntry.objects.count(),
        tuple(TrusteeBoard.objects.order_by("pk").values_list("pk", "state", "round", "joint_key")),
    )


def appoint_ready(board: TrusteeBoard, members: list[Member]) -> Ready:
    ready = Ready(board=board, members=members)
    for member in members:
        seat = services.appoint_trustee(actor=SYSTEM, board=board, member=member)
        secret, public = engine.new_communication_keys()
        services.register_key(actor=member, board=board, communication_key=public)
        services.confirm_key_file(actor=member, board=board)
        ready.secrets[seat.index] = secret
    return ready


@pytest.fixture
def ready(fed) -> Ready:
    """A 2-of-3 board at committee_a1: secretaria (1), rosa (2), juan (3)."""
    board = services.create_board(actor=fed.secretary, node=fed.committee_a1)
    return appoint_ready(board, [fed.secretary, fed.member, fed.other_member])


def devices_for(ready: Ready) -> dict[int, engine.TrusteeDevice]:
    board = TrusteeBoard.objects.get(pk=ready.board.pk)
    ceremony = engine.Ceremony.from_parameters(board.parameters)
    return {
        i: engine.TrusteeDevice(ceremony, i, secret) for i, secret in sorted(ready.secrets.items())
    }
