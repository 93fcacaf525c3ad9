"""Sending an e-mail from a task.

Every e-mail Prep sends is a task (see /README.md, "Background tasks"): the request that causes
it enqueues the task, in the same transaction as its write, and a worker sends it. The task
receives ids, looks its data up when it runs and renders the message then, so that mail about
something deleted in the meantime is not sent; send_templated_email raises when the mail server
fails, and the worker retries the task later.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string


def send_templated_email(
    *, to: str, subject_template: str, body_template: str, context: dict
) -> None:
    """Render a plain-text e-mail and send it to one address. Raises whatever the mail backend
    raises (a refused connection, a timeout after EMAIL_TIMEOUT seconds): the task fails and
    the worker tries again after the next retry delay."""
    # A subject is one line, whatever the template's line breaks.
    subject = " ".join(render_to_string(subject_template, context).split())
    body = render_to_string(body_template, context)
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to]).send(fail_silently=False)
