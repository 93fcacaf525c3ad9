"""The unread-feedback counts in the navigation: computed only when a page shows them."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from mentoring.unread import unread_feedback_for


def feedback(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: htmx fragments never show the navigation, so they never pay for the counts.
    return {"feedback_unread": SimpleLazyObject(lambda: unread_feedback_for(user))}
