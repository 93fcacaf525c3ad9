"""PracticeSession.card_at: the stage a session is in at a given moment and what its card holds,
called directly (the views that render it are tested in test_study, test_quiz and test_mock)."""

from datetime import timedelta

from django.utils import timezone

from practice.models import Mode
from questions.models import Kind
from tests.factories import QuestionFactory, multiple_choice_question
from tests.practice.conftest import session_with


def test_a_finished_session_shows_no_card_and_stands_at_its_end(candidate):
    session = session_with(candidate, [QuestionFactory(), QuestionFactory()])
    session.finished_at = timezone.now()

    card = session.card_at(timezone.now())

    assert (card["stage"], card["item"], card["position"]) == ("finished", None, 2)


def test_a_session_with_every_question_answered_is_at_its_end_before_it_is_closed(candidate):
    session = session_with(candidate, [QuestionFactory()])
    session.items.update(answered_at=timezone.now())

    card = session.card_at(timezone.now())

    assert (card["stage"], card["item"], card["position"]) == ("finished", None, 1)


def test_a_study_card_carries_its_key_points_and_a_mock_card_does_not(candidate):
    question = QuestionFactory(kind=Kind.CONCEPT, key_points="Names\nScopes")

    study = session_with(candidate, [question]).card_at(timezone.now())
    mock = session_with(candidate, [question], mode=Mode.MOCK).card_at(timezone.now())

    assert study["key_points"] == ["Names", "Scopes"]
    assert "key_points" not in mock


def test_a_timed_mock_card_counts_down_to_its_deadline(candidate):
    session = session_with(
        candidate, [QuestionFactory(kind=Kind.CONCEPT)], mode=Mode.MOCK, time_limit_minutes=30
    )
    deadline = session.started_at + timedelta(minutes=30)

    early = session.card_at(deadline - timedelta(seconds=90))
    at_the_deadline = session.card_at(deadline)

    assert (early["stage"], early["stage_name"]) == ("mock", "Concepts")
    assert (early["seconds_left"], early["minutes_left"]) == (90, 2)
    # Up to the deadline itself the card still takes the answer, with no time left to show.
    assert at_the_deadline["stage"] == "mock"
    assert (at_the_deadline["seconds_left"], at_the_deadline["minutes_left"]) == (0, 0)
    assert session.card_at(deadline + timedelta(seconds=1))["stage"] == "assess"


def test_a_mock_card_of_a_kind_outside_the_loops_stages_is_just_a_question(candidate):
    session = session_with(candidate, [multiple_choice_question()], mode=Mode.MOCK)

    card = session.card_at(timezone.now())

    assert (card["stage"], card["stage_name"]) == ("mock", "Question")
    assert "seconds_left" not in card


def test_a_quiz_card_comes_with_its_choices(candidate, django_assert_num_queries):
    session = session_with(candidate, [multiple_choice_question(correct=1, wrong=2)], mode="quiz")

    card = session.card_at(timezone.now())

    assert card["stage"] == "quiz"
    with django_assert_num_queries(0):
        assert len(card["item"].question.choices.all()) == 3


def test_a_quiz_result_marks_the_choices_the_candidate_picked(candidate, django_assert_num_queries):
    question = multiple_choice_question(correct=1, wrong=2)
    session = session_with(candidate, [question], mode="quiz")
    item = session.items.get()
    wrong = question.choices.filter(is_correct=False)[0]
    item.record_choices([wrong.pk])
    item.refresh_from_db()

    card = session.card_at(timezone.now(), item=item)

    assert card["stage"] == "result"
    assert card["selected_ids"] == {wrong.pk}
    with django_assert_num_queries(0):
        assert len(card["item"].question.choices.all()) == 3


def test_a_question_with_nothing_to_run_gets_no_runner(candidate):
    practical = QuestionFactory(kind=Kind.PRACTICAL)  # a snippet to discuss, without tests
    sql = QuestionFactory(kind=Kind.SQL)  # no dataset yet: nothing to check the query against
    session = session_with(candidate, [practical, sql])
    first, second = session.items.select_related("question").order_by("position")

    assert first.code_card() == {"runs_code": False}
    assert second.query_card() == {"runs_code": False}
