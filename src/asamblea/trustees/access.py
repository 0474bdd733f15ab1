"""Who may see and act on which trustee board.

| action                                   | who                                        |
|------------------------------------------|--------------------------------------------|
| see a board, its trustees, its transcript | anyone who sees the node (federation.access) |
| create, renew, appoint, start            | the node's managers (``may_manage``: a       |
|                                          | committee's secretaries, operators), and     |
|                                          | the system (management commands)            |
| register a key, confirm the key file,    | the trustee themself, nobody else (not an    |
| send a round's message                   | operator, not the system)                    |
| advance a round, evaluate                | the system (the scheduler)                   |

Unknown and invisible boards look the same (``NotFound``).
"""

from __future__ import annotations

from typing import Literal

from django.utils.translation import gettext_lazy as _

from asamblea.core.errors import Forbidden, NotFound
from asamblea.federation import access as federation_access
from asamblea.federation.access import MAX_ID, Viewer
from asamblea.federation.models import Node
from asamblea.trustees.errors import NotTrustee
from asamblea.trustees.models import Trustee, TrusteeBoard

BoardAction = Literal["read", "manage"]

MANAGERS_ONLY = _("Only the node's managers may do this.")


def may_see_board(viewer: Viewer, board: TrusteeBoard) -> bool:
    return federation_access.may_see(viewer, board.node)


def may_manage_node_boards(viewer: Viewer, node: Node) -> bool:
    """Create, renew, appoint and start: the node's managers and the system."""
    return viewer.is_system or federation_access.may_manage(viewer, node)


def check_manage(viewer: Viewer, node: Node) -> None:
    """``NotFound`` if ``node`` is invisible, ``Forbidden`` if not a manager."""
    if not federation_access.may_see(viewer, node):
        raise NotFound()
    if not may_manage_node_boards(viewer, node):
        raise Forbidden(MANAGERS_ONLY)


def access_board(viewer: Viewer, board_id: int, *, to: BoardAction = "read") -> TrusteeBoard:
    """The board ``board_id`` if ``viewer`` may ``to`` it."""
    if not 0 < board_id <= MAX_ID:
        raise NotFound()
    board = TrusteeBoard.objects.select_related("node").filter(pk=board_id).first()
    if board is None or not may_see_board(viewer, board):
        raise NotFound()
    if to == "manage":
        check_manage(viewer, board.node)
    return board


def seat_of(viewer: Viewer, board: TrusteeBoard) -> Trustee | None:
    """The viewer's own seat on ``board``, if they hold one."""
    if viewer.member is None:
        return None
    return Trustee.objects.filter(board=board, member=viewer.member).first()


def access_seat(viewer: Viewer, board: TrusteeBoard) -> Trustee:
    """The viewer's seat, for the steps only a trustee takes (``NotTrustee``
    otherwise, after ``NotFound`` for an invisible board)."""
    if not may_see_board(viewer, board):
        raise NotFound()
    seat = seat_of(viewer, board)
    if seat is None:
        raise NotTrustee()
    return seat
