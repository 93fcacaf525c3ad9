from django import forms
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
