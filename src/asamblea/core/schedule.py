"""Timed transitions of apps above ``voting``, run by ``manage.py run_scheduler``.

The scheduler command lives in ``voting``, below the apps that may have timed
transitions of their own (``pledges``). Such an app registers a pass here from
its ``AppConfig.ready``; the command runs every registered pass after its own,
with the same ``now``. A pass returns a short line for the log, or "" when it
did nothing, and must be safe to run in several processes at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

Pass = Callable[[datetime], str]

_PASSES: dict[str, Pass] = {}


def register_pass(name: str, fn: Pass) -> None:
    """Run ``fn(now)`` in every scheduler pass (registering a name again
    replaces its pass)."""
    _PASSES[name] = fn


def run_passes(now: datetime) -> list[str]:
    """Run every registered pass in the order registered; their log lines."""
    return [line for fn in list(_PASSES.values()) if (line := fn(now))]
