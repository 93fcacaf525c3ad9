"""The tokens of sign-up: the one in a confirmation link, and the one behind "send it again".

The confirmation link's token is built like Django's password-reset token (an HMAC of the
account's state and a timestamp, so nothing is stored) but with its own salt, so that a reset
token never confirms an account or the other way round, and its own lifetime. The hash covers
what confirming or signing up again changes (is_active, awaiting_confirmation, the password
hash, the address), so a link works once: after it is used, or after a later sign-up with the
same address chose a new password, it no longer matches.
"""

from datetime import timedelta

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

from accounts.models import User

CONFIRMATION_LINK_DAYS = 3
# An account nobody confirmed this long after its latest confirmation email is deleted
# (`manage.py prune_unconfirmed`), which frees its user name. Longer than a link lives, so
# that a link never outlives its account.
UNCONFIRMED_ACCOUNT_DAYS = 7
RESEND_SALT = "accounts.resend-confirmation"
RESEND_MAX_AGE = timedelta(hours=1)


class SignUpConfirmationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "accounts.tokens.SignUpConfirmationTokenGenerator"
    max_age = timedelta(days=CONFIRMATION_LINK_DAYS)

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return (
            f"{user.pk}|{user.password}|{user.is_active}|{user.awaiting_confirmation}|"
            f"{user.email}|{timestamp}"
        )

    def check_token(self, user: User | None, token: str | None) -> bool:
        """Whether `token` was made for `user` as it is now, less than max_age ago.

        Django's check_token measures age against PASSWORD_RESET_TIMEOUT; confirmation links
        have a lifetime of their own, so the age is checked here.
        """
        if user is None or not token or token.count("-") != 1:
            return False
        timestamp_b36 = token.split("-")[0]
        try:
            timestamp = base36_to_int(timestamp_b36)
        except ValueError:
            return False
        made_by_us = any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )
        age = self._num_seconds(self._now()) - timestamp
        return made_by_us and age <= self.max_age.total_seconds()


confirmation_token_generator = SignUpConfirmationTokenGenerator()


# --- "send the link again" ----------------------------------------------------------------------
# The log-in form offers it to whoever gave the right password for an account that waits for
# confirmation. The offer is a form with a signed, short-lived token naming the account, so that
# the password does not have to travel twice and nothing is kept in a session.


def make_resend_token(user: User) -> str:
    return signing.TimestampSigner(salt=RESEND_SALT).sign_object({"user": user.pk})


def user_from_resend_token(token: str) -> User | None:
    """The account a resend token names, or None when the token is bad or older than
    RESEND_MAX_AGE, or the account no longer waits for confirmation."""
    try:
        payload = signing.TimestampSigner(salt=RESEND_SALT).unsign_object(
            token, max_age=RESEND_MAX_AGE
        )
    except (signing.BadSignature, ValueError):  # SignatureExpired is a BadSignature
        return None
    user_id = payload.get("user") if isinstance(payload, dict) else None
    if not isinstance(user_id, int):
        return None
    return User.objects.filter(pk=user_id, awaiting_confirmation=True).first()
