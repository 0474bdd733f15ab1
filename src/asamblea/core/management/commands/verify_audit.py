from typing import Any

from django.core.management.base import BaseCommand, CommandError

from asamblea.core.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain and name the first broken entry."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"audit chain broken at entry #{report.first_broken_seq}: {report.reason} "
                f"({report.checked} entries verified before it)"
            )
        self.stdout.write(self.style.SUCCESS(f"audit chain intact: {report.checked} entries"))
