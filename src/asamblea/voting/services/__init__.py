"""Writes to polls: the voting app's public services.

Callers outside this package import from here; each service lives in the
module of its concern:

- ``polls``: :func:`create_poll` (draft polls and their options);
- ``lifecycle``: :func:`open_poll`, :func:`close_poll`, :func:`cancel_poll`
  (``electorate`` freezes who may vote when a poll opens);
- ``casting``: :func:`cast_ballot`, :func:`resolve_choice`;
- ``motion_votes``: :func:`open_motion_vote`;
- ``recalls``: :func:`start_recall`;
- ``schedule``: :func:`apply_schedule` (run by ``manage.py run_scheduler``).

Each service checks permission first (``voting.access``, through
``permissions.check_poll``), owns its transaction and appends to the audit log
inside it. ``actor`` is a member or ``core.actors.SYSTEM``: the scheduler may
open, close and cancel polls (and what a closed poll decides follows from the
close); the system never creates a poll, votes, or starts a recall.
"""

from asamblea.voting.services.casting import BallotReceipt, cast_ballot, resolve_choice
from asamblea.voting.services.lifecycle import cancel_poll, close_poll, open_poll
from asamblea.voting.services.motion_votes import open_motion_vote
from asamblea.voting.services.polls import DESCRIPTION_MAX, create_poll
from asamblea.voting.services.recalls import REASON_MAX, start_recall
from asamblea.voting.services.schedule import ScheduleRun, apply_schedule

__all__ = [
    "DESCRIPTION_MAX",
    "REASON_MAX",
    "BallotReceipt",
    "ScheduleRun",
    "apply_schedule",
    "cancel_poll",
    "cast_ballot",
    "close_poll",
    "create_poll",
    "open_motion_vote",
    "open_poll",
    "resolve_choice",
    "start_recall",
]
