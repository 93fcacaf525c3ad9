from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import autoreload
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db import DatabaseBackend

from background.worker import Worker


def positive_seconds(value: str) -> float:
    seconds = float(value)
    if not 0 < seconds <= 60:
        raise ValueError(value)
    return seconds


class Command(BaseCommand):
    help = (
        "Run background tasks (e-mail, scheduled jobs) from the database queue until stopped. "
        "Run one or more beside the web processes; SIGTERM finishes the task in hand, then stops."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=positive_seconds,
            default=1.0,
            help="seconds to wait when no task is ready (default 1)",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="run the tasks that are ready, then exit (for a one-off run or a test)",
        )
        parser.add_argument(
            "--queues",
            default="",
            help="comma-separated queue names to take tasks from (default: every queue)",
        )
        parser.add_argument(
            "--worker-id", default=None, help="a name unique in the pool (default: host-pid-xxxxxx)"
        )
        parser.add_argument(
            "--reload",
            action="store_true",
            default=None,
            help="restart when the code changes (the default with DEBUG on)",
        )
        parser.add_argument("--no-reload", action="store_false", dest="reload")

    def handle(self, *args, interval, batch, queues, worker_id, reload, **options):
        if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
            raise CommandError(
                "TASKS['default'] is not the database backend (django_tasks_db.DatabaseBackend): "
                "there is no queue to take tasks from."
            )
        if worker_id is not None and not 0 < len(worker_id) <= 64:
            raise CommandError("--worker-id takes 1 to 64 characters.")
        worker = Worker(
            worker_id=worker_id,
            queues=[name.strip() for name in queues.split(",") if name.strip()] or None,
            interval=interval,
        )
        reload = settings.DEBUG if reload is None else reload
        if reload and not batch:
            # The reloader runs the worker in a thread, where signals cannot be handled: a
            # code change or Ctrl+C stops it at once (a task in hand comes back after the lease).
            autoreload.run_with_reloader(worker.run)
        else:
            worker.run(batch=batch, handle_signals=True)
