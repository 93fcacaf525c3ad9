"""The service other apps call, and the Review and Mistakes modes end to end."""

import pytest
from django.urls import reverse

from practice.models import Mode, PracticeSession, Rating, ReviewCard
from practice.services import start_session_with_questions
from tests.factories import AssignmentFactory, QuestionSetFactory


def test_start_session_with_questions_keeps_their_order(candidate, bank):
    questions = [bank["design"][0], bank["concepts"][2], bank["coding"][1]]
    question_set = QuestionSetFactory()
    assignment = AssignmentFactory(candidate=candidate, question_set=question_set, mode="mock")
    session = start_session_with_questions(
        user=candidate,
        mode=Mode.MOCK,
        questions=questions,
        question_set=question_set,
        assignment=assignment,
        time_limit_minutes=25,
    )
    assert session.item_count == 3 and session.time_limit_minutes == 25
    assert session.assignment == assignment and session.question_set == question_set
    order = list(session.items.order_by("position").values_list("question_id", "position"))
    assert order == [(q.pk, n) for n, q in enumerate(questions, start=1)]


def test_a_repeated_question_keeps_its_first_place(candidate, bank):
    a, b = bank["concepts"][:2]
    session = start_session_with_questions(user=candidate, mode=Mode.STUDY, questions=[a, b, a])
    assert list(session.items.values_list("question_id", flat=True)) == [a.pk, b.pk]


def test_a_time_limit_applies_to_mock_interviews_only(candidate, bank):
    session = start_session_with_questions(
        user=candidate, mode=Mode.STUDY, questions=bank["concepts"][:1], time_limit_minutes=20
    )
    assert session.time_limit_minutes is None and session.deadline is None


@pytest.mark.parametrize(("mode", "questions"), [("study", []), ("nonsense", None)])
def test_it_refuses_no_questions_or_an_unknown_mode(candidate, bank, mode, questions):
    with pytest.raises(ValueError):
        start_session_with_questions(
            user=candidate, mode=mode, questions=bank["concepts"] if questions is None else []
        )
    assert not PracticeSession.objects.exists()


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("mode", [Mode.REVIEW, Mode.MISTAKES])
def test_review_and_mistakes_end_to_end(candidate_client, candidate, bank, mode, htmx):
    # Yesterday's study: two questions graded Again, so both are due and both are mistakes.
    studied = start_session_with_questions(
        user=candidate, mode=Mode.STUDY, questions=bank["concepts"][:2]
    )
    for item in studied.items.all():
        item.record_grade(rating=Rating.AGAIN)
    ReviewCard.objects.update(due=studied.started_at)
    response = candidate_client.post(reverse("practice:start"), {"mode": mode, "count": 10})
    session = PracticeSession.objects.get(mode=mode)
    assert response["Location"] == reverse("practice:session", args=[session.pk])
    headers = {"HX-Request": "true"} if htmx else {}
    for item in session.items.order_by("position"):
        reveal = reverse("practice:reveal", args=[session.pk, item.pk])
        grade = reverse("practice:grade", args=[session.pk, item.pk])
        candidate_client.post(reveal, {"response": "Recalled"}, headers=headers)
        response = candidate_client.post(grade, {"rating": "3"}, headers=headers)
    summary = reverse("practice:summary", args=[session.pk])
    assert (response["HX-Redirect"] if htmx else response["Location"]) == summary
    session.refresh_from_db()
    assert session.is_finished and session.score == 1.0
    assert set(ReviewCard.objects.values_list("reps", "last_rating")) == {(2, Rating.GOOD)}
    assert "100%" in candidate_client.get(summary).content.decode()
