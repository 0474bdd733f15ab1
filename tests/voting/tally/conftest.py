"""A standing board of three trustees (2 of 3) at the assembly, its ceremony
run through the services by the engine's trustees (the devices), and
encrypted polls served by it through the default key source."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from asamblea.core.actors import SYSTEM
from asamblea.trustees import services as trustee_services
from asamblea.trustees.models import CeremonyMessage, Round, TrusteeBoard
from asamblea.trustees.selectors import payloads
from asamblea.voting.encrypted import boards, keys
from asamblea.voting.encrypted.models import Election
from asamblea.voting.encrypted.services import engine_election
from secret_ballot import dkg
from secret_ballot.trustee import Trustee as Device
from secret_ballot.trustee_cli import transcript_of
from tests.trustees.conftest import appoint_ready, devices_for, respond
from tests.voting.encrypted.conftest import _fresh_tokens  # noqa: F401 - autouse fixture


@dataclass
class Board:
    board: TrusteeBoard
    devices: dict[int, Device]
    members: list


@pytest.fixture(autouse=True)
def key_source():
    keys.register_key_source(boards.key_source)
    yield
    keys.register_key_source(None)


def standing_board(fed, node=None) -> Board:
    node = node or fed.assembly
    board = trustee_services.create_board(actor=SYSTEM, node=node, size=3, threshold=2)
    members = [fed.secretary, fed.member, fed.other_member]
    ready = appoint_ready(board, members)
    trustee_services.start_ceremony(actor=SYSTEM, board=board)
    devices = devices_for(ready)
    by_index = dict(zip(sorted(devices), members, strict=True))
    for step in (Round.ANNOUNCE, Round.REVEAL):
        for i, d in devices.items():
            message = d.announce() if step == Round.ANNOUNCE else d.reveal()
            board = TrusteeBoard.objects.get(pk=board.pk)
            trustee_services.submit_message(
                actor=by_index[i], board=board, round=step, payload=message.to_json()
            )
    reveals = payloads(board, Round.REVEAL)
    for i, d in devices.items():
        board = TrusteeBoard.objects.get(pk=board.pk)
        trustee_services.submit_message(
            actor=by_index[i], board=board, round=Round.RESPOND, payload=respond(d, reveals)
        )
    board = TrusteeBoard.objects.get(pk=board.pk)
    assert board.state == "active", board.failure
    messages = [
        {"round": m.round, "payload": m.payload}
        for m in CeremonyMessage.objects.filter(board=board)
    ]
    for d in devices.values():
        outcome = dkg.evaluate_transcript(d.parameters, transcript_of(d.parameters, messages))
        d.key_share(outcome)
    return Board(board, devices, members)


@pytest.fixture
def standing(fed) -> Board:
    return standing_board(fed)


def engine_of(poll):
    return engine_election(Election.objects.get(poll=poll))
