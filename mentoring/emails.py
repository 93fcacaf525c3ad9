"""Mentoring's e-mail: "a new comment in your feedback thread", a task a worker runs."""

from django_tasks import task

from background.mail import send_templated_email
from mentoring.models import FeedbackComment


@task()
def email_new_comment(*, comment_id: int, thread_url: str) -> str:
    """Tell the other side of the thread about the comment, as it stands when this runs.
    Nothing when the comment (or its assignment) was deleted, when the other side has no
    address, or when they can no longer see the thread or have already read the comment."""
    comment = (
        FeedbackComment.objects.select_related(
            "author", "item__question", "item__session__user", "item__session__assignment__mentor"
        )
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        return "not sent: the comment was deleted"
    session = comment.item.session
    if session.assignment is None:
        return "not sent: the assignment was deleted"
    recipient = session.assignment.mentor if comment.author_id == session.user_id else session.user
    if not recipient.email:
        return "not sent: the recipient has no address"
    if not FeedbackComment.objects.unread_by(recipient).filter(pk=comment.pk).exists():
        return "not sent: already read, or the thread is closed to the recipient"
    send_templated_email(
        to=recipient.email,
        subject_template="mentoring/email/new_comment_subject.txt",
        body_template="mentoring/email/new_comment.txt",
        context={"comment": comment, "recipient": recipient, "thread_url": thread_url},
    )
    return "sent"
