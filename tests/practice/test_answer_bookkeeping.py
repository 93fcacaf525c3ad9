"""What an answer records besides its grade: the typed response, when the answer was shown and
given, how long it took, and the session's last activity, for study, quiz and mock answers."""

from datetime import timedelta

import pytest
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from practice.models import (
    MAX_TIME_PER_ANSWER,
    Mode,
    Outcome,
    PracticeSession,
    Rating,
    ReviewCard,
    SessionItem,
)
from tests.factories import ADD_SOLUTION, QuestionFactory, UserFactory, coding_question
from tests.practice.conftest import session_with

START = timezone.now().replace(microsecond=0) - timedelta(hours=2)


def _started(session, at=START):
    PracticeSession.objects.filter(pk=session.pk).update(started_at=at)
    session.refresh_from_db()
    return session


@pytest.fixture
def study(candidate, bank):
    return _started(session_with(candidate, bank["concepts"][:3]))


@pytest.fixture
def quiz(candidate, bank):
    return _started(session_with(candidate, bank["quiz"][:3], mode=Mode.QUIZ))


@pytest.fixture
def mock(candidate, bank):
    # A 45-minute interview that started a minute ago.
    session = session_with(candidate, bank["concepts"][:3], mode=Mode.MOCK, time_limit_minutes=45)
    return _started(session, timezone.now() - timedelta(minutes=1))


def _item(session, position):
    item = SessionItem.objects.get(session=session, position=position)
    item.session = session
    return item


# --- Show answer ---------------------------------------------------------------------------------


def test_show_answer_keeps_what_the_candidate_typed_and_when(study):
    item = _item(study, 1)
    now = START + timedelta(minutes=3)

    assert item.reveal(response="A closure keeps its scope.", now=now) is True

    item.refresh_from_db()
    assert item.revealed_at == now and item.response == "A closure keeps its scope."
    assert item.answered_at is None and item.rating is None


def test_show_answer_with_nothing_typed_keeps_an_empty_response(study):
    item = _item(study, 1)

    assert item.reveal() is True

    item.refresh_from_db()
    assert item.revealed_at is not None and item.response == ""


def test_a_second_show_answer_keeps_the_first_time_it_was_shown(study):
    item = _item(study, 1)
    first = START + timedelta(minutes=3)
    item.reveal(response="First words", now=first)

    assert item.reveal(response="Second words", now=first + timedelta(minutes=1))

    item.refresh_from_db()
    assert item.revealed_at == first and item.response == "Second words"


def test_show_answer_on_an_answered_card_changes_nothing(study):
    item = _item(study, 1)
    item.record_grade(rating=Rating.GOOD, response="What I said", now=START)
    answered = SessionItem.objects.values().get(pk=item.pk)

    assert item.reveal(response="Overwritten?", now=START + timedelta(minutes=1)) is False

    assert SessionItem.objects.values().get(pk=item.pk) == answered


def test_show_answer_in_a_finished_session_changes_nothing(study):
    study.finish()
    item = _item(study, 1)

    assert item.reveal(response="Late") is False

    item.refresh_from_db()
    assert item.revealed_at is None and item.response == ""


def test_show_answer_after_a_submit_keeps_the_submitted_code(candidate):
    question = coding_question()
    session = session_with(candidate, [question, QuestionFactory()])
    item = _item(session, 1)
    results = [
        {"name": test.name, "status": "fail", "message": "", "output": "", "duration_ms": 1}
        for test in question.tests.all()
    ]
    item.record_submission(code=ADD_SOLUTION, results=results)

    assert item.reveal(response="typed after the submit, never run") is True

    item.refresh_from_db()
    assert item.response == ADD_SOLUTION and item.revealed_at is not None


# --- grades --------------------------------------------------------------------------------------


def test_a_grade_keeps_the_response_typed_with_it(study):
    item = _item(study, 1)
    item.reveal(response="Draft", now=START + timedelta(minutes=1))

    item.record_grade(rating=Rating.HARD, response="Final words", now=START + timedelta(minutes=2))

    item.refresh_from_db()
    assert item.response == "Final words"


def test_a_grade_without_a_response_keeps_the_one_shown(study):
    item = _item(study, 1)
    shown = START + timedelta(minutes=1)
    item.reveal(response="Draft", now=shown)

    item.record_grade(rating=Rating.GOOD, now=shown + timedelta(minutes=1))

    item.refresh_from_db()
    assert item.response == "Draft" and item.revealed_at == shown


def test_grading_through_the_page_stores_the_typed_response(candidate_client, study):
    item = _item(study, 1)

    candidate_client.post(
        reverse("practice:grade", args=[study.pk, item.pk]),
        {"rating": "2", "response": "Typed in the grade form"},
    )

    item.refresh_from_db()
    assert item.response == "Typed in the grade form" and item.rating == Rating.HARD


def test_a_grade_without_show_answer_marks_it_shown_then(study):
    item = _item(study, 1)
    now = START + timedelta(minutes=4)

    item.record_grade(rating=Rating.GOOD, now=now)

    item.refresh_from_db()
    assert item.revealed_at == now and item.answered_at == now


def test_a_grade_schedules_with_the_candidates_desired_retention(candidate, bank):
    candidate.desired_retention = 0.97
    candidate.save(update_fields=["desired_retention"])
    relaxed = UserFactory(desired_retention=0.7)
    question = bank["concepts"][0]
    for user in (candidate, relaxed):
        for at in (START, START + timedelta(minutes=10)):  # learnt after two Goods
            _item(session_with(user, [question]), 1).record_grade(rating=Rating.GOOD, now=at)

    strict_card = ReviewCard.objects.get(user=candidate, question=question)
    relaxed_card = ReviewCard.objects.get(user=relaxed, question=question)
    assert strict_card.due < relaxed_card.due  # 97% retention asks for it sooner than 70%


@pytest.mark.parametrize(
    ("rating", "correct", "score"),
    [
        (Rating.AGAIN, False, 0.0),
        (Rating.HARD, True, 1.0),
        (Rating.GOOD, True, 1.0),
        (Rating.EASY, True, 1.0),
    ],
)
def test_only_again_counts_as_a_miss(study, rating, correct, score):
    item = _item(study, 1)

    item.record_grade(rating=rating)

    item.refresh_from_db()
    assert (item.rating, item.is_correct, item.score) == (rating, correct, score)


def test_a_first_answer_that_loses_the_race_for_its_card_reviews_the_card_made_meanwhile(
    candidate, study, monkeypatch
):
    """The same new question answered at the same moment in two sessions: the other one makes
    the card between this one's look-up and its insert (real threads race on PostgreSQL in
    tests/security/test_concurrency.py; here the look-up is made to miss)."""
    item = _item(study, 1)
    other = session_with(candidate, [item.question])
    other.items.get().record_grade(rating=Rating.GOOD, now=START)
    first = QuerySet.first
    monkeypatch.setattr(QuerySet, "first", lambda qs: None if qs.model is ReviewCard else first(qs))

    outcome = item.record_grade(rating=Rating.AGAIN, now=START + timedelta(days=1))

    assert outcome == Outcome.RECORDED
    card = ReviewCard.objects.get(user=candidate, question=item.question)
    assert card.reps == 2 and card.last_rating == Rating.AGAIN
    assert card.last_review == START + timedelta(days=1)
    study.refresh_from_db()
    assert study.answered_count == 1  # the failed insert did not break the transaction


# --- time spent and last activity ----------------------------------------------------------------


def test_the_first_answer_counts_from_the_start_and_the_next_from_the_last_answer(study):
    first, second = _item(study, 1), _item(study, 2)
    one = START + timedelta(minutes=2)
    two = one + timedelta(seconds=75)

    first.record_grade(rating=Rating.GOOD, now=one)
    second.record_grade(rating=Rating.GOOD, now=two)

    first.refresh_from_db()
    second.refresh_from_db()
    study.refresh_from_db()
    assert first.time_spent == timedelta(minutes=2)
    assert second.time_spent == timedelta(seconds=75)
    assert study.last_activity_at == two and study.answered_count == 2


def test_time_away_counts_at_most_half_an_hour(study):
    item = _item(study, 1)

    item.record_grade(rating=Rating.GOOD, now=START + timedelta(hours=1))

    item.refresh_from_db()
    assert item.time_spent == MAX_TIME_PER_ANSWER == timedelta(minutes=30)


def test_a_clock_that_went_backwards_counts_no_time(study):
    item = _item(study, 1)

    item.record_grade(rating=Rating.GOOD, now=START - timedelta(minutes=1))

    item.refresh_from_db()
    assert item.time_spent == timedelta(0)


def test_a_quiz_answer_records_when_it_was_shown_answered_and_how_long_it_took(quiz):
    first, second = _item(quiz, 1), _item(quiz, 2)
    one = START + timedelta(minutes=1)
    two = one + timedelta(seconds=20)
    right = first.question.choices.get(is_correct=True)

    first.record_choices(choice_ids=[right.pk], now=one)
    second.record_choices(choice_ids=[], now=two)

    first.refresh_from_db()
    second.refresh_from_db()
    quiz.refresh_from_db()
    assert (first.revealed_at, first.answered_at, first.time_spent) == (
        one,
        one,
        timedelta(minutes=1),
    )
    assert (first.rating, first.is_correct, first.score) == (Rating.GOOD, True, 1.0)
    assert (second.revealed_at, second.answered_at) == (two, two)
    assert second.time_spent == timedelta(seconds=20)
    assert (second.rating, second.is_correct, second.score) == (Rating.AGAIN, False, 0.0)
    assert quiz.last_activity_at == two and quiz.answered_count == 2
    card = ReviewCard.objects.get(question=first.question)
    assert card.last_review == one and card.last_rating == Rating.GOOD


def test_a_quiz_answer_with_a_choice_of_another_question_is_wrong(quiz):
    item = _item(quiz, 1)
    foreign = _item(quiz, 2).question.choices.get(is_correct=True)

    assert item.record_choices(choice_ids=[foreign.pk]) == Outcome.RECORDED

    item.refresh_from_db()
    assert item.is_correct is False and not item.selected_choices.exists()


def test_a_multi_select_answer_needs_every_right_choice_and_no_wrong_one(candidate, bank):
    question = bank["quiz"][3]  # two right, two wrong
    right = list(question.choices.filter(is_correct=True).values_list("pk", flat=True))
    wrong = question.choices.filter(is_correct=False).first().pk
    session = session_with(candidate, [question], mode=Mode.QUIZ)
    item = _item(session, 1)

    item.record_choices(choice_ids=[right[0]])
    item.refresh_from_db()
    assert item.is_correct is False

    for choices, correct in (([*right, wrong], False), (right, True)):
        again = _item(session_with(candidate, [question], mode=Mode.QUIZ), 1)
        again.record_choices(choice_ids=choices)
        again.refresh_from_db()
        assert again.is_correct is correct
        assert set(again.selected_choices.values_list("pk", flat=True)) == set(choices)


def test_a_mock_answer_records_its_time_and_the_interviews_last_activity(mock):
    first, second = _item(mock, 1), _item(mock, 2)
    one = mock.started_at + timedelta(minutes=40)  # a long first answer: the limit is 45
    two = one + timedelta(seconds=90)

    first.record_mock_answer(response="First", now=one)
    second.record_mock_answer(response="Second", now=two)

    first.refresh_from_db()
    second.refresh_from_db()
    mock.refresh_from_db()
    assert (first.answered_at, first.response, first.time_spent) == (
        one,
        "First",
        timedelta(minutes=40),
    )
    assert first.revealed_at is None and first.rating is None
    assert second.time_spent == timedelta(seconds=90)
    assert mock.last_activity_at == two and mock.answered_count == 2
    assert not mock.is_finished  # a mock waits for its scoring


def test_a_mock_answer_counts_at_most_the_length_of_the_interview(candidate, bank):
    session = session_with(candidate, bank["concepts"][:2], mode=Mode.MOCK, time_limit_minutes=45)
    item = _item(session, 1)
    # Sent within the grace after the deadline, long after the start: capped at 45 minutes.
    item.record_mock_answer(response="x", now=session.deadline + timedelta(seconds=10))

    item.refresh_from_db()
    assert item.time_spent == timedelta(minutes=45)


def test_answering_every_mock_question_does_not_finish_it(mock):
    for position in (1, 2, 3):
        _item(mock, position).record_mock_answer(response="x")

    mock.refresh_from_db()
    assert mock.answered_count == 3 and not mock.is_finished
    assert mock.is_awaiting_assessment(timezone.now())


def test_a_mock_submit_records_its_time_and_the_last_activity(candidate):
    question = coding_question()
    session = session_with(candidate, [question, QuestionFactory()], mode=Mode.MOCK)
    item = _item(session, 1)
    now = session.started_at + timedelta(minutes=3)
    results = [
        {"name": test.name, "status": "pass", "message": "", "output": "", "duration_ms": 1}
        for test in question.tests.all()
    ]

    assert item.record_submission(code=ADD_SOLUTION, results=results, now=now) == Outcome.RECORDED

    item.refresh_from_db()
    session.refresh_from_db()
    assert (item.answered_at, item.submitted_at, item.time_spent) == (
        now,
        now,
        timedelta(minutes=3),
    )
    assert item.revealed_at is None  # no model solution mid-interview
    assert session.last_activity_at == now and session.answered_count == 1
    again = item.record_submission(code="other", results=results, now=now)
    assert again == Outcome.ALREADY_ANSWERED


# --- finishing -----------------------------------------------------------------------------------


def test_the_callers_copy_of_the_session_shows_the_outcome(study):
    """The views go on with the session they passed in (the card, the redirect): the services
    update it in place."""
    now = START + timedelta(minutes=5)

    for position, rating in ((1, Rating.GOOD), (2, Rating.AGAIN), (3, Rating.EASY)):
        _item(study, position).record_grade(rating=rating, now=now)

    assert study.answered_count == 3 and study.last_activity_at == now
    assert study.finished_at == now and study.score == pytest.approx(2 / 3)


def test_a_study_session_ended_early_is_scored_on_its_answers_only(study):
    _item(study, 1).record_grade(rating=Rating.AGAIN)
    _item(study, 2).record_grade(rating=Rating.EASY)
    now = timezone.now()

    assert study.finish(now=now) == Outcome.RECORDED

    study.refresh_from_db()
    assert study.finished_at == now and study.score == 0.5
    assert study.finish() == Outcome.CLOSED


def test_a_session_ended_before_any_answer_has_no_score(study):
    study.finish()

    study.refresh_from_db()
    assert study.is_finished and study.score is None


def test_ending_a_mock_twice_keeps_the_first_end(mock):
    first = timezone.now()
    mock.finish(now=first)

    assert mock.finish(now=first + timedelta(minutes=1)) == Outcome.RECORDED

    mock.refresh_from_db()
    assert mock.closed_at == first and not mock.is_finished
