"""Form pieces shared by every app."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

# The range of a 64-bit signed integer: PostgreSQL's bigint and SQLite's INTEGER.
SMALLEST_ID = -(2**63)
LARGEST_ID = 2**63 - 1


def parse_id(value: object) -> int | None:
    """The id a request names, from a string of ASCII digits ("42"); None for anything else.

    The one way views read ids and counts from query strings and field names. str.isdigit()
    accepts "²", which int() refuses (a 500), and int() accepts "٣", " 3", "+3" and "3_0",
    which no link of ours sends. A number no database row can have (over 64 bits) is None too,
    so the value is safe to look up.
    """
    if not isinstance(value, str) or not value.isascii() or not value.isdecimal():
        return None
    number = int(value)
    return number if number <= LARGEST_ID else None


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's ModelMultipleChoiceField, refusing ids no database row can have.

    Django looks the submitted ids up with `pk__in=[...]` as they come; on SQLite an id over
    64 bits raises OverflowError, a 500 instead of "Select a valid choice". Here such an id is
    an invalid value, like "abc" is.
    """

    def _check_values(self, value):
        key = self.to_field_name or "pk"
        meta = self.queryset.model._meta
        target = meta.pk if key == "pk" else meta.get_field(key)
        if isinstance(target, models.IntegerField) and isinstance(value, list | tuple):
            for pk in value:
                try:
                    number = int(str(pk).strip())
                except ValueError:
                    continue  # Django's own check calls it invalid
                if not SMALLEST_ID <= number <= LARGEST_ID:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super()._check_values(value)
