"""Builders for the curation tests: answers in sessions, as practice records them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from practice.models import Mode, Rating, SessionItem
from questions.models import Question
from tests.factories import (
    PracticeSessionFactory,
    QuestionFactory,
    SessionItemFactory,
    UserFactory,
    multiple_choice_question,
)


def answered_session(
    user,
    answers: Sequence[tuple[Question, float]],
    *,
    at: datetime | None = None,
    mode: str = Mode.QUIZ,
    seconds: float = 30,
) -> list[SessionItem]:
    """A finished session in which `user` answered each (question, score) in order, one
    second apart; a score of 1 is right (Good), anything less wrong (Again)."""
    at = at or timezone.now() - timedelta(days=1)
    session = PracticeSessionFactory.create(
        user=user,
        mode=mode,
        started_at=at,
        finished_at=at + timedelta(seconds=len(answers)),
        item_count=len(answers),
        answered_count=len(answers),
    )
    return [
        SessionItemFactory.create(
            session=session,
            question=question,
            position=position,
            score=score,
            is_correct=score >= 1,
            rating=Rating.GOOD if score >= 1 else Rating.AGAIN,
            revealed_at=at,
            answered_at=at + timedelta(seconds=position),
            time_spent=timedelta(seconds=seconds),
        )
        for position, (question, score) in enumerate(answers, start=1)
    ]


@pytest.fixture
def quiz_question(db):
    """A published single-select question: choice A right, B, C and D wrong."""
    return multiple_choice_question(correct=1, wrong=3, title="Which is right?")


@pytest.fixture
def others(db):
    """Three more questions, the rest of every session."""
    return [QuestionFactory() for _ in range(3)]


@pytest.fixture
def make_users(db):
    def make(count: int):
        return UserFactory.create_batch(count)

    return make
