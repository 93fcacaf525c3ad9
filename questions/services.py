"""Writes to the question bank that touch several rows."""

from django.db import transaction
from django.db.models import QuerySet

from questions.models import Question, Status


@transaction.atomic
def change_status(*, questions: QuerySet[Question], status: str) -> int:
    """Move the questions to a status; returns how many actually changed.

    Each question is saved on its own (not with queryset.update()) so that published_at is
    kept right and every change lands in the question's history.
    """
    if status not in Status.values:
        raise ValueError(f"Unknown status {status!r}.")
    changed = 0
    # Re-select by primary key: the admin's queryset may carry joins or DISTINCT, which
    # FOR UPDATE does not allow.
    rows = (
        Question.objects.filter(pk__in=questions.values("pk"))
        .exclude(status=status)
        .select_for_update(of=("self",))
    )
    for question in rows:
        question.status = status
        question.save()
        changed += 1
    return changed
