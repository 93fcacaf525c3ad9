"""Defaults that the rest of the suite turns off or takes for granted: FSRS fuzzing (on in
production), the server's time zone (UTC in tests) and the draw's random choices (which topic gets
the leftover questions)."""

import os
import random
import time
from collections import Counter
from datetime import UTC, datetime

import pytest

import prep.settings
from practice.draw import Candidate, allocate, draw
from practice.models import Rating, ReviewCard
from practice.scheduling import apply_review, retrievabilities, scheduler_for
from tests.factories import UserFactory

AT = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def test_production_settings_leave_fsrs_fuzzing_on_and_the_draw_unseeded():
    assert prep.settings.PRACTICE_FSRS_FUZZING is True
    assert prep.settings.PRACTICE_DRAW_SEED is None


def test_with_the_production_setting_the_scheduler_fuzzes(settings):
    settings.PRACTICE_FSRS_FUZZING = prep.settings.PRACTICE_FSRS_FUZZING

    assert scheduler_for(UserFactory.build()).enable_fuzzing is True


def test_the_test_setting_turns_fuzzing_off(settings):
    settings.PRACTICE_FSRS_FUZZING = False

    assert scheduler_for(UserFactory.build()).enable_fuzzing is False


def test_with_fuzzing_cards_learnt_together_do_not_all_fall_due_together(settings):
    settings.PRACTICE_FSRS_FUZZING = True
    scheduler = scheduler_for(UserFactory.build())
    dues = set()
    for pk in range(1, 21):
        card = ReviewCard(pk=pk)
        apply_review(card, Rating.EASY, at=AT, scheduler=scheduler)
        dues.add(card.due)

    assert len(dues) > 1


@pytest.fixture
def server_in_new_york():
    """The process's local time zone is New York (Django sets TZ from TIME_ZONE: UTC here)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_cards_are_scheduled_the_same_whatever_the_servers_time_zone(server_in_new_york):
    scheduler = scheduler_for(UserFactory.build(desired_retention=0.9))
    card = ReviewCard(pk=1)

    apply_review(card, Rating.GOOD, at=AT, scheduler=scheduler)
    apply_review(card, Rating.GOOD, at=card.due, scheduler=scheduler)

    assert card.last_review == AT.replace(minute=10) and card.due.utcoffset().total_seconds() == 0
    assert retrievabilities([(card.stability, card.last_review)], at=card.due, scheduler=scheduler)


@pytest.mark.parametrize("retention", [None, 0])
def test_a_candidate_without_a_retention_gets_90_percent(retention):
    user = UserFactory.build(desired_retention=retention)

    assert scheduler_for(user).desired_retention == pytest.approx(0.90)


def test_the_leftover_question_goes_to_a_different_topic_from_seed_to_seed():
    sizes = {"databases": 5, "fundamentals": 5, "system-design": 5}
    favoured = Counter()
    for seed in range(60):
        quotas = allocate(sizes, 4, random.Random(seed))
        assert sorted(quotas.values()) == [1, 1, 2]
        favoured[max(quotas, key=quotas.get)] += 1

    # Each topic gets the extra question about a third of the time, never always the same.
    assert set(favoured) == set(sizes)
    assert all(10 <= count <= 30 for count in favoured.values())


def test_the_same_seed_gives_the_same_quotas_whatever_order_the_topics_come_in():
    sizes = {12: 5, 3: 5, 7: 5, 30: 5}
    reordered = dict(reversed(sizes.items()))

    for seed in range(20):
        assert allocate(sizes, 6, random.Random(seed)) == allocate(
            reordered, 6, random.Random(seed)
        )


def test_the_leftover_questions_of_a_draw_rotate_between_topics():
    candidates = [Candidate(pk, pk % 3) for pk in range(30)]
    extra = Counter()
    for seed in range(60):
        topics = Counter(pk % 3 for pk in draw(candidates, 5, random.Random(seed)))
        assert sorted(topics.values()) == [1, 2, 2]
        extra[min(topics, key=topics.get)] += 1

    assert set(extra) == {0, 1, 2}


def test_the_topics_of_a_draw_are_interleaved_not_grouped():
    candidates = [Candidate(pk, pk % 3) for pk in range(30)]
    orders = {
        tuple(pk % 3 for pk in draw(candidates, 6, random.Random(seed))) for seed in range(20)
    }

    assert len(orders) > 1
    assert any(order != tuple(sorted(order)) for order in orders)


def test_a_mock_gives_its_leftover_questions_to_the_first_stages():
    candidates = [Candidate(pk, pk % 4) for pk in range(40)]
    for seed in range(10):
        picked = draw(candidates, 6, random.Random(seed), bucket_order=range(4))
        assert [pk % 4 for pk in picked] == [0, 0, 1, 1, 2, 3]
