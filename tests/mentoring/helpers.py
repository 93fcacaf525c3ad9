"""Builders shared by the mentoring tests."""

from datetime import timedelta

from django.utils import timezone

from mentoring.models import Assignment
from practice.models import PracticeSession, Rating
from tests.factories import (
    AssignmentFactory,
    PracticeSessionFactory,
    QuestionFactory,
    QuestionSetFactory,
    QuestionSetItemFactory,
    SessionItemFactory,
)


def private_set(owner, *, questions: int = 2, **kwargs):
    question_set = QuestionSetFactory(owner=owner, visibility="private", **kwargs)
    for position in range(questions):
        QuestionSetItemFactory(question_set=question_set, position=position)
    return question_set


def assignment_for(mentor, candidate, *, questions: int = 2, **kwargs) -> Assignment:
    return AssignmentFactory(
        mentor=mentor,
        candidate=candidate,
        question_set=private_set(mentor, questions=questions),
        **kwargs,
    )


def answered_session(
    assignment: Assignment, *, answers: int = 2, finished: bool = True, score: float = 0.5
) -> PracticeSession:
    """A session started from `assignment` with `answers` answered items."""
    now = timezone.now()
    session = PracticeSessionFactory(
        user=assignment.candidate,
        assignment=assignment,
        question_set=assignment.question_set,
        mode=assignment.mode,
        item_count=answers,
        answered_count=answers,
        finished_at=now if finished else None,
        score=score if finished else None,
    )
    for position in range(answers):
        SessionItemFactory(
            session=session,
            question=QuestionFactory(),
            position=position + 1,
            response=f"My answer number {position}",
            rating=Rating.GOOD,
            answered_at=now,
            time_spent=timedelta(seconds=75),
        )
    return session
