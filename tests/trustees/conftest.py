"""Shared builders: a committee board with three trustees, each with the
communication key pair their device generated (kept here, as the device would),
and the trustees' side of the ceremony played by the engine's own
:class:`secret_ballot.trustee.Trustee` objects."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from asamblea.accounts import services as account_services
from asamblea.accounts.models import Member
from asamblea.core.actors import SYSTEM
from asamblea.core.models import AuditEntry
from asamblea.trustees import engine, services
from asamblea.trustees.models import CeremonyMessage, Round, Trustee, TrusteeBoard
from secret_ballot import dkg
from secret_ballot.election import Parameters
from secret_ballot.group import Scalar
from secret_ballot.trustee import Trustee as Device
from secret_ballot.trustee_cli import transcript_of


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


def devices_for(ready: Ready) -> dict[int, Device]:
    board = TrusteeBoard.objects.get(pk=ready.board.pk)
    return devices_for_secrets(board, dict(sorted(ready.secrets.items())))


def devices_for_secrets(board: TrusteeBoard, secrets: dict[int, str]) -> dict[int, Device]:
    parameters = Parameters.from_json(board.parameters)
    return {i: Device.create(parameters, i, Scalar.from_hex(s)) for i, s in secrets.items()}


def respond(d: Device, reveals: dict[int, Any]) -> list[Any]:
    """Trustee ``d``'s respond message to the reveals published (by dealer)."""
    n = d.parameters.trustee_count
    return [r.to_json() for r in d.respond(dkg.Reveal.from_json(v, n) for v in reveals.values())]


def key_share_public(d: Device, board: TrusteeBoard) -> str:
    """x_i·G for the key share trustee ``d`` derives from the published transcript."""
    messages = [
        {"round": m.round, "payload": m.payload}
        for m in CeremonyMessage.objects.filter(board=board)
    ]
    outcome = dkg.evaluate_transcript(d.parameters, transcript_of(d.parameters, messages))
    return engine.public_of(d.key_share(outcome).hex())


@pytest.fixture
def api():
    """``api(member)`` returns a caller ``call(method, path, body=None)`` with
    the member's bearer token (as in tests/api)."""
    tokens: dict[int, str] = {}

    def make(member: Any):
        if member.pk not in tokens:
            _token, raw = account_services.create_api_token(member=member, name="test")
            tokens[member.pk] = raw
        client = Client()
        headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens[member.pk]}"}

        def call(method: str, path: str, body: Any = None):
            kwargs: dict[str, Any] = dict(headers)
            if body is not None:
                kwargs["content_type"] = "application/json"
                kwargs["data"] = body if isinstance(body, str) else json.dumps(body)
            return getattr(client, method.lower())(f"/api/v1{path}", **kwargs)

        return call

    return make


def device(call, board_id, index, secret) -> Device:
    board = call("get", f"/trustees/boards/{board_id}").json()
    parameters = Parameters.from_json(board["parameters"])
    assert parameters.digest().hex() == board["ceremony_hash"]
    return Device.create(parameters, index, Scalar.from_hex(secret))


def reveals_of(call, board_id):
    return {
        m["trustee"]: m["payload"]
        for m in call("get", f"/trustees/boards/{board_id}/messages").json()
        if m["round"] == Round.REVEAL
    }


def form_board_through_the_api(fed, api):
    manager = api(fed.secretary)
    r = manager("post", f"/trustees/nodes/{fed.committee_a1.pk}/boards", {})
    assert r.status_code == 201, r.content
    board = r.json()
    assert (board["size"], board["threshold"], board["state"]) == (3, 2, "forming")
    trustees = [fed.secretary, fed.member, fed.other_member]
    secrets = {}
    for member in trustees:
        r = manager("post", f"/trustees/boards/{board['id']}/trustees", {"member": member.pk})
        assert r.status_code == 201, r.content
    for index, member in enumerate(trustees, start=1):
        call = api(member)
        secret, public = engine.new_communication_keys()
        secrets[index] = secret
        r = call("post", f"/trustees/boards/{board['id']}/key", {"communication_key": public})
        assert r.status_code == 200, r.content
        assert r.json()["steps"]["key_registered"]
        r = call("post", f"/trustees/boards/{board['id']}/key-file")
        assert r.json()["steps"]["key_file_kept"]
    r = manager("post", f"/trustees/boards/{board['id']}/start")
    assert r.status_code == 200, r.content
    assert r.json()["round"] == "announce"
    return board["id"], trustees, secrets
