"""Mentoring's writes (each atomic where it spans rows) and the read helpers its pages share."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import (
    Count,
    DateTimeField,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Mentorship, User
from accounts.roles import MENTORS
from mentoring.emails import email_new_comment
from mentoring.models import Assignment, AssignmentMode, FeedbackComment
from practice.models import CardState, PracticeSession, ReviewCard, SessionItem
from questions.models import (
    Question,
    QuestionSet,
    QuestionSetItem,
    Status,
    Topic,
    Visibility,
)

logger = logging.getLogger(__name__)

INVITE_SALT = "mentoring.invite"
INVITE_MAX_AGE = timedelta(days=7)
MAX_SET_SIZE = 50


class MentoringError(Exception):
    """A request the rules refuse; the message is written for the person who made it."""


# --- invites and mentorships ---------------------------------------------------------------------


def make_invite_token(mentor: User) -> str:
    """A signed, timestamped token naming the mentor; valid for INVITE_MAX_AGE."""
    return signing.TimestampSigner(salt=INVITE_SALT).sign_object({"mentor": mentor.pk})


def invite_expires_at() -> datetime:
    return timezone.now() + INVITE_MAX_AGE


def mentor_from_invite(token: str) -> User:
    """The inviting mentor. Raises MentoringError for a tampered, expired or stale token."""
    signer = signing.TimestampSigner(salt=INVITE_SALT)
    try:
        payload = signer.unsign_object(token, max_age=INVITE_MAX_AGE)
    except signing.SignatureExpired:
        raise MentoringError(
            "This invite link has expired (links last 7 days). Ask your mentor for a new one."
        ) from None
    except (signing.BadSignature, ValueError):
        raise MentoringError(
            "This invite link is not valid. Check that you copied all of it, "
            "or ask your mentor for a new one."
        ) from None
    mentor_id = payload.get("mentor") if isinstance(payload, dict) else None
    mentor = User.objects.filter(pk=mentor_id, is_active=True, groups__name=MENTORS).first()
    if mentor is None:
        raise MentoringError("This invite link is no longer valid: its sender is not a mentor.")
    return mentor


def invite_problem(*, mentor: User, candidate: User) -> str | None:
    """Why `candidate` cannot accept `mentor`'s invite, or None when they can."""
    if mentor.pk == candidate.pk:
        return "This is your own invite link: share it with the candidates you mentor."
    if Mentorship.objects.filter(mentor=mentor, candidate=candidate).exists():
        return f"{mentor} already mentors you: there is nothing to accept."
    return None


def accept_invite(*, mentor: User, candidate: User) -> Mentorship:
    """Create the mentorship. Raises MentoringError for yourself or a second acceptance."""
    problem = invite_problem(mentor=mentor, candidate=candidate)
    if problem:
        raise MentoringError(problem)
    try:
        with transaction.atomic():
            return Mentorship.objects.create(mentor=mentor, candidate=candidate)
    except IntegrityError:  # two tabs accepting at once: the unique pair holds
        raise MentoringError(f"{mentor} already mentors you: there is nothing to accept.") from None


# --- question sets -------------------------------------------------------------------------------


def unique_set_slug(title: str, *, exclude_pk: int | None = None) -> str:
    """slugify(title), with -2, -3, ... appended when another set holds it (one query)."""
    base = (slugify(title)[:180] or "set").strip("-") or "set"
    taken = set(
        QuestionSet.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def save_question_set(
    *, owner: User, title: str, description: str, question_set: QuestionSet | None = None
) -> QuestionSet:
    """Create a private set for `owner`, or rename an existing one (its slug follows)."""
    question_set = question_set or QuestionSet(owner=owner, visibility=Visibility.PRIVATE)
    title_changed = question_set.pk is None or question_set.title != title
    question_set.title = title
    question_set.description = description
    for _attempt in range(5):
        if title_changed:
            question_set.slug = unique_set_slug(title, exclude_pk=question_set.pk)
        try:
            with transaction.atomic():
                question_set.save()
            return question_set
        except IntegrityError:  # another set took the same slug between our read and write
            title_changed = True
    raise MentoringError("Could not save the set; please try again.")


def set_items(question_set: QuestionSet) -> list[QuestionSetItem]:
    """The set's items in order, with their questions and topics (one query)."""
    return list(question_set.items.select_related("question__topic").order_by("position", "pk"))


def _renumber(items: list[QuestionSetItem]) -> None:
    for position, item in enumerate(items):
        item.position = position
    QuestionSetItem.objects.bulk_update(items, ["position"])


def add_question_to_set(*, question_set: QuestionSet, question: Question) -> QuestionSetItem:
    """Append a published question. Raises MentoringError when it is already there or the set
    is full."""
    with transaction.atomic():
        # Lock the set so that two quick adds cannot take the same position.
        QuestionSet.objects.select_for_update().filter(pk=question_set.pk).first()
        items = list(question_set.items.order_by("position", "pk"))
        if any(item.question_id == question.pk for item in items):
            raise MentoringError(f"“{question.title}” is already in this set.")
        if len(items) >= MAX_SET_SIZE:
            raise MentoringError(f"A set holds at most {MAX_SET_SIZE} questions.")
        position = items[-1].position + 1 if items else 0
        item = QuestionSetItem.objects.create(
            question_set=question_set, question=question, position=position
        )
        QuestionSet.objects.filter(pk=question_set.pk).update(updated_at=timezone.now())
        return item


def remove_item(*, item: QuestionSetItem) -> None:
    with transaction.atomic():
        question_set_id = item.question_set_id
        item.delete()
        QuestionSet.objects.filter(pk=question_set_id).update(updated_at=timezone.now())


def move_item(*, item: QuestionSetItem, direction: Literal["up", "down"]) -> bool:
    """Swap the item with its neighbour; False when it is already first (up) or last (down)."""
    with transaction.atomic():
        QuestionSet.objects.select_for_update().filter(pk=item.question_set_id).first()
        items = list(
            QuestionSetItem.objects.filter(question_set_id=item.question_set_id).order_by(
                "position", "pk"
            )
        )
        index = next(i for i, other in enumerate(items) if other.pk == item.pk)
        target = index - 1 if direction == "up" else index + 1
        if not 0 <= target < len(items):
            return False
        items[index], items[target] = items[target], items[index]
        _renumber(items)
        return True


# --- assignments ---------------------------------------------------------------------------------


def mentees_of(mentor: User) -> QuerySet[User]:
    """The candidates `mentor` mentors now."""
    return User.objects.filter(mentorships_received__mentor=mentor).order_by(
        "first_name", "last_name", "username"
    )


def assignable_sets_for(mentor: User) -> QuerySet[QuestionSet]:
    """The mentor's own sets and the editors' public ones."""
    return QuestionSet.objects.filter(Q(owner=mentor) | Q(visibility=Visibility.PUBLIC)).order_by(
        "title"
    )


def published_questions_of(question_set: QuestionSet) -> list[Question]:
    """The set's published questions, in the set's order (one query)."""
    items = (
        QuestionSetItem.objects.filter(question_set=question_set)
        .filter(question__in=Question.objects.published())
        .select_related("question")
        .order_by("position", "pk")
    )
    return [item.question for item in items]


def assign_question_set(
    *,
    mentor: User,
    question_set: QuestionSet,
    candidates: list[User],
    due_at: datetime,
    mode: str,
    time_limit_minutes: int | None,
    note: str,
) -> list[Assignment]:
    """One assignment per candidate, all or none. Raises MentoringError when a candidate is not
    the mentor's mentee, the set is not theirs to assign, or the due date has passed."""
    if not candidates:
        raise MentoringError("Choose at least one mentee.")
    if due_at <= timezone.now():
        raise MentoringError("The due date must be in the future.")
    if not assignable_sets_for(mentor).filter(pk=question_set.pk).exists():
        raise MentoringError("You can assign only your own sets and the public ones.")
    mentee_ids = set(mentees_of(mentor).values_list("pk", flat=True))
    if any(candidate.pk not in mentee_ids for candidate in candidates):
        raise MentoringError("You can assign sets only to your mentees.")
    if mode not in AssignmentMode.values:
        raise MentoringError("Choose study or mock interview.")
    with transaction.atomic():
        return Assignment.objects.bulk_create(
            Assignment(
                mentor=mentor,
                candidate=candidate,
                question_set=question_set,
                mode=mode,
                time_limit_minutes=time_limit_minutes if mode == AssignmentMode.MOCK else None,
                due_at=due_at,
                note=note,
            )
            for candidate in candidates
        )


def start_assignment(*, assignment: Assignment, user: User) -> tuple[PracticeSession, bool]:
    """The session to work on: the unfinished one from this assignment if there is one, else a
    new one over the set's questions in order. Returns (session, created). Raises
    MentoringError when the set has no published question."""
    from practice.services import start_session_with_questions

    with transaction.atomic():
        # Serialise double clicks on Start: the second waits, then finds the first's session.
        Assignment.objects.select_for_update().filter(pk=assignment.pk).first()
        unfinished = (
            PracticeSession.objects.filter(assignment=assignment, user=user, finished_at=None)
            .order_by("-started_at", "-pk")
            .first()
        )
        if unfinished is not None:
            return unfinished, False
        questions = published_questions_of(assignment.question_set)
        if not questions:
            raise MentoringError(
                "This set has no published questions yet; ask your mentor to add some."
            )
        session = start_session_with_questions(
            user=user,
            mode=assignment.mode,
            questions=questions,
            question_set=assignment.question_set,
            assignment=assignment,
            time_limit_minutes=(
                assignment.time_limit_minutes if assignment.mode == AssignmentMode.MOCK else None
            ),
        )
        return session, True


def assignments_for(candidate: User) -> QuerySet[Assignment]:
    """The candidate's assignments from their current mentors, soonest due first, with progress,
    unread feedback (and the answer that holds the oldest), set and mentor: one query."""
    return (
        Assignment.objects.filter(candidate=candidate)
        .live()
        .with_progress()
        .with_unread_for(candidate)
        .with_first_unread_for(candidate)
        .select_related("mentor", "question_set")
        .order_by("due_at", "pk")
    )


DASHBOARD_ASSIGNMENTS = 5


def _open_assignments() -> QuerySet[Assignment]:
    """Open live assignments with their status, mentor, set and the feedback their candidate
    has not read (and the answer whose thread holds the oldest of it), soonest due first."""
    return (
        Assignment.objects.live()
        .open_with_status()
        .with_unread_for(OuterRef("candidate_id"))
        .with_first_unread_for(OuterRef("candidate_id"))
        .select_related("mentor", "question_set")
        .order_by("due_at", "pk")
    )


def dashboard_assignments(candidate: User) -> list[Assignment]:
    """The dashboard's panel: the open assignments due soonest, with their status, mentor, set
    and unread feedback (one query)."""
    return list(_open_assignments().filter(candidate=candidate)[:DASHBOARD_ASSIGNMENTS])


def _assignments_given() -> QuerySet[Assignment]:
    """Assignments with their progress, set and the replies their mentor has not read, latest
    due first."""
    return (
        Assignment.objects.with_progress()
        .with_unread_for(OuterRef("mentor_id"))
        .select_related("question_set")
        .order_by("-due_at", "-pk")
    )


def assignments_given(*, mentor: User, candidate: User) -> list[Assignment]:
    """What the mentee page shows: `mentor`'s assignments to `candidate`, latest due first,
    with progress, unread replies and set (one query), and the candidate's attempts at each
    with every answer and its thread (three more: assignment_sessions_prefetch)."""
    return list(
        _assignments_given()
        .filter(mentor=mentor, candidate=candidate)
        .prefetch_related(assignment_sessions_prefetch(candidate))
    )


# --- what a mentor sees --------------------------------------------------------------------------


@dataclass(frozen=True)
class TopicMastery:
    """One topic for one candidate, measured as on the candidate's own dashboard: the share of
    the topic's published questions whose card has reached the Review state."""

    name: str
    total: int
    studied: int
    learnt: int

    @property
    def percent(self) -> int:
        return round(100 * self.learnt / self.total) if self.total else 0


def mastery_by_topic(user_ids) -> dict[int, list[TopicMastery]]:
    """user id -> the topics they have studied, in topic order. Two grouped queries whatever the
    number of users (`user_ids` may be a QuerySet of ids, which becomes a subquery)."""
    # 1. published questions per topic (as on the candidate's own dashboard)
    totals = {topic.pk: topic for topic in Topic.objects.with_published_count()}
    # 2. cards per user and topic
    rows = (
        ReviewCard.objects.filter(user_id__in=user_ids, question__status=Status.PUBLISHED)
        .values("user_id", "question__topic_id")
        .annotate(studied=Count("pk"), learnt=Count("pk", filter=Q(state=CardState.REVIEW)))
        .order_by()
    )
    result: dict[int, list[TopicMastery]] = {}
    for row in rows:
        topic = totals.get(row["question__topic_id"])
        if topic is None:
            continue
        result.setdefault(row["user_id"], []).append(
            (
                (topic.position, topic.name),
                TopicMastery(topic.name, topic.published_count, row["studied"], row["learnt"]),
            )
        )
    return {
        user_id: [mastery for _key, mastery in sorted(entries, key=lambda e: e[0])]
        for user_id, entries in result.items()
    }


def last_answer_at(user) -> Subquery:
    """When `user` (an id or OuterRef) last answered anything, as an annotation.

    MAX over the user's own sessions' answers, not ORDER BY answered_at DESC LIMIT 1: with a
    LIMIT, PostgreSQL walks the site-wide answered_at index backwards until it meets one of
    the user's answers, which for a mentee who has not practised for a while is most of the
    table."""
    answers = SessionItem.objects.filter(session__user=user, answered_at__isnull=False)
    # MAX through Func, not Max: Django adds no GROUP BY to the subquery (as in count_of).
    latest = answers.order_by().annotate(at=Func(F("answered_at"), function="MAX")).values("at")
    return Subquery(latest, output_field=DateTimeField())


def comments_prefetch() -> Prefetch:
    """Prefetch for SessionItem querysets: each item's thread with its authors, as the list
    item.thread_comments (mentoring/_thread.html reads it). A list rather than the related
    manager's queryset, which a prefetch builds per item and .all() copies again: the mentee
    page shows dozens of threads."""
    return Prefetch(
        "comments",
        queryset=FeedbackComment.objects.select_related("author"),
        to_attr="thread_comments",
    )


# What mentoring/_answer.html needs of a multiple-choice answer: the choices and the picks.
ANSWER_CHOICES_PREFETCH = ("question__choices", "selected_choices")

# What the mentee page shows of an answer (mentoring/_answer.html) and of its question.
ANSWER_FIELDS = (
    "session",
    "question",
    "position",
    "response",
    "rating",
    "is_correct",
    "score",
    "answered_at",
    "time_spent",
    "test_results",
    "choice_order",
    "question__title",
    "question__kind",
    "question__expected_output",  # a prediction is shown against it
    "question__time_limit",
    "question__runs_in_browser",
    "question__topic__name",
)


def assignment_sessions_prefetch(candidate: User) -> Prefetch:
    """Prefetch for Assignment querysets: the candidate's sessions from each assignment as the
    list `attempts`, each with every answer as the list `answers`, each answer's thread, its
    question's tests, and a multiple-choice answer's choices and picks (six queries, whatever
    the number of rows). Lists (to_attr), not querysets: the page reads each once, and a plain
    prefetch builds a queryset per object. The answers load only what the page shows of them
    and of their questions (not the question's Markdown and HTML)."""
    items = (
        SessionItem.objects.select_related("question__topic")
        .only(*ANSWER_FIELDS)
        .prefetch_related(
            comments_prefetch(),
            "question__tests",  # for "Run it again"
            *ANSWER_CHOICES_PREFETCH,  # in the order the candidate saw them
        )
    )
    sessions = (
        PracticeSession.objects.filter(user=candidate)
        .order_by("started_at", "pk")
        .prefetch_related(Prefetch("items", queryset=items.order_by("position"), to_attr="answers"))
    )
    return Prefetch("sessions", queryset=sessions, to_attr="attempts")


# --- feedback ------------------------------------------------------------------------------------


def feedback_prefetches(session: PracticeSession) -> list[Prefetch]:
    """For the session summary's items: the feedback threads, only where an assignment started
    the session (other sessions have none, and pay no query for them)."""
    return [comments_prefetch()] if session.assignment_id else []


def mark_read(*, reader: User, comments: QuerySet[FeedbackComment]) -> int:
    """Mark what the other side wrote in `comments` as read by `reader` (one UPDATE)."""
    return comments.unread_by(reader).update(read_at=timezone.now())


def feedback_for_summary(*, session: PracticeSession, reader: User) -> dict:
    """Context for a session summary that includes mentoring/_thread.html: marks the threads on
    the session read and says whether the candidate may reply (mentorship still on). At most
    two queries, none for a session that no assignment started."""
    if session.assignment_id is None:
        return {"thread_open": False, "thread_as_mentor": False}
    mark_read(reader=reader, comments=FeedbackComment.objects.filter(item__session=session))
    is_open = Mentorship.objects.filter(
        mentor__assignments_given=session.assignment_id, candidate_id=session.user_id
    ).exists()
    return {"thread_open": is_open, "thread_as_mentor": False}


def post_comment(*, item: SessionItem, author: User, body: str, thread_url: str) -> FeedbackComment:
    """Add a comment to the thread on `item` and queue an e-mail to the other side (a worker
    sends it: mentoring.emails). The caller has checked that `author` is the candidate or their
    mentor on the item's assignment."""
    with transaction.atomic():  # the comment and its queued e-mail, or neither
        comment = FeedbackComment.objects.create(item=item, author=author, body=body)
        email_new_comment.enqueue(comment_id=comment.pk, thread_url=thread_url)
    return comment
