"""The e-mail about a new comment goes through the task queue and is rendered when a worker
sends it: a comment deleted, read or closed to its reader by then sends nothing."""

import pytest
from django.core import mail
from django.urls import reverse

from mentoring.models import FeedbackComment
from tests.mentoring.helpers import answered_session, assignment_for


@pytest.fixture
def item(mentor, candidate, mentorship):
    session = answered_session(assignment_for(mentor, candidate), answers=1)
    return session.items.get()


def comment(client, item, body: str) -> FeedbackComment:
    client.post(reverse("mentoring:thread", args=[item.pk]), {"body": body})
    return FeedbackComment.objects.get(body=body)


def test_a_comment_queues_its_email_and_a_worker_sends_it(mentor_client, item, task_queue):
    comment(mentor_client, item, "Say more about the GIL.")

    assert mail.outbox == []
    task_queue.run()

    (message,) = mail.outbox
    assert message.to == ["casey@example.com"]
    assert "Say more about the GIL." in message.body
    assert task_queue.tasks("email_new_comment")[0].return_value == "sent"


def test_a_comment_deleted_before_its_email_goes_out_sends_nothing(mentor_client, item, task_queue):
    comment(mentor_client, item, "Oops, wrong thread.").delete()

    task_queue.run()

    assert mail.outbox == []
    (done,) = task_queue.tasks("email_new_comment")
    assert done.status == "SUCCESSFUL"
    assert done.return_value == "not sent: the comment was deleted"


def test_a_comment_already_read_sends_nothing(mentor_client, client, candidate, item, task_queue):
    comment(mentor_client, item, "Read me on the site.")
    client.force_login(candidate)
    client.get(reverse("mentoring:thread", args=[item.pk]))  # opening the thread reads it

    task_queue.run()

    assert mail.outbox == []
    assert task_queue.tasks("email_new_comment")[0].return_value == (
        "not sent: already read, or the thread is closed to the recipient"
    )


def test_a_mentor_whose_mentorship_ended_gets_no_email_of_the_reply(
    client, candidate, item, mentorship, task_queue
):
    client.force_login(candidate)
    comment(client, item, "Thanks!")
    mentorship.delete()  # the mentor can no longer open the thread

    task_queue.run()

    assert mail.outbox == []


def test_a_deleted_account_gets_no_email(mentor_client, candidate, item, task_queue):
    comment(mentor_client, item, "Hello?")
    candidate.delete()  # takes the answer and its thread with it

    task_queue.run()

    assert mail.outbox == []
    assert task_queue.tasks("email_new_comment")[0].return_value == (
        "not sent: the comment was deleted"
    )
