"""Realistic data for the screenshots and the accessibility tour: the real bank, and a candidate
with two months of practice recorded through the practice services (so the schedule, streak,
heatmap and mastery are what the app itself would have computed)."""

import io
import random
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from mentoring.models import Assignment
from practice import services
from practice.models import Mode, PracticeSession, Rating, SessionItem
from questions.models import Kind, Question, QuestionSet, Track, Visibility
from tests.factories import (
    AssignmentFactory,
    FeedbackCommentFactory,
    MentorshipFactory,
    QuestionSetFactory,
    QuestionSetItemFactory,
)

ORM_SET = [
    "select-related-vs-prefetch-related",
    "n-plus-one-queries",
    "queryset-explain",
    "fix-n-plus-one-django-view",
]
RATINGS = [Rating.AGAIN] * 2 + [Rating.HARD] * 3 + [Rating.GOOD] * 12 + [Rating.EASY] * 3


def load_bank() -> None:
    call_command("load_bank", stdout=io.StringIO())


def _session(user, *, mode: str, questions: list, when, **extra) -> PracticeSession:
    session = services.start_session_with_questions(
        user=user, mode=mode, questions=questions, **extra
    )
    PracticeSession.objects.filter(pk=session.pk).update(started_at=when)
    session.started_at = when
    return session


def _items(session) -> list[SessionItem]:
    items = list(session.items.select_related("question").order_by("position"))
    for item in items:
        item.session = session
    return items


def build_history(user: User, *, days: int = 70, seed: int = 7) -> None:
    """Study on most of the last `days` days (today included), mixing new and seen cards."""
    rng = random.Random(seed)
    track = Track.objects.filter(slug="backend-web").first()
    pool = list(
        Question.objects.published()
        .filter(tracks=track)
        .exclude(kind=Kind.MULTIPLE_CHOICE)
        .order_by("topic__position", "pk")
    )
    rng.shuffle(pool)
    seen: list = []
    now = timezone.now()
    for days_ago in range(days, -1, -1):
        if days_ago > 12 and rng.random() < 0.3:  # the last twelve days: every day
            continue
        when = (now - timedelta(days=days_ago)).replace(hour=19, minute=rng.randrange(60))
        if days_ago == 0:  # this morning's practice, for today's goal
            when = now - timedelta(hours=2)
        fresh = [pool.pop() for _ in range(min(3, len(pool)))]
        again = rng.sample(seen, min(len(seen), rng.randrange(2, 7)))
        questions = list(dict.fromkeys(fresh + again))
        seen.extend(fresh)
        session = _session(user, mode=Mode.STUDY, questions=questions, when=when)
        for offset, item in enumerate(_items(session), start=1):
            item.record_grade(
                rating=rng.choice(RATINGS),
                now=when + timedelta(minutes=2 * offset, seconds=rng.randrange(60)),
            )


def _fill(question_set: QuestionSet, questions) -> None:
    """The set's items: the questions in order, from position 1."""
    for position, question in enumerate(questions, start=1):
        QuestionSetItemFactory.create(
            question_set=question_set, question=question, position=position
        )


def mentoring_story(*, mentor: User, candidate: User) -> Assignment:
    """The mentor mentors the candidate, assigned a set, and they have talked about an answer."""
    MentorshipFactory.create(mentor=mentor, candidate=candidate)
    question_set = QuestionSetFactory.create(
        title="Django ORM before Friday",
        slug="django-orm-before-friday",
        owner=mentor,
        visibility=Visibility.PRIVATE,
        description="The ORM questions every backend loop asks.",
    )
    by_slug = Question.objects.published().in_bulk(ORM_SET, field_name="slug")
    questions = [by_slug[slug] for slug in ORM_SET if slug in by_slug]
    _fill(question_set, questions)
    now = timezone.now()
    assignment = AssignmentFactory.create(
        mentor=mentor,
        candidate=candidate,
        question_set=question_set,
        due_at=now + timedelta(days=3),
        note="Focus on when each query runs. We'll go through your answers on Thursday.",
    )
    warm_up = QuestionSetFactory.create(
        title="System design warm-up",
        slug="system-design-warm-up",
        owner=mentor,
        visibility=Visibility.PRIVATE,
    )
    AssignmentFactory.create(
        mentor=mentor,
        candidate=candidate,
        question_set=warm_up,
        due_at=now + timedelta(days=9),
        note="",
    )
    _fill(
        warm_up,
        Question.objects.published().filter(kind=Kind.SYSTEM_DESIGN).order_by("pk")[:3],
    )
    when = now - timedelta(hours=20)
    session = _session(
        candidate,
        mode=Mode.STUDY,
        questions=questions,
        when=when,
        question_set=question_set,
        assignment=assignment,
    )
    answers = [
        "select_related follows foreign keys with a JOIN in the same query; prefetch_related "
        "runs one extra query per relation and joins in Python, so it also works for "
        "many-to-many.",
        "One query for the list, then one more for every row when the template follows a "
        "relation: 1 + N. You see it in the debug toolbar or with assertNumQueries.",
    ]
    for offset, item in enumerate(_items(session)[:2]):
        item.reveal(response=answers[offset], now=when)
        item.record_grade(rating=Rating.GOOD, now=when + timedelta(minutes=3 * offset + 3))
    first = session.items.order_by("position").first()
    FeedbackCommentFactory.create(
        item=first,
        author=mentor,
        body="Good. Now say when prefetch_related is the wrong tool: what does it cost?",
        created_at=now - timedelta(hours=5),
    )
    FeedbackCommentFactory.create(
        item=first,
        author=candidate,
        body="It always costs one more query, and it loads every related row into memory.",
        created_at=now - timedelta(hours=2),
        read_at=now - timedelta(hours=1),
    )
    return assignment
