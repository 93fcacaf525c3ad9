"""The schedule our ReviewCard keeps is exactly the one fsrs computes for the same grades."""

from datetime import UTC, datetime, timedelta

import fsrs
import pytest

from practice.models import CardState, Rating, ReviewCard
from practice.scheduling import apply_review, retrievabilities, retrievability, scheduler_for
from tests.factories import ReviewCardFactory, UserFactory

START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
GRADES = [
    (Rating.GOOD, timedelta(0)),
    (Rating.GOOD, timedelta(minutes=10)),
    (Rating.EASY, timedelta(days=3)),
    (Rating.AGAIN, timedelta(days=20)),
    (Rating.HARD, timedelta(days=20, minutes=15)),
    (Rating.GOOD, timedelta(days=25)),
]


def test_the_schedule_matches_fsrs_for_the_same_grades(db):
    user = UserFactory(desired_retention=0.85)
    card = ReviewCardFactory(user=user)
    reference = fsrs.Card(card_id=1)
    scheduler = fsrs.Scheduler(desired_retention=0.85, enable_fuzzing=False)
    for rating, offset in GRADES:
        at = START + offset
        apply_review(card, rating, at=at, scheduler=scheduler_for(user))
        card.save()
        card.refresh_from_db()
        reference, _log = scheduler.review_card(reference, fsrs.Rating(int(rating)), at)
        assert card.state == reference.state.value
        assert card.step == reference.step
        assert card.stability == pytest.approx(reference.stability)
        assert card.difficulty == pytest.approx(reference.difficulty)
        assert card.due == reference.due
        assert card.last_review == reference.last_review
    assert card.reps == len(GRADES)
    assert card.last_rating == Rating.GOOD


def test_an_again_on_a_learnt_card_counts_a_lapse_but_not_while_learning(db):
    card = ReviewCardFactory()
    scheduler = scheduler_for(card.user)
    apply_review(card, Rating.AGAIN, at=START, scheduler=scheduler)
    assert card.state == CardState.LEARNING and card.lapses == 0
    apply_review(card, Rating.EASY, at=START + timedelta(minutes=1), scheduler=scheduler)
    assert card.state == CardState.REVIEW
    apply_review(card, Rating.AGAIN, at=START + timedelta(days=10), scheduler=scheduler)
    assert card.state == CardState.RELEARNING and card.lapses == 1


def test_a_card_lapsed_eight_times_is_a_leech(db):
    card = ReviewCardFactory(lapses=ReviewCard.LEECH_LAPSES - 1)
    scheduler = scheduler_for(card.user)
    apply_review(card, Rating.EASY, at=START, scheduler=scheduler)
    assert not card.is_leech
    apply_review(card, Rating.AGAIN, at=START + timedelta(days=5), scheduler=scheduler)
    assert card.lapses == ReviewCard.LEECH_LAPSES
    assert card.is_leech


@pytest.mark.parametrize(("stored", "used"), [(0.5, 0.70), (0.99, 0.97), (0.8, 0.8)])
def test_desired_retention_comes_from_the_profile_within_bounds(stored, used):
    user = UserFactory.build(desired_retention=stored)
    assert scheduler_for(user).desired_retention == pytest.approx(used)


def test_higher_retention_schedules_sooner(db):
    relaxed, strict = ReviewCardFactory(), ReviewCardFactory()
    apply_review(
        relaxed,
        Rating.GOOD,
        at=START,
        scheduler=fsrs.Scheduler(desired_retention=0.7, enable_fuzzing=False),
    )
    apply_review(
        strict,
        Rating.GOOD,
        at=START,
        scheduler=fsrs.Scheduler(desired_retention=0.97, enable_fuzzing=False),
    )
    apply_review(
        relaxed,
        Rating.GOOD,
        at=START + timedelta(minutes=10),
        scheduler=fsrs.Scheduler(desired_retention=0.7, enable_fuzzing=False),
    )
    apply_review(
        strict,
        Rating.GOOD,
        at=START + timedelta(minutes=10),
        scheduler=fsrs.Scheduler(desired_retention=0.97, enable_fuzzing=False),
    )
    assert strict.due < relaxed.due


def test_retrievability_is_what_fsrs_predicts():
    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    at = START + timedelta(days=12)
    card = fsrs.Card(card_id=1, state=fsrs.State.Review, stability=8.0, difficulty=5.0)
    card.last_review = START
    expected = scheduler.get_card_retrievability(card, at)
    assert retrievability(
        stability=8.0, last_review=START, at=at, scheduler=scheduler
    ) == pytest.approx(expected)
    assert retrievability(stability=None, last_review=None, at=at, scheduler=scheduler) == 0.0


def test_retrievabilities_of_many_cards_are_each_cards_own():
    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    at = START + timedelta(days=12, hours=5)
    rows = [(8.0, START), (None, None), (1.5, START + timedelta(days=10)), (30.0, at)]
    assert retrievabilities(rows, at=at, scheduler=scheduler) == [
        pytest.approx(retrievability(stability=s, last_review=r, at=at, scheduler=scheduler))
        for s, r in rows
    ]
