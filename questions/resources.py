"""Import and export of questions in the admin (django-import-export: CSV, JSON, YAML).

Rows are matched by slug. Topic, tracks and tags travel by name (a slug is accepted too);
follow-ups by slug; multiple-choice choices as a JSON list in one column. Every row is checked
before anything is saved (unknown topic or track, invalid choices, the model's own rules), the
admin shows the problems row by row, and an import with any problem writes nothing.
"""

import json
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.text import slugify
from import_export import fields, resources, widgets

from questions.menus import forget_menus
from questions.models import Choice, Kind, Question, Tag, Topic, Track, choice_problems

TAG_SLUG_MAX = Tag._meta.get_field("slug").max_length


def _names(value) -> list[str]:
    """The comma-separated names of a cell, without blanks or repeats."""
    if value is None:
        return []
    names = [part.strip() for part in str(value).split(",")]
    return list(dict.fromkeys(name for name in names if name))


def _name_lookup(model, names: list[str]) -> dict[str, object]:
    """Map each given name (matched on name, case-insensitively, or on slug) to its row."""
    if not names:
        return {}
    query = reduce(or_, (Q(name__iexact=n) | Q(slug=n) for n in names))
    found = {}
    for obj in model.objects.filter(query):
        found[obj.name.lower()] = obj
        found[obj.slug] = obj
    return {n: found.get(n.lower(), found.get(n)) for n in names}


class TopicByNameWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(Topic, field="name")

    def clean(self, value, row=None, **kwargs):
        names = _names(value)
        if len(names) != 1:
            raise ValueError("Give exactly one topic, by name.")
        topic = _name_lookup(Topic, names)[names[0]]
        if topic is None:
            raise ValueError(f"Unknown topic '{names[0]}'.")
        return topic


class ByNameManyToManyWidget(widgets.ManyToManyWidget):
    """Several related rows by name; unknown names are an error, or created (tags)."""

    def __init__(self, model, *, create_missing: bool = False):
        super().__init__(model, separator=", ", field="name")
        self.create_missing = create_missing

    def clean(self, value, row=None, **kwargs):
        names = _names(value)
        matches = _name_lookup(self.model, names)
        missing = [name for name, obj in matches.items() if obj is None]
        if missing and not self.create_missing:
            label = self.model._meta.verbose_name
            raise ValueError(f"Unknown {label}: {', '.join(repr(m) for m in missing)}.")
        for name in missing:
            slug = slugify(name)[:TAG_SLUG_MAX]
            if not slug:
                raise ValueError(f"'{name}' cannot be made into a tag.")
            matches[name], _ = self.model.objects.get_or_create(
                slug=slug, defaults={"name": name[:60]}
            )
        return list(dict.fromkeys(matches.values()))

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return self.separator.join(related.name for related in value.all())


class FollowUpWidget(widgets.ManyToManyWidget):
    def __init__(self):
        super().__init__(Question, separator=", ", field="slug")

    def clean(self, value, row=None, **kwargs):
        slugs = _names(value)
        if row and row.get("slug") in slugs:
            raise ValueError("A question cannot follow up on itself.")
        found = {q.slug: q for q in Question.objects.filter(slug__in=slugs)}
        missing = [s for s in slugs if s not in found]
        if missing:
            raise ValueError(f"Unknown follow-up: {', '.join(repr(m) for m in missing)}.")
        return [found[s] for s in slugs]

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return self.separator.join(q.slug for q in value.all())


def parse_choices(value) -> list[dict]:
    """The choices column: a JSON list of {"text", "correct", "explanation"}.

    Raises ValueError with a message for editors when the cell is not such a list.
    """
    if value in (None, ""):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise ValueError(f"Choices must be a JSON list ({error.msg}).") from error
    if not isinstance(value, list):
        raise ValueError("Choices must be a JSON list.")
    choices = []
    for index, item in enumerate(value, 1):
        if not isinstance(item, dict) or set(item) - {"text", "correct", "explanation"}:
            raise ValueError(f"Choice {index} must have only text, correct and explanation.")
        text, explanation = item.get("text"), item.get("explanation")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"Choice {index} has no text.")
        if not isinstance(explanation, str) or not explanation.strip():
            raise ValueError(f"Choice {index} has no explanation.")
        if not isinstance(item.get("correct", False), bool):
            raise ValueError(f"Choice {index}: 'correct' must be true or false.")
        choices.append(
            {"text": text, "correct": item.get("correct", False), "explanation": explanation}
        )
    return choices


class QuestionResource(resources.ModelResource):
    topic = fields.Field(attribute="topic", column_name="topic", widget=TopicByNameWidget())
    tracks = fields.Field(
        attribute="tracks", column_name="tracks", widget=ByNameManyToManyWidget(Track)
    )
    tags = fields.Field(
        attribute="tags",
        column_name="tags",
        widget=ByNameManyToManyWidget(Tag, create_missing=True),
    )
    follow_ups = fields.Field(
        attribute="follow_ups", column_name="follow_ups", widget=FollowUpWidget()
    )
    choices = fields.Field(column_name="choices")

    class Meta:
        model = Question
        import_id_fields = ("slug",)
        fields = (
            "slug",
            "title",
            "kind",
            "difficulty",
            "status",
            "topic",
            "tracks",
            "tags",
            "prompt",
            "answer",
            "key_points",
            "hints",
            "follow_ups",
            "multi_select",
            "choices",
            "starter_code",
            "solution_code",
            "test_code",
        )
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def get_queryset(self):
        return Question.objects.select_related("topic").prefetch_related(
            "tracks", "tags", "follow_ups", "choices"
        )

    def dehydrate_choices(self, question: Question) -> str:
        if question.kind != Kind.MULTIPLE_CHOICE:
            return ""
        return json.dumps(
            [
                {"text": c.text, "correct": c.is_correct, "explanation": c.explanation}
                for c in question.choices.all()
            ],
            ensure_ascii=False,
        )

    def import_instance(self, instance, row, **kwargs):
        """Set the plain fields, then check what is saved after the row: the related names
        and the choices, so that a bad row is reported before anything is written."""
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for name in ("tracks", "tags", "follow_ups"):
            field = self.fields[name]
            if field.column_name in row:
                try:
                    field.clean(row)
                except ValueError as error:
                    errors[name] = [str(error)]
        instance._imported_choices = None
        if "choices" in row:
            try:
                instance._imported_choices = parse_choices(row["choices"])
            except ValueError as error:
                errors["choices"] = [str(error)]
        choices = instance._imported_choices
        if choices is None and instance.pk is not None:
            choices = [{"correct": c.is_correct} for c in instance.choices.all()]
        if instance.kind == Kind.MULTIPLE_CHOICE and "choices" not in errors:
            problems = choice_problems(
                [c["correct"] for c in choices or []], multi_select=instance.multi_select
            )
            if problems:
                errors["choices"] = problems
        elif instance._imported_choices:
            errors["choices"] = ["Only multiple-choice questions have choices."]
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if instance._imported_choices is not None and original.pk is not None:
            current = [
                {"text": c.text, "correct": c.is_correct, "explanation": c.explanation}
                for c in original.choices.all()
            ]
            if current != instance._imported_choices:
                return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        forget_menus()  # the tags were set after each question was saved

    def after_save_instance(self, instance, row, **kwargs):
        choices = instance._imported_choices
        if choices is None or (kwargs.get("dry_run") and not kwargs.get("using_transactions")):
            return
        current = [
            {"text": c.text, "correct": c.is_correct, "explanation": c.explanation}
            for c in instance.choices.all()
        ]
        if current == choices:
            return
        instance.choices.all().delete()
        for position, choice in enumerate(choices):
            Choice(
                question=instance,
                text=choice["text"],
                is_correct=choice["correct"],
                explanation=choice["explanation"],
                position=position,
            ).save()
