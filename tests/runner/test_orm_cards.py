"""Every runner block of an ORM exercise asks for Django (data-runtime="django", which
static/js/code-card.js passes to the runner): the practice card, the admin preview's Run the
tests and the mentor's Run it again. A coding question's blocks ask for plain Python."""

import re

import pytest
from django.urls import reverse

from mentoring.services import start_assignment
from practice.models import Mode, Rating
from practice.services import start_session_with_questions
from questions.models import Status
from tests.factories import (
    AssignmentFactory,
    QuestionSetFactory,
    QuestionSetItemFactory,
    coding_question,
    orm_exercise,
)

pytestmark = pytest.mark.django_db


def runner_blocks(html: str) -> list[str]:
    """The opening tag of each runner block of a page."""
    return re.findall(r"<div class=\"code-runner\" data-code-runner[^>]*>", html)


def test_the_practice_card_of_an_orm_exercise_asks_for_django(candidate_client, candidate):
    exercise = orm_exercise(time_limit=10)
    session = start_session_with_questions(user=candidate, mode=Mode.STUDY, questions=[exercise])

    html = candidate_client.get(reverse("practice:session", args=[session.pk])).content.decode()

    (block,) = runner_blocks(html)
    assert 'data-runtime="django"' in block
    assert 'data-time-limit="10"' in block


def test_a_coding_card_asks_for_python_only(candidate_client, candidate):
    session = start_session_with_questions(
        user=candidate, mode=Mode.STUDY, questions=[coding_question()]
    )

    html = candidate_client.get(reverse("practice:session", args=[session.pk])).content.decode()

    (block,) = runner_blocks(html)
    assert "data-runtime" not in block


def test_the_admin_preview_runs_an_orm_exercises_tests_with_django(editor_client):
    exercise = orm_exercise(status=Status.DRAFT)

    html = editor_client.get(
        reverse("admin:questions_question_preview", args=[exercise.pk])
    ).content.decode()

    (block,) = runner_blocks(html)
    assert 'data-mode="check"' in block and 'data-runtime="django"' in block


def test_the_mentor_runs_an_orm_answer_again_with_django(
    mentor_client, mentor, mentorship, candidate
):
    exercise = orm_exercise()
    question_set = QuestionSetFactory(owner=mentor, visibility="private")
    QuestionSetItemFactory(question_set=question_set, question=exercise, position=0)
    assignment = AssignmentFactory(mentor=mentor, candidate=candidate, question_set=question_set)
    session, _ = start_assignment(assignment=assignment, user=candidate)
    item = session.items.get()
    results = [
        {"name": test.name, "status": "pass", "message": "", "output": "", "duration_ms": 1}
        for test in exercise.tests.all()
    ]
    item.record_submission(code="def book_count(): ...", results=results)
    item.record_grade(rating=Rating.GOOD)

    html = mentor_client.get(reverse("mentoring:mentee", args=[candidate.pk])).content.decode()

    (block,) = runner_blocks(html)
    assert 'data-mode="rerun"' in block and 'data-runtime="django"' in block
