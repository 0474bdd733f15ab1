from typing import Any

from django.core.management.base import BaseCommand

from asamblea.demo.data import load_demo


class Command(BaseCommand):
    help = "Load the Spanish demo federation (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        world = load_demo()
        if world is None:
            self.stdout.write("Demo data already loaded; nothing to do.")
            return
        members = sum(len(v) for v in world.members.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded: {len(world.committees)} committees, {members} members."
            )
        )
