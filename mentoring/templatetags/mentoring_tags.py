from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

from accounts.models import User
from mentoring.models import Assignment

register = template.Library()

DASHBOARD_ASSIGNMENTS = 5


@register.filter
def ago(value: datetime | None) -> str:
    """'just now' under a minute (timesince would say '0 minutes'), else '3 hours ago'; empty
    for None."""
    if value is None:
        return ""
    if timezone.now() - value < timedelta(minutes=1):
        return "just now"
    return f"{timesince(value)} ago"


@register.inclusion_tag("mentoring/_dashboard_assignments.html")
def dashboard_assignments(user: User) -> dict:
    """The candidate's open assignments on their dashboard, due soonest first, with their
    status, mentor, set and unread feedback (one query): the practice app's dashboard shows them
    without importing mentoring."""
    return {"assignments": list(Assignment.objects.open_for(user)[:DASHBOARD_ASSIGNMENTS])}
