"""Celery wiring for the task runner (``asamblea.core.tasks``).

Start workers with ``celery -A asamblea.core.celery_app worker`` and set
``ASAMBLEA_TASK_BACKEND=celery`` and ``ASAMBLEA_BROKER_URL`` (Redis or RabbitMQ).

Messages and results are JSON only: a worker refuses pickle (or any other
content type) before decoding it, since unpickling runs code of the sender's
choosing. The one task, ``asamblea.run``, calls only functions registered by
name in ``asamblea.core.tasks``. Workers import ``asamblea.core.tasks``, the
tally's sums (``asamblea.voting.encrypted.summing``) and the modules listed in
``ASAMBLEA_TASK_MODULES`` (comma-separated), which register the tasks.
"""

from __future__ import annotations

import os
from typing import Any

import django
from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asamblea.config.settings")

_BROKER = os.environ.get("ASAMBLEA_BROKER_URL", "redis://127.0.0.1:6379/0")
TASK_MODULES = [
    "asamblea.core.tasks",
    "asamblea.voting.encrypted.summing",  # the sums of encrypted polls' tallies
    *(m.strip() for m in os.environ.get("ASAMBLEA_TASK_MODULES", "").split(",") if m.strip()),
]

app = Celery("asamblea")
app.conf.update(
    broker_url=_BROKER,
    result_backend=os.environ.get("ASAMBLEA_RESULT_BACKEND", _BROKER),
    task_default_queue=os.environ.get("ASAMBLEA_TASK_QUEUE", "asamblea"),
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    result_accept_content=["json"],
    imports=TASK_MODULES,
)


@signals.import_modules.connect
def _setup_django(**_: Any) -> None:
    # Task modules import models: the worker sets Django up before importing them.
    django.setup()
