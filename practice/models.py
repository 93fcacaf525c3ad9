from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from questions.models import Choice, Question, QuestionSet, Status


class Mode(models.TextChoices):
    STUDY = "study", "Study"
    QUIZ = "quiz", "Quiz"
    REVIEW = "review", "Review due"
    MOCK = "mock", "Mock interview"
    MISTAKES = "mistakes", "Mistakes"


class Rating(models.IntegerChoices):
    """The four grades of FSRS (same numbers as fsrs.Rating)."""

    AGAIN = 1, "Again"
    HARD = 2, "Hard"
    GOOD = 3, "Good"
    EASY = 4, "Easy"


# The modes whose items are drawn from the bank (the others come from the candidate's history).
DRAWN_MODES = (Mode.STUDY, Mode.QUIZ, Mode.MOCK)

# A mock answer sent within this long after the deadline is still accepted: it was typed in time
# and is only in flight (or sent by the countdown itself as the clock ran out).
MOCK_GRACE = timedelta(seconds=30)


class PracticeSessionQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)

    def unfinished(self):
        return self.filter(finished_at__isnull=True)

    def finished(self):
        return self.filter(finished_at__isnull=False)


class PracticeSession(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_sessions"
    )
    mode = models.CharField(max_length=10, choices=Mode.choices)
    # What the candidate asked for (track, topics, difficulty, kinds, count), kept for the record.
    filters = models.JSONField(default=dict, blank=True)
    question_set = models.ForeignKey(
        QuestionSet, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    assignment = models.ForeignKey(
        "mentoring.Assignment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    time_limit_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Mock interviews only."
    )
    # Denormalised when the session finishes, so that lists never count items per row.
    item_count = models.PositiveSmallIntegerField(default=0)
    answered_count = models.PositiveSmallIntegerField(default=0)
    score = models.FloatField(null=True, blank=True, help_text="0–1, set when finished.")
    # Mock interviews: when the candidate stopped answering early ("End the interview now").
    closed_at = models.DateTimeField(null=True, blank=True)
    # When the last answer came in; an answer's time_spent counts from here.
    last_activity_at = models.DateTimeField(null=True, blank=True)

    objects = PracticeSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["user", "-started_at"], name="session_user_recent_idx"),
            models.Index(fields=["assignment", "user"], name="session_assignment_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} by {self.user} at {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    @property
    def is_mock(self) -> bool:
        return self.mode == Mode.MOCK

    @property
    def deadline(self) -> datetime | None:
        """When a timed mock interview stops taking answers; None when there is no limit."""
        if not self.is_mock or not self.time_limit_minutes:
            return None
        return self.started_at + timedelta(minutes=self.time_limit_minutes)

    def is_past_deadline(self, now: datetime) -> bool:
        deadline = self.deadline
        return deadline is not None and now > deadline

    def accepts_answers(self, now: datetime) -> bool:
        """Whether an answer sent at `now` may still be recorded."""
        if self.is_finished or self.closed_at is not None:
            return False
        deadline = self.deadline
        return deadline is None or now <= deadline + MOCK_GRACE

    def is_awaiting_assessment(self, now: datetime) -> bool:
        """A mock interview whose answering is over but whose answers are not yet scored."""
        if not self.is_mock or self.is_finished:
            return False
        return (
            self.closed_at is not None
            or self.is_past_deadline(now)
            or self.answered_count >= self.item_count
        )

    @property
    def progress_percent(self) -> int:
        if not self.item_count:
            return 0
        return round(100 * self.answered_count / self.item_count)

    @property
    def score_percent(self) -> int | None:
        return None if self.score is None else round(100 * self.score)


class SessionItemQuerySet(models.QuerySet):
    def answered(self):
        return self.filter(answered_at__isnull=False)

    def for_user(self, user):
        return self.filter(session__user=user)


class SessionItem(models.Model):
    """One question in a session, and the candidate's answer to it."""

    session = models.ForeignKey(PracticeSession, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="session_items")
    position = models.PositiveSmallIntegerField()
    response = models.TextField(blank=True)
    selected_choices = models.ManyToManyField(Choice, blank=True, related_name="+")
    rating = models.PositiveSmallIntegerField(choices=Rating.choices, null=True, blank=True)
    is_correct = models.BooleanField(null=True, blank=True)
    # Mock interviews: indexes into question.key_point_list the candidate says they covered.
    covered_points = models.JSONField(default=list, blank=True)
    score = models.FloatField(null=True, blank=True, help_text="0–1.")
    revealed_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    time_spent = models.DurationField(null=True, blank=True)
    # Coding and practical questions: the per-test results of the last Submit, as the
    # candidate's browser reported them (runner/results.py checks their shape, not their truth).
    test_results = models.JSONField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects = SessionItemQuerySet.as_manager()

    class Meta:
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="unique_item_position"),
            models.UniqueConstraint(fields=["session", "question"], name="unique_item_question"),
        ]
        indexes = [
            models.Index(fields=["answered_at"], name="item_answered_at_idx"),
            # The practice page and every card swap ask for a session's first unanswered item:
            # read in position order straight from here instead of sorting the whole session.
            models.Index(
                fields=["session", "position"],
                condition=Q(answered_at__isnull=True),
                name="item_unanswered_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}#{self.position}: {self.question_id}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def is_revealed(self) -> bool:
        return self.revealed_at is not None

    @property
    def tests_passed(self) -> int:
        return sum(1 for result in self.test_results or () if result["status"] == "pass")

    @property
    def passed_every_test(self) -> bool:
        return bool(self.test_results) and self.tests_passed == len(self.test_results)

    @property
    def was_missed(self) -> bool:
        """Answered wrong, or graded Again: what "Practise mistakes" offers again."""
        return self.is_correct is False or self.rating == Rating.AGAIN


class CardState(models.IntegerChoices):
    """fsrs.State values."""

    LEARNING = 1, "Learning"
    REVIEW = 2, "Review"
    RELEARNING = 3, "Relearning"


class ReviewCardQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)

    def published(self):
        return self.filter(question__status=Status.PUBLISHED)

    def due_by(self, when: datetime):
        return self.filter(due__lte=when)

    def leeches(self):
        return self.filter(is_leech=True)

    def last_missed(self):
        """Cards whose last answer was wrong or graded Again."""
        return self.filter(last_rating=Rating.AGAIN)


class ReviewCard(models.Model):
    """The FSRS schedule of one question for one candidate."""

    LEECH_LAPSES = 8

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_cards"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="review_cards")
    state = models.PositiveSmallIntegerField(choices=CardState.choices, default=CardState.LEARNING)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField(default=timezone.now)
    last_review = models.DateTimeField(null=True, blank=True)
    last_rating = models.PositiveSmallIntegerField(choices=Rating.choices, null=True, blank=True)
    reps = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)
    is_leech = models.BooleanField(default=False)

    objects = ReviewCardQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="unique_review_card"),
        ]
        indexes = [
            models.Index(fields=["user", "due"], name="reviewcard_user_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} / {self.question_id} due {self.due:%Y-%m-%d}"


class Bookmark(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="bookmarks")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="unique_bookmark"),
        ]


class Note(models.Model):
    """A candidate's private note on a question."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notes"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="notes")
    body = models.TextField(max_length=20_000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="unique_note"),
        ]
