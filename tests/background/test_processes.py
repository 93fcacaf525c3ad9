"""Real worker processes (manage.py run_worker) on a database the test shares with them: a worker
killed in the middle of a task, workers side by side, a worker asked to stop.

On PostgreSQL the workers take tasks with SELECT ... FOR UPDATE SKIP LOCKED; on SQLite (a file
here, since the test database is in memory) with an exclusive transaction.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection

from background.models import BackgroundTask
from tests.background.tasks import hold_until_released, record_run

ROOT = Path(django_settings.BASE_DIR)
LEASE_SECONDS = 3

pytestmark = pytest.mark.django_db(transaction=True)


def database_url() -> str:
    s = connection.settings_dict
    credentials = quote(s["USER"]) + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
    return f"postgres://{credentials}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def shared_database(transactional_db, settings, tmp_path):
    """The database of this test, reachable by the worker processes it starts; yields their
    environment. Tasks enqueued here go to the database queue."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.background.settings",
        "TASKS_LEASE_SECONDS": str(LEASE_SECONDS),
        "PYTHONUNBUFFERED": "1",
    }
    if connection.vendor == "postgresql":
        yield {**env, "DATABASE_URL": database_url()}
        return
    # SQLite: the test database lives in this process's memory. Copy it (migrated, empty) to a
    # file, and point this process's connection at the file until the test ends, keeping the
    # in-memory one open meanwhile (closing its last connection would destroy it).
    path = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(path) as copy:
        connection.connection.backup(copy)
    in_memory, name = connection.connection, connection.settings_dict["NAME"]
    connection.connection = None
    connection.settings_dict["NAME"] = str(path)
    try:
        yield {**env, "DATABASE_URL": f"sqlite:///{path}"}
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = in_memory


class Workers:
    """Worker processes started by one test, each logging to a file; all stopped at the end."""

    def __init__(self, env: dict, folder: Path) -> None:
        self.env = env
        self.folder = folder
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, worker_id: str, *options: str) -> subprocess.Popen:
        command = [sys.executable, "manage.py", "run_worker", "--no-reload", "--interval", "0.1"]
        with (self.folder / f"{worker_id}.log").open("w") as log:
            process = subprocess.Popen(
                [*command, "--worker-id", worker_id, *options],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.processes[worker_id] = process
        return process

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text()

    def logs(self) -> str:
        return "\n".join(
            f"--- {name}\n{(self.folder / f'{name}.log').read_text()}" for name in self.processes
        )

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)


@pytest.fixture
def workers(shared_database, tmp_path):
    started = Workers(shared_database, tmp_path)
    yield started
    started.stop_all()


def wait_for(condition, *, seconds: float, what: str, workers: Workers) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds} s for {what}\n{workers.logs()}")
        time.sleep(0.05)


def lines(path: Path) -> list[list[str]]:
    return [line.split() for line in path.read_text().splitlines()] if path.exists() else []


def test_a_task_whose_worker_is_killed_is_run_by_another_after_the_lease(workers, tmp_path):
    log, release = tmp_path / "runs.log", tmp_path / "release"
    result = hold_until_released.enqueue(log=str(log), release=str(release))
    first = workers.start("first")
    wait_for(lambda: lines(log), seconds=30, what="the first worker to start", workers=workers)

    first.kill()  # SIGKILL: no goodbye, the task stays RUNNING in the database
    first.wait(timeout=10)
    task = BackgroundTask.objects.get(pk=result.id)
    assert task.status == "RUNNING" and task.worker_ids == ["first"]
    release.touch()  # the next run finishes at once
    workers.start("second")
    wait_for(
        lambda: BackgroundTask.objects.get(pk=result.id).status == "SUCCESSFUL",
        seconds=LEASE_SECONDS + 30,
        what="the second worker to take the abandoned task",
        workers=workers,
    )

    task = BackgroundTask.objects.get(pk=result.id)
    assert task.worker_ids == ["first", "second"]
    (started_first, first_pid, at_first), (started_again, second_pid, at_second), finished = lines(
        log
    )
    assert started_first == started_again == "started" and finished[0] == "finished"
    assert first_pid != second_pid
    # Not before the lease ran out; soon after (the worker looks every quarter of a lease).
    waited = float(at_second) - float(at_first)
    assert LEASE_SECONDS <= waited < LEASE_SECONDS + 15, workers.logs()


def test_workers_side_by_side_run_every_task_exactly_once(workers, tmp_path):
    log = tmp_path / "runs.log"
    names = ["w0", "w1", "w2"]
    processes = [workers.start(name) for name in names]
    wait_for(
        lambda: all(f"worker {name} started" in workers.log(name) for name in names),
        seconds=60,
        what="three workers to start",
        workers=workers,
    )
    numbers = range(60)
    for number in numbers:  # while the three are polling the queue
        record_run.enqueue(log=str(log), number=number, hold=0.02)
    wait_for(
        lambda: BackgroundTask.objects.filter(status="SUCCESSFUL").count() == len(numbers),
        seconds=120,
        what="every task to run",
        workers=workers,
    )

    runs = Counter(int(number) for number, _pid in lines(log))
    assert runs == Counter(numbers), workers.logs()  # each ran, and only once
    tasks = list(BackgroundTask.objects.all())
    assert all(len(task.worker_ids) == 1 for task in tasks)  # taken once, by one worker
    by_worker = Counter(task.worker_ids[0] for task in tasks)
    assert len(by_worker) >= 2, by_worker  # they really did share the queue
    for process in processes:
        process.send_signal(signal.SIGTERM)
    assert [process.wait(timeout=30) for process in processes] == [0, 0, 0]


def test_a_worker_asked_to_stop_finishes_its_task_first(workers, tmp_path):
    log, release = tmp_path / "runs.log", tmp_path / "release"
    result = hold_until_released.enqueue(log=str(log), release=str(release))
    worker = workers.start("polite")
    wait_for(lambda: lines(log), seconds=30, what="the worker to start", workers=workers)

    worker.send_signal(signal.SIGTERM)  # what systemd and most platforms send first
    time.sleep(0.5)
    assert worker.poll() is None  # still at it
    release.touch()

    assert worker.wait(timeout=30) == 0
    task = BackgroundTask.objects.get(pk=result.id)
    assert task.status == "SUCCESSFUL" and task.worker_ids == ["polite"]


def test_a_worker_told_twice_stops_at_once_and_gives_the_task_back(workers, tmp_path):
    log, release = tmp_path / "runs.log", tmp_path / "release"
    result = hold_until_released.enqueue(log=str(log), release=str(release))
    worker = workers.start("hasty")
    wait_for(lambda: lines(log), seconds=30, what="the worker to start", workers=workers)

    worker.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    worker.send_signal(signal.SIGTERM)

    assert worker.wait(timeout=30) == 1
    task = BackgroundTask.objects.get(pk=result.id)
    assert task.status == "READY" and task.worker_ids == ["hasty"]  # any worker takes it now
