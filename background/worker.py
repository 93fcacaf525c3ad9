"""The worker: takes tasks from the database queue one at a time and runs them.

`manage.py run_worker` runs one; run as many as you like, on as many machines, against the same
database. What it adds to django-tasks-db's own worker (whose row model and claiming it uses):

- a task that raises is retried after each of TASKS_RETRY_DELAYS, then stays FAILED;
- a task left RUNNING longer than TASKS_LEASE_SECONDS (its worker was killed) is put back in the
  queue, by whichever worker notices first;
- a database outage is waited out (the worker logs it and tries again) instead of ending it.

Taking a task is one short transaction: the oldest ready row is read with SELECT ... FOR UPDATE
SKIP LOCKED (PostgreSQL; SQLite takes the whole database for that instant) and marked RUNNING,
so two workers never take the same task. The task then runs outside any transaction.

Delivery is at least once: a worker killed after a task did its work (an e-mail left) but before
the row says so runs it again once the lease has passed.
"""

import contextlib
import logging
import os
import signal
import socket
import time

from django.conf import settings
from django.db import DatabaseError, OperationalError, close_old_connections, connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskContext, TaskResultStatus
from django_tasks.signals import task_finished, task_started
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from background.models import BackgroundTask

logger = logging.getLogger(__name__)

# How often a worker looks for abandoned tasks: a query over the RUNNING rows, cheap but not
# worth making on every poll.
LEASE_CHECK_SECONDS = 30


def _is_locked(error: DatabaseError) -> bool:
    return isinstance(error, OperationalError) and is_locked_database_exception(error)


def _drop_dead_connections() -> None:
    """As Django does between two requests: close the connections the database dropped (a
    restart) or older than CONN_MAX_AGE, so that the next query opens a fresh one. Not while a
    caller holds a transaction open on one (the worker run from code or a test, inside
    atomic()): that connection is not the worker's to close."""
    if not any(c.in_atomic_block for c in connections.all(initialized_only=True)):
        close_old_connections()


def new_worker_id() -> str:
    """Unique across the pool: the machine, the process, and a few random letters (a process
    id comes back after a restart). At most 64 characters, as django-tasks-db wants."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(6)}"


class Worker:
    def __init__(
        self,
        *,
        worker_id: str | None = None,
        queues: list[str] | None = None,
        backend: str = DEFAULT_TASK_BACKEND_ALIAS,
        interval: float = 1.0,
        lease_check_seconds: float = LEASE_CHECK_SECONDS,
    ) -> None:
        self.worker_id = worker_id or new_worker_id()
        self.queues = queues  # None: every queue
        self.backend = backend
        self.interval = interval
        # A task comes back at most a quarter of a lease after its lease ran out.
        self.lease_check_seconds = min(lease_check_seconds, settings.TASKS_LEASE_SECONDS / 4)
        self.running = False
        self.sleeping = False
        self._next_lease_check = 0.0

    # --- the loop ---------------------------------------------------------------------------------

    def run(self, *, batch: bool = False, handle_signals: bool = False) -> int:
        """Run tasks until stopped. With `handle_signals` (the process's main thread only),
        SIGTERM or SIGINT lets the task in hand finish first, and a second one stops at once,
        giving the task back. With `batch`, stop as soon as no task is ready. Returns how many
        tasks it ran."""
        if handle_signals:
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, self._stop)
        logger.info("worker %s started (queues: %s)", self.worker_id, self.queues or "all")
        self.running = True
        ran = 0
        while self.running:
            try:
                task = self.take_next()
                if task is not None:
                    self.run_task(task)
                    ran += 1
            except DatabaseError as error:
                if _is_locked(error):  # SQLite: another worker is taking a task this instant
                    time.sleep(0.05)
                    continue
                if batch:  # a one-off run reports it rather than waiting
                    raise
                # Down or restarting: wait and try again. A task taken but not recorded stays
                # RUNNING until its lease runs out, then runs again.
                logger.warning("worker %s: the database is unavailable (%s)", self.worker_id, error)
                self._sleep(max(self.interval, 2.0))
                continue
            if task is None:
                if batch:
                    break
                self._sleep(self.interval)
        logger.info("worker %s stopped after %s tasks", self.worker_id, ran)
        return ran

    def _sleep(self, seconds: float) -> None:
        self.sleeping = True
        try:
            time.sleep(seconds)
        finally:
            self.sleeping = False

    def _stop(self, signum, frame) -> None:
        if not self.running:  # told twice: stop now (run_task gives the task in hand back)
            raise SystemExit(1)
        logger.info("worker %s: stopping after the task in hand", self.worker_id)
        self.running = False
        if self.sleeping:  # nothing in hand
            raise SystemExit(0)

    # --- taking and running one task --------------------------------------------------------------

    def take_next(self) -> BackgroundTask | None:
        """Claim the next ready task (marked RUNNING, with this worker's id), or None. Looks
        for abandoned tasks first, every lease_check_seconds. Raises DatabaseError when the
        database is unavailable, or (SQLite) locked by another worker for longer than its
        timeout."""
        _drop_dead_connections()
        if time.monotonic() >= self._next_lease_check:
            requeued = BackgroundTask.objects.requeue_abandoned(now=timezone.now())
            if requeued:
                logger.warning("worker %s put %s abandoned tasks back", self.worker_id, requeued)
            self._next_lease_check = time.monotonic() + self.lease_check_seconds
        ready = BackgroundTask.objects.ready().filter(backend_name=self.backend)
        if self.queues:
            ready = ready.filter(queue_name__in=self.queues)
        with exclusive_transaction(ready.db):
            task = ready.get_locked()  # SELECT ... FOR UPDATE SKIP LOCKED LIMIT 1
            if task is not None:
                task.claim(self.worker_id)
        return task

    def run_task(self, task: BackgroundTask) -> None:
        """Run a claimed task and record how it went. A database error while recording is
        left to the caller: the row stays RUNNING, and the lease brings it back."""
        try:
            definition = task.task  # imports the function; fails if it no longer exists
            result = task.task_result
            task_started.send(sender=type(definition.get_backend()), task_result=result)
            if definition.takes_context:
                value = definition.call(
                    TaskContext(task_result=result), *result.args, **result.kwargs
                )
            else:
                value = definition.call(*result.args, **result.kwargs)
            recorded = task.record_success(value, now=timezone.now())
        except Exception as error:
            self._failed(task, error)
            return
        except BaseException:  # told to stop at once: give the task back for another worker
            with contextlib.suppress(DatabaseError):  # if not, the lease brings it back
                task.release(now=timezone.now())
            raise
        if not recorded:
            self._claim_lost(task)
            return
        logger.info("task %s %s: done (%r)", task.id, task.task_path, value)
        self._finished(task)

    def _claim_lost(self, task: BackgroundTask) -> None:
        logger.warning(
            "task %s %s: finished after its lease ran out; another worker has it now",
            task.id,
            task.task_path,
        )

    def _failed(self, task: BackgroundTask, error: Exception) -> None:
        if not task.record_failure(error, now=timezone.now()):
            self._claim_lost(task)
        elif task.status == TaskResultStatus.READY:
            logger.warning(
                "task %s %s: attempt %s of %s failed (%s: %s); next at %s",
                task.id,
                task.task_path,
                task.attempts,
                task.max_attempts,
                type(error).__name__,
                error,
                task.run_after,
            )
        else:
            logger.error(
                "task %s %s: failed for good after %s attempts (%s: %s)",
                task.id,
                task.task_path,
                task.attempts,
                type(error).__name__,
                error,
            )
            self._finished(task)

    def _finished(self, task: BackgroundTask) -> None:
        """Tell django-tasks' listeners (task_finished) about a task that is done for good."""
        try:
            sender = type(task.task.get_backend())
        except Exception:  # the task's function is gone: nobody to tell
            return
        task_finished.send(sender=sender, task_result=task.task_result)
