"""Curation's e-mail: an editor's reply to a problem report, for a reporter who asked for it.
A task a worker runs after the resolving request (see background/mail.py)."""

from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from background.mail import send_templated_email
from curation.models import ProblemReport


@task()
def email_report_reply(*, report_id: int, origin: str) -> str:
    """Send the reporter the reply to their report, as it stands when this runs, once.
    Nothing when the report (or its reporter) was deleted, is open again, or has been
    e-mailed already, or when the reporter has no address. `origin` is the site as the editor
    reached it ("https://prep.example.com"), for the links."""
    report = (
        ProblemReport.objects.select_related("question", "reporter").filter(pk=report_id).first()
    )
    if report is None:
        return "not sent: the report was deleted"
    if report.is_open:
        return "not sent: the report is not resolved"
    if not report.wants_email:
        return "not sent: the reporter did not ask for an e-mail"
    if report.emailed_at is not None:
        return "not sent: already e-mailed"
    if not report.reporter.email:
        return "not sent: the reporter has no address"
    send_templated_email(
        to=report.reporter.email,
        subject_template="curation/email/report_reply_subject.txt",
        body_template="curation/email/report_reply.txt",
        context={
            "report": report,
            "recipient": report.reporter,
            "question_url": f"{origin}{report.question.get_absolute_url()}",
            "dashboard_url": f"{origin}{reverse('practice:dashboard')}",
        },
    )
    ProblemReport.objects.filter(pk=report.pk).update(emailed_at=timezone.now())
    return "sent"
