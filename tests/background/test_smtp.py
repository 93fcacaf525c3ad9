"""E-mail through a real SMTP server on loopback (aiosmtpd), which the tests stop and start:
sign-up never talks to it, and what it could not take is delivered once it is back, once.

How fast sign-up answers with the server down is a figure for the benchmark (make soak), not a
timed test: here, a request that opened an SMTP connection at all fails the test."""

import smtplib
import socket
import time
from collections import Counter
from unittest import mock

import pytest
from django.test import Client

from accounts.models import User
from background.models import BackgroundTask
from tests.background.smtp import HOST, MailServer
from tests.background.tasks import record_run

PASSWORD = "a-long-unusual-passphrase"


@pytest.fixture
def mail_server(settings):
    server = MailServer()
    server.use_in(settings)
    yield server
    server.stop()


def sign_up(number: int) -> None:
    """Sign up a new candidate from an address of their own (the throttle counts per client)."""
    client = Client(REMOTE_ADDR=f"198.51.100.{number}")
    form = {
        "username": f"candidate{number}",
        "email": f"candidate{number}@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    response = client.post("/accounts/signup/", form)
    assert b"Check your email" in response.content


def run_until(task_queue, done, *, seconds: float) -> None:
    """Run the worker over the queue until `done()` or the time is up (retries wait their delay)."""
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        task_queue.run()
        time.sleep(0.1)


def test_with_the_mail_server_down_sign_up_never_waits_for_it_and_the_mail_comes_when_it_is_back(
    mail_server, task_queue, settings
):
    settings.TASKS_RETRY_DELAYS = (1, 1, 1, 1, 1)
    number = 4
    # The request only queues the e-mail: it never opens a connection to the mail server.
    refuse = mock.patch.object(
        smtplib.SMTP, "connect", side_effect=AssertionError("a request talked to the mail server")
    )
    with refuse:
        for n in range(number):
            sign_up(n)
    queued = task_queue.tasks("email_confirmation_link")
    assert len(queued) == number
    assert mail_server.inbox.messages == []

    task_queue.run()  # the server is down: every attempt fails, and waits for its retry
    assert all(task.is_waiting_to_retry for task in task_queue.tasks())
    assert {task.exception_class_path for task in task_queue.tasks()} == {
        "builtins.ConnectionRefusedError"
    }

    mail_server.start()
    run_until(task_queue, lambda: len(mail_server.inbox.messages) == number, seconds=15)

    received = Counter(mail_server.inbox.recipients)
    assert received == Counter(f"candidate{n}@example.com" for n in range(number))  # once each
    assert {task.status for task in task_queue.tasks()} == {"SUCCESSFUL"}
    assert {task.attempts for task in task_queue.tasks()} == {2}
    # What arrived is the real thing: its link confirms the account.
    body = mail_server.inbox.messages[0].get_payload(decode=True).decode()
    link = next(line for line in body.splitlines() if "/signup/confirm/" in line)
    Client().post(link.split("testserver", 1)[1])
    assert User.objects.get(username="candidate0").is_active


def test_a_mail_server_that_never_answers_holds_the_worker_no_longer_than_email_timeout(
    mail_server, task_queue, settings
):
    settings.EMAIL_TIMEOUT = 1
    # A server that takes the connection and never says a word: the kernel accepts it into the
    # backlog, nobody reads it.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind((HOST, 0))
        silent.listen(8)
        settings.EMAIL_PORT = silent.getsockname()[1]

        with mock.patch.object(smtplib.SMTP, "connect", side_effect=AssertionError("talked")):
            sign_up(1)  # the request does not wait for the mail server at all
        task_queue.run()  # returns: the send gave up after EMAIL_TIMEOUT, as its error says

    (task,) = task_queue.tasks()
    assert task.is_waiting_to_retry
    assert task.exception_class_path == "smtplib.SMTPServerDisconnected"
    assert "timed out" in task.traceback


def test_only_the_mail_tasks_wait_on_the_mail_server(mail_server, task_queue):
    """Mail stuck on a dead server does not hold up other tasks behind it."""
    sign_up(1)
    record_run.enqueue(log="/dev/null", number=5)

    task_queue.run()

    statuses = dict(BackgroundTask.objects.values_list("task_path", "status"))
    assert statuses["tests.background.tasks.record_run"] == "SUCCESSFUL"
    assert statuses["accounts.emails.email_confirmation_link"] == "READY"
