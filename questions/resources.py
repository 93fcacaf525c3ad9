"""Import and export of questions in the admin (django-import-export: CSV, JSON, YAML).

Rows are matched by slug. Topic, tracks and tags travel by name (a slug is accepted too);
follow-ups by slug; multiple-choice choices and the tests of coding and practical questions as
JSON lists in one column each. Every row is checked before anything is saved (unknown topic or
track, invalid choices or tests, the model's own rules), the admin shows the problems row by
row, and an import with any problem writes nothing.
"""

import json
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify
from import_export import fields, resources, widgets

from questions.models import (
    RUNNABLE_KINDS,
    Choice,
    CodeTest,
    Kind,
    Question,
    Tag,
    Topic,
    Track,
    choice_problems,
)

TAG_SLUG_MAX = Tag._meta.get_field("slug").max_length
TEST_NAME_MAX = CodeTest._meta.get_field("name").max_length


def code_test_problems(kind: str, names: list[str]) -> list[str]:
    """What is wrong with the tests of a question of this kind, given their names (empty when
    they are fine): a coding question, a debugging exercise or an ORM exercise needs one, other
    kinds than those and practical have none, and no two share a name (a result names its
    test)."""
    problems = []
    if kind == Kind.CODING and not names:
        problems.append("A coding question needs at least one test.")
    if kind == Kind.DEBUGGING and not names:
        problems.append("A debugging exercise needs at least one test (its starter fails some).")
    if kind == Kind.ORM and not names:
        problems.append("An ORM exercise needs at least one test.")
    if kind not in RUNNABLE_KINDS and names:
        problems.append(
            "Only coding, practical, debugging and ORM questions have tests: remove them, or "
            "change the kind."
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        quoted = ", ".join(f"\u201c{name}\u201d" for name in repeated)
        problems.append(f"Each test needs its own name; used more than once: {quoted}.")
    return problems


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


def parse_tests(value) -> list[dict]:
    """The tests column: a JSON list of {"name", "code", "hidden"} ("hidden" may be left out).

    Raises ValueError with a message for editors when the cell is not such a list.
    """
    if value in (None, ""):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise ValueError(f"Tests must be a JSON list ({error.msg}).") from error
    if not isinstance(value, list):
        raise ValueError("Tests must be a JSON list.")
    tests = []
    for index, item in enumerate(value, 1):
        if not isinstance(item, dict) or set(item) - {"name", "code", "hidden"}:
            raise ValueError(f"Test {index} must have only name, code and hidden.")
        name, code = item.get("name"), item.get("code")
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"Test {index} has no name.")
        if "\n" in name.strip() or len(name.strip()) > TEST_NAME_MAX:
            raise ValueError(
                f"Test {index}: the name must be one line of at most {TEST_NAME_MAX} characters."
            )
        if not isinstance(code, str) or not code.strip():
            raise ValueError(f"Test {index} has no code.")
        if not isinstance(item.get("hidden", False), bool):
            raise ValueError(f"Test {index}: 'hidden' must be true or false.")
        tests.append({"name": name.strip(), "code": code, "hidden": item.get("hidden", False)})
    return tests


def _tests_of(question: Question) -> list[dict]:
    """A saved question's tests as the tests column holds them."""
    return [
        {"name": test.name, "code": test.code, "hidden": test.is_hidden}
        for test in question.tests.all()
    ]


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
    tests = fields.Field(column_name="tests")

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
            "keep_choice_order",
            "choices",
            "starter_code",
            "solution_code",
            "time_limit",
            "runs_in_browser",
            "tests",
            "snippet",
            "expected_output",
        )
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def get_queryset(self):
        return Question.objects.select_related("topic").prefetch_related(
            "tracks", "tags", "follow_ups", "choices", "tests"
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

    def dehydrate_tests(self, question: Question) -> str:
        if question.kind not in RUNNABLE_KINDS:
            return ""
        return json.dumps(_tests_of(question), ensure_ascii=False)

    def import_instance(self, instance, row, **kwargs):
        """Set the plain fields, then check what is saved after the row: the related names,
        the choices and the tests, so that a bad row is reported before anything is written."""
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
        self._check_tests(instance, row, errors)
        if errors:
            raise ValidationError(errors)

    def _check_tests(self, instance, row, errors: dict) -> None:
        """Read the tests column into instance._imported_tests (None when the file has no such
        column: the question keeps its tests), and add what is wrong with them to errors."""
        instance._imported_tests = None
        if "tests" in row:
            try:
                instance._imported_tests = parse_tests(row["tests"])
            except ValueError as error:
                errors["tests"] = [str(error)]
                return
        tests = instance._imported_tests
        if tests is None:
            tests = [] if instance.pk is None else _tests_of(instance)
        problems = code_test_problems(instance.kind, [test["name"] for test in tests])
        if problems:
            errors["tests"] = problems

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if instance._imported_choices is not None and original.pk is not None:
            current = [
                {"text": c.text, "correct": c.is_correct, "explanation": c.explanation}
                for c in original.choices.all()
            ]
            if current != instance._imported_choices:
                return False
        tests = instance._imported_tests
        if tests is not None and original.pk is not None and _tests_of(original) != tests:
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def after_save_instance(self, instance, row, **kwargs):
        if kwargs.get("dry_run") and not kwargs.get("using_transactions"):
            return
        self._save_tests(instance)
        choices = instance._imported_choices
        if choices is None:
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

    def _save_tests(self, question: Question) -> None:
        """Replace the question's tests with the imported ones, all or none, unless they are
        the same (then nothing is written, and no history recorded)."""
        tests = question._imported_tests
        if tests is None or _tests_of(question) == tests:
            return
        with transaction.atomic():
            question.tests.all().delete()
            for position, test in enumerate(tests):
                CodeTest(
                    question=question,
                    name=test["name"],
                    code=test["code"],
                    is_hidden=test["hidden"],
                    position=position,
                ).save()
