"""Form pieces shared by every app."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

# The range of a 64-bit signed integer: PostgreSQL's bigint and SQLite's INTEGER.
SMALLEST_ID = -(2**63)
LARGEST_ID = 2**63 - 1


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
