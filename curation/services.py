"""Curation's writes: reporting a problem, resolving a report, marking a reason dealt with.

Each is keyword-only and atomic. E-mail is a task (curation/emails.py), queued in the same
transaction as the write it tells about: a worker sends it.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from curation.emails import email_report_reply
from curation.models import (
    DealtWith,
    Problem,
    ProblemReport,
    QuestionStatistics,
    Reason,
)
from practice.models import SessionItem
from questions.models import Question, Status

MAX_COMMENT = 2000
MAX_REPLY = 5000
MAX_TIMES = 32767  # PositiveSmallIntegerField


def reportable_questions(user) -> QuerySet[Question]:
    """What a candidate may report: published questions, and any question of their own
    sessions (one unpublished since they answered it still had its problem)."""
    in_own_session = SessionItem.objects.filter(session__user=user, question=OuterRef("pk"))
    return Question.objects.filter(Q(status=Status.PUBLISHED) | Exists(in_own_session))


def _merged_comment(report: ProblemReport, *, problem: str, comment: str) -> str:
    """The open report's comment with what a second report adds: its problem, when it names
    another, and its comment, unless it says nothing new."""
    parts = []
    if problem != report.problem:
        parts.append(f"Also reported as \u201c{Problem(problem).label}\u201d.")
    if comment and comment not in report.comment:
        parts.append(comment)
    if not parts:
        return report.comment
    return "\n\n".join(part for part in (report.comment, " ".join(parts)) if part)


def report_problem(
    *,
    user,
    question: Question,
    problem: str,
    comment: str = "",
    wants_email: bool = False,
    now: datetime | None = None,
) -> tuple[ProblemReport, bool]:
    """Record a candidate's report of a problem with a question. A report of the same question
    by the same candidate while their earlier one is open merges into it (nothing said is
    lost). Returns the report and whether it was merged."""
    now = now or timezone.now()
    comment = comment.strip()
    mine = ProblemReport.objects.select_for_update().filter(
        question=question, reporter=user, resolved_at__isnull=True
    )
    with transaction.atomic():
        report = mine.first()
        if report is None:
            try:
                with transaction.atomic():
                    report = ProblemReport.objects.create(
                        question=question,
                        reporter=user,
                        problem=problem,
                        comment=comment,
                        wants_email=wants_email,
                        created_at=now,
                        last_reported_at=now,
                    )
                return report, False
            except IntegrityError:
                # The same report sent twice at once (a double click): the other one made the
                # row first (one open report per reporter and question). Merge into it.
                report = mine.get()
        report.comment = _merged_comment(report, problem=problem, comment=comment)
        report.wants_email = report.wants_email or wants_email
        report.times_reported = min(report.times_reported + 1, MAX_TIMES)
        report.last_reported_at = now
        report.save(update_fields=["comment", "wants_email", "times_reported", "last_reported_at"])
    return report, True


def resolve_report(
    *,
    report: ProblemReport,
    editor,
    reply: str,
    origin: str,
    now: datetime | None = None,
) -> bool:
    """Resolve an open report with the editor's reply, which the reporter sees on their
    dashboard and, if they asked, by e-mail (a task, queued with the write; `origin` is the
    site as the editor reached it, for the e-mail's links). Returns False, changing nothing,
    when it was already resolved.

    Raises ValueError for an empty reply."""
    reply = reply.strip()
    if not reply:
        raise ValueError("Write a reply: the candidate who reported it will read it.")
    now = now or timezone.now()
    with transaction.atomic():
        resolved = ProblemReport.objects.filter(pk=report.pk, resolved_at__isnull=True).update(
            resolved_at=now, resolved_by=editor, reply=reply
        )
        if not resolved:
            return False
        report.resolved_at, report.resolved_by, report.reply = now, editor, reply
        if report.wants_email:
            email_report_reply.enqueue(report_id=report.pk, origin=origin)
    return True


def mark_dealt_with(
    *, question: Question, reason: str, editor, note: str = "", now: datetime | None = None
) -> bool:
    """Record that an editor has dealt with a reason the question needs editing, and take it
    off the queue. It stays off until the question changes; after that the analysis brings it
    back only if the answers given since the change show it again. Returns whether the queue
    showed the reason.

    Raises ValueError for a reason that is not one of Reason."""
    if reason not in Reason.values:
        raise ValueError(f"Unknown reason {reason!r}.")
    now = now or timezone.now()
    with transaction.atomic():
        DealtWith.objects.update_or_create(
            question=question,
            reason=reason,
            defaults={"dealt_with_at": now, "dealt_with_by": editor, "note": note.strip()},
        )
        stats = QuestionStatistics.objects.select_for_update().filter(question=question).first()
        if stats is None or not stats.drop_reason(reason):
            return False
        stats.save(update_fields=["reasons", "reason_count"])
    return True
