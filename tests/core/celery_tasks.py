"""Tasks registered for the task-runner tests (workers import this module)."""

from __future__ import annotations

import os

from asamblea.core.tasks import task


@task("tests.square_with_pid")
def square_with_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()
