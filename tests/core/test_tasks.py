from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis

from asamblea.core import celery_app, tasks
from asamblea.core.tasks import UnknownTask, map_tasks, registered, task
from tests.core.celery_tasks import square_with_pid

REPO = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/13"


def not_registered(n: int) -> int:
    return n


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


def test_the_local_pool_is_the_default():
    from django.conf import settings

    assert settings.ASAMBLEA_TASK_BACKEND == "local"


def test_an_unregistered_function_cannot_be_mapped(settings):
    settings.ASAMBLEA_TASK_BACKEND = "local"
    with pytest.raises(UnknownTask):
        map_tasks(not_registered, [1])


@pytest.mark.parametrize(
    "name",
    [
        "os:system",
        "builtins:eval",
        "subprocess:run",
        "tests.core.test_tasks:not_registered",
        "asamblea.core.tasks:registered",
        "",
        "tests.square_with_pid ",
    ],
)
def test_the_dispatcher_runs_only_registered_names(name):
    with pytest.raises(UnknownTask):
        tasks.run(name, "echo pwned")
    assert tasks.run("tests.square_with_pid", 4)[0] == 16


def test_a_name_registers_one_function_only():
    with pytest.raises(ValueError, match="already registered"):
        task("tests.square_with_pid")(not_registered)
    assert registered("tests.square_with_pid") is square_with_pid


def test_celery_speaks_json_only():
    conf = celery_app.app.conf
    assert conf.task_serializer == "json"
    assert conf.result_serializer == "json"
    assert list(conf.accept_content) == ["json"]
    assert list(conf.result_accept_content) == ["json"]


class _OpensAFile:
    """Unpickling this creates a file: what a pickle payload on the broker could do."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (str(self.path), "w"))


@pytest.fixture
def worker(tmp_path):
    """A real Celery worker on the local Redis (its own database and queue)."""
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        pytest.fail("the tests need Redis at 127.0.0.1:6379")
    queue = f"asamblea-test-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "ASAMBLEA_BROKER_URL": REDIS_URL,
        "ASAMBLEA_TASK_QUEUE": queue,
        "ASAMBLEA_TASK_MODULES": "tests.core.celery_tasks",
        "ASAMBLEA_INSTANCE_DIR": str(tmp_path / "instance"),
        "PYTHONPATH": str(REPO),
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "asamblea.core.celery_app",
            "worker",
            "--pool",
            "solo",
            "--without-mingle",
            "--without-gossip",
            "--loglevel",
            "INFO",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    app = celery_app.app
    saved = {k: app.conf[k] for k in ("broker_url", "result_backend", "task_default_queue")}
    app.conf.update(broker_url=REDIS_URL, result_backend=REDIS_URL, task_default_queue=queue)
    try:
        yield queue, tmp_path / "worker.log"
    finally:
        app.conf.update(saved)
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_a_real_worker_runs_registered_tasks_and_refuses_the_rest(settings, worker, tmp_path):
    queue, log = worker
    settings.ASAMBLEA_TASK_BACKEND = "celery"
    # Registered: runs on the worker (another process), results as JSON lists.
    results = tasks._run_on_workers("tests.square_with_pid", [2, 3], timeout=60)
    assert [r[0] for r in results] == [4, 9]
    assert all(r[1] != os.getpid() for r in results)
    assert [r[0] for r in map_tasks(square_with_pid, [5])] == [25]

    # A JSON message naming an arbitrary callable: refused, nothing run.
    marker = tmp_path / "ran"
    refused = tasks.run.delay("builtins:open", str(marker))
    with pytest.raises(UnknownTask):
        refused.get(timeout=60)

    # A pickle message: the worker refuses the content type before decoding it.
    payload = celery_app.app.send_task(
        "asamblea.run",
        args=["tests.square_with_pid", _OpensAFile(marker)],
        serializer="pickle",
        queue=queue,
    )
    deadline = time.monotonic() + 30
    while "disallowed" not in log.read_text().lower() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "disallowed" in log.read_text().lower(), log.read_text()
    assert not marker.exists()
    assert payload.state == "PENDING"  # never executed, never answered
    # The worker is still alive and serving registered tasks.
    assert tasks._run_on_workers("tests.square_with_pid", [6], timeout=60)[0][0] == 36
