"""Mentoring's writes that span several objects or apps, each atomic where it spans rows:
invites (a mentorship), question sets (the bank's sets and their items), assignments (and the
practice session one starts) and feedback (a comment and its e-mail)."""

import logging
from datetime import datetime, timedelta
from typing import Literal

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Mentorship, User
from accounts.roles import MENTORS
from mentoring.emails import email_new_comment
from mentoring.models import Assignment, AssignmentMode, FeedbackComment
from practice.models import PracticeSession, SessionItem
from practice.services import start_session_with_questions
from questions.models import Question, QuestionSet, QuestionSetItem, Visibility

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
    if not QuestionSet.objects.assignable_by(mentor).filter(pk=question_set.pk).exists():
        raise MentoringError("You can assign only your own sets and the public ones.")
    mentee_ids = set(
        Mentorship.objects.filter(mentor=mentor).values_list("candidate_id", flat=True)
    )
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
    new one over the set's published questions in order. Returns (session, created). Raises
    MentoringError when the set has no published question."""
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
        items = (
            assignment.question_set.items.filter(question__in=Question.objects.published())
            .select_related("question")
            .order_by("position", "pk")
        )
        questions = [item.question for item in items]
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


# --- feedback ------------------------------------------------------------------------------------


def feedback_for_summary(
    *, session: PracticeSession, items: list[SessionItem], reader: User
) -> dict:
    """For the summary of a session an assignment started, which shows mentoring/_thread.html
    under each answer: loads the answers' threads with their authors, marks them read by
    `reader` and says whether the candidate may reply (the mentorship still stands). Three
    queries."""
    prefetch_related_objects(
        items, Prefetch("comments", queryset=FeedbackComment.objects.select_related("author"))
    )
    FeedbackComment.objects.filter(item__session=session).mark_read_by(reader)
    is_open = Assignment.objects.live().filter(pk=session.assignment_id).exists()
    return {"thread_open": is_open, "thread_as_mentor": False}


def post_comment(*, item: SessionItem, author: User, body: str, thread_url: str) -> FeedbackComment:
    """Add a comment to the thread on `item` and queue an e-mail to the other side (a worker
    sends it: mentoring.emails). The caller has checked that `author` is the candidate or their
    mentor on the item's assignment."""
    with transaction.atomic():  # the comment and its queued e-mail, or neither
        comment = FeedbackComment.objects.create(item=item, author=author, body=body)
        email_new_comment.enqueue(comment_id=comment.pk, thread_url=thread_url)
    return comment
