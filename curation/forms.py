from django import forms

from curation.models import Problem, Reason
from curation.services import MAX_COMMENT, MAX_REPLY


class ReportForm(forms.Form):
    """Report a problem: what is wrong, a comment, and whether to be told by e-mail."""

    problem = forms.ChoiceField(
        choices=Problem.choices,
        widget=forms.RadioSelect,
        label="What is wrong?",
        error_messages={
            "required": "Choose what is wrong.",
            "invalid_choice": "Choose one of the problems listed.",
        },
    )
    comment = forms.CharField(
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Comment",
        help_text="Optional: what exactly, and what it should say.",
    )
    wants_email = forms.BooleanField(required=False, label="E-mail me when it is dealt with")


class ResolveForm(forms.Form):
    reply = forms.CharField(
        max_length=MAX_REPLY,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write a reply: the candidate who reported it reads it."},
    )


class DealtWithForm(forms.Form):
    reason = forms.ChoiceField(choices=Reason.choices)
    note = forms.CharField(required=False, max_length=1000)
