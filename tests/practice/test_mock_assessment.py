"""Scoring a mock interview from the key points the candidate ticked: each answer's score, grade
and correctness, the cards it moves, and the interview's score."""

from datetime import timedelta

import fsrs
import pytest
from django.utils import timezone

from practice.models import (
    CardState,
    Mode,
    Outcome,
    PracticeSession,
    Rating,
    ReviewCard,
    rating_for_coverage,
)
from tests.factories import QuestionFactory, UserFactory
from tests.practice.conftest import session_with

FIVE_POINTS = "One\nTwo\nThree\nFour\nFive"


def _mock(candidate, questions, *, answered):
    """A mock over `questions`, the items at the `answered` positions answered, then ended."""
    session = session_with(candidate, questions, mode=Mode.MOCK, time_limit_minutes=30)
    items = list(session.items.order_by("position"))
    for position in answered:
        items[position - 1].record_mock_answer(response=f"Answer {position}")
    session.finish()
    session.refresh_from_db()
    return session, items


def _scored(items):
    for item in items:
        item.refresh_from_db()
    return items


@pytest.mark.parametrize(
    ("coverage", "rating"),
    [
        (0.0, Rating.AGAIN),
        (0.39, Rating.AGAIN),
        (0.4, Rating.HARD),
        (0.69, Rating.HARD),
        (0.7, Rating.GOOD),
        (1.0, Rating.GOOD),
    ],
)
def test_coverage_below_40_percent_is_again_below_70_hard_and_above_good(coverage, rating):
    assert rating_for_coverage(coverage) == rating


@pytest.mark.parametrize(
    ("ticked", "score", "rating", "correct"),
    [
        ([], 0.0, Rating.AGAIN, False),
        ([0], 0.2, Rating.AGAIN, False),
        ([0, 1], 0.4, Rating.HARD, True),
        ([0, 1, 2], 0.6, Rating.HARD, True),
        ([0, 1, 2, 3], 0.8, Rating.GOOD, True),
    ],
)
def test_each_answer_is_scored_graded_and_marked_by_its_share_of_key_points(
    candidate, ticked, score, rating, correct
):
    question = QuestionFactory(key_points=FIVE_POINTS)
    session, (item,) = _mock(candidate, [question], answered=[1])

    session.assess(covered={item.pk: ticked})

    (item,) = _scored([item])
    assert item.covered_points == ticked
    assert item.score == pytest.approx(score)
    assert item.rating == rating
    # is_correct is what the Mistakes list reads: a missed answer is practised again.
    assert item.is_correct is correct
    assert item.was_missed is not correct


def test_an_index_past_the_last_key_point_or_before_the_first_is_ignored(candidate):
    question = QuestionFactory(key_points="One\nTwo\nThree")
    session, (item,) = _mock(candidate, [question], answered=[1])

    session.assess(covered={item.pk: [3, -1, 0, 0, 2]})

    (item,) = _scored([item])
    assert item.covered_points == [0, 2]
    assert item.score == pytest.approx(2 / 3)


def test_ticks_for_another_item_or_an_unknown_id_count_for_nothing(candidate):
    first, second = QuestionFactory(), QuestionFactory()
    session, items = _mock(candidate, [first, second], answered=[1, 2])

    session.assess(covered={items[0].pk: [0, 1, 2], 10**9: [0]})

    scored = _scored(items)
    assert scored[0].score == 1.0 and scored[1].score == 0.0 and scored[1].covered_points == []


def test_an_answer_to_a_question_without_key_points_scores_full(candidate):
    question = QuestionFactory(key_points="")
    session, (item,) = _mock(candidate, [question], answered=[1])

    session.assess(covered={item.pk: [0]})

    (item,) = _scored([item])
    assert item.covered_points == [] and item.score == 1.0 and item.rating == Rating.GOOD


def test_answers_after_an_unanswered_question_are_still_scored(candidate):
    questions = [QuestionFactory() for _ in range(3)]
    session, items = _mock(candidate, questions, answered=[2, 3])

    session.assess(covered={item.pk: [0, 1, 2] for item in items})

    skipped, second, third = _scored(items)
    assert skipped.score == 0.0 and skipped.is_correct is False and skipped.rating is None
    assert skipped.covered_points == [0, 1, 2]  # what was ticked is kept, but counts for nothing
    assert (second.score, second.rating, second.is_correct) == (1.0, Rating.GOOD, True)
    assert (third.score, third.rating, third.is_correct) == (1.0, Rating.GOOD, True)
    assert ReviewCard.objects.filter(user=candidate).count() == 2
    session.refresh_from_db()
    assert session.score == pytest.approx(2 / 3)


def test_a_mock_where_every_answer_scores_nothing_scores_nothing(candidate):
    questions = [QuestionFactory() for _ in range(3)]
    session, items = _mock(candidate, questions, answered=[1, 2, 3])

    assert session.assess(covered={}) == Outcome.RECORDED

    session.refresh_from_db()
    assert session.is_finished and session.score == 0.0
    assert all(item.score == 0.0 and item.is_correct is False for item in _scored(items))


def test_the_interview_score_counts_unanswered_questions_as_nothing(candidate):
    questions = [QuestionFactory(key_points=FIVE_POINTS) for _ in range(4)]
    session, items = _mock(candidate, questions, answered=[1, 2])

    session.assess(covered={items[0].pk: [0, 1, 2, 3, 4], items[1].pk: [0, 1]})

    session.refresh_from_db()
    assert session.score == pytest.approx((1.0 + 0.4) / 4)


def test_a_card_the_candidate_already_has_is_moved_from_where_it_was(candidate):
    question = QuestionFactory()
    last_review = timezone.now() - timedelta(days=10)
    card = ReviewCard.objects.create(
        user=candidate,
        question=question,
        state=CardState.REVIEW,
        stability=8.0,
        difficulty=5.0,
        due=last_review + timedelta(days=8),
        last_review=last_review,
        last_rating=Rating.GOOD,
        reps=3,
    )
    session, (item,) = _mock(candidate, [question], answered=[1])
    now = timezone.now()

    session.assess(covered={item.pk: [0, 1, 2]}, now=now)

    assert ReviewCard.objects.filter(user=candidate).count() == 1
    card.refresh_from_db()
    expected, _ = fsrs.Scheduler(enable_fuzzing=False).review_card(
        fsrs.Card(
            card_id=1,
            state=fsrs.State.Review,
            stability=8.0,
            difficulty=5.0,
            due=last_review + timedelta(days=8),
            last_review=last_review,
        ),
        fsrs.Rating.Good,
        now,
    )
    assert card.reps == 4 and card.last_rating == Rating.GOOD and card.last_review == now
    assert card.stability == pytest.approx(expected.stability)
    assert card.difficulty == pytest.approx(expected.difficulty)
    assert card.due == expected.due


def test_a_lapse_in_a_mock_counts_on_the_existing_card(candidate):
    question = QuestionFactory()
    ReviewCard.objects.create(
        user=candidate,
        question=question,
        state=CardState.REVIEW,
        stability=8.0,
        difficulty=5.0,
        last_review=timezone.now() - timedelta(days=3),
        reps=3,
        lapses=2,
    )
    session, (item,) = _mock(candidate, [question], answered=[1])

    session.assess(covered={item.pk: []})

    card = ReviewCard.objects.get(user=candidate, question=question)
    assert card.lapses == 3 and card.state == CardState.RELEARNING


def test_scoring_schedules_with_the_candidates_desired_retention(candidate):
    candidate.desired_retention = 0.97
    candidate.save(update_fields=["desired_retention"])
    relaxed = UserFactory(desired_retention=0.7)
    question = QuestionFactory()
    now = timezone.now()
    last_review = now - timedelta(days=5)
    dues = {}
    for user in (candidate, relaxed):
        ReviewCard.objects.create(
            user=user,
            question=question,
            state=CardState.REVIEW,
            stability=8.0,
            difficulty=5.0,
            last_review=last_review,
            reps=3,
        )
        session, (item,) = _mock(user, [question], answered=[1])
        session.assess(covered={item.pk: [0, 1, 2]}, now=now)
        dues[user] = ReviewCard.objects.get(user=user, question=question).due

    assert dues[candidate] < dues[relaxed]  # 97% retention asks for it sooner than 70%


def test_new_cards_are_made_for_answered_questions_only(candidate):
    questions = [QuestionFactory() for _ in range(2)]
    session, items = _mock(candidate, questions, answered=[1])
    now = timezone.now()

    session.assess(covered={items[0].pk: [0, 1]}, now=now)

    card = ReviewCard.objects.get(user=candidate)
    assert card.question == questions[0]
    assert card.reps == 1 and card.last_rating == Rating.HARD and card.last_review == now


def test_scoring_finishes_the_interview_at_that_moment(candidate):
    session, items = _mock(candidate, [QuestionFactory()], answered=[1])
    now = timezone.now()

    session.assess(covered={}, now=now)

    session.refresh_from_db()
    assert session.finished_at == now


def test_scoring_an_interview_still_running_is_refused_and_changes_nothing(candidate):
    session = session_with(candidate, [QuestionFactory()], mode=Mode.MOCK, time_limit_minutes=30)
    item = session.items.get()

    with pytest.raises(ValueError, match=r"^The interview is still running\.$"):
        session.assess(covered={item.pk: [0]})

    item.refresh_from_db()
    assert item.covered_points == [] and item.score is None
    assert not PracticeSession.objects.get(pk=session.pk).is_finished


def test_scoring_is_possible_once_every_question_is_answered(candidate):
    session = session_with(candidate, [QuestionFactory()], mode=Mode.MOCK, time_limit_minutes=30)
    item = session.items.get()
    item.record_mock_answer(response="All of it")

    assert session.assess(covered={item.pk: [0, 1, 2]}) == Outcome.RECORDED


def test_scoring_is_possible_once_the_time_is_up(candidate):
    session = session_with(candidate, [QuestionFactory()], mode=Mode.MOCK, time_limit_minutes=30)
    later = session.started_at + timedelta(minutes=31)

    assert session.assess(covered={}, now=later) == Outcome.RECORDED


@pytest.mark.parametrize("size", [2, 8])
def test_scoring_costs_the_same_queries_for_a_short_or_a_long_interview(
    candidate, size, django_assert_num_queries
):
    questions = [QuestionFactory() for _ in range(size)]
    # Half the questions already have a card (updated), half not (created).
    for question in questions[::2]:
        ReviewCard.objects.create(user=candidate, question=question)
    session, items = _mock(candidate, questions, answered=range(1, size + 1))
    session = PracticeSession.objects.get(pk=session.pk)  # the user not loaded yet

    # 1 savepoint, 2 lock the session with its user, 3 the items with their questions,
    # 4 lock the cards, 5 update the items, 6 update the cards, 7 insert the new cards,
    # 8 the interview's total score, 9 finish it, 10 release the savepoint.
    with django_assert_num_queries(10):
        session.assess(covered={item.pk: [0] for item in items})
