from django import forms
from django.utils import timezone

from accounts.models import User
from mentoring.models import AssignmentMode
from prep.forms import ModelMultipleChoiceField
from questions.models import Question, QuestionSet, QuestionSetItem

MIN_MOCK_MINUTES = 5
MAX_MOCK_MINUTES = 180


class QuestionSetForm(forms.Form):
    title = forms.CharField(
        max_length=200,
        error_messages={"required": "Give the set a title."},
        help_text="What the set is about, e.g. “Django ORM before the on-site”.",
    )
    description = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: what your mentees should focus on.",
    )


class SearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=100,
        label="Search the published bank",
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "placeholder": "e.g. decorators"}
        ),
    )


class AddQuestionForm(forms.Form):
    question = forms.ModelChoiceField(
        queryset=Question.objects.published(),
        widget=forms.HiddenInput,
        error_messages={
            "required": "Choose a question to add.",
            "invalid_choice": "That question is not in the published bank.",
        },
    )


class MoveForm(forms.Form):
    direction = forms.ChoiceField(
        choices=[("up", "Up"), ("down", "Down")],
        error_messages={"invalid_choice": "Move a question up or down."},
    )


class MenteeChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        full_name = obj.get_full_name()
        return f"{full_name} ({obj.username})" if full_name else obj.username


class AssignmentForm(forms.Form):
    question_set = forms.ModelChoiceField(
        queryset=QuestionSet.objects.none(),
        label="Question set",
        empty_label="Choose a set…",
        error_messages={
            "required": "Choose a question set.",
            "invalid_choice": "Choose one of your sets or a public one.",
        },
    )
    candidates = MenteeChoiceField(
        queryset=User.objects.none(),
        label="Mentees",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one mentee.",
            "invalid_choice": "Choose among your mentees.",
            "invalid_pk_value": "Choose among your mentees.",
        },
    )
    due_at = forms.DateTimeField(
        label="Due",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": "Set a due date.",
            "invalid": "Enter a date and time, e.g. 2030-05-31 18:00.",
        },
    )
    mode = forms.ChoiceField(
        choices=AssignmentMode.choices,
        initial=AssignmentMode.STUDY,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose study or mock interview."},
    )
    time_limit_minutes = forms.IntegerField(
        label="Time limit (minutes)",
        required=False,
        min_value=MIN_MOCK_MINUTES,
        max_value=MAX_MOCK_MINUTES,
        help_text=f"Mock interviews only: {MIN_MOCK_MINUTES}–{MAX_MOCK_MINUTES} minutes.",
    )
    note = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Optional: what to focus on, shown to your mentees with the assignment.",
    )

    def __init__(self, *args, mentor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question_set"].queryset = QuestionSet.objects.assignable_by(mentor)
        self.fields["candidates"].queryset = User.objects.filter(
            mentorships_received__mentor=mentor
        ).order_by("first_name", "last_name", "username")
        zone = timezone.get_current_timezone_name()
        self.fields["due_at"].help_text = f"In your time zone ({zone}); it must be in the future."

    def clean_question_set(self) -> QuestionSet:
        question_set = self.cleaned_data["question_set"]
        published = QuestionSetItem.objects.filter(
            question_set=question_set, question__in=Question.objects.published()
        )
        if not published.exists():
            raise forms.ValidationError(
                "This set has no published questions yet: add some before assigning it."
            )
        return question_set

    def clean_due_at(self):
        due_at = self.cleaned_data["due_at"]
        if due_at <= timezone.now():
            raise forms.ValidationError("The due date must be in the future.")
        return due_at

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == AssignmentMode.MOCK:
            if cleaned.get("time_limit_minutes") is None and "time_limit_minutes" not in (
                self.errors
            ):
                self.add_error(
                    "time_limit_minutes", "A mock interview needs a time limit in minutes."
                )
        else:
            cleaned["time_limit_minutes"] = None
        return cleaned


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Your comment",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Write something before sending.",
            "max_length": "Keep a comment under 5,000 characters.",
        },
    )
