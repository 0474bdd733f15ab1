"""Shared builders for the voting tests."""

from __future__ import annotations

import pytest

from asamblea.core.models import AuditEntry
from asamblea.voting import services
from asamblea.voting.models import Ballot, ElectorateEntry, Poll, PollResult, VoteLedger
from asamblea.voting.spec import PollSpec


def make_poll(actor, node, *, motion=None, amendment=None, **settings) -> Poll:
    """A draft poll; ``settings`` are PollSpec fields (options may be a list)."""
    settings.setdefault("question", "¿Marchamos el jueves?")
    if settings.get("options") is not None:
        settings["options"] = tuple(settings["options"])
    else:
        settings.pop("options", None)
    return services.create_poll(
        actor=actor, node=node, spec=PollSpec(**settings), motion=motion, amendment=amendment
    )


def open_poll(actor, node, **kwargs) -> Poll:
    poll = make_poll(actor, node, **kwargs)
    return services.open_poll(actor=actor, poll=poll)


def snapshot() -> dict[str, int]:
    """Row counts of everything a voting service may write."""
    return {
        "polls": Poll.objects.count(),
        "ballots": Ballot.objects.count(),
        "ledger": VoteLedger.objects.count(),
        "electorate": ElectorateEntry.objects.count(),
        "results": PollResult.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


@pytest.fixture
def db_snapshot():
    return snapshot
