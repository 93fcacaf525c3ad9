from typing import NamedTuple

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.models import F, Prefetch, Q, Value
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from questions.markdown import highlight_code, render_markdown, render_markdown_list
from questions.menus import forget_menus


class ForgetsMenusOnWrite:
    """Saving or deleting a row drops the cached filter menus (questions/menus.py)."""

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        forget_menus()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        forget_menus()
        return result


class Track(ForgetsMenusOnWrite, models.Model):
    """A role track: backend web, data engineering, general software engineering."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Topic(ForgetsMenusOnWrite, models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Tag(ForgetsMenusOnWrite, models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Dataset(models.Model):
    """Tables and rows that SQL questions query: a visible set the candidate sees and a hidden
    one, with the same schema, that Submit also checks (so a hard-coded answer fails)."""

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=100)
    description = models.TextField(help_text="Markdown: the tables and what they hold.")
    description_html = models.TextField(blank=True, editable=False)
    schema = models.TextField(help_text="SQL: CREATE TABLE statements (SQLite).")
    rows = models.TextField(help_text="SQL: INSERT statements for the visible rows.")
    hidden_rows = models.TextField(
        help_text="SQL: INSERT statements for the hidden rows checked on Submit."
    )

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.description_html = render_markdown(self.description)
        super().save(*args, **kwargs)


class Label(NamedTuple):
    """A tag or a track as a page shows it."""

    slug: str
    name: str


class Kind(models.TextChoices):
    CONCEPT = "concept", "Concept"
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    CODING = "coding", "Coding"
    PRACTICAL = "practical", "Practical"
    SYSTEM_DESIGN = "system_design", "System design"
    BEHAVIOURAL = "behavioural", "Behavioural"
    CODE_REVIEW = "code_review", "Code review"
    ORM = "orm", "ORM exercise"
    SQL = "sql", "SQL query"
    PREDICT_OUTPUT = "predict_output", "Predict the output"
    DEBUGGING = "debugging", "Debugging"


class Difficulty(models.TextChoices):
    EASY = "easy", "Easy"
    MEDIUM = "medium", "Medium"
    HARD = "hard", "Hard"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"


# Kinds whose questions carry code: coding and ORM exercises need both fields, practical a
# snippet.
CODE_FIELDS = ("starter_code", "solution_code")
# The kinds whose tests the candidate's browser runs (see runner/).
RUNNABLE_KINDS = ("coding", "practical", "orm")
# The kinds that need starter code, a reference solution and at least one test.
NEEDS_CODE_AND_TESTS = ("coding", "orm")
# What a kind's tests run with besides Python (runner/browser/harness.py's runtimes): an ORM
# exercise's tests get real Django, the exercise app's models and a fresh database.
RUNTIME_OF_KIND = {"orm": "django"}
DEFAULT_TIME_LIMIT = 5
MAX_TIME_LIMIT = 60
MIN_KEY_POINTS = 2
MIN_CHOICES = 2

# The full-text search configuration. The GIN index in migration 0002 is built on exactly this
# expression; keep the two in step, or PostgreSQL stops using the index.
SEARCH_CONFIG = "english"


def search_vector() -> SearchVector:
    """The weighted title + prompt document the bank is searched in (PostgreSQL)."""
    return SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
        "prompt", weight="B", config=SEARCH_CONFIG
    )


def search_query(text: str) -> SearchQuery | None:
    """A prefix query for what a candidate typed ("decor" finds "decorators").

    Returns None when the text holds no searchable word. Words are reduced to letters and digits
    before they reach to_tsquery, so its syntax cannot be injected.
    """
    words = "".join(c if c.isalnum() else " " for c in text).split()
    if not words:
        return None
    raw = " & ".join(f"{word}:*" for word in words[:12])
    return SearchQuery(raw, search_type="raw", config=SEARCH_CONFIG)


def choice_problems(correct_flags: list[bool], *, multi_select: bool) -> list[str]:
    """What is wrong with a multiple-choice question's choices (empty when they are fine)."""
    problems = []
    if len(correct_flags) < MIN_CHOICES:
        problems.append("A multiple-choice question needs at least two choices.")
    correct = sum(1 for flag in correct_flags if flag)
    if correct == 0:
        problems.append("Mark at least one choice as correct.")
    elif correct > 1 and not multi_select:
        problems.append(
            f"{correct} choices are marked correct, but the question is single-select: "
            "mark exactly one, or tick “multi select”."
        )
    return problems


# The columns a row of a question list shows (with_list_data).
LIST_COLUMNS = ("title", "slug", "kind", "difficulty", "status", "topic")
# What the question page does not show: the Markdown and code its *_html columns are rendered
# from (key_points and hints are shown as written, one per line).
SOURCE_COLUMNS = ("prompt", "answer", "starter_code", "solution_code")


class QuestionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)

    def for_track(self, track):
        """Questions in a track (a Track or its slug); None or "" means every track."""
        if not track:
            return self
        if isinstance(track, Track):
            return self.filter(tracks=track)
        return self.filter(tracks__slug=track)

    def for_topics(self, topics):
        """Questions in any of the topics (Topic objects or slugs); empty means all."""
        topics = list(topics or [])
        if not topics:
            return self
        slugs = [t.slug if isinstance(t, Topic) else t for t in topics]
        return self.filter(topic__slug__in=slugs)

    def of_kinds(self, kinds):
        kinds = [k for k in (kinds or []) if k]
        return self.filter(kind__in=kinds) if kinds else self

    def of_difficulty(self, difficulties):
        """One difficulty ("easy") or several (["easy", "hard"]); empty means all."""
        if isinstance(difficulties, str):
            difficulties = [difficulties]
        difficulties = [d for d in (difficulties or []) if d]
        return self.filter(difficulty__in=difficulties) if difficulties else self

    def tagged(self, tag):
        """Questions carrying a tag (a Tag or its slug); None or "" means all."""
        if not tag:
            return self
        if isinstance(tag, Tag):
            return self.filter(tags=tag)
        return self.filter(tags__slug=tag)

    def search(self, text: str):
        """Questions matching the text in title or prompt, best match first.

        PostgreSQL: full-text search over the same expression the GIN index holds, ranked
        with title matches above prompt matches. Other databases: a case-insensitive match.
        """
        text = (text or "").strip()
        if not text:
            return self
        if connection.vendor == "postgresql":
            query = search_query(text)
            if query is None:
                return self.none()
            vector = search_vector()
            return (
                self.annotate(search_document=vector)
                .filter(search_document=query)
                .annotate(search_rank=SearchRank(vector, query))
                .order_by("-search_rank", "title")
            )
        return self.filter(Q(title__icontains=text) | Q(prompt__icontains=text))

    def with_list_data(self):
        """What a list of questions shows, without a query per row: the row's own columns (not
        the Markdown and HTML bodies), its topic's name and its tags as `tag_list`."""
        return (
            self.select_related("topic")
            .only(*LIST_COLUMNS, "topic__name")
            .prefetch_related(
                Prefetch("tags", queryset=Tag.objects.only("name"), to_attr="tag_list")
            )
        )

    def with_detail_data(self):
        """What the question page shows, in a fixed number of queries: the rendered HTML (not
        the Markdown and code it was rendered from), the topic and the published follow-ups (as
        list rows). The page asks for the tags and tracks with labels() (one query for both),
        and for a multiple-choice question's choices: the other kinds have none."""
        return (
            self.select_related("topic")
            .defer(*SOURCE_COLUMNS)
            .prefetch_related(
                Prefetch(
                    "follow_ups",
                    queryset=Question.objects.published()
                    .select_related("topic")
                    .only(*LIST_COLUMNS, "topic__name"),
                    to_attr="published_follow_ups",
                ),
            )
        )


class Question(ForgetsMenusOnWrite, models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CONCEPT)
    difficulty = models.CharField(
        max_length=10, choices=Difficulty.choices, default=Difficulty.MEDIUM
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="questions")
    tracks = models.ManyToManyField(Track, blank=True, related_name="questions")
    tags = models.ManyToManyField(Tag, blank=True, related_name="questions")

    prompt = models.TextField(help_text="Markdown. The question as an interviewer asks it.")
    prompt_html = models.TextField(blank=True, editable=False)
    answer = models.TextField(help_text="Markdown. The model answer a strong candidate gives.")
    answer_html = models.TextField(blank=True, editable=False)
    key_points = models.TextField(
        help_text="One per line: what an interviewer listens for. Candidates tick these."
    )
    hints = models.TextField(blank=True, help_text="Markdown, one hint per line.")
    hints_html = models.TextField(blank=True, editable=False)
    follow_ups = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="followed_up_by"
    )

    multi_select = models.BooleanField(
        default=False, help_text="Multiple choice only: several choices may be correct."
    )
    starter_code = models.TextField(blank=True)
    starter_code_html = models.TextField(blank=True, editable=False)
    solution_code = models.TextField(blank=True)
    solution_code_html = models.TextField(blank=True, editable=False)
    time_limit = models.PositiveSmallIntegerField(
        default=DEFAULT_TIME_LIMIT,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TIME_LIMIT)],
        help_text="Coding, practical and ORM exercises: seconds one run of the tests may take "
        "in the browser.",
    )
    dataset = models.ForeignKey(
        Dataset,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="questions",
        help_text="SQL questions: the tables the query runs against.",
    )
    ordered_rows = models.BooleanField(
        default=False, help_text="SQL questions: the rows must come in the reference's order."
    )
    snippet = models.TextField(blank=True, help_text="Predict the output: the code to read.")
    snippet_html = models.TextField(blank=True, editable=False)
    expected_output = models.TextField(
        blank=True,
        help_text="Predict the output: what the snippet prints; if it raises, the last line is "
        "`ExceptionType: message`.",
    )
    runs_in_browser = models.BooleanField(
        default=True,
        help_text="Untick when the tests need what Python in the browser lacks (threads, "
        "processes, third-party packages): candidates then grade themselves.",
    )

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="authored_questions",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords(m2m_fields=[tracks, tags])
    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["topic__position", "title"]
        indexes = [
            models.Index(fields=["status", "topic", "difficulty"], name="question_bank_filter_idx"),
            models.Index(fields=["status", "kind"], name="question_status_kind_idx"),
            # The admin list's order (latest change first): its page read off the index.
            models.Index(fields=["updated_at"], name="question_updated_at_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("questions:detail", args=[self.slug])

    def labels(self) -> tuple[list["Label"], list["Label"]]:
        """The question's tags (by name) and tracks (by position, then name), in one query."""
        text, number = models.CharField(), models.IntegerField()
        tags = (
            Tag.objects.filter(questions=self)
            .annotate(kind=Value("tag", output_field=text), rank=Value(0, output_field=number))
            .values_list("kind", "rank", "name", "slug")
            .order_by()
        )
        tracks = (
            Track.objects.filter(questions=self)
            .annotate(kind=Value("track", output_field=text), rank=F("position"))
            .values_list("kind", "rank", "name", "slug")
            .order_by()
        )
        rows = tags.union(tracks, all=True).order_by("kind", "rank", "name")
        found: dict[str, list[Label]] = {"tag": [], "track": []}
        for kind, _rank, name, slug in rows:
            found[kind].append(Label(slug=slug, name=name))
        return found["tag"], found["track"]

    @property
    def key_point_list(self) -> list[str]:
        return [line.strip() for line in self.key_points.splitlines() if line.strip()]

    @property
    def hint_list(self) -> list[str]:
        return [line.strip() for line in self.hints.splitlines() if line.strip()]

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def is_multiple_choice(self) -> bool:
        return self.kind == Kind.MULTIPLE_CHOICE

    @property
    def has_tests_to_run(self) -> bool:
        """Whether the candidate's browser runs this question's tests (needs `tests` loaded:
        a coding or practical question's card prefetches them)."""
        return self.kind in RUNNABLE_KINDS and self.runs_in_browser and bool(self.tests.all())

    @property
    def runtime(self) -> str:
        """What the runner gives this question's tests besides Python ("django" for an ORM
        exercise), or "" for plain Python."""
        return RUNTIME_OF_KIND.get(self.kind, "")

    def runner_tests(self, *, include_hidden: bool) -> list[dict]:
        """The tests as the runner takes them: [{"name", "code"}], in their order."""
        return [
            {"name": test.name, "code": test.code}
            for test in self.tests.all()
            if include_hidden or not test.is_hidden
        ]

    def render(self) -> None:
        """Render the Markdown and code fields into their *_html twins."""
        self.prompt_html = render_markdown(self.prompt)
        self.answer_html = render_markdown(self.answer)
        self.hints_html = render_markdown_list(self.hint_list)
        self.starter_code_html = highlight_code(self.starter_code)
        self.solution_code_html = highlight_code(self.solution_code)
        self.snippet_html = highlight_code(self.snippet)

    def save(self, *args, **kwargs):
        self.render()
        # published_at says when the question (last) went live.
        if self.status == Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        elif self.status != Status.PUBLISHED:
            self.published_at = None
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {
                *update_fields,
                "prompt_html",
                "answer_html",
                "hints_html",
                "starter_code_html",
                "solution_code_html",
                "snippet_html",
                "published_at",
                "updated_at",
            }
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """Rules that hold for one question on its own (choices are checked by the admin
        formset and the bank loader, which see them before they are saved)."""
        errors: dict[str, list[str]] = {}
        if not self.prompt.strip():
            errors.setdefault("prompt", []).append("Write the question as an interviewer asks it.")
        if not self.answer.strip():
            errors.setdefault("answer", []).append("Write the model answer.")
        if len(self.key_point_list) < MIN_KEY_POINTS:
            errors.setdefault("key_points", []).append(
                "Give at least two key points, one per line: what an interviewer listens for."
            )
        if self.kind in NEEDS_CODE_AND_TESTS:
            kind = "ORM exercises" if self.kind == Kind.ORM else "Coding questions"
            for name in CODE_FIELDS:
                if not getattr(self, name).strip():
                    errors.setdefault(name, []).append(
                        f"{kind} need starter code and a reference solution."
                    )
        if self.multi_select and self.kind != Kind.MULTIPLE_CHOICE:
            errors.setdefault("multi_select", []).append(
                "Only multiple-choice questions can be multi-select."
            )
        if errors:
            raise ValidationError(errors)


class CodeTest(models.Model):
    """One named test of a coding, practical or ORM question. It runs after the candidate's code,
    in a fresh namespace; it passes when its asserts hold. Visible tests are the examples shown
    with the prompt (Run runs them); hidden ones run on Submit too."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="tests")
    name = models.CharField(max_length=120, help_text="What it checks, as a short phrase.")
    code = models.TextField(help_text="Python: asserts, run after the candidate's code.")
    code_html = models.TextField(blank=True, editable=False)
    is_hidden = models.BooleanField(
        default=False, help_text="Hidden tests run on Submit only, not shown with the prompt."
    )
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "name"], name="unique_test_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.code_html = highlight_code(self.code)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "code_html"}
        super().save(*args, **kwargs)


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.TextField(help_text="Markdown.")
    text_html = models.TextField(blank=True, editable=False)
    is_correct = models.BooleanField(default=False)
    explanation = models.TextField(help_text="Markdown: why this choice is right or wrong.")
    explanation_html = models.TextField(blank=True, editable=False)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text[:60]

    def save(self, *args, **kwargs):
        self.text_html = render_markdown(self.text)
        self.explanation_html = render_markdown(self.explanation)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "text_html", "explanation_html"}
        super().save(*args, **kwargs)


class Visibility(models.TextChoices):
    PRIVATE = "private", "Private"
    PUBLIC = "public", "Public"


class QuestionSetQuerySet(models.QuerySet):
    def public(self):
        return self.filter(visibility=Visibility.PUBLIC)


class QuestionSet(models.Model):
    """An ordered list of questions. Public sets are curated by editors; private ones belong
    to a mentor."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="question_sets",
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    questions = models.ManyToManyField(
        Question, through="QuestionSetItem", related_name="question_sets"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = QuestionSetQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["owner", "visibility"], name="questionset_owner_vis_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("questions:set_detail", args=[self.slug])


class QuestionSetItem(models.Model):
    question_set = models.ForeignKey(QuestionSet, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["question_set", "question"], name="unique_question_in_set"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_set}: {self.question}"
