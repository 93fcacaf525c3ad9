"""Spaced repetition: our ReviewCard rows on one side, the reference `fsrs` scheduler on the other.

Everything that knows fsrs lives here. The rest of the app deals in ReviewCard and Rating; this
module turns a ReviewCard into an fsrs.Card, lets fsrs decide, and writes the result back.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import fsrs
from django.conf import settings

from practice.models import CardState, Rating, ReviewCard

MIN_RETENTION = 0.70
MAX_RETENTION = 0.97
DEFAULT_RETENTION = 0.90


def scheduler_for(user) -> fsrs.Scheduler:
    """The FSRS scheduler with the candidate's desired retention (clamped to 0.70–0.97).

    Fuzzing (a little randomness in review intervals, so that cards learnt together do not
    stay bunched together) is on unless settings.PRACTICE_FSRS_FUZZING is False, as in tests.
    """
    retention = getattr(user, "desired_retention", None) or DEFAULT_RETENTION
    retention = min(MAX_RETENTION, max(MIN_RETENTION, float(retention)))
    return fsrs.Scheduler(
        desired_retention=retention,
        enable_fuzzing=settings.PRACTICE_FSRS_FUZZING,
    )


def _utc(value: datetime | None) -> datetime | None:
    # fsrs insists on tzinfo being exactly datetime.UTC; databases may hand back ZoneInfo("UTC").
    return None if value is None else value.astimezone(UTC)


def to_fsrs_card(card: ReviewCard) -> fsrs.Card:
    # An explicit card_id: without one, fsrs.Card() sleeps a millisecond to make its own.
    return fsrs.Card(
        card_id=card.pk or 1,
        state=fsrs.State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=_utc(card.due),
        last_review=_utc(card.last_review),
    )


def apply_review(
    card: ReviewCard, rating: Rating | int, *, at: datetime, scheduler: fsrs.Scheduler
) -> ReviewCard:
    """Review `card` with `rating` at `at`, updating it in memory (the caller saves it).

    A lapse is an Again on a card in the Review state (a card it had learnt); a card that has
    lapsed ReviewCard.LEECH_LAPSES times is flagged as a leech.
    """
    rating = Rating(rating)
    was_in_review = card.state == CardState.REVIEW
    updated, _log = scheduler.review_card(to_fsrs_card(card), fsrs.Rating(int(rating)), _utc(at))
    card.state = CardState(updated.state.value)
    card.step = updated.step
    card.stability = updated.stability
    card.difficulty = updated.difficulty
    card.due = updated.due
    card.last_review = updated.last_review
    card.last_rating = rating
    card.reps += 1
    if rating == Rating.AGAIN and was_in_review:
        card.lapses += 1
    card.is_leech = card.lapses >= ReviewCard.LEECH_LAPSES
    return card


REVIEW_FIELDS = [
    "state",
    "step",
    "stability",
    "difficulty",
    "due",
    "last_review",
    "last_rating",
    "reps",
    "lapses",
    "is_leech",
]


def retrievability(
    *,
    stability: float | None,
    last_review: datetime | None,
    at: datetime,
    scheduler: fsrs.Scheduler,
) -> float:
    """The probability (0–1) of recalling a card at `at`, as FSRS predicts it; 0 if never
    reviewed."""
    if stability is None or last_review is None:
        return 0.0
    card = fsrs.Card(card_id=1, state=fsrs.State.Review, stability=stability, due=_utc(at))
    card.last_review = _utc(last_review)
    return float(scheduler.get_card_retrievability(card, _utc(at)))


def retrievabilities(
    rows: Iterable[tuple[float | None, datetime | None]], *, at: datetime, scheduler
) -> list[float]:
    """retrievability() of each (stability, last_review) pair at `at`, for many cards at once:
    one probe card for them all (fsrs.Card() per row was most of the dashboard's readiness)."""
    at = _utc(at)
    probe = fsrs.Card(card_id=1, state=fsrs.State.Review, due=at)
    values = []
    for stability, last_review in rows:
        if stability is None or last_review is None:
            values.append(0.0)
            continue
        probe.stability = stability
        probe.last_review = _utc(last_review)
        values.append(float(scheduler.get_card_retrievability(probe, at)))
    return values
