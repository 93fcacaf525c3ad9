"""Fixtures for the practice tests: a small bank, deterministic scheduling and draws."""

from datetime import timedelta

import pytest
from django.utils import timezone

from practice.models import CardState, Mode, PracticeSession, Rating, ReviewCard, SessionItem
from questions.models import Kind, Question
from tests.factories import (
    PracticeSessionFactory,
    QuestionFactory,
    ReviewCardFactory,
    SessionItemFactory,
    TopicFactory,
    multiple_choice_question,
)


@pytest.fixture(autouse=True)
def _deterministic_practice(settings):
    # No fuzz in FSRS intervals, and a seeded draw: the same answers every run.
    settings.PRACTICE_FSRS_FUZZING = False
    settings.PRACTICE_DRAW_SEED = 20240501


@pytest.fixture
def topics(db):
    return [
        TopicFactory(slug="fundamentals", name="Fundamentals", position=1),
        TopicFactory(slug="databases", name="Databases", position=2),
        TopicFactory(slug="system-design", name="System design", position=3),
    ]


@pytest.fixture
def bank(topics):
    """Published questions of every kind across three topics (and one draft)."""
    fundamentals, databases, design = topics
    questions = {
        "concepts": [QuestionFactory(topic=fundamentals, kind=Kind.CONCEPT) for _ in range(4)]
        + [QuestionFactory(topic=databases, kind=Kind.CONCEPT) for _ in range(4)],
        "coding": [QuestionFactory(topic=fundamentals, kind=Kind.CODING) for _ in range(2)],
        "design": [QuestionFactory(topic=design, kind=Kind.SYSTEM_DESIGN) for _ in range(2)],
        "behavioural": [QuestionFactory(topic=design, kind=Kind.BEHAVIOURAL) for _ in range(2)],
        "quiz": [multiple_choice_question(topic=databases) for _ in range(3)]
        + [multiple_choice_question(topic=fundamentals, correct=2, wrong=2)],
        "draft": [QuestionFactory(topic=fundamentals, status="draft")],
    }
    return questions


def session_with(user, questions, *, mode=Mode.STUDY, **kwargs) -> PracticeSession:
    """A session over exactly these questions, through the public service."""
    from practice.services import start_session_with_questions

    return start_session_with_questions(user=user, mode=mode, questions=questions, **kwargs)


def past_answers(user, count: int, *, days: int = 30) -> None:
    """`count` answered questions spread over the last `days` days, each with a review card,
    in finished sessions of ten: the history a busy candidate builds up."""
    now = timezone.now()
    topic = TopicFactory()
    # bulk_create: fast, and history and Markdown rendering do not matter here.
    questions = Question.objects.bulk_create(
        QuestionFactory.build(topic=topic, prompt_html="<p>Prompt</p>") for _ in range(count)
    )
    items, cards = [], []
    for start in range(0, count, 10):
        batch = questions[start : start + 10]
        when = now - timedelta(days=(start // 10) % days + 1)
        session = PracticeSessionFactory.create(
            user=user,
            mode=Mode.STUDY,
            started_at=when,
            finished_at=when,
            item_count=len(batch),
            answered_count=len(batch),
            score=0.5,
        )
        for position, question in enumerate(batch, start=1):
            rating = Rating.AGAIN if position % 3 == 0 else Rating.GOOD
            items.append(
                SessionItemFactory.build(
                    session=session,
                    question=question,
                    position=position,
                    rating=rating,
                    is_correct=rating != Rating.AGAIN,
                    score=0.0 if rating == Rating.AGAIN else 1.0,
                    answered_at=when,
                    revealed_at=when,
                    time_spent=timedelta(seconds=40),
                )
            )
            cards.append(
                ReviewCardFactory.build(
                    user=user,
                    question=question,
                    state=CardState.REVIEW,
                    stability=5.0 + position,
                    difficulty=5.0,
                    due=when + timedelta(days=position),
                    last_review=when,
                    last_rating=rating,
                    reps=3,
                    lapses=9 if position == 1 else 0,
                    is_leech=position == 1,
                )
            )
    SessionItem.objects.bulk_create(items)
    ReviewCard.objects.bulk_create(cards)
