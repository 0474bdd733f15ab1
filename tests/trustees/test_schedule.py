"""The scheduler ends overdue ceremony rounds; nothing else does by the clock."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from asamblea.core.actors import SYSTEM
from asamblea.core.models import AuditEntry
from asamblea.trustees import services
from asamblea.trustees.models import BoardState, Round, TrusteeBoard

from .conftest import devices_for


def test_run_scheduler_ends_an_overdue_round(fed, ready):
    long_ago = timezone.now() - timedelta(hours=ready.board.round_hours + 1)
    board = services.start_ceremony(actor=SYSTEM, board=ready.board, now=long_ago)
    devices = devices_for(ready)
    services.submit_message(
        actor=fed.secretary,
        board=board,
        round=Round.ANNOUNCE,
        payload=devices[1].announce().to_json(),
        now=long_ago,
    )
    out = StringIO()
    call_command("run_scheduler", "--once", stdout=out)
    assert "key ceremonies moved on: 1" in out.getvalue()
    board = TrusteeBoard.objects.get(pk=board.pk)
    # One of three announced: fewer dealers than the threshold of two.
    assert board.state == BoardState.FAILED
    assert board.faults["2"][0] == "not-announced"
    assert board.faults["3"][0] == "not-announced"
    entry = AuditEntry.objects.filter(action="trustee_board.failed").get()
    assert entry.actor_label == "system"


def test_a_board_page_request_does_not_move_an_overdue_round(fed, ready, client_for):
    long_ago = timezone.now() - timedelta(hours=ready.board.round_hours + 1)
    board = services.start_ceremony(actor=SYSTEM, board=ready.board, now=long_ago)
    client_for(fed.member).get(f"/trustees/boards/{board.pk}/")
    client_for(fed.member).get(f"/api/v1/trustees/boards/{board.pk}")
    board = TrusteeBoard.objects.get(pk=board.pk)
    assert board.state == BoardState.CEREMONY
    assert board.round == Round.ANNOUNCE
