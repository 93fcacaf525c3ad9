"""The unread-feedback counts behind the navigation badges, and their cache.

Every signed-in page shows the counts, so they cost one aggregate query per page. When the cache
is shared by every web process (Redis: settings.UNREAD_FEEDBACK_CACHE_SECONDS is then above
zero), each user's counts are kept there, stamped with the current feedback generation: a random
token that every change which can move any count replaces (a comment written, edited or deleted,
comments marked read, a mentorship or an assignment created or removed). A stamp that is not the
current generation is a miss, so a count is never older than the last change, and a page view
costs one cache round trip instead of the query. With a per-process cache (no Redis) a change
seen by one process would not reach the others, so nothing is cached.
"""

from dataclasses import dataclass
from uuid import uuid4

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q

from mentoring.models import FeedbackComment

GENERATION_KEY = "unread-feedback:generation"


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


def _user_key(user_id: int) -> str:
    return f"unread-feedback:user:{user_id}"


def cached_unread_feedback_for(user) -> UnreadFeedback:
    """The counts from the cache when they are as new as the last change, else from the
    database (and then kept). One cache round trip on a hit."""
    seconds = settings.UNREAD_FEEDBACK_CACHE_SECONDS
    if not seconds:
        return unread_feedback_for(user)
    key = _user_key(user.pk)
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid4().hex, timeout=None)
        generation = cache.get(GENERATION_KEY)
    stamped = found.get(key)
    if stamped is not None and stamped[0] == generation:
        return UnreadFeedback(*stamped[1:])
    # Read the generation before counting: a change committed while counting replaces it, so
    # these counts, stamped with the old one, are never served.
    counts = unread_feedback_for(user)
    cache.set(key, (generation, counts.as_candidate, counts.as_mentor), timeout=seconds)
    return counts


def _new_generation() -> None:
    cache.set(GENERATION_KEY, uuid4().hex, timeout=None)


def feedback_changed() -> None:
    """Some count may have moved: no cached count is current any more. Called at once and
    again when the transaction commits, so that a count read in between (from the data before
    the commit) is not served either."""
    if not settings.UNREAD_FEEDBACK_CACHE_SECONDS:
        return
    _new_generation()
    transaction.on_commit(_new_generation)


def _on_change(sender, **kwargs) -> None:
    feedback_changed()


def connect_signals() -> None:
    """Changes made through the ORM one object at a time, cascades included. (Bulk UPDATEs,
    such as mentoring.services.mark_read, call feedback_changed() themselves.)"""
    from django.db.models.signals import post_delete, post_save

    from accounts.models import Mentorship
    from mentoring.models import Assignment

    for model in (FeedbackComment, Mentorship, Assignment):
        post_save.connect(_on_change, sender=model, dispatch_uid=f"unread-{model.__name__}-save")
        post_delete.connect(
            _on_change, sender=model, dispatch_uid=f"unread-{model.__name__}-delete"
        )
