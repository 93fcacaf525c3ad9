from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import UserCreationForm
from django.utils import timezone

from accounts.models import User


class SignUpForm(UserCreationForm):
    email = forms.EmailField(
        help_text="For password resets and mentors' messages. Never shown to other people."
    )

    class Meta:
        model = User
        fields = ("username", "email")

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            # Worded so that it neither confirms nor denies that this address has an account.
            raise forms.ValidationError(
                "We can't create an account with this address. If you already have one, "
                "log in or reset your password."
            )
        return email


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


class DeleteAccountForm(forms.Form):
    """Confirm deleting the account with the current password.

    The password is checked through authenticate(), so wrong guesses count towards the
    django-axes lock-out exactly as failed log-ins do.
    """

    password = forms.CharField(
        label="Your password",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="To make sure it's you.",
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        user = self.request.user
        confirmed = authenticate(self.request, username=user.get_username(), password=password)
        if confirmed is None or confirmed.pk != user.pk:
            raise forms.ValidationError("That isn't your password. Nothing was deleted.")
        return password
