"""Admin pieces shared by every app's ModelAdmins."""


class EmptyToFieldMixin:
    """Read an empty `?_to_field=` as no `_to_field` at all.

    Django's change and delete views check `_to_field` only when it is not empty, then look the
    object up by the field it names: an empty one is "Question has no field named ''", a 500
    (Django 5.2). Put it first among a ModelAdmin's bases.
    """

    def get_object(self, request, object_id, from_field=None):
        """The object, or None when there is no such row (as Django's)."""
        return super().get_object(request, object_id, from_field or None)
