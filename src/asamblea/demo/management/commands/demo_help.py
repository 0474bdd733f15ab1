from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from asamblea.demo.data import DEMO_ACCOUNTS, DEMO_PASSWORD
from asamblea.demo.encrypted import TRUSTEE_PASSPHRASES, key_dir
from asamblea.incidents.demo import DEMO_PASSPHRASES
from asamblea.trustees.models import TrusteeBoard


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
        folder = key_dir()
        self.stdout.write(
            "Zone Juliaca has a standing trustee board (2 of 3): secretaria, rosa and"
            " delegado. Their demo key files are in"
            f" {folder}/, with the passphrases "
            + ", ".join(f"'{p}' (trustee {i})" for i, p in enumerate(TRUSTEE_PASSPHRASES, 1))
            + "."
        )
        board = TrusteeBoard.objects.filter(state="active").order_by("pk").first()
        board_id = "BOARD" if board is None else str(board.pk)
        if board is not None:
            self.stdout.write(
                "Once an encrypted poll of the zone closes, each trustee decrypts on their"
                f" page, {url}trustees/boards/{board_id}/me/, with their key file, or with:"
            )
        else:
            self.stdout.write("A trustee answers a waiting tally with:")
        self.stdout.write(
            f"  secret-ballot trustee decrypt --url {url}api/v1/ --token TOKEN"
            f" --board {board_id} --key-file FILE"
        )
        self.stdout.write(f"Operators also reach the admin at {url}admin/")
        self.stdout.write("Stop the server with Ctrl+C.")
