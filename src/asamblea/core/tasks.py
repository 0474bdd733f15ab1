"""One interface for heavy work (verifying ballots, tallying, exports).

``map_tasks(fn, items)`` runs ``fn`` over ``items`` either in a local process
pool (the default, ``ASAMBLEA_TASK_BACKEND=local``) or on Celery workers
(``ASAMBLEA_TASK_BACKEND=celery`` with ``ASAMBLEA_BROKER_URL``), so that a large
job spreads over as many machines as the operator runs workers on.

Only functions registered by name with ``@task("app.name")`` can run: a Celery
message carries that name and JSON arguments, and a worker looks the name up in
this registry and nowhere else. A message naming anything else (an unregistered
task, ``os:system``) is refused, so reaching the broker does not let anyone run
arbitrary code. Items and results must therefore be JSON values (tuples come
back as lists from Celery workers).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

from django.conf import settings

from asamblea.core.celery_app import app as celery

T = TypeVar("T")
R = TypeVar("R")
F = TypeVar("F", bound=Callable[..., Any])

_REGISTRY: dict[str, Callable[[Any], Any]] = {}


class UnknownTask(LookupError):
    """A task name that is not in the registry."""


def task(name: str) -> Callable[[F], F]:
    """Register a module-level function under ``name`` (one name, one function)."""

    def register(fn: F) -> F:
        existing = _REGISTRY.get(name)
        if existing is not None and existing is not fn:
            raise ValueError(f"task name {name!r} is already registered")
        _REGISTRY[name] = fn
        fn.task_name = name  # type: ignore[attr-defined]
        return fn

    return register


def registered(name: str) -> Callable[[Any], Any]:
    """The function registered under ``name``; ``UnknownTask`` otherwise."""
    if not isinstance(name, str) or name not in _REGISTRY:
        raise UnknownTask(f"no task is registered as {name!r}")
    return _REGISTRY[name]


def name_of(fn: Callable[..., Any]) -> str:
    """The registered name of ``fn``; ``UnknownTask`` if it was never registered."""
    name = getattr(fn, "task_name", None)
    if not isinstance(name, str) or _REGISTRY.get(name) is not fn:
        raise UnknownTask(f"{fn!r} is not a registered task")
    return name


@celery.task(name="asamblea.run")
def run(name: str, item: Any) -> Any:
    """Worker side of ``map_tasks``: run the task registered as ``name``."""
    return registered(name)(item)


def _run_on_workers(name: str, items: list[Any], *, timeout: float = 3600) -> list[Any]:
    pending = [run.delay(name, item) for item in items]
    return [p.get(timeout=timeout) for p in pending]


def map_tasks(fn: Callable[[T], R], items: Iterable[T], *, jobs: int | None = None) -> list[R]:
    """``[fn(item) for item in items]``, in order, on the configured backend.

    ``fn`` must be registered with ``@task``; ``jobs`` caps the local pool.
    """
    name = name_of(fn)
    backend = settings.ASAMBLEA_TASK_BACKEND
    work = list(items)
    if backend == "celery":
        return _run_on_workers(name, work)
    if backend != "local":
        raise ValueError(f"unknown task backend {backend!r}")
    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or len(work) <= 1:
        return [fn(item) for item in work]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(fn, work))
