"""Feedback threads on answers: who may read and write, e-mails, unread counts, marking read."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from mentoring.models import FeedbackComment
from tests.factories import (
    FeedbackCommentFactory,
    MentorFactory,
    MentorshipFactory,
    PracticeSessionFactory,
    SessionItemFactory,
)
from tests.mentoring.helpers import answered_session, assignment_for


@pytest.fixture
def item(mentor, candidate, mentorship):
    """An answer the candidate gave in a session started from the mentor's assignment."""
    session = answered_session(assignment_for(mentor, candidate), answers=1)
    return session.items.get()


def thread_url(item) -> str:
    return reverse("mentoring:thread", args=[item.pk])


# --- writing ------------------------------------------------------------------------------------


def test_the_mentor_comments_without_javascript(mentor_client, mentor, candidate, item):
    back = reverse("mentoring:mentee", args=[candidate.pk])

    response = mentor_client.post(
        thread_url(item), {"body": "Say more about the GIL.", "next": back}
    )

    assert response.status_code == 302
    assert response.url == f"{back}#thread-{item.pk}"
    comment = FeedbackComment.objects.get()
    assert (comment.item, comment.author, comment.body) == (item, mentor, "Say more about the GIL.")
    assert comment.read_at is None


def test_the_mentor_comments_with_htmx(mentor_client, item, htmx_headers):
    response = mentor_client.post(
        thread_url(item), {"body": "Nice & <b>clear</b>."}, headers=htmx_headers
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert f'id="thread-{item.pk}"' in content
    assert "Nice &amp; &lt;b&gt;clear&lt;/b&gt;." in content  # escaped, never raw HTML
    assert "Sent." in content
    assert "<html" not in content


def test_a_new_comment_emails_the_other_side(mentor_client, client, candidate, item):
    mentor_client.post(thread_url(item), {"body": "Good start."})

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["casey@example.com"]
    assert item.question.title in message.subject
    assert "Good start." in message.body
    assert f"http://testserver{thread_url(item)}" in message.body

    client.force_login(candidate)
    client.post(thread_url(item), {"body": "Thanks, I will."})

    assert len(mail.outbox) == 2
    assert mail.outbox[1].to == ["morgan@example.com"]
    assert "Thanks, I will." in mail.outbox[1].body


def test_a_failing_mail_server_loses_neither_the_comment_nor_its_email(
    mentor_client, item, task_queue, settings
):
    settings.EMAIL_BACKEND = "tests.mentoring.test_feedback.RefusingBackend"

    response = mentor_client.post(thread_url(item), {"body": "Still saved."})
    task_queue.run()

    assert response.status_code == 302
    assert FeedbackComment.objects.filter(body="Still saved.").exists()
    (queued,) = task_queue.tasks("email_new_comment")
    assert queued.is_waiting_to_retry  # the worker tries again later
    assert queued.exception_class_path == "builtins.ConnectionRefusedError"


class RefusingBackend:
    """A mail backend whose server refuses every connection."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("connection refused")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write something before sending."),
        ("   ", "Write something before sending."),
        ("x" * 5001, "Keep a comment under 5,000 characters."),
    ],
)
def test_a_bad_comment_gets_a_message_and_stores_nothing(
    mentor_client, item, htmx_headers, body, message
):
    plain = mentor_client.post(thread_url(item), {"body": body})
    htmx = mentor_client.post(thread_url(item), {"body": body}, headers=htmx_headers)

    for response in (plain, htmx):
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not FeedbackComment.objects.exists()
    assert not mail.outbox


def test_an_unanswered_question_takes_no_comment(mentor_client, item):
    unanswered = SessionItemFactory(session=item.session, position=99)

    response = mentor_client.post(thread_url(unanswered), {"body": "Hello?"})

    assert "has not been answered yet" in response.content.decode()
    assert not FeedbackComment.objects.exists()


def test_an_unsafe_next_is_ignored(mentor_client, item):
    response = mentor_client.post(
        thread_url(item), {"body": "Hi", "next": "https://evil.example.com/"}
    )

    assert response.url == f"{thread_url(item)}#thread-{item.pk}"


# --- reading ------------------------------------------------------------------------------------


def test_the_thread_page_shows_question_answer_and_comments(client, candidate, mentor, item):
    FeedbackCommentFactory(item=item, author=mentor, body="Mention the trade-off.")
    client.force_login(candidate)

    response = client.get(thread_url(item))

    content = response.content.decode()
    assert response.status_code == 200
    assert item.question.title in content
    assert item.response in content
    assert "Mention the trade-off." in content
    assert "Reply to your mentor" in content


def test_the_thread_fragment_for_htmx(mentor_client, item, htmx_headers):
    response = mentor_client.get(thread_url(item), headers=htmx_headers)

    assert f'id="thread-{item.pk}"' in response.content.decode()
    assert "<html" not in response.content.decode()


def test_the_candidate_replies_only_once_there_is_a_comment(client, candidate, mentor, item):
    client.force_login(candidate)
    assert "Reply to your mentor" not in client.get(thread_url(item)).content.decode()

    FeedbackCommentFactory(item=item, author=mentor)

    assert "Reply to your mentor" in client.get(thread_url(item)).content.decode()


def test_opening_the_thread_marks_the_other_sides_comments_read(client, candidate, mentor, item):
    from_mentor = FeedbackCommentFactory(item=item, author=mentor)
    own = FeedbackCommentFactory(item=item, author=candidate)
    client.force_login(candidate)

    client.get(thread_url(item))

    from_mentor.refresh_from_db()
    own.refresh_from_db()
    assert from_mentor.read_at is not None
    assert own.read_at is None  # the mentor has not read it yet


# --- permissions --------------------------------------------------------------------------------


def test_another_candidate_cannot_read_or_write_the_thread(client, item, mentor, other_candidate):
    FeedbackCommentFactory(item=item, author=mentor, body="For casey only.")
    client.force_login(other_candidate)

    assert client.get(thread_url(item)).status_code == 404
    assert client.post(thread_url(item), {"body": "Me too"}).status_code == 404
    assert FeedbackComment.objects.count() == 1


def test_another_mentor_cannot_read_or_write_the_thread(client, item, candidate):
    other_mentor = MentorFactory()
    MentorshipFactory(mentor=other_mentor, candidate=candidate)  # even one who mentors them
    client.force_login(other_mentor)

    assert client.get(thread_url(item)).status_code == 404
    assert client.post(thread_url(item), {"body": "Hi"}).status_code == 404
    assert not FeedbackComment.objects.exists()


def test_private_practice_has_no_thread(mentor_client, candidate, mentorship):
    private = PracticeSessionFactory(user=candidate)
    answer = SessionItemFactory(session=private, answered_at=timezone.now())

    assert mentor_client.get(thread_url(answer)).status_code == 404
    assert mentor_client.post(thread_url(answer), {"body": "Hi"}).status_code == 404


def test_after_ending_the_mentor_loses_the_thread(mentor_client, mentorship, item):
    mentorship.delete()

    assert mentor_client.get(thread_url(item)).status_code == 404
    assert mentor_client.post(thread_url(item), {"body": "Hi"}).status_code == 404


def test_after_ending_the_candidate_can_read_but_not_write(
    client, candidate, mentor, mentorship, item
):
    FeedbackCommentFactory(item=item, author=mentor, body="Keep this.")
    mentorship.delete()
    client.force_login(candidate)

    page = client.get(thread_url(item))
    post = client.post(thread_url(item), {"body": "Hello?"})

    assert "Keep this." in page.content.decode()
    assert "the thread is closed" in page.content.decode()
    assert "the thread is closed" in post.content.decode()
    assert FeedbackComment.objects.count() == 1


# --- unread counts in the navigation ------------------------------------------------------------


def test_both_sides_see_their_unread_count_in_the_navigation(client, mentor, candidate, item):
    FeedbackCommentFactory(item=item, author=mentor)
    FeedbackCommentFactory(item=item, author=mentor)
    client.force_login(candidate)

    content = client.get(reverse("mentoring:assignments")).content.decode()
    assert '<span class="nav-badge">2<span class="visually-hidden"> unread feedback' in content

    FeedbackCommentFactory(item=item, author=candidate)
    client.force_login(mentor)
    content = client.get(reverse("mentoring:sets")).content.decode()
    assert '<span class="nav-badge">1<span class="visually-hidden"> unread replies' in content


def test_the_assignments_page_points_at_new_feedback(client, mentor, candidate, item):
    FeedbackCommentFactory(item=item, author=mentor)
    client.force_login(candidate)

    content = client.get(reverse("mentoring:assignments")).content.decode()

    assert "1 new" in content
    assert reverse("practice:summary", args=[item.session_id]) in content


def test_the_thread_page_costs_the_same_with_2_or_50_comments(
    mentor_client, mentor, candidate, item, django_assert_num_queries
):
    for n in (2, 48):
        for i in range(n):
            FeedbackCommentFactory(item=item, author=mentor if i % 2 else candidate)
        # 1 session, 2 user, 3 its roles, 4 the answer with question, session, assignment, mentor
        # and whether the mentorship stands, 5 the comments with authors, 6 the question's tests,
        # 7 mark them read, 8 unread feedback (navigation)
        with django_assert_num_queries(8):
            mentor_client.get(thread_url(item))
