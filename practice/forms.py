from django import forms

from practice.draw import MOCK_KINDS, QUIZ_KINDS
from practice.models import Mode, Rating
from practice.services import MAX_COUNT, PracticeRequest
from prep.forms import ModelMultipleChoiceField
from questions.models import Difficulty, Kind, Topic, Track
from runner.results import check_code, parse_query_results, parse_results

MAX_RESPONSE = 20_000
DEFAULT_MOCK_MINUTES = 45


class StartForm(forms.Form):
    label_suffix = ""

    mode = forms.ChoiceField(
        choices=Mode.choices, initial=Mode.STUDY, widget=forms.RadioSelect, label="Mode"
    )
    track = forms.ModelChoiceField(
        queryset=Track.objects.all(), required=False, empty_label="Any track"
    )
    topics = ModelMultipleChoiceField(
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick none for every topic.",
    )
    difficulty = forms.ChoiceField(
        choices=[("", "Any difficulty"), *Difficulty.choices], required=False
    )
    kinds = forms.MultipleChoiceField(
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick none for every kind.",
    )
    count = forms.IntegerField(
        label="Number of questions",
        min_value=1,
        max_value=MAX_COUNT,
        initial=10,
        help_text=f"From 1 to {MAX_COUNT}.",
    )
    time_limit_minutes = forms.IntegerField(
        label="Mock interview length (minutes)",
        min_value=5,
        max_value=180,
        initial=DEFAULT_MOCK_MINUTES,
        required=False,
        help_text="Mock interviews only: from 5 to 180 minutes.",
    )

    def clean(self):
        cleaned = super().clean()
        mode = cleaned.get("mode")
        kinds = set(cleaned.get("kinds") or ())
        if mode == Mode.QUIZ and kinds and not kinds & set(QUIZ_KINDS):
            self.add_error(
                "kinds",
                "A quiz asks multiple-choice and predict-the-output questions: tick Multiple "
                "choice, Predict the output, or none.",
            )
        if mode == Mode.MOCK:
            if kinds and not kinds & set(MOCK_KINDS):
                self.add_error(
                    "kinds", "A mock interview has no multiple-choice questions: tick other kinds."
                )
            if (
                cleaned.get("time_limit_minutes") is None
                and "time_limit_minutes" not in self.errors
            ):
                cleaned["time_limit_minutes"] = DEFAULT_MOCK_MINUTES
        return cleaned

    def practice_request(self) -> PracticeRequest:
        data = self.cleaned_data
        return PracticeRequest(
            mode=data["mode"],
            track=data.get("track"),
            topics=list(data.get("topics") or ()),
            difficulty=data.get("difficulty") or "",
            kinds=list(data.get("kinds") or ()),
            count=data["count"],
            time_limit_minutes=data.get("time_limit_minutes"),
        )


class RevealForm(forms.Form):
    response = forms.CharField(
        label="Your answer (optional)",
        required=False,
        max_length=MAX_RESPONSE,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class GradeForm(forms.Form):
    rating = forms.TypedChoiceField(choices=Rating.choices, coerce=int)
    response = forms.CharField(required=False, max_length=MAX_RESPONSE, strip=True)


class MockAnswerForm(forms.Form):
    response = forms.CharField(
        label="Your answer",
        required=False,
        max_length=MAX_RESPONSE,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 12}),
    )


class PredictionForm(forms.Form):
    """What a candidate says a snippet prints. Kept as typed: leading spaces are part of an
    output (the comparison ignores trailing whitespace only)."""

    response = forms.CharField(
        label="What it prints",
        max_length=MAX_RESPONSE,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Type what the code prints, then Check."},
    )

    def clean_response(self) -> str:
        response = self.cleaned_data["response"]
        if not response.strip():
            raise forms.ValidationError(self.fields["response"].error_messages["required"])
        return response


class MockPredictionForm(PredictionForm):
    """In a mock interview an empty answer may be sent, as for any question there (it scores
    nothing)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["response"].required = False

    def clean_response(self) -> str:
        return self.cleaned_data["response"]


class CodeSubmissionForm(forms.Form):
    """Submit: the code and the per-test results the candidate's browser reported for it."""

    code = forms.CharField(strip=False, error_messages={"required": "There is no code to submit."})
    results = forms.CharField(
        strip=False, error_messages={"required": "The test results are missing: run them again."}
    )

    def __init__(self, *args, tests, **kwargs):
        super().__init__(*args, **kwargs)
        self.tests = tests

    def clean_code(self) -> str:
        return check_code(self.cleaned_data["code"])

    def clean_results(self) -> list[dict]:
        return parse_results(self.cleaned_data["results"], self.tests)

    def error_text(self) -> str:
        """The first problem, as one sentence for the card's notice."""
        for errors in self.errors.values():
            return errors[0]
        return ""


class QuerySubmissionForm(CodeSubmissionForm):
    """Submit on an SQL card: the query and the results of each check (the visible rows, the
    hidden rows) the candidate's browser reported, with the tables their query returned."""

    def __init__(self, *args, checks, **kwargs):
        super().__init__(*args, tests=(), **kwargs)
        self.checks = checks
        self.fields["code"].error_messages["required"] = "There is no query to submit."

    def clean_code(self) -> str:
        return check_code(self.cleaned_data["code"], what="query")

    def clean_results(self) -> list[dict]:
        return parse_query_results(self.cleaned_data["results"], self.checks)


class QuizForm(forms.Form):
    """The choices of one multiple-choice question: radios, or checkboxes for multi-select."""

    def __init__(self, *args, question, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(choice.pk, choice.pk) for choice in question.choices.all()]
        if question.multi_select:
            self.fields["choices"] = forms.TypedMultipleChoiceField(
                choices=choices,
                coerce=int,
                error_messages={"required": "Tick at least one answer, then Check."},
            )
        else:
            self.fields["choices"] = forms.TypedChoiceField(
                choices=choices,
                coerce=int,
                error_messages={"required": "Pick an answer, then Check."},
            )

    def chosen_ids(self) -> list[int]:
        value = self.cleaned_data["choices"]
        return value if isinstance(value, list) else [value]


class NoteForm(forms.Form):
    body = forms.CharField(
        label="My notes",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Private: only you see these. Save an empty note to delete it.",
    )
