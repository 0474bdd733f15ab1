"""Open and close polls at their set times, sum the ballots of closed
encrypted polls whose tally is pending, and move trustee boards' key
ceremonies on when a round's deadline passes.

``manage.py run_scheduler`` loops until SIGTERM or SIGINT (finishing the pass
under way); ``--once`` runs a single pass (for cron or a systemd timer). This
is the only thing that opens and closes polls at their times: no web request
does. Several schedulers may run at once (see ``services.apply_schedule``).
See docs/operations.md for running it in production.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from asamblea.core import schedule
from asamblea.trustees import services as trustee_services
from asamblea.voting import services
from asamblea.voting.services import tally as tally_services

log = logging.getLogger("asamblea.scheduler")


class Command(BaseCommand):
    help = (
        "Open and close polls whose opening or closing time has come, and end"
        " key ceremony rounds whose deadline has passed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one pass and exit.")
        parser.add_argument(
            "--interval", type=int, default=30, help="Seconds between passes (default 30)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            self._pass()
            return
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        interval = max(1, options["interval"])
        self.stdout.write(f"scheduler: a pass every {interval} s; stop with Ctrl-C")
        while not stop.is_set():
            close_old_connections()
            try:
                self._pass()
            except DatabaseError:
                # A database restart or a lost connection: the next pass retries;
                # every transition is idempotent, so a half-done pass is harmless.
                log.exception("scheduler pass failed")
            stop.wait(interval)

    def _pass(self) -> None:
        now = timezone.now()
        run = services.apply_schedule(now=now)
        if run.opened or run.closed or run.cancelled:
            self.stdout.write(
                f"opened {run.opened}, closed {run.closed},"
                f" cancelled {run.cancelled} (nobody could vote)"
            )
        summed = tally_services.sum_pending_tallies()
        if summed:
            self.stdout.write(f"encrypted tallies summed: {summed}")
        moved = trustee_services.advance_due_ceremonies(now=now)
        if moved:
            self.stdout.write(f"key ceremonies moved on: {moved}")
        for line in schedule.run_passes(now):
            self.stdout.write(line)
