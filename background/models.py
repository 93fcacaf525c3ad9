"""The task queue's rows, with what Prep adds to django-tasks-db: retries and a lease.

django-tasks-db keeps every enqueued task as a row (DBTaskResult) and its worker marks a row
RUNNING when it takes it. It neither retries a task that failed nor notices a worker that died
with a task in hand. BackgroundTask is the same table seen through a proxy model, with those two
rules (background/worker.py applies them) and the admin's "retry now".

Every change of state after a worker took a task is written only while that worker's claim
still holds (status RUNNING with the started_at of its claim), so a worker whose lease ran out
and whose task was handed to another cannot overwrite what the other one records.
"""

import traceback
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.utils import normalize_json
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet

READY = TaskResultStatus.READY
RUNNING = TaskResultStatus.RUNNING
FAILED = TaskResultStatus.FAILED
SUCCESSFUL = TaskResultStatus.SUCCESSFUL


class WorkerLost(Exception):
    """The worker running a task stopped before finishing it (killed, or its machine died)."""


def retry_delays() -> list[timedelta]:
    return [timedelta(seconds=seconds) for seconds in settings.TASKS_RETRY_DELAYS]


def lease() -> timedelta:
    """How long a worker holds a task it took; past it, the task counts as abandoned."""
    return timedelta(seconds=settings.TASKS_LEASE_SECONDS)


class BackgroundTaskQuerySet(DBTaskResultQuerySet):
    def abandoned(self, *, now: datetime) -> "BackgroundTaskQuerySet":
        """Tasks a worker took longer ago than the lease and never finished."""
        return self.running().filter(started_at__lt=now - lease())

    def requeue_abandoned(self, *, now: datetime) -> int:
        """Put abandoned tasks back in the queue to run at once (or fail them for good when
        they have had every attempt); return how many. Safe with several workers at it."""
        requeued = 0
        for task in self.abandoned(now=now).order_by("started_at")[:100]:
            error = WorkerLost(
                f"The worker {task.worker_ids[-1] if task.worker_ids else '?'} took this task "
                f"at {task.started_at:%Y-%m-%d %H:%M:%S} UTC and did not finish it within "
                f"{settings.TASKS_LEASE_SECONDS} s (it was stopped, or its machine died)."
            )
            requeued += task.record_failure(error, now=now, retry_at=now)
        return requeued


class BackgroundTask(DBTaskResult):
    objects = BackgroundTaskQuerySet.as_manager()

    class Meta:
        proxy = True
        verbose_name = "background task"

    def __str__(self) -> str:
        return f"{self.function_name} ({self.id})"

    @property
    def function_name(self) -> str:
        """The task's function, from its path: unlike the library's task_name, this imports
        nothing, so a task whose code is gone (or a backend that would refuse it) still lists."""
        return self.task_path.rsplit(".", 1)[-1]

    @property
    def attempts(self) -> int:
        """How many times a worker took this task (the library records each worker's id)."""
        return len(self.worker_ids)

    @property
    def max_attempts(self) -> int:
        return 1 + len(settings.TASKS_RETRY_DELAYS)

    @property
    def is_waiting_to_retry(self) -> bool:
        return self.status == READY and self.attempts > 0

    def next_retry_at(self, now: datetime) -> datetime | None:
        """When to run again after attempt number `attempts` failed; None when that was the
        last attempt the retry delays allow."""
        if self.attempts >= self.max_attempts:
            return None
        return now + retry_delays()[max(self.attempts, 1) - 1]

    def _settle(self, **changes) -> bool:
        """Write `changes` if the claim this object was read with still holds; return whether
        it did."""
        claim = BackgroundTask.objects.filter(
            pk=self.pk, status=RUNNING, started_at=self.started_at
        )
        if not claim.update(**changes):
            return False
        for name, value in changes.items():
            setattr(self, name, value)
        return True

    def record_success(self, return_value, *, now: datetime) -> bool:
        """The task ran: SUCCESSFUL with its return value. Raises TypeError when the value
        cannot be stored as JSON."""
        return self._settle(
            status=SUCCESSFUL,
            finished_at=now,
            # Checked before the UPDATE, which would mark an enclosing transaction as failed.
            return_value=normalize_json(return_value),
            exception_class_path="",
            traceback="",
        )

    def record_failure(
        self, error: BaseException, *, now: datetime, retry_at: datetime | None = None
    ) -> bool:
        """The task raised `error` (or its worker was lost): READY again at `retry_at` (by
        default the next retry delay), or FAILED for good once every attempt is used."""
        when = self.next_retry_at(now)
        if when is not None and retry_at is not None:
            when = retry_at
        common = {
            "exception_class_path": f"{type(error).__module__}.{type(error).__qualname__}",
            "traceback": "".join(traceback.format_exception(error)),
            "return_value": None,
        }
        if when is None:
            return self._settle(status=FAILED, finished_at=now, **common)
        return self._settle(status=READY, run_after=when, finished_at=None, **common)

    def release(self, *, now: datetime) -> bool:
        """Give the task back, unfinished, for any worker to take at once (a worker told to
        stop at once while running it)."""
        return self._settle(status=READY, run_after=now)

    def retry_now(self) -> bool:
        """Staff asked for one more attempt now, of a failed task or one waiting for its next
        retry. Returns False for a task running or done."""
        updated = BackgroundTask.objects.filter(pk=self.pk, status__in=[FAILED, READY]).update(
            status=READY, run_after=timezone.now(), finished_at=None
        )
        return bool(updated)

    @property
    def state(self) -> str:
        """The status as staff read it."""
        if self.is_waiting_to_retry:
            return f"Waiting to retry (attempt {self.attempts + 1} of {self.max_attempts})"
        if self.status == FAILED:
            return f"Failed after {self.attempts} attempt{'s' if self.attempts != 1 else ''}"
        return self.get_status_display()
