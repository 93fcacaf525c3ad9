from django.conf import settings
from django.db import models
from django.utils import timezone

from practice.models import SessionItem
from questions.models import QuestionSet


class AssignmentMode(models.TextChoices):
    STUDY = "study", "Study"
    MOCK = "mock", "Mock interview"


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

    class Meta:
        ordering = ["due_at"]
        indexes = [
            models.Index(fields=["candidate", "due_at"], name="assignment_candidate_due_idx"),
            models.Index(fields=["mentor", "due_at"], name="assignment_mentor_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.question_set} for {self.candidate} by {self.due_at:%Y-%m-%d}"


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

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["item", "created_at"], name="feedback_item_idx")]

    def __str__(self) -> str:
        return f"{self.author} on {self.item_id}"
