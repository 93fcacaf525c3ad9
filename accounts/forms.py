from collections.abc import Iterator

from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordResetForm,
    SetPasswordForm,
    UserCreationForm,
)
from django.core.validators import MaxLengthValidator
from django.utils import timezone

from accounts.emails import email_password_reset, users_who_may_reset_password
from accounts.models import User
from accounts.tokens import make_resend_token


class SignUpForm(UserCreationForm):
    """User name, address and password. Says when a user name is taken (a name is not an
    address), never whether the address has an account: accounts.services.sign_up decides
    what happens to the address, and tells only its owner, by email."""

    email = forms.EmailField(
        help_text="We'll email you a link to confirm it. Also for password resets and mentors' "
        "messages; never shown to other people."
    )

    class Meta:
        model = User
        fields = ("username", "email")

    def clean_email(self) -> str:
        return User.objects.normalize_email(self.cleaned_data["email"]).lower()

    def _get_validation_exclusions(self) -> set[str]:
        # The model's own checks would say "already exists" for a taken address (the field is
        # unique, and so is its lower case): the address is left out of them.
        return {*super()._get_validation_exclusions(), "email"}


class LoginForm(AuthenticationForm):
    """Django's log-in form, which also tells the owner of an account waiting for confirmation
    (they gave its password, so this reveals nothing) and lets the page offer a new link.

    EmailOrUsernameBackend returns such an account when the password is right, so that it
    reaches confirm_login_allowed; it is never logged in.
    """

    resend_token = ""
    # A user name or an e-mail address (EmailOrUsernameBackend): the longest is an address.
    MAX_LOGIN_LENGTH = 254

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django sets the field's max_length after building it, so nothing enforces it: a longer
        # value reached authenticate(), and django-axes's record of the failure (255 characters
        # on PostgreSQL) raised DataError, a 500.
        field = self.fields["username"]
        field.max_length = self.MAX_LOGIN_LENGTH
        field.widget.attrs["maxlength"] = self.MAX_LOGIN_LENGTH
        field.validators.append(MaxLengthValidator(self.MAX_LOGIN_LENGTH))

    def confirm_login_allowed(self, user: User) -> None:
        if user.awaiting_confirmation:
            self.resend_token = make_resend_token(user)
            raise forms.ValidationError(
                "Your account is waiting for you to confirm your address: open the link we "
                "emailed you when you signed up.",
                code="awaiting_confirmation",
            )
        super().confirm_login_allowed(user)


class ResetPasswordForm(PasswordResetForm):
    """Django's "forgotten password" form, which also sends the link for an account waiting for
    confirmation (a reset link proves the address just as a confirmation link does;
    ConfirmingSetPasswordForm then confirms the account), and queues its e-mail rather than
    sending it in the request."""

    def get_users(self, email: str) -> Iterator[User]:
        return users_who_may_reset_password(email)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        # A worker renders and sends it (accounts.emails), with a token made then, to the
        # account as it is then.
        email_password_reset.enqueue(
            user_id=context["user"].pk,
            email=to_email,
            domain=context["domain"],
            protocol=context["protocol"],
        )


class ConfirmingSetPasswordForm(SetPasswordForm):
    """Choose a new password from a reset link; for an account still waiting for
    confirmation, the link proved the address, so the account is confirmed too."""

    def save(self, commit: bool = True) -> User:
        if self.user.awaiting_confirmation:
            self.user.is_active = True
            self.user.awaiting_confirmation = False
        return super().save(commit=commit)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = (
            "first_name",
            "last_name",
            "email",
            "target_track",
            "interview_date",
            "daily_goal",
            "desired_retention",
            "daily_review_limit",
            "time_zone",
        )
        widgets = {
            "interview_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "desired_retention": forms.NumberInput(
                attrs={"step": "0.01", "min": "0.70", "max": "0.97"}
            ),
            "daily_goal": forms.NumberInput(attrs={"min": "1", "max": "200"}),
            "daily_review_limit": forms.NumberInput(attrs={"min": "1", "max": "1000"}),
        }

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("This address is already used by another account.")
        return email

    def clean_interview_date(self):
        date = self.cleaned_data.get("interview_date")
        if date is not None and date < timezone.localdate():
            raise forms.ValidationError("Pick a day from today onwards (or leave it empty).")
        return date
