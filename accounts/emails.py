"""The e-mails of sign-up and password reset: tasks a worker runs after the request.

Each task gets ids and plain values (never a password hash or a token: the arguments are stored
in the queue and shown in the admin), looks the account up when it runs, and makes the link's
token then. An account deleted, confirmed or signed up again in the
meantime gets no stale message: the task returns why it sent nothing, which the admin shows.
"""

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.tokens import default_token_generator
from django.db.models import Q
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from accounts.models import User
from accounts.tokens import (
    CONFIRMATION_LINK_DAYS,
    UNCONFIRMED_ACCOUNT_DAYS,
    confirmation_token_generator,
)
from background.mail import send_templated_email


@dataclass(frozen=True)
class SignUpLinks:
    """Where the links in sign-up emails point: the site as the visitor reached it, and where
    to take them once confirmed (a checked `next`, e.g. a mentor's invite link)."""

    origin: str  # scheme and host, e.g. "https://prep.example.com"
    next_url: str = ""

    def confirm(self, user: User) -> str:
        kwargs = {
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": confirmation_token_generator.make_token(user),
        }
        query = f"?{urlencode({'next': self.next_url})}" if self.next_url else ""
        return f"{self.origin}{reverse('confirm_signup', kwargs=kwargs)}{query}"

    def log_in(self) -> str:
        return f"{self.origin}{reverse('login')}"

    def password_reset(self) -> str:
        return f"{self.origin}{reverse('password_reset')}"


@task()
def email_confirmation_link(*, user_id: int, joined_at: str, origin: str, next_url: str) -> str:
    """The confirmation link for the sign-up made at `joined_at` (the account's date_joined
    then). Nothing when the account is gone or confirmed, or when a later sign-up (or a "send
    it again") replaced this one: that one's e-mail carries the link."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return "not sent: the account was deleted"
    if not user.awaiting_confirmation:
        return "not sent: the account is already confirmed"
    if user.date_joined.isoformat() != joined_at:
        return "not sent: a later sign-up with this address sent its own link"
    context = {
        "user": user,
        "confirm_url": SignUpLinks(origin=origin, next_url=next_url).confirm(user),
        "days": CONFIRMATION_LINK_DAYS,
        "prune_days": UNCONFIRMED_ACCOUNT_DAYS,
    }
    send_templated_email(
        to=user.email,
        subject_template="accounts/email/confirm_signup_subject.txt",
        body_template="accounts/email/confirm_signup.txt",
        context=context,
    )
    return "sent"


@task()
def email_signup_attempt(*, user_id: int, origin: str) -> str:
    """ "Someone, maybe you, tried to sign up with your address", to an active account."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return "not sent: the account was deleted or deactivated"
    links = SignUpLinks(origin=origin)
    context = {"user": user, "login_url": links.log_in(), "reset_url": links.password_reset()}
    send_templated_email(
        to=user.email,
        subject_template="accounts/email/signup_attempt_subject.txt",
        body_template="accounts/email/signup_attempt.txt",
        context=context,
    )
    return "sent"


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def users_who_may_reset_password(email: str) -> Iterator[User]:
    """The accounts a password-reset link for `email` goes to: active ones, and ones waiting for
    confirmation (a reset link proves the address as a confirmation link does), with a usable
    password and exactly that address."""
    candidates = User.objects.filter(email__iexact=email).filter(
        Q(is_active=True) | Q(awaiting_confirmation=True)
    )
    # As Django's: the database's case-insensitive match may pair addresses that differ once
    # Unicode is folded; send only to an exact match.
    wanted = _folded(email)
    for user in candidates:
        if user.has_usable_password() and _folded(user.email) == wanted:
            yield user


@task()
def email_password_reset(*, user_id: int, email: str, domain: str, protocol: str) -> str:
    """Django's password-reset e-mail (registration/password_reset_*), with a token made when
    it is sent. Nothing when the account may no longer reset its password by `email`."""
    user = next((u for u in users_who_may_reset_password(email) if u.pk == user_id), None)
    if user is None:
        return "not sent: the account is gone, deactivated or has another address now"
    context = {
        "email": user.email,
        "domain": domain,
        "site_name": domain,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": protocol,
    }
    send_templated_email(
        to=user.email,
        subject_template="registration/password_reset_subject.txt",
        body_template="registration/password_reset_email.html",
        context=context,
    )
    return "sent"
