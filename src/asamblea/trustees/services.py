"""Writes of the trustees app. Each service checks permission first (through
``trustees.access``), owns its transaction, and appends to the audit log.

The ceremony's time-based steps (a round's deadline passing) are taken only by
:func:`advance_due_ceremonies`, which ``manage.py run_scheduler`` calls; a web
request never moves a round because of the clock. A round whose every
expected message has arrived moves on at once, right after the last message
is stored (:func:`submit_message`).

Every call into the ``secret_ballot`` engine goes through ``trustees.engine``.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta
from typing import Any

import rfc8785
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asamblea.accounts.models import Member
from asamblea.core import audit
from asamblea.core.actors import SYSTEM
from asamblea.core.errors import InvalidInput
from asamblea.federation.access import Actor, Viewer
from asamblea.federation.models import Membership, Node, NodeKind
from asamblea.trustees import access, engine, selectors
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
    TrusteesNotReady,
    WrongRound,
)
from asamblea.trustees.models import (
    MAX_ROUND_HOURS,
    MAX_TRUSTEES,
    CeremonyMessage,
    Round,
    Trustee,
    TrusteeBoard,
)
from asamblea.trustees.models import BoardState as State

DEFAULT_ROUND_HOURS = 72
# Scheduler passes handle at most this many boards each.
BATCH = 200


def default_size(node: Node) -> tuple[int, int]:
    """(n, t) for a new board: 2 of 3 for a committee, 3 of 5 above."""
    return (3, 2) if node.kind == NodeKind.COMMITTEE else (5, 3)


def _check_shape(size: int, threshold: int, round_hours: int) -> None:
    if not 1 <= size <= MAX_TRUSTEES:
        raise InvalidInput(
            _("A board has from 1 to %(max)d trustees.") % {"max": MAX_TRUSTEES}, field="size"
        )
    if not 1 <= threshold <= size:
        raise InvalidInput(
            _("The threshold is at least 1 and at most the number of trustees."),
            field="threshold",
        )
    if not 1 <= round_hours <= MAX_ROUND_HOURS:
        raise InvalidInput(
            _("Each round lasts from 1 to %(max)d hours.") % {"max": MAX_ROUND_HOURS},
            field="round_hours",
        )


def _new_ceremony_id() -> str:
    return f"board-{uuid.uuid4().hex}"


def _lock(board: TrusteeBoard) -> TrusteeBoard:
    locked = (
        TrusteeBoard.objects.select_for_update(of=("self",)).select_related("node").get(pk=board.pk)
    )
    return locked


def _create(
    *,
    actor: Actor,
    node: Node,
    size: int | None,
    threshold: int | None,
    round_hours: int | None,
    replaces: TrusteeBoard | None,
) -> TrusteeBoard:
    n, t = default_size(node)
    if size is not None:
        n = size
        t = threshold if threshold is not None else min(t, n)
    elif threshold is not None:
        t = threshold
    hours = round_hours if round_hours is not None else DEFAULT_ROUND_HOURS
    _check_shape(n, t, hours)
    with transaction.atomic():
        # Lock the node so that two managers cannot create two boards at once.
        Node.objects.select_for_update().filter(pk=node.pk).first()
        busy = TrusteeBoard.objects.filter(
            node=node, state__in=[State.FORMING, State.CEREMONY]
        ).exists()
        if busy or (
            replaces is None and TrusteeBoard.objects.filter(node=node, state=State.ACTIVE).exists()
        ):
            raise BoardExists()
        board = TrusteeBoard.objects.create(
            node=node,
            size=n,
            threshold=t,
            round_hours=hours,
            ceremony_id=_new_ceremony_id(),
            replaces=replaces,
        )
        audit.record(
            actor=actor,
            action="trustee_board.renewed" if replaces else "trustee_board.created",
            target=board,
            data={
                "node": node.pk,
                "size": n,
                "threshold": t,
                "round_hours": hours,
                "ceremony_id": board.ceremony_id,
                "replaces": replaces.pk if replaces else None,
            },
        )
    return board


def create_board(
    *,
    actor: Actor,
    node: Node,
    size: int | None = None,
    threshold: int | None = None,
    round_hours: int | None = None,
) -> TrusteeBoard:
    """A new board for ``node`` (defaults by level, see :func:`default_size`).
    The node's managers, or ``SYSTEM``. Refused while the node has a board
    being formed, in ceremony or active (renew that one instead)."""
    access.check_manage(Viewer.of(actor), node)
    return _create(
        actor=actor,
        node=node,
        size=size,
        threshold=threshold,
        round_hours=round_hours,
        replaces=None,
    )


def renew_board(
    *,
    actor: Actor,
    board: TrusteeBoard,
    size: int | None = None,
    threshold: int | None = None,
    round_hours: int | None = None,
) -> TrusteeBoard:
    """A new board for an active board's node, for a new term. The active
    board keeps serving until the new one becomes active, then retires."""
    access.check_manage(Viewer.of(actor), board.node)
    if board.state != State.ACTIVE:
        raise BoardState(_("Only an active board is renewed."))
    return _create(
        actor=actor,
        node=board.node,
        size=size if size is not None else board.size,
        threshold=threshold if threshold is not None or size is not None else board.threshold,
        round_hours=round_hours if round_hours is not None else board.round_hours,
        replaces=board,
    )


def is_eligible(*, member: Member, node: Node) -> bool:
    """An active member of a committee at or beneath ``node``."""
    return Membership.objects.filter(
        member=member, ended_at__isnull=True, node__path__startswith=node.path
    ).exists()


def appoint_trustee(*, actor: Actor, board: TrusteeBoard, member: Member) -> Trustee:
    """Give ``member`` the next seat of a board being formed. The node's
    managers or ``SYSTEM``; the member must be active at or beneath the node
    and not already a trustee of this board."""
    access.check_manage(Viewer.of(actor), board.node)
    with transaction.atomic():
        board = _lock(board)
        if not board.is_forming:
            raise BoardState(_("Trustees are appointed while the board is being formed."))
        if not is_eligible(member=member, node=board.node):
            raise NotEligible(field="member")
        seats = list(board.trustees.all())
        if any(s.member_id == member.pk for s in seats):
            raise AlreadyTrustee(field="member")
        if len(seats) >= board.size:
            raise BoardFull()
        seat = Trustee.objects.create(board=board, member=member, index=len(seats) + 1)
        audit.record(
            actor=actor,
            action="trustee.appointed",
            target=seat,
            data={"board": board.pk, "member": member.pk, "index": seat.index},
        )
    return seat


def register_key(*, actor: Actor, board: TrusteeBoard, communication_key: str) -> Trustee:
    """The trustee registers the public communication key generated on their
    device (replacing an earlier one while the board is being formed, which
    asks them to confirm their key file again)."""
    seat = access.access_seat(Viewer.of(actor), board)
    try:
        key = engine.check_communication_key(communication_key)
    except engine.MessageRejected as exc:
        raise InvalidKey(
            _("This is not a valid communication key: %(detail)s") % {"detail": exc.detail},
            field="communication_key",
        ) from None
    with transaction.atomic():
        board = _lock(board)
        if not board.is_forming:
            raise BoardState(_("Keys are registered while the board is being formed."))
        seat = Trustee.objects.select_for_update().get(pk=seat.pk)
        if board.trustees.exclude(pk=seat.pk).filter(communication_key=key).exists():
            raise InvalidKey(
                _("Another trustee of this board registered this key: generate your own."),
                field="communication_key",
            )
        if seat.communication_key == key:
            return seat
        seat.communication_key = key
        seat.key_registered_at = timezone.now()
        seat.key_file_kept_at = None
        seat.save(update_fields=["communication_key", "key_registered_at", "key_file_kept_at"])
        audit.record(
            actor=actor,
            action="trustee.key_registered",
            target=seat,
            data={"board": board.pk, "index": seat.index, "communication_key": key},
        )
    return seat


def confirm_key_file(*, actor: Actor, board: TrusteeBoard) -> Trustee:
    """The trustee confirms they saved their passphrase-encrypted key file."""
    seat = access.access_seat(Viewer.of(actor), board)
    with transaction.atomic():
        board = _lock(board)
        if not board.is_forming:
            raise BoardState(_("Key files are confirmed while the board is being formed."))
        seat = Trustee.objects.select_for_update().get(pk=seat.pk)
        if not seat.communication_key:
            raise BoardState(_("Register your communication key first."))
        if seat.key_file_kept_at is not None:
            return seat
        seat.key_file_kept_at = timezone.now()
        seat.save(update_fields=["key_file_kept_at"])
        audit.record(
            actor=actor,
            action="trustee.key_file_kept",
            target=seat,
            data={"board": board.pk, "index": seat.index},
        )
    return seat


def ceremony_of(board: TrusteeBoard) -> engine.Ceremony:
    """The engine's view of a board whose ceremony has started."""
    return engine.Ceremony.from_parameters(board.parameters)


def start_ceremony(
    *, actor: Actor, board: TrusteeBoard, now: datetime | None = None
) -> TrusteeBoard:
    """Fix the parameters and open the announce round. The node's managers or
    ``SYSTEM``; every seat filled, every key registered, every key file kept."""
    access.check_manage(Viewer.of(actor), board.node)
    now = now or timezone.now()
    with transaction.atomic():
        board = _lock(board)
        if not board.is_forming:
            raise BoardState(_("This board's ceremony has already started."))
        seats = list(board.trustees.select_related("member").order_by("index"))
        if len(seats) != board.size or not all(s.is_ready for s in seats):
            raise TrusteesNotReady()
        ceremony = engine.Ceremony(
            ceremony_id=board.ceremony_id,
            threshold=board.threshold,
            seats=tuple(
                engine.Seat(s.index, s.member.pseudonym, s.communication_key) for s in seats
            ),
        )
        board.parameters = ceremony.parameters_json()
        board.ceremony_hash = ceremony.ceremony_hash()
        board.state = State.CEREMONY
        board.round = Round.ANNOUNCE
        board.started_at = now
        board.round_deadline = now + timedelta(hours=board.round_hours)
        board.save(
            update_fields=[
                "parameters",
                "ceremony_hash",
                "state",
                "round",
                "started_at",
                "round_deadline",
            ]
        )
        audit.record(
            actor=actor,
            action="trustee_board.ceremony_started",
            target=board,
            data={
                "ceremony_hash": board.ceremony_hash,
                "round_deadline": board.round_deadline.isoformat(),
            },
        )
    return board


def _check_message(
    ceremony: engine.Ceremony, board: TrusteeBoard, seat: Trustee, round_: str, payload: Any
) -> Any:
    if round_ == Round.ANNOUNCE:
        return engine.check_announcement(ceremony, seat.index, payload)
    if round_ == Round.REVEAL:
        announcement = selectors.payloads(board, Round.ANNOUNCE).get(seat.index)
        if announcement is None:
            raise NotADealer()
        return engine.check_reveal(ceremony, seat.index, payload, announcement)
    return engine.check_response(
        ceremony, seat.index, payload, selectors.payloads(board, Round.REVEAL)
    )


def _digest(payload: Any) -> str:
    return hashlib.sha256(rfc8785.dumps(payload)).hexdigest()


def submit_message(
    *,
    actor: Actor,
    board: TrusteeBoard,
    round: str,
    payload: Any,
    now: datetime | None = None,
) -> CeremonyMessage:
    """Store the trustee's own message for the current round, once checked
    by the engine (refused with ``invalid_message`` and nothing written
    otherwise). One message per trustee and round, never replaced. When it
    completes the round, the round moves on at once."""
    seat = access.access_seat(Viewer.of(actor), board)
    if round not in Round.values:
        raise InvalidInput(_("Unknown round."), field="round")
    now = now or timezone.now()
    with transaction.atomic():
        board = _lock(board)
        if not board.in_ceremony:
            raise BoardState(_("This board has no ceremony under way."))
        if board.round != round:
            raise WrongRound(
                _("The current round is %(round)s.") % {"round": Round(board.round).label},
                field="round",
            )
        if CeremonyMessage.objects.filter(trustee=seat, round=round).exists():
            raise AlreadySubmitted()
        try:
            checked = _check_message(ceremony_of(board), board, seat, round, payload)
        except engine.MessageRejected as exc:
            raise InvalidMessage(
                _("The %(round)s message is not valid: %(detail)s")
                % {"round": Round(round).label, "detail": exc.detail},
                field="payload",
            ) from None
        message = CeremonyMessage.objects.create(
            board=board, trustee=seat, round=round, payload=checked, received_at=now
        )
        audit.record(
            actor=actor,
            action="trustee_board.message_received",
            target=board,
            data={"index": seat.index, "round": round, "sha256": _digest(checked)},
        )
    advance_ceremony(board=board, now=now)
    return message


# --- rounds and the outcome (the system) ------------------------------------------------


def _expected(board: TrusteeBoard, round_: str) -> set[int]:
    """Who is expected to send a message in ``round_``."""
    if round_ == Round.REVEAL:
        return set(selectors.payloads(board, Round.ANNOUNCE))
    return set(range(1, board.size + 1))


def _evaluate_locked(board: TrusteeBoard, now: datetime) -> str:
    ceremony = ceremony_of(board)
    result = engine.evaluate(
        ceremony,
        selectors.payloads(board, Round.ANNOUNCE),
        selectors.payloads(board, Round.REVEAL),
        selectors.payloads(board, Round.RESPOND),
    )
    board.round = ""
    board.round_deadline = None
    board.ended_at = now
    board.qualified = list(result.qualified)
    board.faults = {str(i): list(codes) for i, codes in sorted(result.faults.items())}
    if result.ok:
        board.state = State.ACTIVE
        board.joint_key = result.joint_key
        board.verification_keys = list(result.verification_keys)
    else:
        board.state = State.FAILED
        board.failure = result.reason
    retiring: TrusteeBoard | None = None
    if result.ok and board.replaces_id is not None:
        retiring = (
            TrusteeBoard.objects.select_for_update()
            .filter(pk=board.replaces_id, state=State.ACTIVE)
            .first()
        )
        if retiring is not None:
            retiring.state = State.RETIRED
            retiring.retired_at = now
            retiring.save(update_fields=["state", "retired_at"])
            audit.record(
                actor=SYSTEM,
                action="trustee_board.retired",
                target=retiring,
                data={"renewed_by": board.pk},
            )
    board.save()
    audit.record(
        actor=SYSTEM,
        action="trustee_board.activated" if result.ok else "trustee_board.failed",
        target=board,
        data={
            "joint_key": board.joint_key,
            "qualified": board.qualified,
            "failure": board.failure,
            "faults": board.faults,
        },
    )
    return board.state


def _advance_locked(board: TrusteeBoard, now: datetime) -> str:
    """Move ``board`` (locked) on if its round is complete or overdue; return
    what happened ("" for nothing)."""
    if not board.in_ceremony or board.round_deadline is None:
        return ""
    sent = set(selectors.payloads(board, board.round))
    complete = _expected(board, board.round) <= sent
    if not complete and board.round_deadline > now:
        return ""
    if board.round == Round.RESPOND:
        return _evaluate_locked(board, now)
    ceremony = ceremony_of(board)
    dealers = len(sent)
    if not engine.dealers_suffice(ceremony, dealers):
        return _evaluate_locked(board, now)
    previous = board.round
    board.round = Round.REVEAL if previous == Round.ANNOUNCE else Round.RESPOND
    board.round_deadline = now + timedelta(hours=board.round_hours)
    board.save(update_fields=["round", "round_deadline"])
    audit.record(
        actor=SYSTEM,
        action="trustee_board.round_opened",
        target=board,
        data={
            "round": board.round,
            "after": previous,
            "complete": complete,
            "round_deadline": board.round_deadline.isoformat(),
        },
    )
    return board.round


def advance_ceremony(*, board: TrusteeBoard, now: datetime) -> str:
    """Take the step a board's ceremony is due for, if any, as ``SYSTEM``:
    the next round when every expected message arrived or the deadline
    passed, and the evaluation after the last round (or as soon as too few
    dealers remain). Safe to call concurrently: decided under the board's
    row lock."""
    with transaction.atomic():
        locked = (
            TrusteeBoard.objects.select_for_update(of=("self",))
            .filter(pk=board.pk, state=State.CEREMONY)
            .first()
        )
        if locked is None:
            return ""
        return _advance_locked(locked, now)


def advance_due_ceremonies(*, now: datetime) -> int:
    """The scheduler's pass: advance every ceremony whose round deadline has
    passed, each in its own transaction. Returns how many moved."""
    due: QuerySet[TrusteeBoard] = TrusteeBoard.objects.filter(
        state=State.CEREMONY, round_deadline__lte=now
    ).order_by("round_deadline", "pk")
    moved = 0
    for board in due[:BATCH]:
        if advance_ceremony(board=board, now=now):
            moved += 1
    return moved
