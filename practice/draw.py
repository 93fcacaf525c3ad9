"""Drawing questions for a session: quotas across buckets, least recently seen first.

Pure functions over plain values, so that the rules are easy to test and reproducible: every
random choice goes through the `random.Random` passed in (seeded in tests).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime

from questions.models import Kind

# A mock interview runs like a real loop: a hands-on question first (an ORM exercise, an SQL
# query and a bug to fix are ones), then concepts and code to read ("what does this print?", as
# an interviewer asks it aloud), then design, then behavioural. Multiple-choice questions have no
# place in it.
MOCK_STAGES: tuple[tuple[str, ...], ...] = (
    (Kind.CODING, Kind.PRACTICAL, Kind.CODE_REVIEW, Kind.ORM, Kind.SQL, Kind.DEBUGGING),
    (Kind.CONCEPT, Kind.PREDICT_OUTPUT),
    (Kind.SYSTEM_DESIGN,),
    (Kind.BEHAVIOURAL,),
)
MOCK_KINDS = tuple(kind for stage in MOCK_STAGES for kind in stage)
STAGE_OF_KIND = {kind: index for index, stage in enumerate(MOCK_STAGES) for kind in stage}
# A quiz asks what has one right answer, checked on the server: choices, and predictions of
# what a snippet prints.
QUIZ_KINDS = (Kind.MULTIPLE_CHOICE, Kind.PREDICT_OUTPUT)


@dataclass(frozen=True)
class Candidate:
    """A question that may be drawn: its id, its bucket (topic or mock stage), when the
    candidate last reviewed it (None: never)."""

    pk: int
    bucket: Hashable
    last_seen: datetime | None = None


def allocate(
    sizes: dict[Hashable, int], count: int, rng: random.Random, *, in_order: bool = False
) -> dict[Hashable, int]:
    """Spread `count` over buckets as evenly as their sizes allow.

    Round robin, one question at a time, over the buckets in an order shuffled by `rng` (or, with
    in_order, in the order given, so that the first buckets get the remainder): every bucket
    with questions left reaches n before any reaches n + 1, and a small bucket's share passes on.
    """
    keys = list(sizes)
    if not in_order:
        keys.sort(key=str)
        rng.shuffle(keys)
    quotas = dict.fromkeys(keys, 0)
    remaining = min(count, sum(sizes.values()))
    while remaining > 0:
        for key in keys:
            if remaining and quotas[key] < sizes[key]:
                quotas[key] += 1
                remaining -= 1
    return quotas


def _least_recently_seen_first(candidates: Sequence[Candidate], rng: random.Random):
    # Never seen first (in random order), then the longest unseen; random among equals.
    keyed = [
        (c.last_seen is not None, c.last_seen.timestamp() if c.last_seen else 0.0, rng.random(), c)
        for c in candidates
    ]
    keyed.sort(key=lambda row: row[:3])
    return [row[3] for row in keyed]


def draw(
    candidates: Sequence[Candidate],
    count: int,
    rng: random.Random,
    *,
    bucket_order: Sequence[Hashable] | None = None,
) -> list[int]:
    """Pick up to `count` distinct question ids from `candidates`.

    Buckets share the count by quota (allocate); inside a bucket the least recently seen
    questions win. Without bucket_order the result is shuffled so that topics interleave; with
    it (mock interviews) the result follows the buckets in that order.
    """
    by_bucket: dict[Hashable, list[Candidate]] = defaultdict(list)
    seen_pks: set[int] = set()
    for candidate in candidates:
        if candidate.pk not in seen_pks:  # never the same question twice
            seen_pks.add(candidate.pk)
            by_bucket[candidate.bucket].append(candidate)
    if bucket_order is not None:
        sizes = {key: len(by_bucket[key]) for key in bucket_order if by_bucket.get(key)}
        quotas = allocate(sizes, count, rng, in_order=True)
    else:
        sizes = {key: len(group) for key, group in by_bucket.items()}
        quotas = allocate(sizes, count, rng)

    picked: list[int] = []
    for key, quota in quotas.items():
        chosen = _least_recently_seen_first(by_bucket[key], rng)[:quota]
        picked.extend(c.pk for c in chosen)
    if bucket_order is None:
        rng.shuffle(picked)
    return picked


def choice_order(choice_ids: Sequence[int], rng: random.Random, *, keep: bool = False) -> list[int]:
    """The order a candidate is shown a question's choices in: shuffled by `rng`, so that a
    choice's place says nothing about whether it is right; as given when the editor pinned it
    (`keep`: choices such as "both of the above" that refer to the others)."""
    order = list(choice_ids)
    if not keep:
        rng.shuffle(order)
    return order
