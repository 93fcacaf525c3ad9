from django import forms

from questions.models import Difficulty, Kind, Status, Tag, Topic, Track

SEARCH_MAX_LENGTH = 100
# A filter from an old or hand-edited link: say so briefly and show everything instead.
UNKNOWN = "Not found, so not applied."


class QuestionFilterForm(forms.Form):
    """The filters of /questions/ (a GET form: it works with and without htmx)."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "e.g. decorators, GIL, select_related",
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),
    )
    track = forms.ModelChoiceField(
        queryset=Track.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="All",
        error_messages={"invalid_choice": UNKNOWN},
    )
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="All",
        error_messages={"invalid_choice": UNKNOWN},
    )
    difficulty = forms.ChoiceField(
        choices=[("", "Any"), *Difficulty.choices],
        required=False,
        error_messages={"invalid_choice": UNKNOWN},
    )
    kind = forms.ChoiceField(
        choices=[("", "Any"), *Kind.choices],
        required=False,
        error_messages={"invalid_choice": UNKNOWN},
    )
    tag = forms.ModelChoiceField(
        # Only tags that some published question carries.
        queryset=Tag.objects.filter(questions__status=Status.PUBLISHED).distinct(),
        to_field_name="slug",
        required=False,
        empty_label="Any",
        error_messages={"invalid_choice": UNKNOWN},
    )

    def filters(self) -> dict:
        """The valid filters (an invalid one is reported on its field and ignored)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}

    @property
    def has_filters(self) -> bool:
        return bool(self.filters())
