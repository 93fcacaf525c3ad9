"""The worker in this process: retries with growing delays, the failed state, the lease that
brings back a task whose worker died, and a worker that lost its claim."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.mail import get_connection
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from background.models import BackgroundTask
from background.worker import Worker
from tests.background.tasks import (
    always_fails,
    fails_before_attempt,
    record_run,
    returns_something_json_cannot_hold,
)

DELAYS = [60, 5 * 60, 30 * 60, 2 * 3600, 12 * 3600]


def let_time_pass(task: BackgroundTask) -> None:
    """Make a task waiting to retry ready now, as if its delay had passed."""
    BackgroundTask.objects.filter(pk=task.pk).update(run_after=timezone.now())


def test_the_retry_delays_are_1_5_30_minutes_then_2_and_12_hours(settings):
    assert list(settings.TASKS_RETRY_DELAYS) == DELAYS
    assert settings.TASKS_LEASE_SECONDS == 300


def test_a_failing_task_is_retried_after_growing_delays_then_fails_for_good(task_queue):
    always_fails.enqueue(message="the mail server said no")

    for attempt, delay in enumerate(DELAYS, start=1):
        before = timezone.now()
        assert task_queue.run() == 1
        (task,) = task_queue.tasks()
        assert task.status == "READY" and task.attempts == attempt
        assert before + timedelta(seconds=delay) <= task.run_after
        assert task.run_after <= timezone.now() + timedelta(seconds=delay)
        assert task.state == f"Waiting to retry (attempt {attempt + 1} of 6)"
        assert task_queue.run() == 0  # not before its time
        let_time_pass(task)

    assert task_queue.run() == 1
    (task,) = task_queue.tasks()
    assert task.status == "FAILED" and task.attempts == 6
    assert task.state == "Failed after 6 attempts"
    assert task.exception_class_path == "builtins.RuntimeError"
    assert "the mail server said no" in task.traceback
    assert task.finished_at is not None
    let_time_pass(task)
    assert task_queue.run() == 0  # failed stays failed until someone retries it


def test_a_task_that_succeeds_on_a_retry_ends_successful(task_queue):
    fails_before_attempt.enqueue(succeeds_at=3)

    task_queue.run()
    let_time_pass(task_queue.tasks()[0])
    task_queue.run()
    let_time_pass(task_queue.tasks()[0])
    task_queue.run()

    (task,) = task_queue.tasks()
    assert task.status == "SUCCESSFUL" and task.attempts == 3
    assert task.return_value == "done at attempt 3"
    assert task.exception_class_path == "" and task.traceback == ""


def test_a_return_value_that_cannot_be_stored_counts_as_a_failure(task_queue):
    returns_something_json_cannot_hold.enqueue()

    task_queue.run()

    (task,) = task_queue.tasks()
    assert task.is_waiting_to_retry
    assert task.exception_class_path == "builtins.TypeError"


def test_a_task_whose_function_is_gone_fails_and_says_why(task_queue):
    record_run.enqueue(log="/dev/null", number=1)
    BackgroundTask.objects.update(task_path="tests.background.tasks.no_such_task")

    task_queue.run()

    (task,) = task_queue.tasks()
    assert task.is_waiting_to_retry
    assert task.exception_class_path == "builtins.ImportError"


# --- the lease ---------------------------------------------------------------------------------


def taken_by_a_dead_worker(*, seconds_ago: float, attempts: int = 1) -> BackgroundTask:
    """A task some worker took `seconds_ago` and never finished (it was killed)."""
    result = record_run.enqueue(log="/dev/null", number=7)
    BackgroundTask.objects.filter(pk=result.id).update(
        status="RUNNING",
        started_at=timezone.now() - timedelta(seconds=seconds_ago),
        worker_ids=[f"dead-{n}" for n in range(attempts)],
    )
    return BackgroundTask.objects.get(pk=result.id)


def test_a_task_past_its_lease_is_taken_again_at_once(task_queue):
    taken_by_a_dead_worker(seconds_ago=301)

    assert task_queue.run() == 1

    (task,) = task_queue.tasks()
    assert task.status == "SUCCESSFUL" and task.return_value == 7
    assert task.worker_ids == ["dead-0", "test-worker"]


def test_a_task_within_its_lease_is_left_to_its_worker(task_queue):
    taken_by_a_dead_worker(seconds_ago=290)

    assert task_queue.run() == 0

    assert task_queue.tasks()[0].status == "RUNNING"


def test_an_abandoned_task_with_no_attempt_left_fails_for_good(task_queue):
    taken_by_a_dead_worker(seconds_ago=400, attempts=6)

    assert task_queue.run() == 0

    (task,) = task_queue.tasks()
    assert task.status == "FAILED"
    assert task.exception_class_path == "background.models.WorkerLost"
    assert "did not finish it within 300 s" in task.traceback


def test_a_worker_that_lost_its_claim_does_not_overwrite_the_new_one(task_queue):
    result = record_run.enqueue(log="/dev/null", number=1)
    first = Worker(worker_id="slow")
    task = first.take_next()
    # Its lease ran out and another worker took the task over.
    BackgroundTask.objects.filter(pk=result.id).update(
        started_at=timezone.now() + timedelta(seconds=1), worker_ids=["slow", "fast"]
    )

    first.run_task(task)

    again = BackgroundTask.objects.get(pk=result.id)
    assert again.status == "RUNNING" and again.worker_ids == ["slow", "fast"]


def test_two_workers_never_take_the_same_task(task_queue):
    record_run.enqueue(log="/dev/null", number=1)
    record_run.enqueue(log="/dev/null", number=2)

    first = Worker(worker_id="one").take_next()
    second = Worker(worker_id="two").take_next()
    third = Worker(worker_id="three").take_next()

    assert first.pk != second.pk and third is None
    assert {first.status, second.status} == {"RUNNING"}


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_on_postgresql_a_worker_skips_the_rows_another_has_locked(task_queue):
    record_run.enqueue(log="/dev/null", number=1)

    with CaptureQueriesContext(connection) as queries:
        Worker(worker_id="one").take_next()

    (taking,) = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert taking.endswith("LIMIT 1 FOR UPDATE SKIP LOCKED")


# --- the command, the settings ------------------------------------------------------------------


def test_run_worker_batch_runs_what_is_ready_and_stops(task_queue):
    record_run.enqueue(log="/dev/null", number=3)
    record_run.enqueue(log="/dev/null", number=4)

    call_command("run_worker", "--batch", "--worker-id", "cmd", stdout=StringIO())

    assert [task.return_value for task in task_queue.tasks()] == [3, 4]
    assert all(task.worker_ids == ["cmd"] for task in task_queue.tasks())


def test_run_worker_needs_the_database_backend(db):
    with pytest.raises(CommandError, match="not the database backend"):
        call_command("run_worker", "--batch")


def test_run_worker_refuses_a_worker_id_the_library_cannot_store(task_queue):
    with pytest.raises(CommandError, match="1 to 64 characters"):
        call_command("run_worker", "--batch", "--worker-id", "x" * 65)


def test_no_smtp_step_waits_more_than_10_seconds(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

    assert get_connection().timeout == 10
