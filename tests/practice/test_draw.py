"""The draw: quotas across topics, least recently seen first, no repeats, reproducible."""

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from practice.draw import MOCK_STAGES, Candidate, allocate, draw

SEEN = datetime(2025, 1, 1, tzinfo=UTC)


def test_the_count_is_spread_evenly_across_topics():
    quotas = allocate({"a": 10, "b": 10, "c": 10}, 9, random.Random(1))
    assert quotas == {"a": 3, "b": 3, "c": 3}


def test_a_small_topic_passes_its_share_on():
    quotas = allocate({"a": 1, "b": 10, "c": 10}, 9, random.Random(1))
    assert quotas["a"] == 1
    assert quotas["b"] + quotas["c"] == 8
    assert abs(quotas["b"] - quotas["c"]) <= 1


def test_it_never_asks_for_more_than_there_is():
    assert sum(allocate({"a": 2, "b": 1}, 50, random.Random(1)).values()) == 3


@given(
    sizes=st.dictionaries(st.integers(0, 8), st.integers(1, 12), min_size=1, max_size=6),
    count=st.integers(1, 50),
    seed=st.integers(0, 1000),
)
def test_quotas_are_as_even_as_the_sizes_allow(sizes, count, seed):
    quotas = allocate(sizes, count, random.Random(seed))
    assert sum(quotas.values()) == min(count, sum(sizes.values()))
    assert all(0 <= quotas[key] <= sizes[key] for key in sizes)
    # A bucket short of its size never has two fewer than another bucket.
    for key, quota in quotas.items():
        if quota < sizes[key]:
            assert all(other <= quota + 1 for other in quotas.values())


def test_it_never_repeats_a_question_even_if_listed_twice():
    candidates = [Candidate(1, "a"), Candidate(1, "a"), Candidate(2, "a"), Candidate(3, "b")]
    picked = draw(candidates, 10, random.Random(1))
    assert sorted(picked) == [1, 2, 3]


def test_it_prefers_questions_not_seen_lately():
    candidates = [
        Candidate(1, "a", SEEN + timedelta(days=9)),
        Candidate(2, "a", SEEN),
        Candidate(3, "a", None),
        Candidate(4, "a", SEEN + timedelta(days=3)),
    ]
    assert sorted(draw(candidates, 2, random.Random(1))) == [2, 3]
    assert sorted(draw(candidates, 3, random.Random(1))) == [2, 3, 4]


def test_the_same_seed_draws_the_same_questions():
    candidates = [Candidate(pk, pk % 4) for pk in range(100)]
    first = draw(candidates, 12, random.Random(7))
    assert first == draw(candidates, 12, random.Random(7))
    assert first != draw(candidates, 12, random.Random(8))
    assert Counter(pk % 4 for pk in first) == {0: 3, 1: 3, 2: 3, 3: 3}


def test_a_mock_follows_the_stages_in_order():
    candidates = [Candidate(pk, pk % len(MOCK_STAGES)) for pk in range(20)]
    picked = draw(candidates, 6, random.Random(3), bucket_order=range(len(MOCK_STAGES)))
    stages = [pk % len(MOCK_STAGES) for pk in picked]
    assert stages == sorted(stages)
    assert stages == [0, 0, 1, 1, 2, 3]
