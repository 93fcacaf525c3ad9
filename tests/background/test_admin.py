"""The background tasks in the admin: editors and superusers see every task's state, attempts and
last error, and retry failed ones; nobody edits or deletes a task by hand."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from background.models import BackgroundTask
from tests.background.tasks import always_fails, record_run
from tests.factories import UserFactory

LIST = "/admin/background/backgroundtask/"


def failed_task() -> BackgroundTask:
    result = always_fails.enqueue(message="550 mailbox unavailable")
    BackgroundTask.objects.filter(pk=result.id).update(
        status="FAILED",
        worker_ids=["w"] * 6,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        exception_class_path="smtplib.SMTPRecipientsRefused",
        traceback="smtplib.SMTPRecipientsRefused: 550 mailbox unavailable",
    )
    return BackgroundTask.objects.get(pk=result.id)


def done_task() -> BackgroundTask:
    result = record_run.enqueue(log="/dev/null", number=1)
    BackgroundTask.objects.filter(pk=result.id).update(
        status="SUCCESSFUL", worker_ids=["w"], finished_at=timezone.now(), return_value=1
    )
    return BackgroundTask.objects.get(pk=result.id)


def retry(client, *tasks, **kwargs):
    data = {"action": "retry_now", "_selected_action": [str(task.pk) for task in tasks]}
    return client.post(LIST, data, **kwargs)


def test_the_tasks_are_listed_once_through_prep_s_admin(db):
    assert admin.site.is_registered(BackgroundTask)
    assert not admin.site.is_registered(DBTaskResult)


def test_an_editor_sees_failed_and_waiting_tasks_with_their_last_error(editor_client, task_queue):
    failed_task()
    always_fails.enqueue(message="connection refused")
    task_queue.run()  # the second one fails once and waits for its retry

    response = editor_client.get(LIST)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Failed after 6 attempts" in html
    assert "Waiting to retry (attempt 2 of 6)" in html
    assert "SMTPRecipientsRefused" in html and "RuntimeError" in html
    assert "always_fails" in html


def test_the_failed_filter_lists_only_failed_tasks(editor_client, task_queue):
    failed_task()
    done_task()

    response = editor_client.get(LIST, {"status__exact": "FAILED"})

    assert response.context["cl"].result_count == 1


def test_an_editor_retries_a_failed_task_and_the_worker_runs_it(editor_client, task_queue):
    task = failed_task()

    response = retry(editor_client, task, follow=True)

    assert "1 task queued to run again now." in response.content.decode()
    task.refresh_from_db()
    assert task.status == "READY" and task.run_after <= timezone.now()
    assert task.finished_at is None
    assert task_queue.run() == 1
    task.refresh_from_db()
    assert task.attempts == 7 and task.status == "FAILED"  # one more attempt, then failed again


def test_retrying_leaves_running_and_finished_tasks_alone(editor_client, task_queue):
    done = done_task()
    failed = failed_task()

    response = retry(editor_client, done, failed, follow=True)

    html = response.content.decode()
    assert "1 task queued to run again now." in html
    assert "1 left as they were: running or already done." in html
    done.refresh_from_db()
    assert done.status == "SUCCESSFUL"


def test_the_retry_needs_the_csrf_token(editor, task_queue):
    task = failed_task()
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)

    response = retry(client, task)

    assert response.status_code == 403
    task.refresh_from_db()
    assert task.status == "FAILED"


def test_a_task_page_is_read_only(editor_client, task_queue):
    task = failed_task()
    url = f"{LIST}{task.pk}/change/"

    page = editor_client.get(url)
    post = editor_client.post(url, {"status": "SUCCESSFUL"})

    assert page.status_code == 200
    assert "550 mailbox unavailable" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert post.status_code == 403
    task.refresh_from_db()
    assert task.status == "FAILED"


def test_nobody_adds_or_deletes_a_task_by_hand(editor_client, task_queue):
    task = failed_task()

    assert editor_client.get(f"{LIST}add/").status_code == 403
    assert editor_client.post(f"{LIST}{task.pk}/delete/", {"post": "yes"}).status_code == 403
    assert BackgroundTask.objects.filter(pk=task.pk).exists()


@pytest.mark.parametrize(
    ("user", "status"),
    [
        (lambda: UserFactory(), 302),  # a candidate: the admin's log-in page
        (lambda: UserFactory(is_staff=True), 302),  # staff but not an editor: the same
        (lambda: UserFactory(is_staff=True, is_superuser=True), 200),
    ],
)
def test_who_sees_the_list(client, task_queue, user, status):
    task = failed_task()
    client.force_login(user())

    assert client.get(LIST).status_code == status
    retry(client, task)

    task.refresh_from_db()
    assert (task.status == "READY") == (status == 200)


def test_the_list_takes_as_many_queries_with_3_tasks_as_with_30(editor_client, task_queue):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert editor_client.get(LIST).status_code == 200
        return len(queries)

    for _ in range(3):
        failed_task()
    editor_client.get(LIST)  # warm: per-process caches (content types) filled
    small = count()
    for _ in range(27):
        failed_task()
    # session, user, its roles (is_editor), perms (the user's, the groups'), the count, the page
    # of tasks, the task filter's values
    assert count() == small == 8


def test_the_search_finds_tasks_by_function_and_takes_any_text(editor_client, task_queue):
    failed_task()
    done_task()

    found = editor_client.get(LIST, {"q": "always_fails"})
    nonsense = editor_client.get(LIST, {"q": "not-a-task-id"})

    assert found.context["cl"].result_count == 1
    assert nonsense.status_code == 200 and nonsense.context["cl"].result_count == 0
