"""The unread-feedback counts behind the navigation badges: one aggregate query per full page."""

from dataclasses import dataclass

from django.db.models import Count, Q

from mentoring.models import FeedbackComment


@dataclass(frozen=True)
class UnreadFeedback:
    """Unread comments on the user's own answers, and on answers the user mentors."""

    as_candidate: int = 0
    as_mentor: int = 0

    @property
    def total(self) -> int:
        return self.as_candidate + self.as_mentor


def unread_feedback_for(user) -> UnreadFeedback:
    """Both counts in one aggregate query."""
    counts = FeedbackComment.objects.unread_by(user).aggregate(
        as_candidate=Count("pk", filter=Q(item__session__user=user)),
        as_mentor=Count("pk", filter=~Q(item__session__user=user)),
    )
    return UnreadFeedback(**counts)
