"""prune_unconfirmed as a task that a scheduler queues (`--enqueue`): a worker runs it, and
running it twice, even at the same time, deletes each account once and fails neither run."""

import io
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from accounts.models import User
from accounts.services import UNCONFIRMED_ACCOUNT_DAYS, prune_unconfirmed_accounts
from tests.factories import UserFactory


def stale_accounts(count: int) -> None:
    long_ago = timezone.now() - timedelta(days=UNCONFIRMED_ACCOUNT_DAYS + 1)
    for n in range(count):
        UserFactory(
            username=f"stale{n}", is_active=False, awaiting_confirmation=True, date_joined=long_ago
        )


def test_enqueue_leaves_the_deleting_to_a_worker(task_queue):
    stale_accounts(2)
    out = io.StringIO()

    call_command("prune_unconfirmed", "--enqueue", stdout=out)

    assert "Queued the pruning of unconfirmed accounts (task " in out.getvalue()
    assert User.objects.count() == 2
    task_queue.run()
    assert User.objects.count() == 0
    (task,) = task_queue.tasks("prune_unconfirmed")
    assert task.status == "SUCCESSFUL" and task.return_value == 2


def test_queued_twice_it_deletes_once_and_both_runs_succeed(task_queue):
    stale_accounts(3)
    UserFactory(username="member")

    call_command("prune_unconfirmed", "--enqueue", stdout=io.StringIO())
    call_command("prune_unconfirmed", "--enqueue", stdout=io.StringIO())
    task_queue.run()

    assert [t.return_value for t in task_queue.tasks("prune_unconfirmed")] == [3, 0]
    assert {t.status for t in task_queue.tasks()} == {"SUCCESSFUL"}
    assert list(User.objects.values_list("username", flat=True)) == ["member"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need PostgreSQL: run with DATABASE_URL=postgres://...",
)
def test_two_runs_at_the_same_moment_delete_each_account_once():
    stale_accounts(20)
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def prune(index: int) -> None:
        try:
            barrier.wait()
            results[index] = prune_unconfirmed_accounts()
        except BaseException as error:  # reported below, not lost in the thread
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=prune, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert all(isinstance(result, int) for result in results), results
    assert sum(results) == 20
    assert User.objects.count() == 0
