from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.http import HttpRequest


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

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        user = self.request.user
        confirmed = authenticate(self.request, username=user.get_username(), password=password)
        if confirmed is None or confirmed.pk != user.pk:
            raise forms.ValidationError("That isn't your password. Nothing was deleted.")
        return password
