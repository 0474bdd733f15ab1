"""``manage.py verify_audit [--expect SEQ:HASH ...]``.

Exit status: 0 intact (and every expected head found), 1 broken or an expected
head not found, 2 malformed input."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from asamblea.core.audit import check_head, parse_head, verify_chain


class Command(BaseCommand):
    help = (
        "Verify the audit log's hash chain and name the first broken entry. With "
        "--expect SEQ:HASH (repeatable), also confirm that a head published earlier "
        "(on a results page, in minutes) is still part of today's chain."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--expect",
            action="append",
            default=[],
            metavar="SEQ:HASH",
            help="a head published earlier, e.g. 42:3f5a... (64 hexadecimal digits)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        expected: list[tuple[int, str]] = []
        for text in options["expect"]:
            try:
                expected.append(parse_head(text))
            except ValueError as exc:
                raise CommandError(f"--expect: {exc}", returncode=2) from None
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"audit chain broken at entry #{report.first_broken_seq}: {report.reason} "
                f"({report.checked} entries verified before it)"
            )
        problems = [
            f"head {seq}:{entry_hash} not found: {reason}"
            for seq, entry_hash in expected
            if (reason := check_head(seq=seq, entry_hash=entry_hash))
        ]
        if problems:
            raise CommandError(
                "audit chain intact by itself, but it does not extend every head "
                "published earlier; it has been rewritten.\n" + "\n".join(problems)
            )
        message = f"audit chain intact: {report.checked} entries"
        if expected:
            message += f"; {len(expected)} published head(s) found unchanged"
        self.stdout.write(self.style.SUCCESS(message))
