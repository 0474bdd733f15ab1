from __future__ import annotations

import os

import pytest

from asamblea.core.tasks import map_tasks


def square_with_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def test_local_backend_maps_in_order_across_processes(settings):
    settings.ASAMBLEA_TASK_BACKEND = "local"
    results = map_tasks(square_with_pid, range(6), jobs=2)
    assert [value for value, _pid in results] == [0, 1, 4, 9, 16, 25]
    assert all(pid != os.getpid() for _value, pid in results)


def test_one_job_runs_in_this_process(settings):
    settings.ASAMBLEA_TASK_BACKEND = "local"
    results = map_tasks(square_with_pid, [3], jobs=1)
    assert results == [(9, os.getpid())]


def test_unknown_backend_is_refused(settings):
    settings.ASAMBLEA_TASK_BACKEND = "carrier-pigeon"
    with pytest.raises(ValueError, match="carrier-pigeon"):
        map_tasks(square_with_pid, [1, 2])
