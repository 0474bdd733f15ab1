"""Celery wiring for the task runner.

Start workers with ``celery -A asamblea.core.celery_app worker`` and set
``ASAMBLEA_TASK_BACKEND=celery`` and ``ASAMBLEA_BROKER_URL`` (Redis or RabbitMQ).
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import django
from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asamblea.config.settings")

_BROKER = os.environ.get("ASAMBLEA_BROKER_URL", "redis://127.0.0.1:6379/0")

app = Celery("asamblea")
app.conf.broker_url = _BROKER
app.conf.result_backend = os.environ.get("ASAMBLEA_RESULT_BACKEND", _BROKER)
# Tasks carry only a function name and picklable arguments produced by this code.
app.conf.task_serializer = "pickle"
app.conf.result_serializer = "pickle"
app.conf.accept_content = ["pickle"]


@worker_process_init.connect
def _setup_django(**_: Any) -> None:
    django.setup()


def resolve(name: str) -> Any:
    module_name, _, attr = name.partition(":")
    return getattr(importlib.import_module(module_name), attr)


@app.task(name="asamblea.run")
def run(name: str, item: Any) -> Any:
    return resolve(name)(item)


def run_many(name: str, items: list[Any], *, timeout: float = 3600) -> list[Any]:
    pending = [run.delay(name, item) for item in items]
    return [p.get(timeout=timeout) for p in pending]
