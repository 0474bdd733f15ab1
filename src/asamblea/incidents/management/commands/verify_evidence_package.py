"""``manage.py verify_evidence_package FILE``: check an evidence package
(hashes, custody chains, time-stamp tokens) without the database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from asamblea.incidents.package import verify_package


class Command(BaseCommand):
    help = "Check an evidence package: SHA256SUMS, custody chains and time-stamp tokens."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("package", help="the package's .zip file")

    def handle(self, *args: Any, **options: Any) -> None:
        problems = verify_package(str(options["package"]))
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(problems)} problem(s): the package does not check out")
        self.stdout.write("OK: every hash, custody chain and time-stamp checks out")
