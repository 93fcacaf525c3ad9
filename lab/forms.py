from django import forms

from lab.orm import DEFAULT_ROWS, ROW_CHOICES


class RowsForm(forms.Form):
    rows = forms.TypedChoiceField(
        label="Rows",
        choices=[(n, f"{n} rows") for n in ROW_CHOICES],
        coerce=int,
        initial=DEFAULT_ROWS,
        error_messages={
            "invalid_choice": "Choose 10, 100 or 500 rows; showing 10 instead.",
            "required": "Choose 10, 100 or 500 rows; showing 10 instead.",
        },
        help_text="How many published questions each list loads.",
    )

    @property
    def rows_to_show(self) -> int:
        """The valid choice, or the default when the value is missing or bad."""
        if self.is_valid():
            return self.cleaned_data["rows"]
        return DEFAULT_ROWS
