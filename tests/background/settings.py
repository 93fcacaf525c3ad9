"""Settings for the worker processes that the tests start (tests/background/test_processes.py):
the test settings, with the database queue. The lease comes from TASKS_LEASE_SECONDS in the
environment, as in production; the test sets a short one."""

from tests.settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
LOGGING["root"]["level"] = "INFO"  # noqa: F405  (the test prints the workers' logs on failure)
