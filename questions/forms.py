from django import forms
from django.utils.html import format_html, format_html_join

from questions.models import Difficulty, Kind, Tag, Topic, Track

SEARCH_MAX_LENGTH = 100
# A filter from an old or hand-edited link: say so briefly and show everything instead.
UNKNOWN = "Not found, so not applied."


class PlainSelect(forms.Select):
    """Kept (issue 15): Select renders a template per <option>, and the tag menu has one per tag
    (figures: bench/select_widget.py, in bench/results.md)."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        selected = self.format_value(value)
        options = []
        has_selected = False
        for option_value, label in self.choices:
            is_selected = not has_selected and str(option_value) in selected
            has_selected |= is_selected
            options.append((option_value, " selected" if is_selected else "", label))
        return format_html(
            '<select name="{}"{}>\n{}\n</select>',
            name,
            format_html_join(
                "",
                "{}",
                (
                    (
                        format_html(" {}", key)
                        if value is True
                        else format_html(' {}="{}"', key, value),
                    )
                    for key, value in attrs.items()
                    if value is not False
                ),
            ),
            format_html_join("\n", '  <option value="{}"{}>{}</option>', options),
        )


class QuestionFilterForm(forms.Form):
    """The filters of /questions/ (a GET form: it works with and without htmx).

    Track, topic and tag are chosen by slug (a query each for their menus). Their cleaned values
    are slugs."""

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
    track = forms.ChoiceField(
        required=False, widget=PlainSelect, error_messages={"invalid_choice": UNKNOWN}
    )
    topic = forms.ChoiceField(
        required=False, widget=PlainSelect, error_messages={"invalid_choice": UNKNOWN}
    )
    difficulty = forms.ChoiceField(
        choices=[("", "Any"), *Difficulty.choices],
        required=False,
        widget=PlainSelect,
        error_messages={"invalid_choice": UNKNOWN},
    )
    kind = forms.ChoiceField(
        choices=[("", "Any"), *Kind.choices],
        required=False,
        widget=PlainSelect,
        error_messages={"invalid_choice": UNKNOWN},
    )
    # Only tags that some published question carries.
    tag = forms.ChoiceField(
        required=False, widget=PlainSelect, error_messages={"invalid_choice": UNKNOWN}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["track"].choices = [("", "All"), *Track.objects.values_list("slug", "name")]
        self.fields["topic"].choices = [("", "All"), *Topic.objects.values_list("slug", "name")]
        tags = Tag.objects.published().values_list("slug", "name")
        self.fields["tag"].choices = [("", "Any"), *tags]

    def filters(self) -> dict:
        """The valid filters (an invalid one is reported on its field and ignored)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}

    @property
    def has_filters(self) -> bool:
        return bool(self.filters())
