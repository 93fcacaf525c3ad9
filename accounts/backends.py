from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from accounts.models import User


class EmailOrUsernameBackend(ModelBackend):
    """Log in with either the user name or the email address (case-insensitive).

    With the right password, an account that waits for its address to be confirmed is returned
    too, as Django's AllowAllUsersModelBackend would, so that the log-in form's
    confirm_login_allowed can say so and offer a new link (accounts.forms.LoginForm); that form
    never logs it in. Other inactive accounts (deactivated by an admin) get the ordinary
    refusal, and get_user() still accepts only active users, so no session can belong to an
    unconfirmed account.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = (
            User.objects.filter(Q(username__iexact=username) | Q(email__iexact=username))
            .order_by("pk")
            .first()
        )
        if user is None:
            # Run the hasher anyway so that timing does not tell which names exist.
            User().set_password(password)
            return None
        if user.check_password(password) and (
            self.user_can_authenticate(user) or user.awaiting_confirmation
        ):
            return user
        return None
