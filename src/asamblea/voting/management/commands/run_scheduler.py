"""Open and close polls at their set times: ``manage.py run_scheduler`` loops,
``--once`` runs a single pass (for cron). Poll pages also do this lazily, so
the loop only matters for polls nobody looks at when their time comes."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from asamblea.voting import services


class Command(BaseCommand):
    help = "Open and close polls whose opening or closing time has come."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one pass and exit.")
        parser.add_argument(
            "--interval", type=int, default=30, help="Seconds between passes (default 30)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            opened, closed = services.apply_schedule(now=timezone.now())
            if opened or closed:
                self.stdout.write(f"opened {opened}, closed {closed}")
            if options["once"]:
                return
            time.sleep(max(1, options["interval"]))
