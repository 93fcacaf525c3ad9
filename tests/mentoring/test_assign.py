"""Assigning a set to mentees at /mentor/assign/."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring import services
from mentoring.models import Assignment
from questions.models import Status
from tests.factories import (
    MentorFactory,
    MentorshipFactory,
    QuestionFactory,
    QuestionSetFactory,
    QuestionSetItemFactory,
    UserFactory,
)
from tests.mentoring.helpers import private_set


@pytest.fixture
def mentees(mentor, candidate, mentorship):
    second = UserFactory(username="sam")
    MentorshipFactory(mentor=mentor, candidate=second)
    return [candidate, second]


@pytest.fixture
def question_set(mentor):
    return private_set(mentor, questions=3, title="Concurrency")


def future(days=3) -> str:
    return (timezone.now() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def form_data(chosen_set, mentees, /, **overrides):
    data = {
        "question_set": chosen_set.pk,
        "candidates": [m.pk for m in mentees],
        "due_at": future(),
        "mode": "study",
        "time_limit_minutes": "",
        "note": "Focus on the GIL.",
    }
    data.update(overrides)
    return data


def test_a_mentor_assigns_a_set_to_several_mentees(mentor_client, mentor, mentees, question_set):
    response = mentor_client.post(reverse("mentoring:assign"), form_data(question_set, mentees))

    assert response.status_code == 302
    assert response.url == reverse("mentoring:home")
    assignments = Assignment.objects.order_by("candidate__username")
    assert [a.candidate for a in assignments] == sorted(mentees, key=lambda u: u.username)
    for assignment in assignments:
        assert assignment.mentor == mentor
        assert assignment.question_set == question_set
        assert assignment.mode == "study"
        assert assignment.time_limit_minutes is None
        assert assignment.note == "Focus on the GIL."
        assert assignment.due_at > timezone.now()


def test_a_mock_interview_keeps_its_time_limit(mentor_client, mentees, question_set):
    data = form_data(question_set, mentees[:1], mode="mock", time_limit_minutes="45")

    mentor_client.post(reverse("mentoring:assign"), data)

    assignment = Assignment.objects.get()
    assert assignment.mode == "mock"
    assert assignment.time_limit_minutes == 45


def test_a_study_assignment_drops_a_time_limit(mentor_client, mentees, question_set):
    mentor_client.post(
        reverse("mentoring:assign"), form_data(question_set, mentees, time_limit_minutes="30")
    )

    assert set(Assignment.objects.values_list("time_limit_minutes", flat=True)) == {None}


def test_the_due_date_is_read_in_the_mentors_time_zone(
    mentor_client, mentor, mentees, question_set
):
    mentor.time_zone = "Asia/Tokyo"
    mentor.save()
    local = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    typed = local.astimezone(timezone.get_fixed_timezone(9 * 60)).strftime("%Y-%m-%dT%H:%M")

    mentor_client.post(reverse("mentoring:assign"), form_data(question_set, mentees, due_at=typed))

    assert Assignment.objects.first().due_at == local


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"due_at": ""}, "Set a due date."),
        ({"due_at": "next tuesday"}, "Enter a date and time"),
        ({"due_at": "2001-01-01T10:00"}, "The due date must be in the future."),
        ({"candidates": []}, "Choose at least one mentee."),
        ({"candidates": ["x"]}, "Choose among your mentees."),
        ({"question_set": ""}, "Choose a question set."),
        ({"question_set": "99999"}, "Choose one of your sets or a public one."),
        ({"mode": "quiz"}, "Select a valid choice"),
        ({"mode": "mock", "time_limit_minutes": ""}, "A mock interview needs a time limit"),
        ({"mode": "mock", "time_limit_minutes": "2"}, "greater than or equal to 5"),
        ({"mode": "mock", "time_limit_minutes": "600"}, "less than or equal to 180"),
        ({"mode": "mock", "time_limit_minutes": "ten"}, "Enter a whole number."),
        ({"note": "x" * 5001}, "at most 5000 characters"),
    ],
)
def test_bad_input_gets_a_message_and_stores_nothing(
    mentor_client, mentees, question_set, overrides, message
):
    response = mentor_client.post(
        reverse("mentoring:assign"), form_data(question_set, mentees, **overrides)
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Nothing was assigned" in response.content.decode()
    assert not Assignment.objects.exists()


def test_a_candidate_who_is_not_a_mentee_cannot_be_assigned(
    mentor_client, mentees, question_set, other_candidate
):
    data = form_data(question_set, [*mentees, other_candidate])

    response = mentor_client.post(reverse("mentoring:assign"), data)

    assert "Choose among your mentees." in response.content.decode()
    assert not Assignment.objects.exists()


def test_another_mentors_set_cannot_be_assigned(mentor_client, mentees, question_set):
    theirs = private_set(MentorFactory())

    response = mentor_client.post(reverse("mentoring:assign"), form_data(theirs, mentees))

    assert "Choose one of your sets or a public one." in response.content.decode()
    assert not Assignment.objects.exists()


def test_a_public_set_can_be_assigned(mentor_client, mentees, editor):
    public = QuestionSetFactory(owner=editor, visibility="public")
    QuestionSetItemFactory(question_set=public)

    mentor_client.post(reverse("mentoring:assign"), form_data(public, mentees))

    assert Assignment.objects.count() == 2


def test_a_set_without_published_questions_cannot_be_assigned(mentor_client, mentor, mentees):
    empty = private_set(mentor, questions=0)
    drafts = private_set(mentor, questions=0)
    QuestionSetItemFactory(question_set=drafts, question=QuestionFactory(status=Status.DRAFT))

    for question_set in (empty, drafts):
        response = mentor_client.post(reverse("mentoring:assign"), form_data(question_set, mentees))
        assert "no published questions yet" in response.content.decode()
    assert not Assignment.objects.exists()


def test_the_service_is_all_or_nothing(mentor, mentees, question_set, other_candidate):
    with pytest.raises(services.MentoringError, match="only to your mentees"):
        services.assign_question_set(
            mentor=mentor,
            question_set=question_set,
            candidates=[*mentees, other_candidate],
            due_at=timezone.now() + timedelta(days=1),
            mode="study",
            time_limit_minutes=None,
            note="",
        )
    assert not Assignment.objects.exists()


def test_the_service_refuses_a_past_due_date(mentor, mentees, question_set):
    with pytest.raises(services.MentoringError, match="future"):
        services.assign_question_set(
            mentor=mentor,
            question_set=question_set,
            candidates=mentees,
            due_at=timezone.now() - timedelta(minutes=1),
            mode="study",
            time_limit_minutes=None,
            note="",
        )


def test_the_form_preselects_a_set_and_a_mentee(mentor_client, mentees, question_set):
    response = mentor_client.get(
        reverse("mentoring:assign"), {"set": question_set.pk, "mentee": mentees[1].pk}
    )

    form = response.context["form"]
    assert form.initial == {"question_set": question_set.pk, "candidates": [mentees[1].pk]}
    assert "Asia" not in response.content.decode()
    assert "In your time zone (UTC)" in response.content.decode()


def test_the_form_explains_what_is_missing(mentor_client, mentor):
    no_mentees = mentor_client.get(reverse("mentoring:assign"))
    assert "No mentees yet" in no_mentees.content.decode()

    MentorshipFactory(mentor=mentor)
    no_sets = mentor_client.get(reverse("mentoring:assign"))
    assert "No question sets yet" in no_sets.content.decode()


def test_a_candidate_cannot_assign(candidate_client, question_set, mentees):
    response = candidate_client.post(reverse("mentoring:assign"), form_data(question_set, mentees))

    assert response.status_code == 403
    assert not Assignment.objects.exists()


def test_withdrawing_an_unstarted_assignment(mentor_client, mentor, mentees, question_set):
    from tests.factories import AssignmentFactory

    assignment = AssignmentFactory(mentor=mentor, candidate=mentees[0], question_set=question_set)

    response = mentor_client.post(reverse("mentoring:withdraw", args=[assignment.pk]))

    assert response.status_code == 302
    assert not Assignment.objects.exists()


def test_a_started_assignment_cannot_be_withdrawn(mentor_client, mentor, mentees, question_set):
    from tests.factories import AssignmentFactory, PracticeSessionFactory

    assignment = AssignmentFactory(mentor=mentor, candidate=mentees[0], question_set=question_set)
    PracticeSessionFactory(user=mentees[0], assignment=assignment)

    response = mentor_client.post(reverse("mentoring:withdraw", args=[assignment.pk]), follow=True)

    assert "so it stays" in response.content.decode()
    assert Assignment.objects.exists()


def test_another_mentors_assignment_cannot_be_withdrawn(client, mentees, question_set, mentor):
    from tests.factories import AssignmentFactory

    assignment = AssignmentFactory(mentor=mentor, candidate=mentees[0], question_set=question_set)
    client.force_login(MentorFactory())

    assert client.post(reverse("mentoring:withdraw", args=[assignment.pk])).status_code == 404
    assert Assignment.objects.exists()


def test_the_assign_page_costs_the_same_with_2_or_50_mentees(
    mentor_client, mentor, question_set, django_assert_num_queries
):
    url = reverse("mentoring:assign")
    for n in (2, 48):
        for _ in range(n):
            MentorshipFactory(mentor=mentor)
            private_set(mentor, questions=1)
        # 1 session, 2 user, 3 its roles (the mentor check), 4 any mentees, 5 any sets, 6 unread
        # feedback (navigation), 7 the sets for the menu, 8 the mentees for the checkboxes
        with django_assert_num_queries(8):
            mentor_client.get(url)
