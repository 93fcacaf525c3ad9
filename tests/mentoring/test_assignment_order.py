"""Which session, comment and assignment the assignment querysets pick when there are several:
the latest attempt decides the status and the score, the oldest unread comment is where reading
starts, and lists keep one order however the rows were created."""

from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from mentoring.models import Assignment, AssignmentStatus
from tests.factories import FeedbackCommentFactory, PracticeSessionFactory
from tests.mentoring.helpers import answered_session, assignment_for


def annotated(assignments) -> list[Any]:
    """The rows with the attributes their queryset annotates (which mypy cannot see)."""
    return list(assignments)


def session(assignment, *, user=None, started_at, finished_at=None, score=None):
    return PracticeSessionFactory(
        user=user or assignment.candidate,
        assignment=assignment,
        started_at=started_at,
        finished_at=finished_at,
        score=score,
    )


# --- the attempt that counts --------------------------------------------------------------------


def test_the_latest_finished_attempt_gives_the_score_not_the_latest_created(
    mentorship, mentor, candidate
):
    assignment = assignment_for(mentor, candidate)
    now = timezone.now()
    # Entered out of order (an import, a clock change): the row created last finished first.
    latest = session(assignment, started_at=now - timedelta(hours=3), finished_at=now, score=0.9)
    session(
        assignment,
        started_at=now - timedelta(days=2),
        finished_at=now - timedelta(days=1),
        score=0.4,
    )

    annotated = Assignment.objects.with_progress().get(pk=assignment.pk)

    assert (annotated.latest_session_id, annotated.latest_percent) == (latest.pk, 90)
    assert annotated.completed_at == latest.finished_at


def test_attempts_finished_at_the_same_moment_count_the_later_one(mentorship, mentor, candidate):
    assignment = assignment_for(mentor, candidate)
    now = timezone.now()
    session(assignment, started_at=now - timedelta(hours=1), finished_at=now, score=0.4)
    later = session(assignment, started_at=now - timedelta(hours=1), finished_at=now, score=0.7)

    annotated = Assignment.objects.with_progress().get(pk=assignment.pk)

    assert (annotated.latest_session_id, annotated.latest_percent) == (later.pk, 70)


def test_the_open_attempt_is_the_latest_started_one(mentorship, mentor, candidate):
    assignment = assignment_for(mentor, candidate)
    now = timezone.now()
    latest = session(assignment, started_at=now)
    session(assignment, started_at=now - timedelta(days=1))
    tied = assignment_for(mentor, candidate)
    session(tied, started_at=now)
    later_row = session(tied, started_at=now)

    expected = {assignment.pk: latest.pk, tied.pk: later_row.pk}
    with_progress = Assignment.objects.with_progress().values_list("pk", "open_session_id")
    listed = {a.pk: a.open_session_id for a in annotated(Assignment.objects.open_for(candidate))}

    assert dict(with_progress) == expected
    assert listed == expected


def test_open_assignments_are_in_progress_only_from_their_own_candidates_session(
    mentorship, mentor, candidate, other_candidate
):
    started = assignment_for(mentor, candidate)
    session(started, started_at=timezone.now())
    untouched = assignment_for(mentor, candidate)
    # Another user's attempts on it, finished or not, neither start nor complete it.
    session(untouched, user=other_candidate, started_at=timezone.now())
    session(untouched, user=other_candidate, started_at=timezone.now(), finished_at=timezone.now())

    statuses = {a.pk: a.status for a in Assignment.objects.open_for(candidate)}

    assert statuses == {
        started.pk: AssignmentStatus.IN_PROGRESS,
        untouched.pk: AssignmentStatus.NOT_STARTED,
    }


# --- where reading starts -----------------------------------------------------------------------


def test_the_first_unread_is_the_oldest_written_not_the_first_saved(mentorship, mentor, candidate):
    first, second = answered_session(assignment_for(mentor, candidate), finished=False).items.all()
    now = timezone.now()
    FeedbackCommentFactory(item=first, author=mentor, created_at=now)
    FeedbackCommentFactory(item=second, author=mentor, created_at=now - timedelta(hours=2))

    (listed,) = annotated(Assignment.objects.open_for(candidate))

    assert listed.first_unread_item_id == second.pk


def test_unread_comments_written_at_the_same_moment_start_with_the_first_saved(
    mentorship, mentor, candidate
):
    first, second = answered_session(assignment_for(mentor, candidate), finished=False).items.all()
    now = timezone.now()
    FeedbackCommentFactory(item=second, author=mentor, created_at=now)
    FeedbackCommentFactory(item=first, author=mentor, created_at=now)

    (listed,) = annotated(Assignment.objects.for_candidate(candidate))

    assert listed.first_unread_item_id == second.pk


def test_a_candidates_own_reply_is_not_where_their_reading_starts(mentorship, mentor, candidate):
    first, second = answered_session(assignment_for(mentor, candidate), finished=False).items.all()
    FeedbackCommentFactory(
        item=first, author=candidate, created_at=timezone.now() - timedelta(days=1)
    )
    FeedbackCommentFactory(item=second, author=mentor)

    (listed,) = annotated(Assignment.objects.open_for(candidate))

    assert (listed.first_unread_item_id, listed.unread_count) == (second.pk, 1)


def test_a_mentors_own_comments_are_not_unread_for_the_mentor(mentorship, mentor, candidate):
    item = answered_session(assignment_for(mentor, candidate)).items.first()
    FeedbackCommentFactory.create_batch(2, item=item, author=mentor)  # the candidate has not read
    FeedbackCommentFactory(item=item, author=candidate)

    (given,) = annotated(Assignment.objects.given(mentor=mentor, candidate=candidate))

    assert given.unread_count == 1


# --- the order of lists -------------------------------------------------------------------------


def test_assignments_due_at_the_same_moment_keep_the_order_they_were_given_in(
    mentorship, mentor, candidate
):
    due = timezone.now() + timedelta(days=3)
    given_in_order = [assignment_for(mentor, candidate, due_at=due).pk for _ in range(3)]

    assert [a.pk for a in Assignment.objects.for_candidate(candidate)] == given_in_order
    assert [a.pk for a in Assignment.objects.open_for(candidate)] == given_in_order
    assert [
        a.pk for a in Assignment.objects.given(mentor=mentor, candidate=candidate)
    ] == given_in_order[::-1]


def test_the_mentor_sees_the_latest_due_first_whatever_the_order_given(
    mentorship, mentor, candidate
):
    now = timezone.now()
    sooner = assignment_for(mentor, candidate, due_at=now + timedelta(days=9))
    later = assignment_for(mentor, candidate, due_at=now + timedelta(days=2))

    given = Assignment.objects.given(mentor=mentor, candidate=candidate)

    assert [a.pk for a in given] == [sooner.pk, later.pk]


def test_an_assignments_attempts_are_listed_oldest_first(mentorship, mentor, candidate):
    assignment = assignment_for(mentor, candidate)
    now = timezone.now()
    newest = session(assignment, started_at=now, finished_at=now)
    oldest = session(assignment, started_at=now - timedelta(days=2), finished_at=now)
    tied_first = session(assignment, started_at=now - timedelta(days=1), finished_at=now)
    tied_second = session(assignment, started_at=now - timedelta(days=1), finished_at=now)

    (listed,) = Assignment.objects.filter(pk=assignment.pk).with_attempts()

    assert [s.pk for s in listed.sessions.all()] == [
        oldest.pk,
        tied_first.pk,
        tied_second.pk,
        newest.pk,
    ]


# --- what the cards show ------------------------------------------------------------------------


def test_the_cards_say_how_many_questions_the_set_has(client, mentorship, mentor, candidate):
    assignment_for(mentor, candidate, questions=3)

    client.force_login(candidate)
    assert "3 questions" in client.get(reverse("mentoring:assignments")).content.decode()
    client.force_login(mentor)
    mentee_page = reverse("mentoring:mentee", args=[candidate.pk])
    assert "3 questions" in client.get(mentee_page).content.decode()
