"""The task queue in tests (the `task_queue` fixture in tests/conftest.py).

tests/settings.py runs every task at once, inside enqueue(). A test that is about the queue
itself asks for `task_queue`: enqueue() then stores a row in the database, as in production,
and nothing runs until the test says so.
"""

from background.models import BackgroundTask
from background.worker import Worker


class TaskQueue:
    def run(self) -> int:
        """Run every task that is ready, in this process, through the real worker (retries,
        leases and all), until none is; return how many ran. A task that fails is rescheduled
        after the first retry delay (TASKS_RETRY_DELAYS), so it does not run again here."""
        return Worker(worker_id="test-worker").run(batch=True)

    def tasks(self, name: str | None = None) -> list[BackgroundTask]:
        """Every task in the queue, oldest first; only those of the task function `name` (e.g.
        "email_new_comment") when given."""
        tasks = BackgroundTask.objects.order_by("enqueued_at", "pk")
        if name is not None:
            tasks = tasks.filter(task_path__endswith=f".{name}")
        return list(tasks)
