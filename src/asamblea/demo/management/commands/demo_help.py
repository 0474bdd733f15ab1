from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from asamblea.demo.data import DEMO_ACCOUNTS, DEMO_PASSWORD
from asamblea.incidents.demo import DEMO_PASSPHRASES


class Command(BaseCommand):
    help = "Print where the demo is served and how to log in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args: Any, **options: Any) -> None:
        url = options["url"]
        self.stdout.write(f"asamblea demo: open {url}")
        self.stdout.write(
            f"Log in at {url}accounts/login/ with any of these (password: {DEMO_PASSWORD}):"
        )
        for pseudonym, what in DEMO_ACCOUNTS:
            self.stdout.write(f"  {pseudonym:<12} {what}")
        self.stdout.write(
            "The incident register of Comité Santa Bárbara (fictional examples) opens with"
            f" the register passphrase '{DEMO_PASSPHRASES[0]}' (rosa) or"
            f" '{DEMO_PASSPHRASES[1]}' (delegado)."
        )
        self.stdout.write(f"Operators also reach the admin at {url}admin/")
        self.stdout.write("Stop the server with Ctrl+C.")
