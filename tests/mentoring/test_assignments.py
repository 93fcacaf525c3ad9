"""The candidate's assignments at /assignments/, and Start."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Assignment, AssignmentStatus
from mentoring.templatetags.mentoring_tags import dashboard_assignments
from practice.models import PracticeSession
from questions.models import Status
from tests.factories import (
    AssignmentFactory,
    FeedbackCommentFactory,
    MentorFactory,
    MentorshipFactory,
    QuestionFactory,
    QuestionSetItemFactory,
)
from tests.mentoring.helpers import answered_session, assignment_for, private_set


def status_of(assignment) -> str:
    return Assignment.objects.with_progress().get(pk=assignment.pk).status


# --- status -------------------------------------------------------------------------------------


def test_a_new_assignment_is_not_started(mentorship, mentor, candidate):
    assert status_of(assignment_for(mentor, candidate)) == AssignmentStatus.NOT_STARTED


def test_an_unfinished_session_means_in_progress(mentorship, mentor, candidate):
    assignment = assignment_for(mentor, candidate)
    answered_session(assignment, finished=False)

    assert status_of(assignment) == AssignmentStatus.IN_PROGRESS


def test_a_finished_session_means_completed_with_its_score(mentorship, mentor, candidate):
    assignment = assignment_for(mentor, candidate)
    answered_session(assignment, score=0.8)

    annotated = Assignment.objects.with_progress().get(pk=assignment.pk)
    assert annotated.status == AssignmentStatus.COMPLETED
    assert annotated.latest_percent == 80


def test_past_due_and_not_completed_means_overdue(mentorship, mentor, candidate):
    late = assignment_for(mentor, candidate, due_at=timezone.now() - timedelta(hours=1))
    started_late = assignment_for(mentor, candidate, due_at=timezone.now() - timedelta(hours=1))
    answered_session(started_late, finished=False)
    done_late = assignment_for(mentor, candidate, due_at=timezone.now() - timedelta(hours=1))
    answered_session(done_late)

    assert status_of(late) == AssignmentStatus.OVERDUE
    assert status_of(started_late) == AssignmentStatus.OVERDUE
    assert status_of(done_late) == AssignmentStatus.COMPLETED


def test_another_users_session_does_not_count(mentorship, mentor, candidate, other_candidate):
    assignment = assignment_for(mentor, candidate)
    PracticeSession.objects.create(
        user=other_candidate, mode="study", assignment=assignment, finished_at=timezone.now()
    )

    assert status_of(assignment) == AssignmentStatus.NOT_STARTED


# --- the page -----------------------------------------------------------------------------------


def test_the_page_lists_due_dates_statuses_and_scores(
    candidate_client, mentorship, mentor, candidate
):
    todo = assignment_for(mentor, candidate, note="Read about the GIL first.")
    todo.question_set.title = "Concurrency"
    todo.question_set.save()
    late = assignment_for(mentor, candidate, due_at=timezone.now() - timedelta(days=1))
    done = assignment_for(mentor, candidate)
    answered_session(done, score=0.75)

    response = candidate_client.get(reverse("mentoring:assignments"))

    content = response.content.decode()
    assert response.status_code == 200
    assert [a.pk for a in response.context["to_do"]] == [late.pk, todo.pk]
    assert [a.pk for a in response.context["done"]] == [done.pk]
    assert "Concurrency" in content
    assert "Read about the GIL first." in content
    assert "Overdue" in content
    assert "badge-overdue" in content
    assert "Not started" in content
    assert "Completed: 75%" in content
    assert "Practise again" in content


@pytest.mark.parametrize("mode", ["study", "mock"])
def test_a_new_comment_on_an_attempt_in_progress_links_to_its_thread(
    candidate_client, mentorship, mentor, candidate, mode
):
    session = answered_session(assignment_for(mentor, candidate, mode=mode), finished=False)
    first, second = session.items.order_by("position")
    FeedbackCommentFactory(item=first, author=mentor, read_at=timezone.now())  # read already
    FeedbackCommentFactory(item=first, author=candidate)  # the candidate's own reply
    FeedbackCommentFactory(item=second, author=mentor, body="Say more about the GIL.")
    url = reverse("mentoring:assignments")

    content = candidate_client.get(url).content.decode()

    thread_url = reverse("mentoring:thread", args=[second.pk])
    assert (
        f'<a href="{thread_url}#thread-{second.pk}">Read the feedback '
        '<span class="badge badge-accent">1 new comment</span></a>'
    ) in content
    assert "Say more about the GIL." in candidate_client.get(thread_url).content.decode()
    assert "new comment" not in candidate_client.get(url).content.decode()  # read now


def test_new_comments_link_to_the_thread_of_the_oldest(
    candidate_client, mentorship, mentor, candidate
):
    session = answered_session(assignment_for(mentor, candidate), finished=False)
    first, second = session.items.order_by("position")
    FeedbackCommentFactory(
        item=second, author=mentor, created_at=timezone.now() - timedelta(days=1)
    )
    FeedbackCommentFactory(item=first, author=mentor)

    content = candidate_client.get(reverse("mentoring:assignments")).content.decode()

    thread_url = reverse("mentoring:thread", args=[second.pk])
    assert f'<a href="{thread_url}#thread-{second.pk}">Read the feedback' in content
    assert "2 new comments" in content


def test_new_comments_on_the_dashboard_link_to_the_thread_of_the_oldest(
    candidate_client, mentorship, mentor, candidate
):
    session = answered_session(assignment_for(mentor, candidate), finished=False)
    first, second = session.items.order_by("position")
    FeedbackCommentFactory(
        item=second, author=mentor, created_at=timezone.now() - timedelta(days=1)
    )
    FeedbackCommentFactory(item=first, author=mentor)
    FeedbackCommentFactory(item=first, author=candidate)  # the candidate's own: not new

    content = candidate_client.get(reverse("practice:dashboard")).content.decode()

    thread_url = reverse("mentoring:thread", args=[second.pk])
    assert (
        f'<a href="{thread_url}#thread-{second.pk}">'
        '<span class="badge badge-accent">2 new comments</span></a>'
    ) in content


def test_the_page_has_an_empty_state(candidate_client):
    response = candidate_client.get(reverse("mentoring:assignments"))

    assert "No assignments yet" in response.content.decode()


def test_the_navigation_links_the_page(candidate_client):
    response = candidate_client.get(reverse("mentoring:assignments"))

    assert 'aria-current="page">Assignments' in response.content.decode()


def test_a_candidate_sees_only_their_own_assignments(
    candidate_client, mentorship, mentor, other_candidate
):
    MentorshipFactory(mentor=mentor, candidate=other_candidate)
    theirs = assignment_for(mentor, other_candidate)

    response = candidate_client.get(reverse("mentoring:assignments"))

    assert theirs.question_set.title not in response.content.decode()


def test_assignments_from_an_ended_mentorship_disappear(
    candidate_client, mentorship, mentor, candidate
):
    assignment = assignment_for(mentor, candidate)
    mentorship.delete()

    response = candidate_client.get(reverse("mentoring:assignments"))

    assert assignment.question_set.title not in response.content.decode()
    start = candidate_client.post(reverse("mentoring:start", args=[assignment.pk]))
    assert start.status_code == 404


def test_the_page_costs_the_same_with_2_or_50_assignments(
    candidate_client, candidate, django_assert_num_queries
):
    mentors = [MentorFactory() for _ in range(3)]
    for mentor in mentors:
        MentorshipFactory(mentor=mentor, candidate=candidate)

    def make(n):
        Assignment.objects.all().delete()
        for i in range(n):
            assignment = assignment_for(mentors[i % 3], candidate)
            if i % 3 == 1:
                answered_session(assignment, finished=False)
            elif i % 3 == 2:
                answered_session(assignment)

    url = reverse("mentoring:assignments")
    for n in (2, 50):
        make(n)
        # 1 session, 2 user, 3 the assignments with their progress, sets, mentors and unread
        # counts, 4 unread feedback (navigation), 5 its roles (navigation)
        with django_assert_num_queries(5):
            response = candidate_client.get(url)
        assert len(response.context["to_do"]) + len(response.context["done"]) == n


# --- Start --------------------------------------------------------------------------------------


def test_start_opens_a_session_over_the_sets_questions_in_order(
    candidate_client, mentorship, mentor, candidate
):
    question_set = private_set(mentor, questions=0)
    questions = [QuestionFactory() for _ in range(3)]
    for position, question in zip((2, 0, 1), questions, strict=True):
        QuestionSetItemFactory(question_set=question_set, question=question, position=position)
    QuestionSetItemFactory(
        question_set=question_set, question=QuestionFactory(status=Status.DRAFT), position=3
    )
    assignment = AssignmentFactory(mentor=mentor, candidate=candidate, question_set=question_set)

    response = candidate_client.post(reverse("mentoring:start", args=[assignment.pk]))

    session = PracticeSession.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("practice:session", args=[session.pk])
    assert session.user == candidate
    assert session.assignment == assignment
    assert session.question_set == question_set
    assert session.mode == "study"
    ordered = list(session.items.order_by("position").values_list("question_id", flat=True))
    assert ordered == [questions[1].pk, questions[2].pk, questions[0].pk]
    assert status_of(assignment) == AssignmentStatus.IN_PROGRESS


def test_a_mock_assignment_starts_a_timed_mock_interview(
    candidate_client, mentorship, mentor, candidate
):
    assignment = assignment_for(mentor, candidate, mode="mock", time_limit_minutes=30)

    candidate_client.post(reverse("mentoring:start", args=[assignment.pk]))

    session = PracticeSession.objects.get()
    assert session.mode == "mock"
    assert session.time_limit_minutes == 30


def test_start_resumes_an_unfinished_session(candidate_client, mentorship, mentor, candidate):
    assignment = assignment_for(mentor, candidate)
    candidate_client.post(reverse("mentoring:start", args=[assignment.pk]))

    response = candidate_client.post(reverse("mentoring:start", args=[assignment.pk]), follow=True)

    assert PracticeSession.objects.count() == 1
    assert "Picking up where you left off." in response.content.decode()
    assert "Resume" in candidate_client.get(reverse("mentoring:assignments")).content.decode()


def test_practising_a_completed_assignment_again_starts_a_new_session(
    candidate_client, mentorship, mentor, candidate
):
    assignment = assignment_for(mentor, candidate)
    answered_session(assignment)

    candidate_client.post(reverse("mentoring:start", args=[assignment.pk]))

    assert PracticeSession.objects.filter(assignment=assignment).count() == 2


def test_a_set_emptied_of_published_questions_cannot_start(
    candidate_client, mentorship, mentor, candidate
):
    assignment = assignment_for(mentor, candidate, questions=0)

    response = candidate_client.post(reverse("mentoring:start", args=[assignment.pk]), follow=True)

    assert "no published questions yet" in response.content.decode()
    assert not PracticeSession.objects.exists()


def test_another_candidates_assignment_is_a_404(
    client, mentorship, mentor, candidate, other_candidate
):
    assignment = assignment_for(mentor, candidate)
    client.force_login(other_candidate)

    response = client.post(reverse("mentoring:start", args=[assignment.pk]))

    assert response.status_code == 404
    assert not PracticeSession.objects.exists()


def test_start_is_a_post(candidate_client, mentorship, mentor, candidate):
    assignment = assignment_for(mentor, candidate)

    assert candidate_client.get(reverse("mentoring:start", args=[assignment.pk])).status_code == 405


def test_the_dashboard_panel_lists_open_assignments_soonest_first(mentorship, mentor, candidate):
    later = assignment_for(mentor, candidate, due_at=timezone.now() + timedelta(days=9))
    sooner = assignment_for(mentor, candidate, due_at=timezone.now() + timedelta(days=2))
    answered_session(assignment_for(mentor, candidate))  # completed: not on the dashboard
    for _ in range(5):
        assignment_for(mentor, candidate, due_at=timezone.now() + timedelta(days=30))

    panel = dashboard_assignments(candidate)["assignments"]

    assert [a.pk for a in panel[:2]] == [sooner.pk, later.pk]
    assert len(panel) == 5


def test_the_dashboard_panel_counts_what_each_candidate_has_not_read(
    mentorship, mentor, candidate, other_candidate
):
    MentorshipFactory(mentor=mentor, candidate=other_candidate)
    for who, unread in ((candidate, 1), (other_candidate, 2)):
        item = answered_session(assignment_for(mentor, who), finished=False).items.first()
        FeedbackCommentFactory(item=item, author=who)  # their own reply: not unread for them
        FeedbackCommentFactory.create_batch(unread, item=item, author=mentor)

    mine = dashboard_assignments(candidate)["assignments"]
    theirs = dashboard_assignments(other_candidate)["assignments"]

    assert [(a.candidate_id, a.unread_count) for a in mine] == [(candidate.pk, 1)]
    assert [(a.candidate_id, a.unread_count) for a in theirs] == [(other_candidate.pk, 2)]
