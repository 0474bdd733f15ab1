"""One interface for heavy work (verifying ballots, tallying, exports).

``map_tasks(fn, items)`` runs ``fn`` over ``items`` either in a local process
pool (the default, ``ASAMBLEA_TASK_BACKEND=local``) or on Celery workers
(``ASAMBLEA_TASK_BACKEND=celery`` with ``ASAMBLEA_BROKER_URL``), so that a large
job spreads over as many machines as the operator runs workers on. ``fn`` must be
a module-level function whose arguments and result pickle.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

from django.conf import settings

from asamblea.core import celery_app

T = TypeVar("T")
R = TypeVar("R")


def _qualified_name(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}:{fn.__qualname__}"


def map_tasks(fn: Callable[[T], R], items: Iterable[T], *, jobs: int | None = None) -> list[R]:
    backend = settings.ASAMBLEA_TASK_BACKEND
    work = list(items)
    if backend == "celery":
        return list(celery_app.run_many(_qualified_name(fn), work))
    if backend != "local":
        raise ValueError(f"unknown task backend {backend!r}")
    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or len(work) <= 1:
        return [fn(item) for item in work]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(fn, work))
