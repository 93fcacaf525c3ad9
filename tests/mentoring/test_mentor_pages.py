"""/mentor/ and the mentee page: what a mentor sees, and what they must not."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from practice.models import CardState
from tests.factories import (
    FeedbackCommentFactory,
    MentorFactory,
    MentorshipFactory,
    PracticeSessionFactory,
    QuestionFactory,
    ReviewCardFactory,
    SessionItemFactory,
    TopicFactory,
    UserFactory,
)
from tests.mentoring.helpers import answered_session, assignment_for

# --- who gets in ---------------------------------------------------------------------------------


def test_a_candidate_cannot_reach_the_mentor_pages(candidate_client, mentorship, candidate):
    for url in (
        reverse("mentoring:home"),
        reverse("mentoring:mentee", args=[candidate.pk]),
        reverse("mentoring:sets"),
        reverse("mentoring:assign"),
    ):
        response = candidate_client.get(url)
        assert response.status_code == 403, url
        assert "This area is for mentors" in response.content.decode()


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("mentoring:home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_navigation_shows_the_mentor_link_to_mentors_only(mentor_client, client, candidate):
    assert 'href="/mentor/"' in mentor_client.get(reverse("mentoring:assignments")).content.decode()
    client.force_login(candidate)
    assert 'href="/mentor/"' not in client.get(reverse("mentoring:assignments")).content.decode()


def test_a_mentor_cannot_see_a_candidate_who_is_not_their_mentee(
    mentor_client, mentorship, other_candidate
):
    response = mentor_client.get(reverse("mentoring:mentee", args=[other_candidate.pk]))

    assert response.status_code == 404


def test_a_mentor_cannot_see_another_mentors_mentee(client, mentorship, candidate):
    client.force_login(MentorFactory())

    assert client.get(reverse("mentoring:mentee", args=[candidate.pk])).status_code == 404


def test_ending_the_mentorship_removes_access_at_once(mentor_client, mentorship, candidate):
    url = reverse("mentoring:mentee", args=[candidate.pk])
    assert mentor_client.get(url).status_code == 200

    mentorship.delete()

    assert mentor_client.get(url).status_code == 404
    assert candidate.username not in mentor_client.get(reverse("mentoring:home")).content.decode()


def test_losing_the_mentor_role_removes_access(mentor_client, mentor, mentorship, candidate):
    mentor.groups.clear()

    assert mentor_client.get(reverse("mentoring:mentee", args=[candidate.pk])).status_code == 403


# --- /mentor/ ------------------------------------------------------------------------------------


def test_the_home_page_shows_mentees_activity_mastery_and_due_work(
    mentor_client, mentor, mentorship, candidate
):
    topic = TopicFactory(name="Concurrency")
    learnt = [QuestionFactory(topic=topic) for _ in range(2)]
    QuestionFactory(topic=topic)  # not studied yet: counts in the total
    for question in learnt:
        ReviewCardFactory(user=candidate, question=question, state=CardState.REVIEW)
    soon = assignment_for(mentor, candidate, due_at=timezone.now() + timedelta(hours=5))
    late = assignment_for(mentor, candidate, due_at=timezone.now() - timedelta(hours=5))
    done = assignment_for(mentor, candidate)
    answered_session(done)

    response = mentor_client.get(reverse("mentoring:home"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "casey" in content
    assert "Concurrency 67%" in content
    assert "2 open assignments" in content
    assert "1 overdue" in content
    assert ">just now</time>" in content  # last activity: the answers given a moment ago
    assert [a.pk for a in response.context["pending"]] == [late.pk, soon.pk]


def test_the_home_page_has_empty_states(mentor_client):
    content = mentor_client.get(reverse("mentoring:home")).content.decode()

    assert "No mentees yet" in content
    assert "Nothing due" in content


def test_the_home_page_counts_unread_replies_per_mentee(
    mentor_client, mentor, mentorship, candidate
):
    session = answered_session(assignment_for(mentor, candidate))
    item = session.items.first()
    FeedbackCommentFactory(item=item, author=mentor)
    FeedbackCommentFactory(item=item, author=candidate)

    content = mentor_client.get(reverse("mentoring:home")).content.decode()

    assert "1 new reply" in content
    assert '<span class="nav-badge">1<span class="visually-hidden"> unread replies' in content


def test_the_home_page_costs_the_same_with_2_or_50_mentees(
    mentor_client, mentor, django_assert_num_queries
):
    topics = [TopicFactory() for _ in range(3)]
    questions = [QuestionFactory(topic=topic) for topic in topics]

    def make(n):
        for _ in range(n):
            candidate = UserFactory()
            MentorshipFactory(mentor=mentor, candidate=candidate)
            for question in questions:
                ReviewCardFactory(user=candidate, question=question, state=CardState.REVIEW)
            session = answered_session(assignment_for(mentor, candidate), answers=1)
            FeedbackCommentFactory(item=session.items.first(), author=candidate)
            assignment_for(mentor, candidate, due_at=timezone.now() - timedelta(days=1))

    url = reverse("mentoring:home")
    for n in (2, 48):
        make(n)
        # 1 session, 2 user, 3 its roles (the mentor check), 4 mentees with last activity, open,
        # overdue and unread counts, 5 published questions per topic, 6 cards per mentee and
        # topic, 7 open assignments, 8 unread feedback (navigation)
        with django_assert_num_queries(8):
            response = mentor_client.get(url)
        assert len(response.context["mentorships"]) == (2 if n == 2 else 50)


# --- the mentee page -----------------------------------------------------------------------------


def test_the_mentee_page_shows_every_answer_of_this_mentors_assignments(
    mentor_client, mentor, mentorship, candidate
):
    assignment = assignment_for(mentor, candidate)
    session = answered_session(assignment, score=0.5)

    response = mentor_client.get(reverse("mentoring:mentee", args=[candidate.pk]))

    content = response.content.decode()
    assert "Completed: 50%" in content
    for item in session.items.all():
        assert item.question.title in content
        assert item.response in content
    assert "Graded Good" in content
    assert "1 min 15 s" in content
    assert "Comment on this answer" in content


def test_the_mentee_page_hides_private_practice_and_other_mentors_work(
    mentor_client, mentor, mentorship, candidate
):
    private = PracticeSessionFactory(user=candidate, mode="study")
    SessionItemFactory(
        session=private,
        question=QuestionFactory(title="A private question"),
        response="My private answer",
        answered_at=timezone.now(),
    )
    other_mentor = MentorFactory()
    MentorshipFactory(mentor=other_mentor, candidate=candidate)
    theirs = assignment_for(other_mentor, candidate)
    theirs.question_set.title = "The other mentor's set"
    theirs.question_set.save()
    answered_session(theirs)

    content = mentor_client.get(reverse("mentoring:mentee", args=[candidate.pk])).content.decode()

    assert "A private question" not in content
    assert "My private answer" not in content
    assert "other mentor" not in content
    assert "My answer number" not in content


def test_the_mentee_page_lists_only_this_mentees_assignments(
    mentor_client, mentor, mentorship, candidate, other_candidate
):
    MentorshipFactory(mentor=mentor, candidate=other_candidate)
    for mentee, title in ((candidate, "Set for this mentee"), (other_candidate, "Set for another")):
        assignment = assignment_for(mentor, mentee)
        assignment.question_set.title = title
        assignment.question_set.save()

    content = mentor_client.get(reverse("mentoring:mentee", args=[candidate.pk])).content.decode()

    assert "Set for this mentee" in content
    assert "Set for another" not in content


def test_a_mentees_last_activity_is_their_own(mentor_client, mentor, mentorship, candidate):
    long_ago = timezone.now() - timedelta(days=40)
    SessionItemFactory(session=PracticeSessionFactory(user=candidate), answered_at=long_ago)
    # Somebody else answers today: the mentee's last activity stays 40 days ago.
    SessionItemFactory(
        session=PracticeSessionFactory(user=UserFactory()), answered_at=timezone.now()
    )

    for url in (reverse("mentoring:home"), reverse("mentoring:mentee", args=[candidate.pk])):
        content = mentor_client.get(url).content.decode()
        assert f'<time datetime="{long_ago:%Y-%m-%dT%H:%M:%S}' in content, url


def test_the_mentee_page_marks_the_candidates_replies_read(
    mentor_client, mentor, mentorship, candidate
):
    session = answered_session(assignment_for(mentor, candidate))
    reply = FeedbackCommentFactory(item=session.items.first(), author=candidate)

    response = mentor_client.get(reverse("mentoring:mentee", args=[candidate.pk]))

    assert "New" in response.content.decode()  # shown as new this once
    assert "1 new reply" in response.content.decode()
    reply.refresh_from_db()
    assert reply.read_at is not None
    assert "nav-badge" not in response.content.decode()


def test_the_mentee_page_writes_nothing_once_every_reply_is_read(
    mentor_client, mentor, mentorship, candidate
):
    session = answered_session(assignment_for(mentor, candidate))
    FeedbackCommentFactory(item=session.items.first(), author=candidate, body="Read once")
    url = reverse("mentoring:mentee", args=[candidate.pk])
    mentor_client.get(url)  # reads the reply

    with CaptureQueriesContext(connection) as queries:
        content = mentor_client.get(url).content.decode()

    assert "Read once" in content and '<span class="badge badge-accent">New</span>' not in content
    assert not [query for query in queries if query["sql"].startswith("UPDATE")]


def test_each_thread_on_the_mentee_page_posts_to_its_own_answer(
    mentor_client, mentor, mentorship, candidate
):
    sessions = [answered_session(assignment_for(mentor, candidate)) for _ in range(2)]

    content = mentor_client.get(reverse("mentoring:mentee", args=[candidate.pk])).content.decode()

    for item in (item for session in sessions for item in session.items.all()):
        thread = reverse("mentoring:thread", args=[item.pk])
        assert f'<form method="post" action="{thread}" data-hx-post="{thread}"' in content


@pytest.mark.parametrize(
    ("answered", "shown"),
    [
        (timedelta(seconds=20), "just now"),
        (timedelta(minutes=1), "1\xa0minute ago"),
        (timedelta(hours=2, minutes=5), "2\xa0hours, 5\xa0minutes ago"),
    ],
)
def test_the_mentee_page_says_when_the_mentee_last_answered(
    mentor_client, mentorship, candidate, answered, shown
):
    session = PracticeSessionFactory(user=candidate)
    SessionItemFactory(session=session, answered_at=timezone.now() - answered)

    content = mentor_client.get(reverse("mentoring:mentee", args=[candidate.pk])).content.decode()

    assert f">{shown}</time></span>" in content
    assert "0\xa0minutes" not in content


def test_the_mentee_page_has_empty_states(mentor_client, mentorship, candidate):
    content = mentor_client.get(reverse("mentoring:mentee", args=[candidate.pk])).content.decode()

    assert "has not studied any topic yet" in content
    assert "No assignments yet" in content


@pytest.mark.parametrize("finished", [True, False])
def test_the_mentee_page_costs_the_same_with_2_or_50_assignments(
    mentor_client, mentor, mentorship, candidate, django_assert_num_queries, finished
):
    url = reverse("mentoring:mentee", args=[candidate.pk])
    ReviewCardFactory(user=candidate, state=CardState.REVIEW)

    def make(n):
        for _ in range(n):
            session = answered_session(assignment_for(mentor, candidate), finished=finished)
            item = session.items.first()
            FeedbackCommentFactory(item=item, author=mentor)
            FeedbackCommentFactory(item=item, author=candidate)

    for n, total in ((2, 2), (48, 50)):
        make(n)
        # 1 session, 2 user, 3 its roles (the mentor check), 4 the mentorship with the candidate
        # and last activity, 5 assignments with progress and unread counts, 6 their sessions,
        # 7 the answers with questions and topics, 8 the threads with authors, 9 the questions'
        # tests, 10 their choices, 11 the choices picked, 12 mark the replies read (make() wrote
        # new ones), 13 published questions per topic, 14 the candidate's cards per topic,
        # 15 unread feedback (navigation)
        with django_assert_num_queries(15):
            response = mentor_client.get(url)
        assert len(response.context["assignments"]) == total
