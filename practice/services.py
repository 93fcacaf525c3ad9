"""Practice writes that span rows: starting sessions, recording answers, scoring, bookmarks.

Every function here is keyword-only and runs under transaction.atomic. Recording an answer is
idempotent: the item row is claimed with a conditional UPDATE ... WHERE answered_at IS NULL while
the session row is locked (SELECT ... FOR UPDATE on PostgreSQL), so a double click, the back
button or a second tab records the answer once and moves the schedule once.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import IntegrityError, transaction
from django.db.models import (
    Avg,
    Case,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
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
from practice.scheduling import REVIEW_FIELDS, apply_review, scheduler_for
from questions.models import Kind, Question, QuestionSet, Status, Topic, Track

MAX_COUNT = 50
# An answer's time counts from the previous answer, but a candidate who left for lunch did not
# spend an hour on one question: cap it (mock interviews: at the length of the interview).
MAX_TIME_PER_ANSWER = timedelta(minutes=30)


class NothingToPractise(Exception):
    """Nothing matches what the candidate asked for; str(error) says so in plain words."""


class Outcome(enum.Enum):
    RECORDED = "recorded"
    ALREADY_ANSWERED = "already answered"  # a double post: nothing changed
    CLOSED = "closed"  # the session is finished or past its time limit: nothing changed


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


def zone_of(user) -> ZoneInfo:
    try:
        return ZoneInfo(getattr(user, "time_zone", "") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def start_of_day(user, now: datetime) -> datetime:
    """Midnight at the start of the candidate's current day, in their time zone."""
    local = now.astimezone(zone_of(user))
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
        kinds = (kinds or {Kind.MULTIPLE_CHOICE}) & {Kind.MULTIPLE_CHOICE}
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
    Mode.QUIZ: "No published questions match these filters: a quiz needs multiple-choice "
    "questions. Try other topics or leave Kinds empty.",
    Mode.MOCK: "No published questions match these filters: a mock interview needs coding, "
    "concept, system design or behavioural questions. Try fewer filters.",
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
) -> PracticeSession:
    """Start a session with exactly these questions, in this order (a repeated question keeps
    its first place). Used for question sets, assignments, bookmarks and single questions.

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
    )


@transaction.atomic
def _create_session(
    *,
    user,
    mode: str,
    question_ids: Sequence[int],
    filters: dict,
    now: datetime,
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
    SessionItem.objects.bulk_create(
        SessionItem(session=session, question_id=pk, position=position)
        for position, pk in enumerate(question_ids, start=1)
    )
    return session


# --- recording answers ---------------------------------------------------------------------------


def _lock_session(session: PracticeSession) -> PracticeSession:
    """Re-read the session under a row lock, in place, so that the caller's copy shows the
    outcome. Answers in one session queue up behind each other and behind "finish"."""
    user = session.user if PracticeSession.user.is_cached(session) else None
    locked = PracticeSession.objects.select_for_update(of=("self",))
    # The user's row is not locked, and the view has it already (the signed-in user).
    session.refresh_from_db(from_queryset=locked if user else locked.select_related("user"))
    if user is not None:
        session.user = user
    return session


def _time_spent(session: PracticeSession, now: datetime) -> timedelta:
    since = session.last_activity_at or session.started_at
    cap = max(MAX_TIME_PER_ANSWER, timedelta(minutes=session.time_limit_minutes or 0))
    return min(max(now - since, timedelta(0)), cap)


def _claim_item(item: SessionItem, **fields) -> bool:
    """Mark the item answered unless it already is: True if this call did it."""
    return bool(SessionItem.objects.filter(pk=item.pk, answered_at__isnull=True).update(**fields))


def _review(*, user, question_id: int, rating: Rating, now: datetime) -> ReviewCard:
    """Move the question's card for this grade, under a row lock; a first answer inserts the
    card already reviewed (one INSERT, not an INSERT of a blank card and then an UPDATE)."""
    scheduler = scheduler_for(user)
    cards = ReviewCard.objects.select_for_update().filter(user=user, question_id=question_id)
    card = cards.first()
    if card is None:
        card = ReviewCard(user=user, question_id=question_id)
        apply_review(card, rating, at=now, scheduler=scheduler)
        try:
            with transaction.atomic():
                card.save(force_insert=True)
            return card
        except IntegrityError:
            # The same question answered at the same moment in another session made the card
            # first (the unique user-question pair): review the card it made, as get_or_create.
            card = cards.get()
    apply_review(card, rating, at=now, scheduler=scheduler)
    card.save(update_fields=REVIEW_FIELDS)
    return card


def _count_answer(session: PracticeSession, now: datetime) -> None:
    PracticeSession.objects.filter(pk=session.pk).update(
        answered_count=F("answered_count") + 1, last_activity_at=now
    )
    session.answered_count += 1
    session.last_activity_at = now
    if not session.is_mock and session.answered_count >= session.item_count:
        _finish(session, now)


def _finish(session: PracticeSession, now: datetime) -> None:
    items = SessionItem.objects.filter(session=session)
    if session.is_mock:
        # Unanswered questions in an interview count as nothing said.
        total = items.aggregate(total=Sum("score"))["total"] or 0.0
        score = total / session.item_count if session.item_count else None
    else:
        score = items.answered().aggregate(score=Avg("score"))["score"]
    PracticeSession.objects.filter(pk=session.pk, finished_at__isnull=True).update(
        finished_at=now, score=score
    )
    session.finished_at = now
    session.score = score


def reveal_item(*, item: SessionItem, response: str = "", now: datetime | None = None) -> bool:
    """Show the model answer of a study or review card, keeping what the candidate typed (or,
    after a Submit, the submitted code).

    Returns False (changing nothing) if the item is already answered or the session closed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        session = _lock_session(item.session)
        if not session.accepts_answers(now):
            return False
        # After a Submit, the record is the submitted code with its results: what was typed
        # after it and never run does not replace it.
        kept = Case(
            When(submitted_at__isnull=False, then=F("response")),
            default=Value(response),
            output_field=SessionItem._meta.get_field("response"),
        )
        updated = SessionItem.objects.filter(pk=item.pk, answered_at__isnull=True).update(
            revealed_at=Coalesce(F("revealed_at"), now), response=kept
        )
    return bool(updated)


def grade_item(
    *, item: SessionItem, rating: Rating | int, response: str | None = None, now=None
) -> Outcome:
    """Record the candidate's grade for a study or review card and update its schedule."""
    now = now or timezone.now()
    rating = Rating(rating)
    with transaction.atomic():
        session = _lock_session(item.session)
        if not session.accepts_answers(now):
            return Outcome.CLOSED
        fields = {
            "answered_at": now,
            "revealed_at": Coalesce(F("revealed_at"), now),
            "rating": rating,
            "is_correct": rating != Rating.AGAIN,
            "score": 0.0 if rating == Rating.AGAIN else 1.0,
            "time_spent": _time_spent(session, now),
        }
        if response is not None:
            fields["response"] = response
        if not _claim_item(item, **fields):
            return Outcome.ALREADY_ANSWERED
        _review(user=session.user, question_id=item.question_id, rating=rating, now=now)
        _count_answer(session, now)
    return Outcome.RECORDED


def check_item(
    *, item: SessionItem, choice_ids: Collection[int], now: datetime | None = None
) -> Outcome:
    """Grade a multiple-choice answer: right counts as Good for the schedule, wrong as Again.

    Choice ids that are not the question's own are ignored.
    """
    now = now or timezone.now()
    with transaction.atomic():
        session = _lock_session(item.session)
        if not session.accepts_answers(now):
            return Outcome.CLOSED
        choices = dict(item.question.choices.values_list("pk", "is_correct"))
        chosen = set(choice_ids) & choices.keys()
        is_correct = bool(chosen) and chosen == {pk for pk, ok in choices.items() if ok}
        rating = Rating.GOOD if is_correct else Rating.AGAIN
        claimed = _claim_item(
            item,
            answered_at=now,
            revealed_at=now,
            rating=rating,
            is_correct=is_correct,
            score=1.0 if is_correct else 0.0,
            time_spent=_time_spent(session, now),
        )
        if not claimed:
            return Outcome.ALREADY_ANSWERED
        item.selected_choices.set(chosen)
        _review(user=session.user, question_id=item.question_id, rating=rating, now=now)
        _count_answer(session, now)
    return Outcome.RECORDED


def answer_mock_item(*, item: SessionItem, response: str, now: datetime | None = None) -> Outcome:
    """Record a typed mock-interview answer; refused once the time limit has passed."""
    now = now or timezone.now()
    with transaction.atomic():
        session = _lock_session(item.session)
        if not session.accepts_answers(now):
            return Outcome.CLOSED
        if not _claim_item(
            item, answered_at=now, response=response, time_spent=_time_spent(session, now)
        ):
            return Outcome.ALREADY_ANSWERED
        _count_answer(session, now)
    return Outcome.RECORDED


def submit_code(
    *, item: SessionItem, code: str, results: list[dict], now: datetime | None = None
) -> Outcome:
    """Record a Submit: the code and the per-test results the candidate's browser reported.

    In a mock interview the submission is the answer, as answer_mock_item. Elsewhere the item
    keeps its latest submission and waits for its grade; one that passed every test shows the
    model solution, and the grade form suggests Good (Again otherwise). The results are the
    browser's word, never proof: they are stored and shown as such. Nothing changes once the
    item is answered or the session closed.
    """
    now = now or timezone.now()
    passed = all(result["status"] == "pass" for result in results)
    fields = {"response": code, "test_results": results, "submitted_at": now}
    with transaction.atomic():
        session = _lock_session(item.session)
        if not session.accepts_answers(now):
            return Outcome.CLOSED
        if session.is_mock:
            fields.update(answered_at=now, time_spent=_time_spent(session, now))
            if not _claim_item(item, **fields):
                return Outcome.ALREADY_ANSWERED
            _count_answer(session, now)
            return Outcome.RECORDED
        if passed:
            fields["revealed_at"] = Coalesce(F("revealed_at"), now)
        if not SessionItem.objects.filter(pk=item.pk, answered_at__isnull=True).update(**fields):
            return Outcome.ALREADY_ANSWERED
    return Outcome.RECORDED


def rating_for_coverage(score: float) -> Rating:
    """A mock answer's grade for the schedule, from the share of key points it covered."""
    if score < 0.4:
        return Rating.AGAIN
    if score < 0.7:
        return Rating.HARD
    return Rating.GOOD


def assess_mock(
    *, session: PracticeSession, covered: Mapping[int, Collection[int]], now=None
) -> Outcome:
    """Score a mock interview from the key points the candidate ticked for each answer.

    `covered` maps item ids to indexes into the question's key points (others are ignored).
    Answered questions update the schedule; unanswered ones score 0. Finishes the session.
    Raises ValueError if the interview is still taking answers.
    """
    now = now or timezone.now()
    with transaction.atomic():
        session = _lock_session(session)
        if session.is_finished:
            return Outcome.ALREADY_ANSWERED
        if not session.is_awaiting_assessment(now):
            raise ValueError("The interview is still running.")
        items = list(session.items.select_related("question"))
        cards = {
            card.question_id: card
            for card in ReviewCard.objects.select_for_update().filter(
                user=session.user, question_id__in=[item.question_id for item in items]
            )
        }
        scheduler = scheduler_for(session.user)
        new_cards = []
        for item in items:
            points = item.question.key_point_list
            ticked = sorted({i for i in covered.get(item.pk, ()) if 0 <= i < len(points)})
            item.covered_points = ticked
            if not item.is_answered:
                item.score, item.is_correct = 0.0, False
                continue
            item.score = len(ticked) / len(points) if points else 1.0
            item.rating = rating_for_coverage(item.score)
            item.is_correct = item.rating != Rating.AGAIN
            card = cards.get(item.question_id)
            if card is None:
                card = ReviewCard(user=session.user, question_id=item.question_id)
                new_cards.append(card)
            apply_review(card, item.rating, at=now, scheduler=scheduler)
        SessionItem.objects.bulk_update(items, ["covered_points", "score", "rating", "is_correct"])
        ReviewCard.objects.bulk_update(list(cards.values()), REVIEW_FIELDS)
        ReviewCard.objects.bulk_create(new_cards)
        _finish(session, now)
    return Outcome.RECORDED


def finish_session(*, session: PracticeSession, now: datetime | None = None) -> Outcome:
    """End a session now. A mock interview stops taking answers and moves on to scoring;
    any other session is scored on what was answered."""
    now = now or timezone.now()
    with transaction.atomic():
        session = _lock_session(session)
        if session.is_finished:
            return Outcome.CLOSED
        if session.is_mock:
            if session.closed_at is None:
                PracticeSession.objects.filter(pk=session.pk).update(closed_at=now)
        else:
            _finish(session, now)
    return Outcome.RECORDED


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
