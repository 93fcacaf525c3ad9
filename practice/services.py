"""Practice writes that the session's models cannot do alone: starting a session from the
question bank (a draw, the due reviews, the mistakes, a question set or an assignment, the
bookmarks), and the candidate's bookmarks and notes.

Recording answers lives on the models (SessionItem.record_grade and the like,
PracticeSession.assess and finish). The writes here are keyword-only and run under
transaction.atomic; the reads beside them (the candidate's day, the questions that match a
request) serve them and the dashboard.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from practice import draw
from practice.models import (
    DRAWN_MODES,
    Bookmark,
    Mode,
    Note,
    PracticeSession,
    Rating,
    ReviewCard,
    SessionItem,
)
from questions.models import Choice, Kind, Question, QuestionSet, Status, Topic, Track

MAX_COUNT = 50


class NothingToPractise(Exception):
    """Nothing matches what the candidate asked for; str(error) says so in plain words."""


@dataclass(frozen=True)
class PracticeRequest:
    """What the start form asks for."""

    mode: str = Mode.STUDY
    track: Track | None = None
    topics: Sequence[Topic] = ()
    difficulty: str = ""
    kinds: Sequence[str] = ()
    count: int = 10
    time_limit_minutes: int | None = None

    def as_filters(self) -> dict:
        """A JSON record of the request, kept on the session."""
        filters = {
            "track": self.track.slug if self.track else None,
            "topics": [topic.slug for topic in self.topics],
            "difficulty": self.difficulty or None,
            "kinds": list(self.kinds),
            "count": self.count,
        }
        return {key: value for key, value in filters.items() if value}


# --- time zones ----------------------------------------------------------------------------------


def start_of_day(user, now: datetime) -> datetime:
    """Midnight at the start of the candidate's current day, in their time zone."""
    local = now.astimezone(user.zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


# --- choosing questions --------------------------------------------------------------------------


def matching_questions(request: PracticeRequest) -> QuerySet[Question]:
    """Published questions that fit the request's track, topics, difficulty and kinds."""
    questions = Question.objects.published()
    if request.track is not None:
        questions = questions.filter(tracks=request.track)
    if request.topics:
        questions = questions.filter(topic__in=list(request.topics))
    if request.difficulty:
        questions = questions.filter(difficulty=request.difficulty)
    kinds = set(request.kinds)
    if request.mode == Mode.QUIZ:
        kinds = (kinds or set(draw.QUIZ_KINDS)) & set(draw.QUIZ_KINDS)
    elif request.mode == Mode.MOCK:
        kinds = (kinds or set(draw.MOCK_KINDS)) & set(draw.MOCK_KINDS)
    if kinds or request.kinds:
        questions = questions.filter(kind__in=sorted(kinds))
    return questions


def _drawn_question_ids(*, user, request: PracticeRequest, rng: random.Random) -> list[int]:
    last_seen = ReviewCard.objects.filter(user=user, question=OuterRef("pk")).values("last_review")[
        :1
    ]
    rows = (
        matching_questions(request)
        .annotate(last_seen=Subquery(last_seen))
        .order_by("pk")
        .values_list("pk", "topic_id", "kind", "last_seen")
        .distinct()
    )
    if request.mode == Mode.MOCK:
        candidates = [
            draw.Candidate(pk, draw.STAGE_OF_KIND[kind], seen) for pk, _topic, kind, seen in rows
        ]
        return draw.draw(candidates, request.count, rng, bucket_order=range(len(draw.MOCK_STAGES)))
    candidates = [draw.Candidate(pk, topic, seen) for pk, topic, _kind, seen in rows]
    return draw.draw(candidates, request.count, rng)


def reviews_done_today(user, *, now: datetime) -> int:
    return (
        SessionItem.objects.for_user(user)
        .filter(session__mode=Mode.REVIEW, answered_at__gte=start_of_day(user, now))
        .count()
    )


def _cards_for(user, request: PracticeRequest) -> QuerySet[ReviewCard]:
    return ReviewCard.objects.for_user(user).filter(
        question__in=matching_questions(request).values("pk")
    )


def _due_question_ids(*, user, request: PracticeRequest, now: datetime) -> list[int]:
    left_today = max(0, user.daily_review_limit - reviews_done_today(user, now=now))
    if left_today == 0:
        raise NothingToPractise(
            f"You have done your {user.daily_review_limit} reviews for today (your daily review "
            "limit). Come back tomorrow, raise the limit in your profile, or study new questions."
        )
    due = _cards_for(user, request).due_by(now).order_by("due", "pk")  # most overdue first
    return list(due.values_list("question_id", flat=True)[: min(request.count, left_today)])


def _mistake_question_ids(*, user, request: PracticeRequest) -> list[int]:
    missed = _cards_for(user, request).last_missed().order_by("-last_review", "pk")
    return list(missed.values_list("question_id", flat=True)[: request.count])


EMPTY_MESSAGES = {
    Mode.STUDY: "No published questions match these filters. Try fewer filters.",
    Mode.QUIZ: "No published questions match these filters: a quiz needs multiple-choice or "
    "predict-the-output questions. Try other topics or leave Kinds empty.",
    Mode.MOCK: "No published questions match these filters: a mock interview needs coding, "
    "concept, system design or behavioural questions (or the like). Try fewer filters.",
    Mode.REVIEW: "Nothing is due for review with these filters. New questions become due "
    "after you study them.",
    Mode.MISTAKES: "No mistakes to practise with these filters. Questions you answer wrong or "
    "grade Again appear here.",
}


def start_practice(
    *, user, request: PracticeRequest, rng: random.Random, now: datetime | None = None
) -> PracticeSession:
    """Choose questions for `request` and start a session with them.

    Raises NothingToPractise (and creates nothing) when no question fits.
    """
    now = now or timezone.now()
    if request.mode in DRAWN_MODES:
        ids = _drawn_question_ids(user=user, request=request, rng=rng)
    elif request.mode == Mode.REVIEW:
        ids = _due_question_ids(user=user, request=request, now=now)
    elif request.mode == Mode.MISTAKES:
        ids = _mistake_question_ids(user=user, request=request)
    else:
        raise ValueError(f"Unknown mode: {request.mode!r}")
    if not ids:
        raise NothingToPractise(EMPTY_MESSAGES[Mode(request.mode)])
    return _create_session(
        user=user,
        mode=request.mode,
        question_ids=ids,
        filters=request.as_filters(),
        time_limit_minutes=request.time_limit_minutes if request.mode == Mode.MOCK else None,
        now=now,
        rng=rng,
    )


def start_session_with_questions(
    *,
    user,
    mode: str,
    questions: Sequence[Question],
    question_set: QuestionSet | None = None,
    assignment=None,
    time_limit_minutes: int | None = None,
    filters: dict | None = None,
    rng: random.Random | None = None,
) -> PracticeSession:
    """Start a session with exactly these questions, in this order (a repeated question keeps
    its first place). Used for question sets, assignments, bookmarks and single questions.
    `rng` shuffles multiple-choice questions' choices (a fresh, unseeded one by default).

    Raises ValueError when `questions` is empty or the mode is unknown.
    """
    if mode not in Mode.values:
        raise ValueError(f"Unknown mode: {mode!r}")
    ids = list(dict.fromkeys(question.pk for question in questions))
    if not ids:
        raise ValueError("A session needs at least one question.")
    return _create_session(
        user=user,
        mode=mode,
        question_ids=ids,
        filters=filters or {},
        question_set=question_set,
        assignment=assignment,
        time_limit_minutes=time_limit_minutes if mode == Mode.MOCK else None,
        now=timezone.now(),
        rng=rng or random.Random(),
    )


def _choice_orders(question_ids: Sequence[int], rng: random.Random) -> dict[int, list[int]]:
    """Each multiple-choice question's choice ids in the order its candidate will see them
    (draw.choice_order), in one query; other questions are missing. The questions are shuffled
    in session order, so that a seeded `rng` always gives the same orders."""
    rows = (
        Choice.objects.filter(question__in=question_ids, question__kind=Kind.MULTIPLE_CHOICE)
        .order_by("question_id", "position", "pk")
        .values_list("question_id", "pk", "question__keep_choice_order")
    )
    choice_ids: dict[int, list[int]] = defaultdict(list)
    pinned: set[int] = set()
    for question_id, choice_id, keep in rows:
        choice_ids[question_id].append(choice_id)
        if keep:
            pinned.add(question_id)
    return {
        pk: draw.choice_order(choice_ids[pk], rng, keep=pk in pinned)
        for pk in question_ids
        if pk in choice_ids
    }


@transaction.atomic
def _create_session(
    *,
    user,
    mode: str,
    question_ids: Sequence[int],
    filters: dict,
    now: datetime,
    rng: random.Random,
    question_set: QuestionSet | None = None,
    assignment=None,
    time_limit_minutes: int | None = None,
) -> PracticeSession:
    session = PracticeSession.objects.create(
        user=user,
        mode=mode,
        filters=filters,
        question_set=question_set,
        assignment=assignment,
        time_limit_minutes=time_limit_minutes,
        item_count=len(question_ids),
        started_at=now,
    )
    choice_orders = _choice_orders(question_ids, rng)
    SessionItem.objects.bulk_create(
        SessionItem(
            session=session,
            question_id=pk,
            position=position,
            choice_order=choice_orders.get(pk, []),
        )
        for position, pk in enumerate(question_ids, start=1)
    )
    return session


# --- sessions built from the candidate's own lists -----------------------------------------------


def practise_mistakes_from(*, session: PracticeSession) -> PracticeSession:
    """A Mistakes session with the questions this session got wrong or graded Again.

    Raises NothingToPractise if there were none.
    """
    missed = (
        session.items.filter(Q(is_correct=False) | Q(rating=Rating.AGAIN))
        .filter(question__status=Status.PUBLISHED)
        .order_by("position")
    )
    questions = [item.question for item in missed.select_related("question")]
    if not questions:
        raise NothingToPractise("No mistakes in this session: nothing to practise again.")
    return start_session_with_questions(
        user=session.user,
        mode=Mode.MISTAKES,
        questions=questions,
        filters={"from_session": session.pk},
    )


def bookmarked_questions(user) -> QuerySet[Question]:
    return Question.objects.published().filter(
        Exists(Bookmark.objects.filter(user=user, question=OuterRef("pk")))
    )


def practise_bookmarks(*, user) -> PracticeSession:
    """A Study session with the candidate's bookmarked questions, newest bookmarks first.

    Raises NothingToPractise if nothing is bookmarked.
    """
    newest = Bookmark.objects.filter(user=user, question=OuterRef("pk")).values("created_at")[:1]
    questions = list(
        bookmarked_questions(user)
        .annotate(bookmarked_at=Subquery(newest))
        .order_by("-bookmarked_at", "pk")[:MAX_COUNT]
    )
    if not questions:
        raise NothingToPractise("You have no bookmarked questions yet.")
    return start_session_with_questions(
        user=user, mode=Mode.STUDY, questions=questions, filters={"bookmarks": True}
    )


def set_bookmark(*, user, question: Question, bookmarked: bool) -> bool:
    """Bookmark the question or remove the bookmark; setting the same state twice is harmless.
    Returns the new state."""
    with transaction.atomic():
        if bookmarked:
            Bookmark.objects.get_or_create(user=user, question=question)
        else:
            Bookmark.objects.filter(user=user, question=question).delete()
    return bookmarked


def save_note(*, user, question: Question, body: str) -> Note | None:
    """Save the candidate's private note; an empty note is deleted (returns None)."""
    body = body.strip()
    with transaction.atomic():
        if not body:
            Note.objects.filter(user=user, question=question).delete()
            return None
        note, _created = Note.objects.update_or_create(
            user=user, question=question, defaults={"body": body}
        )
    return note
