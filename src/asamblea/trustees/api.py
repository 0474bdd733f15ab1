"""JSON API of trustee boards, mounted at /api/v1/trustees.

A trustee's device (the command line ``secret-ballot trustee ...``, or the
trustee page's script) registers its communication key, confirms the key file
was kept, reads the transcript so far and sends its message for each round.
Handlers parse input and call services and selectors; the transcript is
public to everyone who sees the node (the shares in it are encrypted).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from asamblea.accounts.models import Member
from asamblea.accounts.requests import api_member
from asamblea.core.schemas import InputSchema
from asamblea.federation import access as federation_access
from asamblea.federation.access import MAX_ID, viewer_of
from asamblea.trustees import access, selectors, services
from asamblea.trustees.errors import NotEligible
from asamblea.trustees.models import MAX_ROUND_HOURS, MAX_TRUSTEES, CeremonyMessage, TrusteeBoard

router = Router(tags=["trustees"])


class BoardIn(InputSchema):
    size: int | None = Field(None, ge=1, le=MAX_TRUSTEES)
    threshold: int | None = Field(None, ge=1, le=MAX_TRUSTEES)
    round_hours: int | None = Field(None, ge=1, le=MAX_ROUND_HOURS)


class AppointIn(InputSchema):
    member: int = Field(ge=1, le=MAX_ID)


class KeyIn(InputSchema):
    communication_key: str = Field(max_length=200)


class MessageIn(InputSchema):
    payload: dict[str, Any] | list[Any]
    """An object for announce and reveal, an array of responses for respond."""


class StepsOut(Schema):
    key_registered: bool
    key_file_kept: bool
    announce: bool
    reveal: bool
    respond: bool


class TrusteeOut(Schema):
    index: int
    member: int
    pseudonym: str
    communication_key: str
    key_registered_at: datetime | None
    key_file_kept_at: datetime | None
    steps: StepsOut
    faults: list[str]


class BoardOut(Schema):
    id: int
    node: int
    node_name: str
    ceremony_id: str
    state: str
    size: int
    threshold: int
    round: str
    round_hours: int
    round_deadline: datetime | None
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    retired_at: datetime | None
    replaces: int | None
    parameters: dict[str, Any] | None
    ceremony_hash: str
    joint_key: str
    verification_keys: list[str]
    qualified: list[int]
    failure: str
    trustees: list[TrusteeOut]
    can_manage: bool
    my_index: int | None
    my_next_step: str | None


class StandingOut(Schema):
    board: BoardOut | None


class MessageOut(Schema):
    id: int
    trustee: int
    round: str
    payload: dict[str, Any] | list[Any]
    received_at: datetime

    @staticmethod
    def resolve_trustee(obj: CeremonyMessage) -> int:
        return obj.trustee.index


def _trustee_out(status: selectors.SeatStatus) -> dict[str, Any]:
    seat = status.trustee
    return {
        "index": seat.index,
        "member": seat.member_id,
        "pseudonym": seat.member.pseudonym,
        "communication_key": seat.communication_key,
        "key_registered_at": seat.key_registered_at,
        "key_file_kept_at": seat.key_file_kept_at,
        "steps": {
            "key_registered": status.key_registered,
            "key_file_kept": status.key_file_kept,
            "announce": status.announced,
            "reveal": status.revealed,
            "respond": status.responded,
        },
        "faults": status.faults,
    }


def _board_out(request: HttpRequest, board: TrusteeBoard) -> dict[str, Any]:
    viewer = viewer_of(request)
    statuses = selectors.seat_statuses(board)
    mine = next(
        (s for s in statuses if s.trustee.member_id == getattr(viewer.member, "pk", 0)), None
    )
    return {
        "id": board.pk,
        "node": board.node_id,
        "node_name": board.node.name,
        "ceremony_id": board.ceremony_id,
        "state": board.state,
        "size": board.size,
        "threshold": board.threshold,
        "round": board.round,
        "round_hours": board.round_hours,
        "round_deadline": board.round_deadline,
        "created_at": board.created_at,
        "started_at": board.started_at,
        "ended_at": board.ended_at,
        "retired_at": board.retired_at,
        "replaces": board.replaces_id,
        "parameters": board.parameters,
        "ceremony_hash": board.ceremony_hash,
        "joint_key": board.joint_key,
        "verification_keys": board.verification_keys,
        "qualified": board.qualified,
        "failure": board.failure,
        "trustees": [_trustee_out(s) for s in statuses],
        "can_manage": access.may_manage_node_boards(viewer, board.node),
        "my_index": mine.trustee.index if mine else None,
        "my_next_step": selectors.next_step(board, mine) if mine else None,
    }


def _board(request: HttpRequest, board_id: int) -> TrusteeBoard:
    return access.access_board(viewer_of(request), board_id)


@router.get("/nodes/{node_id}/boards", response=list[BoardOut])
def list_boards(request: HttpRequest, node_id: int) -> Any:
    node = federation_access.access_node(viewer_of(request), node_id)
    return [_board_out(request, b) for b in selectors.boards_of(node)]


@router.get("/nodes/{node_id}/standing-board", response=StandingOut)
def standing_board(request: HttpRequest, node_id: int) -> Any:
    """The active board whose key serves the node's secret polls (its own or
    the nearest above it), or null."""
    node = federation_access.access_node(viewer_of(request), node_id)
    board = selectors.standing_board_for(node)
    return {"board": _board_out(request, board) if board else None}


@router.post("/nodes/{node_id}/boards", response={201: BoardOut})
def create_board(request: HttpRequest, node_id: int, payload: BoardIn) -> Any:
    actor = api_member(request)
    node = federation_access.access_node(viewer_of(request), node_id)
    board = services.create_board(actor=actor, node=node, **payload.dict())
    return Status(201, _board_out(request, board))


@router.get("/boards/{board_id}", response=BoardOut)
def get_board(request: HttpRequest, board_id: int) -> Any:
    return _board_out(request, _board(request, board_id))


@router.post("/boards/{board_id}/renew", response={201: BoardOut})
def renew_board(request: HttpRequest, board_id: int, payload: BoardIn) -> Any:
    actor = api_member(request)
    board = services.renew_board(actor=actor, board=_board(request, board_id), **payload.dict())
    return Status(201, _board_out(request, board))


@router.post("/boards/{board_id}/trustees", response={201: TrusteeOut})
def appoint_trustee(request: HttpRequest, board_id: int, payload: AppointIn) -> Any:
    actor = api_member(request)
    board = _board(request, board_id)
    member = Member.objects.filter(pk=payload.member, is_active=True).first()
    if member is None:
        # Permission first: only a manager learns that the id is unknown.
        access.check_manage(viewer_of(request), board.node)
        raise NotEligible(field="member")
    services.appoint_trustee(actor=actor, board=board, member=member)
    status = next(s for s in selectors.seat_statuses(board) if s.trustee.member_id == member.pk)
    return Status(201, _trustee_out(status))


@router.post("/boards/{board_id}/start", response=BoardOut)
def start_ceremony(request: HttpRequest, board_id: int) -> Any:
    actor = api_member(request)
    board = services.start_ceremony(actor=actor, board=_board(request, board_id))
    return _board_out(request, board)


def _own_status(board: TrusteeBoard, member: Member) -> dict[str, Any]:
    status = next(s for s in selectors.seat_statuses(board) if s.trustee.member_id == member.pk)
    return _trustee_out(status)


@router.post("/boards/{board_id}/key", response=TrusteeOut)
def register_key(request: HttpRequest, board_id: int, payload: KeyIn) -> Any:
    actor = api_member(request)
    board = _board(request, board_id)
    services.register_key(actor=actor, board=board, communication_key=payload.communication_key)
    return _own_status(board, actor)


@router.post("/boards/{board_id}/key-file", response=TrusteeOut)
def confirm_key_file(request: HttpRequest, board_id: int) -> Any:
    """The trustee confirms they saved their passphrase-encrypted key file."""
    actor = api_member(request)
    board = _board(request, board_id)
    services.confirm_key_file(actor=actor, board=board)
    return _own_status(board, actor)


@router.get("/boards/{board_id}/messages", response=list[MessageOut])
def list_messages(request: HttpRequest, board_id: int) -> Any:
    """The public transcript so far, in the order received."""
    return selectors.messages_of(_board(request, board_id))


@router.post("/boards/{board_id}/messages/{round_name}", response={201: MessageOut})
def submit_message(request: HttpRequest, board_id: int, round_name: str, payload: MessageIn) -> Any:
    actor = api_member(request)
    board = _board(request, board_id)
    message = services.submit_message(
        actor=actor, board=board, round=round_name, payload=payload.payload
    )
    return Status(201, message)
