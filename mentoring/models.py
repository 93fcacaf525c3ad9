from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import (
    Exists,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.utils import timezone

from accounts.models import Mentorship, User
from practice.models import PracticeSession, SessionItem
from questions.models import QuestionSet, QuestionSetItem


def count_of(queryset: models.QuerySet) -> Subquery:
    """A correlated COUNT(*) of `queryset` as an annotation: one query, however many rows."""
    # COUNT through Func, not Count: Django adds no GROUP BY, so it counts the filtered rows,
    # and an aggregate without GROUP BY always gives one row (0 when none match).
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Subquery(counted)


class AssignmentMode(models.TextChoices):
    STUDY = "study", "Study"
    MOCK = "mock", "Mock interview"


class AssignmentStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    OVERDUE = "overdue", "Overdue"


def live_mentorship(*, mentor, candidate) -> Exists:
    """EXISTS(the mentorship between these two); arguments may be users, ids or OuterRefs."""
    return Exists(Mentorship.objects.filter(mentor=mentor, candidate=candidate))


def last_answer_at(user: int | OuterRef) -> Subquery:
    """When `user` (an id or OuterRef) last answered anything, as an annotation.

    MAX over the user's own sessions' answers, not ORDER BY answered_at DESC LIMIT 1: with a
    LIMIT, PostgreSQL walks the site-wide answered_at index backwards until it meets one of
    the user's answers, which for a mentee who has not practised for a while is most of the
    table."""
    answers = SessionItem.objects.filter(session__user=user, answered_at__isnull=False)
    # MAX through Func, not Max: Django adds no GROUP BY to the subquery (as in count_of).
    latest = answers.order_by().annotate(at=Func(F("answered_at"), function="MAX")).values("at")
    return Subquery(latest)


def _unread_on_assignment(user) -> models.QuerySet:
    """Comments on the answers given in the assignment OuterRef("pk") that `user` has not read
    (those the other side wrote)."""
    return FeedbackComment.objects.filter(
        item__session__assignment=OuterRef("pk"), read_at__isnull=True
    ).exclude(author=user)


class AssignmentQuerySet(models.QuerySet):
    def for_candidate(self, candidate: User) -> Self:
        """The candidate's assignments from their current mentors, soonest due first, with
        progress, unread feedback (and the answer that holds the oldest), set and mentor: one
        query."""
        return (
            self.filter(candidate=candidate)
            .live()
            .with_progress()
            .with_unread_for(candidate)
            .with_first_unread_for(candidate)
            .select_related("mentor", "question_set")
            .order_by("due_at", "pk")
        )

    def open_for(self, candidate: User) -> Self:
        """The candidate's open assignments from their current mentors, soonest due first, with
        their status, mentor, set and unread feedback (and the answer that holds the oldest):
        one query."""
        return (
            self.filter(candidate=candidate)
            .live()
            .open_with_status()
            .with_unread_for(candidate)
            .with_first_unread_for(candidate)
            .select_related("mentor", "question_set")
            .order_by("due_at", "pk")
        )

    def given(self, *, mentor: User, candidate: User) -> Self:
        """`mentor`'s assignments to `candidate`, latest due first, with progress, the replies
        the mentor has not read and the set: one query."""
        return (
            self.filter(mentor=mentor, candidate=candidate)
            .with_progress()
            .with_unread_for(mentor)
            .select_related("question_set")
            .order_by("-due_at", "-pk")
        )

    def with_attempts(self) -> Self:
        """Prefetch each assignment's sessions, oldest first, each with its answers (their
        questions and topics), each answer's thread with its authors, its question's tests and,
        for a multiple-choice answer, the choices and the picks: six queries, whatever the
        number of rows. Only the candidate starts an assignment, so its sessions are theirs."""
        answers = SessionItem.objects.select_related("question__topic").prefetch_related(
            Prefetch("comments", queryset=FeedbackComment.objects.select_related("author")),
            "question__tests",  # for "Run it again"
            "question__choices",  # in the order the candidate saw them (item.shown_choices)
            "selected_choices",
        )
        sessions = PracticeSession.objects.order_by("started_at", "pk").prefetch_related(
            Prefetch("items", queryset=answers)
        )
        return self.prefetch_related(Prefetch("sessions", queryset=sessions))

    def live(self):
        """Assignments whose mentorship still stands (ending one hides its assignments)."""
        return self.filter(
            live_mentorship(mentor=OuterRef("mentor_id"), candidate=OuterRef("candidate_id"))
        )

    def with_progress(self):
        """Annotate what status and score need, from the candidate's sessions, in the same
        query: completed_at, latest_score, latest_session_id (finished), open_session_id
        (unfinished) and question_count."""
        sessions = PracticeSession.objects.filter(
            assignment=OuterRef("pk"), user=OuterRef("candidate_id")
        )
        finished = sessions.filter(finished_at__isnull=False).order_by("-finished_at", "-pk")
        unfinished = sessions.filter(finished_at__isnull=True).order_by("-started_at", "-pk")
        return self.annotate(
            completed_at=Subquery(finished.values("finished_at")[:1]),
            latest_score=Subquery(finished.values("score")[:1]),
            latest_session_id=Subquery(finished.values("pk")[:1]),
            open_session_id=Subquery(unfinished.values("pk")[:1]),
            question_count=count_of(
                QuestionSetItem.objects.filter(question_set=OuterRef("question_set_id"))
            ),
        )

    def open_with_status(self):
        """Only the assignments not completed yet, with what their status needs
        (open_session_id; completed_at, None for all of them): one subquery where
        unfinished().with_progress() builds five, for lists that show no score or count."""
        unfinished = PracticeSession.objects.filter(
            assignment=OuterRef("pk"), user=OuterRef("candidate_id"), finished_at__isnull=True
        ).order_by("-started_at", "-pk")
        return self.unfinished().annotate(
            completed_at=Value(None, output_field=models.DateTimeField()),
            open_session_id=Subquery(unfinished.values("pk")[:1]),
        )

    def with_unread_for(self, user):
        """Annotate unread_count: comments on this assignment's answers that `user` has not
        read (those the other side wrote). `user` may be a user, or OuterRef("candidate_id") or
        OuterRef("mentor_id"): each row's own candidate or mentor."""
        return self.annotate(unread_count=count_of(_unread_on_assignment(user)))

    def with_first_unread_for(self, user):
        """Annotate first_unread_item_id: the answer that holds the oldest of the comments
        with_unread_for() counts, whose thread is where `user` reads it; None when there is
        none."""
        oldest = _unread_on_assignment(user).order_by("created_at", "pk")
        return self.annotate(first_unread_item_id=Subquery(oldest.values("item_id")[:1]))

    def unfinished(self):
        """Not completed yet (no finished session from the assignment)."""
        return self.exclude(
            Exists(
                PracticeSession.objects.filter(
                    assignment=OuterRef("pk"),
                    user=OuterRef("candidate_id"),
                    finished_at__isnull=False,
                )
            )
        )


class Assignment(models.Model):
    """A mentor asks a mentee to work through a question set by a date."""

    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments_given"
    )
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    question_set = models.ForeignKey(
        QuestionSet, on_delete=models.CASCADE, related_name="assignments"
    )
    mode = models.CharField(max_length=10, choices=AssignmentMode.choices, default="study")
    time_limit_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    due_at = models.DateTimeField()
    note = models.TextField(blank=True, max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_at"]
        indexes = [
            models.Index(fields=["candidate", "due_at"], name="assignment_candidate_due_idx"),
            models.Index(fields=["mentor", "due_at"], name="assignment_mentor_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.question_set} for {self.candidate} by {self.due_at:%Y-%m-%d}"

    @property
    def is_overdue(self) -> bool:
        """Past its due date and not completed (needs with_progress())."""
        return self.completed_at is None and self.due_at < timezone.now()

    @property
    def status(self) -> str:
        """One of AssignmentStatus (needs with_progress())."""
        if self.completed_at is not None:
            return AssignmentStatus.COMPLETED
        if self.due_at < timezone.now():
            return AssignmentStatus.OVERDUE
        if self.open_session_id is not None:
            return AssignmentStatus.IN_PROGRESS
        return AssignmentStatus.NOT_STARTED

    @property
    def status_label(self) -> str:
        return AssignmentStatus(self.status).label

    @property
    def latest_percent(self) -> int | None:
        """The latest finished session's score in percent, or None."""
        return None if self.latest_score is None else round(self.latest_score * 100)


class FeedbackCommentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Comments on answers from assignment sessions that `user` answered, or that `user`
        assigned as the candidate's mentor (only while the mentorship stands)."""
        return self.filter(item__session__assignment__isnull=False).filter(
            Q(item__session__user=user)
            | Q(
                Q(item__session__assignment__mentor=user),
                live_mentorship(mentor=user, candidate=OuterRef("item__session__user_id")),
            )
        )

    def unread_by(self, user):
        """Visible comments the other side wrote that `user` has not read yet."""
        return self.visible_to(user).filter(read_at__isnull=True).exclude(author=user)

    def mark_read_by(self, reader: User) -> int:
        """Mark what the other side wrote among these comments as read by `reader` (one
        UPDATE); returns how many it marked."""
        return self.unread_by(reader).update(read_at=timezone.now())


class FeedbackComment(models.Model):
    """One message in the thread on an answer, by the mentor or the candidate."""

    item = models.ForeignKey(SessionItem, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback_comments"
    )
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    # When the other side of the thread read it; unread counts come from this.
    read_at = models.DateTimeField(null=True, blank=True)

    objects = FeedbackCommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["item", "created_at"], name="feedback_item_idx"),
            # The navigation counts unread comments on every page: scan only those.
            models.Index(
                fields=["item"], condition=Q(read_at__isnull=True), name="feedback_unread_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author} on {self.item_id}"
