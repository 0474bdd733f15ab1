"""Services of the trustees app: forming a board, its ceremony, renewal."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from django.utils import timezone

from asamblea.core.actors import SYSTEM
from asamblea.core.errors import Forbidden, InvalidInput, NotFound
from asamblea.core.models import AuditEntry
from asamblea.federation import services as federation_services
from asamblea.trustees import engine, selectors, services
from asamblea.trustees.errors import (
    AlreadySubmitted,
    AlreadyTrustee,
    BoardExists,
    BoardFull,
    BoardState,
    InvalidKey,
    InvalidMessage,
    NotADealer,
    NotEligible,
    NotTrustee,
    TrusteesNotReady,
    WrongRound,
)
from asamblea.trustees.models import BoardState as State
from asamblea.trustees.models import Round, TrusteeBoard
from tests.factories import join, make_member

from .conftest import appoint_ready, db_state, devices_for, key_share_public, respond


def _refresh(board):
    return TrusteeBoard.objects.get(pk=board.pk)


def run_ceremony(ready, *, absent=(), now=None):
    """Drive every present trustee through the three rounds with the services."""
    board = services.start_ceremony(actor=SYSTEM, board=ready.board, now=now)
    devices = devices_for(ready)
    members = dict(enumerate(ready.members, start=1))
    for i, d in devices.items():
        if i not in absent:
            services.submit_message(
                actor=members[i],
                board=board,
                round=Round.ANNOUNCE,
                payload=d.announce().to_json(),
                now=now,
            )
    return board, devices, members


def test_defaults_follow_the_node_level(fed):
    committee = services.create_board(actor=fed.secretary, node=fed.committee_a1)
    zone = services.create_board(actor=fed.operator, node=fed.zone_a)
    assert (committee.size, committee.threshold) == (3, 2)
    assert (zone.size, zone.threshold) == (5, 3)
    assert committee.state == State.FORMING
    assert committee.ceremony_id.startswith("board-")
    assert engine.CEREMONY_ID.fullmatch(committee.ceremony_id)
    entry = AuditEntry.objects.filter(action="trustee_board.created").last()
    assert entry.actor_ref == fed.operator.pk


def test_size_and_threshold_are_checked(fed):
    with pytest.raises(InvalidInput):
        services.create_board(actor=fed.secretary, node=fed.committee_a1, size=3, threshold=4)
    with pytest.raises(InvalidInput):
        services.create_board(actor=fed.secretary, node=fed.committee_a1, size=0)
    with pytest.raises(InvalidInput):
        services.create_board(actor=fed.secretary, node=fed.committee_a1, round_hours=0)
    board = services.create_board(actor=fed.secretary, node=fed.committee_a1, size=1)
    assert (board.size, board.threshold) == (1, 1)


def test_a_node_has_one_board_at_a_time(fed):
    services.create_board(actor=fed.secretary, node=fed.committee_a1)
    with pytest.raises(BoardExists):
        services.create_board(actor=fed.secretary, node=fed.committee_a1)


def test_only_managers_create_boards(fed):
    with pytest.raises(Forbidden):
        services.create_board(actor=fed.member, node=fed.committee_a1)
    with pytest.raises(NotFound):
        services.create_board(actor=fed.outsider, node=fed.committee_a1)
    # Above committees only operators manage.
    with pytest.raises(Forbidden):
        services.create_board(actor=fed.secretary, node=fed.zone_a)
    assert TrusteeBoard.objects.count() == 0


def test_trustees_are_active_members_at_or_beneath_the_node(fed):
    board = services.create_board(actor=fed.operator, node=fed.zone_a)
    seat = services.appoint_trustee(actor=fed.operator, board=board, member=fed.neighbour)
    assert seat.index == 1
    with pytest.raises(NotEligible):
        services.appoint_trustee(actor=fed.operator, board=board, member=fed.outsider)
    with pytest.raises(NotEligible):
        services.appoint_trustee(actor=fed.operator, board=board, member=fed.operator)
    with pytest.raises(AlreadyTrustee):
        services.appoint_trustee(actor=fed.operator, board=board, member=fed.neighbour)


def test_a_member_who_left_is_not_eligible(fed):
    board = services.create_board(actor=fed.secretary, node=fed.committee_a1)
    membership = join(make_member("leaving"), fed.committee_a1)
    federation_services.end_membership(actor=fed.secretary, membership=membership)
    with pytest.raises(NotEligible):
        services.appoint_trustee(actor=fed.secretary, board=board, member=membership.member)


def test_seats_are_limited_to_the_board_size(fed):
    board = services.create_board(actor=fed.secretary, node=fed.committee_a1, size=1)
    services.appoint_trustee(actor=fed.secretary, board=board, member=fed.member)
    with pytest.raises(BoardFull):
        services.appoint_trustee(actor=fed.secretary, board=board, member=fed.other_member)


def test_only_the_trustee_registers_their_key(fed, ready):
    _secret, public = engine.new_communication_keys()
    for actor, error in ((fed.operator, NotTrustee), (fed.neighbour, NotFound)):
        with pytest.raises(error):
            services.register_key(actor=actor, board=ready.board, communication_key=public)
    with pytest.raises(NotTrustee):
        services.confirm_key_file(actor=fed.operator, board=ready.board)


def test_keys_are_checked_and_distinct(fed):
    board = services.create_board(actor=fed.secretary, node=fed.committee_a1)
    services.appoint_trustee(actor=fed.secretary, board=board, member=fed.member)
    services.appoint_trustee(actor=fed.secretary, board=board, member=fed.other_member)
    before = db_state()
    with pytest.raises(InvalidKey):
        services.register_key(actor=fed.member, board=board, communication_key="02" + "00" * 32)
    assert db_state() == before
    _secret, public = engine.new_communication_keys()
    services.register_key(actor=fed.member, board=board, communication_key=public)
    with pytest.raises(InvalidKey):
        services.register_key(actor=fed.other_member, board=board, communication_key=public)


def test_the_key_file_is_confirmed_after_the_key_and_again_after_a_new_key(fed):
    board = services.create_board(actor=fed.secretary, node=fed.committee_a1)
    services.appoint_trustee(actor=fed.secretary, board=board, member=fed.member)
    with pytest.raises(BoardState):
        services.confirm_key_file(actor=fed.member, board=board)
    services.register_key(
        actor=fed.member, board=board, communication_key=engine.new_communication_keys()[1]
    )
    seat = services.confirm_key_file(actor=fed.member, board=board)
    assert seat.is_ready
    seat = services.register_key(
        actor=fed.member, board=board, communication_key=engine.new_communication_keys()[1]
    )
    assert not seat.is_ready


def test_the_ceremony_waits_for_every_key_and_key_file(fed):
    board = services.create_board(actor=fed.secretary, node=fed.committee_a1)
    ready = appoint_ready(board, [fed.secretary, fed.member])
    with pytest.raises(TrusteesNotReady):
        services.start_ceremony(actor=fed.secretary, board=ready.board)
    seat = services.appoint_trustee(actor=fed.secretary, board=board, member=fed.other_member)
    services.register_key(
        actor=fed.other_member, board=board, communication_key=engine.new_communication_keys()[1]
    )
    with pytest.raises(TrusteesNotReady):
        services.start_ceremony(actor=fed.secretary, board=ready.board)
    services.confirm_key_file(actor=fed.other_member, board=board)
    with pytest.raises(Forbidden):
        services.start_ceremony(actor=fed.member, board=ready.board)
    board = services.start_ceremony(actor=fed.secretary, board=ready.board)
    assert board.state == State.CEREMONY
    assert board.round == Round.ANNOUNCE
    assert board.round_deadline == board.started_at + timedelta(hours=board.round_hours)
    assert board.parameters["ceremony_id"] == board.ceremony_id
    assert [t["index"] for t in board.parameters["trustees"]] == [1, 2, 3]
    assert seat.index == 3
    with pytest.raises(BoardState):
        services.appoint_trustee(actor=fed.secretary, board=board, member=fed.neighbour)


def test_a_full_ceremony_activates_the_board(fed, ready):
    board, devices, members = run_ceremony(ready)
    assert _refresh(board).round == Round.REVEAL
    reveals = {}
    for i, d in devices.items():
        reveals[i] = d.reveal().to_json()
        services.submit_message(
            actor=members[i], board=board, round=Round.REVEAL, payload=reveals[i]
        )
    assert _refresh(board).round == Round.RESPOND
    for i, d in devices.items():
        services.submit_message(
            actor=members[i], board=board, round=Round.RESPOND, payload=respond(d, reveals)
        )
    board = _refresh(board)
    assert board.state == State.ACTIVE
    assert board.round == ""
    assert board.qualified == [1, 2, 3]
    assert len(board.verification_keys) == 3
    for i, d in devices.items():
        assert key_share_public(d, board) == board.verification_keys[i - 1]
    assert selectors.standing_board_for(fed.committee_a1) == board
    assert AuditEntry.objects.filter(action="trustee_board.activated").count() == 1


def test_messages_are_checked_once_and_only_in_their_round(fed, ready):
    board, devices, _members = run_ceremony(ready, absent=(3,))
    with pytest.raises(AlreadySubmitted):
        services.submit_message(
            actor=fed.secretary,
            board=board,
            round=Round.ANNOUNCE,
            payload=devices[1].announce().to_json(),
        )
    with pytest.raises(WrongRound):
        services.submit_message(
            actor=fed.other_member,
            board=board,
            round=Round.REVEAL,
            payload=devices[3].reveal().to_json(),
        )
    before = db_state()
    with pytest.raises(InvalidMessage):
        services.submit_message(
            actor=fed.other_member,
            board=board,
            round=Round.ANNOUNCE,
            payload=devices[1].announce().to_json(),
        )
    with pytest.raises(InvalidMessage):
        services.submit_message(
            actor=fed.other_member, board=board, round=Round.ANNOUNCE, payload={"dealer": 3}
        )
    with pytest.raises(InvalidInput):
        services.submit_message(
            actor=fed.other_member,
            board=board,
            round="vote",
            payload=devices[3].announce().to_json(),
        )
    with pytest.raises(NotTrustee):
        services.submit_message(
            actor=fed.operator,
            board=board,
            round=Round.ANNOUNCE,
            payload=devices[3].announce().to_json(),
        )
    assert db_state() == before


def test_a_trustee_who_did_not_announce_does_not_deal(fed, ready):
    now = timezone.now()
    board, devices, _members = run_ceremony(ready, absent=(3,), now=now)
    later = now + timedelta(hours=board.round_hours, seconds=1)
    assert services.advance_due_ceremonies(now=later) == 1
    board = _refresh(board)
    assert board.round == Round.REVEAL
    with pytest.raises(NotADealer):
        services.submit_message(
            actor=fed.other_member,
            board=board,
            round=Round.REVEAL,
            payload=devices[3].reveal().to_json(),
        )


def test_nothing_moves_before_the_deadline(fed, ready):
    now = timezone.now()
    board, _devices, _members = run_ceremony(ready, absent=(3,), now=now)
    assert services.advance_due_ceremonies(now=now + timedelta(hours=1)) == 0
    assert _refresh(board).round == Round.ANNOUNCE


def test_a_reveal_not_matching_the_announcement_is_refused(fed, ready):
    board, devices, members = run_ceremony(ready)
    forged = copy.deepcopy(devices[1].reveal().to_json())
    forged["commitments"] = devices[2].reveal().to_json()["commitments"]
    before = db_state()
    with pytest.raises(InvalidMessage):
        services.submit_message(actor=members[1], board=board, round=Round.REVEAL, payload=forged)
    assert db_state() == before


def test_renewal_retires_the_old_board_when_the_new_one_is_active(fed, ready):
    board, devices, members = run_ceremony(ready)
    reveals = {i: d.reveal().to_json() for i, d in devices.items()}
    for i in devices:
        services.submit_message(
            actor=members[i], board=board, round=Round.REVEAL, payload=reveals[i]
        )
    for i, d in devices.items():
        services.submit_message(
            actor=members[i], board=board, round=Round.RESPOND, payload=respond(d, reveals)
        )
    old = _refresh(board)
    assert old.state == State.ACTIVE
    with pytest.raises(BoardExists):
        services.create_board(actor=fed.secretary, node=fed.committee_a1)
    new = services.renew_board(actor=fed.secretary, board=old)
    assert new.replaces == old
    with pytest.raises(BoardState):
        services.renew_board(actor=fed.secretary, board=new)
    assert selectors.standing_board_for(fed.committee_a1) == old
    ready2 = appoint_ready(new, [fed.member, fed.other_member, fed.secretary])
    ready2.board = new
    board2, devices2, members2 = run_ceremony(ready2)
    reveals2 = {i: d.reveal().to_json() for i, d in devices2.items()}
    for i in devices2:
        services.submit_message(
            actor=members2[i], board=board2, round=Round.REVEAL, payload=reveals2[i]
        )
    for i, d in devices2.items():
        services.submit_message(
            actor=members2[i], board=board2, round=Round.RESPOND, payload=respond(d, reveals2)
        )
    assert _refresh(new).state == State.ACTIVE
    assert _refresh(old).state == State.RETIRED
    assert selectors.standing_board_for(fed.committee_a1).pk == new.pk


def test_the_standing_board_is_the_nearest_active_one_above(fed, ready):
    assert selectors.standing_board_for(fed.committee_a1) is None
    board, devices, members = run_ceremony(ready)
    reveals = {i: d.reveal().to_json() for i, d in devices.items()}
    for i in devices:
        services.submit_message(
            actor=members[i], board=board, round=Round.REVEAL, payload=reveals[i]
        )
    for i, d in devices.items():
        services.submit_message(
            actor=members[i], board=board, round=Round.RESPOND, payload=respond(d, reveals)
        )
    zone = services.create_board(actor=fed.operator, node=fed.zone_a, size=1)
    r = appoint_ready(zone, [fed.neighbour])
    zb, zd, _ = run_ceremony(r)
    zr = {1: zd[1].reveal().to_json()}
    services.submit_message(actor=fed.neighbour, board=zb, round=Round.REVEAL, payload=zr[1])
    services.submit_message(
        actor=fed.neighbour, board=zb, round=Round.RESPOND, payload=respond(zd[1], zr)
    )
    assert selectors.standing_board_for(fed.committee_a1).pk == board.pk
    assert selectors.standing_board_for(fed.committee_a2).pk == zone.pk
    assert selectors.standing_board_for(fed.zone_a).pk == zone.pk
    assert selectors.standing_board_for(fed.region_a) is None
    assert selectors.standing_board_for(fed.committee_b1) is None
