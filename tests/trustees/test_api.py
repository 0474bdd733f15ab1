"""The trustees API: a whole ceremony driven by three trustees' devices, the
transcript, and every refusal (4xx with its code, nothing written)."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from asamblea.trustees import engine, services
from asamblea.trustees.models import BoardState, Round, TrusteeBoard
from secret_ballot import dkg

from .conftest import (
    appoint_ready,
    db_state,
    device,
    devices_for,
    devices_for_secrets,
    form_board_through_the_api,
    key_share_public,
    respond,
    reveals_of,
)


def test_three_trustees_run_their_ceremony_through_the_api(fed, api):
    board_id, trustees, secrets = form_board_through_the_api(fed, api)
    calls = {i: api(m) for i, m in enumerate(trustees, start=1)}
    devices = {i: device(calls[i], board_id, i, secrets[i]) for i in calls}
    assert calls[2]("get", f"/trustees/boards/{board_id}").json()["my_next_step"] == "announce"
    for i, d in devices.items():
        r = calls[i](
            "post",
            f"/trustees/boards/{board_id}/messages/announce",
            {"payload": d.announce().to_json()},
        )
        assert r.status_code == 201, r.content
    for i, d in devices.items():
        r = calls[i](
            "post",
            f"/trustees/boards/{board_id}/messages/reveal",
            {"payload": d.reveal().to_json()},
        )
        assert r.status_code == 201, r.content
    for i, d in devices.items():
        reveals = reveals_of(calls[i], board_id)
        r = calls[i](
            "post",
            f"/trustees/boards/{board_id}/messages/respond",
            {"payload": respond(d, reveals)},
        )
        assert r.status_code == 201, r.content
    board = calls[1]("get", f"/trustees/boards/{board_id}").json()
    assert board["state"] == "active"
    assert board["qualified"] == [1, 2, 3]
    assert board["my_next_step"] == "keep_key_share"
    for i, d in devices.items():
        shown = TrusteeBoard.objects.get(pk=board_id)
        assert key_share_public(d, shown) == board["verification_keys"][i - 1]
    # The transcript is public to whoever sees the node, trustee or not.
    transcript = api(fed.neighbour)("get", f"/trustees/boards/{board_id}/messages")
    assert transcript.status_code == 404  # a sibling committee does not see it
    transcript = api(fed.operator)("get", f"/trustees/boards/{board_id}/messages").json()
    assert len(transcript) == 9
    standing = api(fed.member)("get", f"/trustees/nodes/{fed.committee_a1.pk}/standing-board")
    assert standing.json()["board"]["joint_key"] == board["joint_key"]


def test_a_trustee_who_never_answers(fed, api, client_for):
    """Trustee 3 registers, then never sends anything. The rounds end at their
    deadlines (the scheduler's pass) and the ceremony goes on without them:
    QUAL = {1, 2} >= t = 2, the board is active and names trustee 3 absent."""
    board_id, trustees, secrets = form_board_through_the_api(fed, api)
    calls = {i: api(m) for i, m in enumerate(trustees, start=1)}
    devices = {i: device(calls[i], board_id, i, secrets[i]) for i in (1, 2)}
    for i, d in devices.items():
        calls[i](
            "post",
            f"/trustees/boards/{board_id}/messages/announce",
            {"payload": d.announce().to_json()},
        )
    assert TrusteeBoard.objects.get(pk=board_id).round == Round.ANNOUNCE
    later = timezone.now() + timedelta(hours=73)
    assert services.advance_due_ceremonies(now=later) == 1
    board = TrusteeBoard.objects.get(pk=board_id)
    assert board.round == Round.REVEAL
    for i, d in devices.items():
        calls[i](
            "post",
            f"/trustees/boards/{board_id}/messages/reveal",
            {"payload": d.reveal().to_json()},
        )
    # Every dealer revealed: the respond round opened without waiting.
    assert TrusteeBoard.objects.get(pk=board_id).round == Round.RESPOND
    for i, d in devices.items():
        reveals = reveals_of(calls[i], board_id)
        assert sorted(reveals) == [1, 2]
        r = calls[i](
            "post",
            f"/trustees/boards/{board_id}/messages/respond",
            {"payload": respond(d, reveals)},
        )
        assert r.status_code == 201, r.content
        assert [m["dealer"] for m in r.json()["payload"]] == [3 - i]
    assert TrusteeBoard.objects.get(pk=board_id).round == Round.RESPOND
    assert services.advance_due_ceremonies(now=later + timedelta(hours=73 * 2)) == 1
    board = TrusteeBoard.objects.get(pk=board_id)
    assert board.state == BoardState.ACTIVE
    assert board.qualified == [1, 2]
    assert board.faults == {"3": ["not-announced"]}
    shown = calls[1]("get", f"/trustees/boards/{board_id}").json()
    assert shown["qualified"] == [1, 2]
    assert shown["trustees"][2]["faults"] == ["not-announced"]
    assert shown["trustees"][0]["faults"] == []
    html = client_for(fed.member).get(f"/trustees/boards/{board_id}/").content.decode()
    assert "did not announce (<code>not-announced</code>)" in html
    assert html.count("(<code>") == 1
    assert "Qualified trustees</dt><dd>1, 2</dd>" in html
    for i, d in devices.items():
        assert key_share_public(d, board) == board.verification_keys[i - 1]
    # Trustee 3 still receives its shares in the reveals and derives its part.
    late = devices_for_secrets(board, {3: secrets[3]})[3]
    late.respond(
        dkg.Reveal.from_json(m["payload"], 3)
        for m in calls[3]("get", f"/trustees/boards/{board_id}/messages").json()
        if m["round"] == "reveal"
    )
    assert key_share_public(late, board) == board.verification_keys[2]


@pytest.fixture
def started(fed):
    board = services.create_board(actor=fed.secretary, node=fed.committee_a1)
    ready = appoint_ready(board, [fed.secretary, fed.member, fed.other_member])
    services.start_ceremony(actor=fed.secretary, board=board)
    return ready


def _path(board, suffix=""):
    return f"/trustees/boards/{board.pk}{suffix}"


def test_refusals_have_codes_and_write_nothing(fed, api, started):
    board = started.board
    devices = devices_for(started)
    d1, d2 = devices[1], devices[2]
    secretary, member = api(fed.secretary), api(fed.member)
    secretary("post", _path(board, "/messages/announce"), {"payload": d1.announce().to_json()})
    announce = d2.announce().to_json()
    bad_hash = {**announce, "commitment_hash": "zz"}
    cases = [
        # (caller, method, path, body, status, code)
        (
            member,
            "post",
            _path(board, "/messages/announce"),
            {"payload": bad_hash},
            422,
            "invalid_message",
        ),
        (
            member,
            "post",
            _path(board, "/messages/announce"),
            {"payload": d1.announce().to_json()},
            422,
            "invalid_message",
        ),
        (
            member,
            "post",
            _path(board, "/messages/reveal"),
            {"payload": d2.reveal().to_json()},
            409,
            "wrong_round",
        ),
        (member, "post", _path(board, "/messages/vote"), {"payload": announce}, 422, "invalid"),
        (
            member,
            "post",
            _path(board, "/messages/announce"),
            {"payload": {**announce, "x": True}},
            422,
            "invalid",
        ),
        (member, "post", _path(board, "/messages/announce"), {"payload": "text"}, 422, "invalid"),
        (member, "post", _path(board, "/messages/announce"), "{not json", 400, "malformed_json"),
        (
            secretary,
            "post",
            _path(board, "/messages/announce"),
            {"payload": d1.announce().to_json()},
            409,
            "already_submitted",
        ),
        (
            api(fed.operator),
            "post",
            _path(board, "/messages/announce"),
            {"payload": announce},
            403,
            "not_trustee",
        ),
        (
            api(fed.neighbour),
            "post",
            _path(board, "/messages/announce"),
            {"payload": announce},
            404,
            "not_found",
        ),
        (
            member,
            "post",
            _path(board, "/key"),
            {"communication_key": "02" + "00" * 32},
            422,
            "invalid_key",
        ),
        (
            member,
            "post",
            _path(board, "/key"),
            {"communication_key": engine.new_communication_keys()[1]},
            409,
            "board_state",
        ),
        (member, "post", _path(board, "/key-file"), None, 409, "board_state"),
        (secretary, "post", _path(board, "/start"), None, 409, "board_state"),
        (member, "post", _path(board, "/start"), None, 403, "forbidden"),
        (
            secretary,
            "post",
            _path(board, "/trustees"),
            {"member": fed.neighbour.pk},
            409,
            "board_state",
        ),
        (member, "post", _path(board, "/trustees"), {"member": 999999}, 403, "forbidden"),
        (
            secretary,
            "post",
            f"/trustees/nodes/{fed.committee_a1.pk}/boards",
            {},
            409,
            "board_exists",
        ),
        (
            secretary,
            "post",
            f"/trustees/nodes/{fed.committee_a1.pk}/boards",
            {"size": 0},
            422,
            "invalid",
        ),
        (secretary, "post", f"/trustees/nodes/{fed.zone_a.pk}/boards", {}, 403, "forbidden"),
        (secretary, "post", f"/trustees/nodes/{fed.committee_b1.pk}/boards", {}, 404, "not_found"),
        (secretary, "post", _path(board, "/renew"), {}, 409, "board_state"),
        (secretary, "get", "/trustees/boards/999999", None, 404, "not_found"),
    ]
    before = db_state()
    for call, method, path, body, status, code in cases:
        r = call(method, path, body)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), (path, body, r.content)
        assert db_state() == before, (path, body)


def test_forming_refusals(fed, api):
    secretary = api(fed.secretary)
    board = secretary("post", f"/trustees/nodes/{fed.committee_a1.pk}/boards", {"size": 2}).json()
    before = db_state()
    cases = [
        ({"member": fed.outsider.pk}, 422, "not_eligible"),
        ({"member": 999999}, 422, "not_eligible"),
        ({"member": True}, 422, "invalid"),
        ({"member": 2**63}, 422, "invalid"),
    ]
    for body, status, code in cases:
        r = secretary("post", f"/trustees/boards/{board['id']}/trustees", body)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), r.content
        assert db_state() == before
    secretary("post", f"/trustees/boards/{board['id']}/trustees", {"member": fed.member.pk})
    r = secretary("post", f"/trustees/boards/{board['id']}/trustees", {"member": fed.member.pk})
    assert (r.status_code, r.json()["error"]["code"]) == (422, "already_trustee")
    secretary("post", f"/trustees/boards/{board['id']}/trustees", {"member": fed.other_member.pk})
    r = secretary("post", f"/trustees/boards/{board['id']}/trustees", {"member": fed.secretary.pk})
    assert (r.status_code, r.json()["error"]["code"]) == (409, "board_full")
    r = secretary("post", f"/trustees/boards/{board['id']}/start")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "trustees_not_ready")
    r = api(fed.member)("post", f"/trustees/boards/{board['id']}/key-file")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "board_state")
    key = engine.new_communication_keys()[1]
    api(fed.member)("post", f"/trustees/boards/{board['id']}/key", {"communication_key": key})
    r = api(fed.other_member)(
        "post", f"/trustees/boards/{board['id']}/key", {"communication_key": key}
    )
    assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_key")


def test_a_forged_reveal_is_refused_and_the_transcript_unchanged(fed, api, started):
    board = started.board
    devices = devices_for(started)
    members = {1: fed.secretary, 2: fed.member, 3: fed.other_member}
    for i, d in devices.items():
        api(members[i])(
            "post", _path(board, "/messages/announce"), {"payload": d.announce().to_json()}
        )
    forged = copy.deepcopy(devices[1].reveal().to_json())
    forged["proofs"].reverse()
    before = db_state()
    r = api(fed.secretary)("post", _path(board, "/messages/reveal"), {"payload": forged})
    assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_message")
    assert "not signed by trustee 1" in r.json()["error"]["message"]
    assert db_state() == before
    transcript = api(fed.member)("get", _path(board, "/messages")).json()
    assert [m["round"] for m in transcript] == ["announce"] * 3
    assert json.dumps(transcript)  # plain JSON, as published
