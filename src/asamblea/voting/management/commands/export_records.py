"""Write the election record of every closed encrypted poll.

``manage.py export_records DIR`` writes ``DIR/<poll id>.zip`` for each, for
archives and outside verifiers. Until the tally is made, a record is partial
(no ``tally.json``; see ``voting.encrypted.selectors.write_record``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from asamblea.voting.encrypted import selectors


class Command(BaseCommand):
    help = "Write DIR/<poll id>.zip, the election record of every closed encrypted poll."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        directory.mkdir(parents=True, exist_ok=True)
        count = 0
        for election in selectors.closed_elections():
            target = directory / f"{election.poll_id}.zip"
            partial = target.with_name(f".{target.name}.tmp.zip")
            selectors.write_record(election, partial)
            os.replace(partial, target)  # never a half-written record under its name
            count += 1
        self.stdout.write(f"{count} record(s) written to {directory}")
