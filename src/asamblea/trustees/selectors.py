"""Reads of the trustees app. Who may see what is decided in
``trustees.access`` (a board is seen by whoever sees its node)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from asamblea.federation.models import Node
from asamblea.trustees import engine
from asamblea.trustees.models import BoardState, CeremonyMessage, Round, Trustee, TrusteeBoard


def standing_board_for(node: Node) -> TrusteeBoard | None:
    """The nearest active board at ``node`` or above it: its joint key serves
    every secret poll at ``node``."""
    return (
        TrusteeBoard.objects.select_related("node")
        .filter(state=BoardState.ACTIVE, node_id__in=node.lineage_ids())
        .order_by("-node__depth")
        .first()
    )


def boards_of(node: Node) -> QuerySet[TrusteeBoard]:
    """Every board of ``node``, newest first."""
    return TrusteeBoard.objects.filter(node=node).select_related("node")


def current_board_of(node: Node) -> TrusteeBoard | None:
    """The board being formed or in ceremony, else the active one, else the
    latest: the one the node's board page shows first."""
    boards = list(boards_of(node).exclude(state=BoardState.RETIRED)[:20])
    for state in (BoardState.FORMING, BoardState.CEREMONY, BoardState.ACTIVE):
        for board in boards:
            if board.state == state:
                return board
    return boards[0] if boards else None


def messages_of(board: TrusteeBoard) -> QuerySet[CeremonyMessage]:
    """The public transcript so far, in the order received."""
    return (
        CeremonyMessage.objects.filter(board=board)
        .select_related("trustee")
        .order_by("received_at", "pk")
    )


def payloads(board: TrusteeBoard, round_: str) -> dict[int, Any]:
    """One round's messages by trustee index."""
    return dict(
        CeremonyMessage.objects.filter(board=board, round=round_).values_list(
            "trustee__index", "payload"
        )
    )


@dataclass(frozen=True)
class SeatStatus:
    """Where one trustee stands: each step done or not."""

    trustee: Trustee
    key_registered: bool
    key_file_kept: bool
    sent: dict[str, bool]
    faults: list[str]

    @property
    def announced(self) -> bool:
        return self.sent[Round.ANNOUNCE]

    @property
    def revealed(self) -> bool:
        return self.sent[Round.REVEAL]

    @property
    def responded(self) -> bool:
        return self.sent[Round.RESPOND]


def seat_statuses(board: TrusteeBoard) -> list[SeatStatus]:
    """Every trustee of ``board`` with the status of each step."""
    seats = list(Trustee.objects.filter(board=board).select_related("member").order_by("index"))
    sent = set(CeremonyMessage.objects.filter(board=board).values_list("trustee_id", "round"))
    faults = board.faults if isinstance(board.faults, dict) else {}
    return [
        SeatStatus(
            trustee=s,
            key_registered=bool(s.communication_key),
            key_file_kept=s.key_file_kept_at is not None,
            sent={r: (s.pk, r) in sent for r in Round.values},
            faults=list(faults.get(str(s.index), [])),
        )
        for s in seats
    ]


def seats_awaiting(member_id: int) -> QuerySet[Trustee]:
    """The member's seats on boards that wait for them, as ``next_step`` says:
    a forming board whose key or key file they have not given, or a ceremony
    round they have not sent (a reveal round counts only for those who
    announced). Newest board first."""
    sent_this_round = CeremonyMessage.objects.filter(
        trustee_id=OuterRef("pk"), round=OuterRef("board__round")
    )
    announced = CeremonyMessage.objects.filter(trustee_id=OuterRef("pk"), round=Round.ANNOUNCE)
    forming = Q(board__state=BoardState.FORMING) & (
        Q(communication_key="") | Q(key_file_kept_at__isnull=True)
    )
    in_ceremony = (
        Q(board__state=BoardState.CEREMONY)
        & ~Exists(sent_this_round)
        & (~Q(board__round=Round.REVEAL) | Exists(announced))
    )
    return (
        Trustee.objects.filter(member_id=member_id)
        .filter(forming | in_ceremony)
        .select_related("board", "board__node")
        .order_by("-board__created_at", "-board_id")
    )


def boards_ready_to_start(node_ids: QuerySet[Any]) -> QuerySet[TrusteeBoard]:
    """Forming boards of the nodes ``node_ids`` (a query of node ids) whose
    every seat is filled and ready: only a manager's start is missing."""
    ready = Q(trustees__key_file_kept_at__isnull=False) & ~Q(trustees__communication_key="")
    return (
        TrusteeBoard.objects.filter(state=BoardState.FORMING, node_id__in=node_ids)
        .alias(ready_seats=Count("trustees", filter=ready))
        .filter(ready_seats=F("size"))
        .select_related("node")
        .order_by("created_at", "pk")
    )


def boards_for_member(member_id: int) -> QuerySet[TrusteeBoard]:
    """The boards on which a member holds a seat, newest first."""
    return TrusteeBoard.objects.filter(trustees__member_id=member_id).select_related("node")


class Step:
    """What a trustee should do next (codes shared by the API and the pages)."""

    REGISTER_KEY = "register_key"
    KEEP_KEY_FILE = "keep_key_file"
    WAIT_FOR_START = "wait_for_start"
    ANNOUNCE = "announce"
    REVEAL = "reveal"
    RESPOND = "respond"
    WAIT_FOR_ROUND = "wait_for_round"
    NOT_DEALING = "not_dealing"
    KEEP_KEY_SHARE = "keep_key_share"
    NOTHING = "nothing"


def next_step(board: TrusteeBoard, status: SeatStatus) -> str:
    """The next thing the trustee of ``status`` has to do on ``board``."""
    if board.state == BoardState.FORMING:
        if not status.key_registered:
            return Step.REGISTER_KEY
        if not status.key_file_kept:
            return Step.KEEP_KEY_FILE
        return Step.WAIT_FOR_START
    if board.state == BoardState.CEREMONY:
        if status.sent.get(board.round, False):
            return Step.WAIT_FOR_ROUND
        if board.round == Round.REVEAL and not status.announced:
            return Step.NOT_DEALING
        return str(board.round)
    if board.state == BoardState.ACTIVE:
        return Step.KEEP_KEY_SHARE
    return Step.NOTHING


@dataclass(frozen=True)
class StandingKey:
    """An active board's finished ceremony, as an election record holds it
    (spec §8.2, §8.3)."""

    board: TrusteeBoard
    parameters: dict[str, Any]
    joint_key: str
    verification_keys: tuple[str, ...]
    qualified: tuple[int, ...]
    transcript: dict[str, Any]


def standing_key_for(node: Node) -> StandingKey | None:
    """The key that serves secret polls at ``node``: that of the nearest
    active board at the node or above it, or ``None``."""
    board = standing_board_for(node)
    if board is None or board.parameters is None:
        return None
    transcript = engine.transcript_json(
        engine.Ceremony.from_parameters(board.parameters),
        payloads(board, Round.ANNOUNCE),
        payloads(board, Round.REVEAL),
        payloads(board, Round.RESPOND),
    )
    if not isinstance(transcript, dict):  # transcript_to_json always gives an object
        raise TypeError("a ceremony transcript is a JSON object")
    return StandingKey(
        board=board,
        parameters=dict(board.parameters),
        joint_key=board.joint_key,
        verification_keys=tuple(board.verification_keys),
        qualified=tuple(board.qualified),
        transcript=transcript,
    )
