"""A whole mentoring cycle through the test client, as a mentor and a candidate click it."""

import re

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Mentorship
from mentoring.models import Assignment, FeedbackComment
from practice.models import PracticeSession
from questions.models import QuestionSet
from tests.factories import (
    FeedbackCommentFactory,
    PracticeSessionFactory,
    QuestionFactory,
    SessionItemFactory,
)
from tests.mentoring.helpers import answered_session, assignment_for


def nav_badge(content: str, label: str) -> int:
    match = re.search(rf'class="nav-badge">(\d+)<span class="visually-hidden"> {label}', content)
    return int(match.group(1)) if match else 0


def test_a_full_mentoring_cycle(client, mentor, candidate, htmx_headers):
    gil = QuestionFactory(title="What does the GIL protect?")
    asyncio = QuestionFactory(title="When asyncio beats threads")

    # The mentor copies the invite link from /mentor/.
    client.force_login(mentor)
    invite_url = client.get(reverse("mentoring:home")).context["invite_url"]

    # The candidate opens it and accepts.
    client.force_login(candidate)
    page = client.get(invite_url)
    assert "invites you to be their mentee" in page.content.decode()
    client.post(invite_url)
    assert Mentorship.objects.filter(mentor=mentor, candidate=candidate).exists()

    # The mentor builds a set: create, search, add (htmx and plain), reorder.
    client.force_login(mentor)
    client.post(reverse("mentoring:sets"), {"title": "Concurrency", "description": "Week 1"})
    question_set = QuestionSet.objects.get(owner=mentor)
    found = client.get(
        reverse("mentoring:set_search", args=[question_set.pk]), {"q": "GIL"}, headers=htmx_headers
    )
    assert gil.title in found.content.decode()
    add = reverse("mentoring:set_add", args=[question_set.pk])
    client.post(add, {"question": gil.pk, "q": "GIL"}, headers=htmx_headers)
    client.post(add, {"question": asyncio.pk})
    second = question_set.items.get(question=asyncio)
    client.post(
        reverse("mentoring:set_move", args=[question_set.pk, second.pk]), {"direction": "up"}
    )
    order = list(question_set.items.order_by("position").values_list("question_id", flat=True))
    assert order == [asyncio.pk, gil.pk]

    # ... and assigns it.
    response = client.post(
        reverse("mentoring:assign"),
        {
            "question_set": question_set.pk,
            "candidates": [candidate.pk],
            "due_at": "2099-06-30T18:00",
            "mode": "study",
            "note": "Type an answer before revealing.",
        },
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get()

    # The candidate sees it and works through it in a practice session.
    client.force_login(candidate)
    listing = client.get(reverse("mentoring:assignments")).content.decode()
    assert "Concurrency" in listing
    assert "Not started" in listing
    start = client.post(reverse("mentoring:start", args=[assignment.pk]))
    session = PracticeSession.objects.get(assignment=assignment)
    assert start.url == reverse("practice:session", args=[session.pk])
    for item in session.items.order_by("position"):
        answer = f"My answer about {item.question.title}"
        client.post(reverse("practice:reveal", args=[session.pk, item.pk]), {"response": answer})
        client.post(reverse("practice:grade", args=[session.pk, item.pk]), {"rating": 3})
    session.refresh_from_db()
    assert session.is_finished
    listing = client.get(reverse("mentoring:assignments")).content.decode()
    assert "Completed: 100%" in listing

    # The mentor reads every answer and comments on one.
    client.force_login(mentor)
    mentee_page = client.get(reverse("mentoring:mentee", args=[candidate.pk])).content.decode()
    assert "My answer about What does the GIL protect?" in mentee_page
    assert "My answer about When asyncio beats threads" in mentee_page
    gil_item = session.items.get(question=gil)
    client.post(
        reverse("mentoring:thread", args=[gil_item.pk]),
        {"body": "Name what the GIL does not protect, too."},
        headers=htmx_headers,
    )
    assert mail.outbox[-1].to == [candidate.email]

    # The candidate sees an unread count, reads the thread on the summary and replies.
    client.force_login(candidate)
    assignments_page = client.get(reverse("mentoring:assignments")).content.decode()
    assert nav_badge(assignments_page, "unread feedback") == 1
    summary_url = reverse("practice:summary", args=[session.pk])
    summary = client.get(summary_url).content.decode()
    assert "Name what the GIL does not protect, too." in summary
    assert "Reply to your mentor" in summary
    assert nav_badge(client.get(summary_url).content.decode(), "unread feedback") == 0
    reply = client.post(
        reverse("mentoring:thread", args=[gil_item.pk]),
        {"body": "Compound operations on shared data.", "next": summary_url},
    )
    assert reply.url == f"{summary_url}#thread-{gil_item.pk}"
    assert mail.outbox[-1].to == [mentor.email]

    # The mentor sees the reply counted, and reading the mentee page clears it.
    client.force_login(mentor)
    home = client.get(reverse("mentoring:home")).content.decode()
    assert nav_badge(home, "unread replies") == 1
    assert "1 new reply" in home
    client.get(reverse("mentoring:mentee", args=[candidate.pk]))
    home = client.get(reverse("mentoring:home")).content.decode()
    assert nav_badge(home, "unread replies") == 0
    assert FeedbackComment.objects.filter(read_at__isnull=True).count() == 0


def test_the_summary_shows_threads_at_a_constant_cost(
    client, mentor, candidate, mentorship, django_assert_num_queries
):
    client.force_login(candidate)

    def summary_queries(answers: int) -> int:
        session = answered_session(assignment_for(mentor, candidate), answers=answers)
        for item in session.items.all():
            FeedbackCommentFactory(item=item, author=mentor)
            FeedbackCommentFactory(item=item, author=candidate)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("practice:summary", args=[session.pk]))
        assert response.content.decode().count('class="thread"') == answers
        return len(queries)

    assert summary_queries(2) == summary_queries(20)


def test_a_summary_without_assignment_shows_no_thread(candidate_client, candidate):
    session = PracticeSessionFactory(user=candidate, finished_at="2030-01-01T00:00Z")
    SessionItemFactory(session=session, answered_at="2030-01-01T00:00Z")

    response = candidate_client.get(reverse("practice:summary", args=[session.pk]))

    assert response.status_code == 200
    assert 'class="thread"' not in response.content.decode()


def test_the_dashboard_lists_open_assignments(candidate_client, mentor, candidate, mentorship):
    assignment = assignment_for(mentor, candidate)

    response = candidate_client.get(reverse("practice:dashboard"))

    content = response.content.decode()
    assert assignment.question_set.title in content
    assert "Not started" in content
    assert reverse("mentoring:assignments") in content


def test_the_dashboard_costs_the_same_with_2_or_50_assignments(
    candidate_client, mentor, candidate, mentorship
):
    def dashboard_queries(n: int) -> int:
        for _ in range(n):
            assignment_for(mentor, candidate)
        with CaptureQueriesContext(connection) as queries:
            candidate_client.get(reverse("practice:dashboard"))
        return len(queries)

    assert dashboard_queries(2) == dashboard_queries(48)
