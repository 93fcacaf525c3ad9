"""Writes on accounts: sign-up with a confirmed address (deleting one: privacy/services.py)."""

import logging
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.emails import SignUpLinks, email_confirmation_link, email_signup_attempt
from accounts.models import User
from accounts.throttling import take_address_allowance
from accounts.tokens import UNCONFIRMED_ACCOUNT_DAYS

logger = logging.getLogger(__name__)


class UserNameTaken(Exception):
    """Another sign-up took the user name between the form's check and the write."""


def sign_up(*, username: str, email: str, password: str, links: SignUpLinks) -> None:
    """Start a sign-up with a form that passed its checks, whatever the address.

    The visitor is told the same thing in every case ("check your email"); what happens
    depends on the address, and only its owner learns which, by email:

    - a new address: an inactive account waiting for confirmation, and a confirmation link;
    - an address whose account still waits for confirmation: that account takes this sign-up's
      user name and password (earlier links stop working) and a new link is sent, so whoever
      holds the inbox confirms credentials they chose, never ones someone else set before;
    - an address with an active account: nothing changes; its owner is told someone tried,
      with links to log in and to reset the password;
    - an address an admin deactivated, or one that had SIGNUP_ADDRESS_LIMIT emails this hour:
      nothing at all.

    The password is hashed once in every case, so that the time taken does not tell them apart.
    Raises UserNameTaken when a concurrent sign-up took the user name since the form checked it.
    """
    password_hash = make_password(password)
    if not take_address_allowance(email):
        logger.info("sign-up emails to one address over the hourly limit: nothing sent")
        return
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        user = User(
            username=username,
            email=email,
            password=password_hash,
            is_active=False,
            awaiting_confirmation=True,
        )
        try:
            with transaction.atomic():  # the account and its queued e-mail, or neither
                user.save()
                _email_confirmation_link(user=user, links=links)
        except IntegrityError:
            existing = User.objects.filter(email__iexact=email).first()
            if existing is None:
                raise UserNameTaken(username) from None
            # A sign-up with the same address got there first: this one is a second sign-up.
        else:
            return
    if existing.awaiting_confirmation:
        existing.username = username
        existing.password = password_hash
        existing.date_joined = timezone.now()
        try:
            with transaction.atomic():
                existing.save(update_fields=["username", "password", "date_joined"])
                _email_confirmation_link(user=existing, links=links)
        except IntegrityError:
            raise UserNameTaken(username) from None
    elif existing.is_active:
        _email_already_registered(user=existing, links=links)


def resend_confirmation_link(*, user: User, links: SignUpLinks) -> None:
    """Send a new confirmation link to an account that waits for confirmation (its owner gave
    the right password), unless the address had SIGNUP_ADDRESS_LIMIT emails this hour. The
    account's clock restarts: it is pruned UNCONFIRMED_ACCOUNT_DAYS after this email."""
    if not take_address_allowance(user.email):
        logger.info("sign-up emails to one address over the hourly limit: nothing sent")
        return
    user.date_joined = timezone.now()
    with transaction.atomic():
        user.save(update_fields=["date_joined"])
        _email_confirmation_link(user=user, links=links)


def confirm_account(*, user: User) -> None:
    """The owner of the address opened the link: the account becomes an ordinary one."""
    user.is_active = True
    user.awaiting_confirmation = False
    user.save(update_fields=["is_active", "awaiting_confirmation"])


def prune_unconfirmed_accounts(*, now: datetime | None = None) -> int:
    """Delete the accounts still waiting for confirmation UNCONFIRMED_ACCOUNT_DAYS after their
    latest confirmation email; return how many. Their user names are free again."""
    cutoff = (now or timezone.now()) - timedelta(days=UNCONFIRMED_ACCOUNT_DAYS)
    stale = User.objects.filter(awaiting_confirmation=True, is_active=False, date_joined__lt=cutoff)
    _total, per_model = stale.delete()
    return per_model.get(User._meta.label, 0)


def _email_confirmation_link(*, user: User, links: SignUpLinks) -> None:
    """Queue the e-mail with the link (accounts.emails): a worker sends it, unless a later
    sign-up with the address replaced this one by then."""
    email_confirmation_link.enqueue(
        user_id=user.pk,
        joined_at=user.date_joined.isoformat(),
        origin=links.origin,
        next_url=links.next_url,
    )


def _email_already_registered(*, user: User, links: SignUpLinks) -> None:
    email_signup_attempt.enqueue(user_id=user.pk, origin=links.origin)
