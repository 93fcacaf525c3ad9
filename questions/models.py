import logging

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from questions.markdown import highlight_code, render_markdown, render_markdown_list
from questions.output import OutputComparison, compare_output, output_lines
from runner.browser import sql

logger = logging.getLogger(__name__)


class Track(models.Model):
    """A role track: backend web, data engineering, general software engineering."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class TopicQuerySet(models.QuerySet):
    def with_published_count(self):
        """The topics that have published questions, each with their number (published_count):
        mastery on the dashboard and the mentor's pages is "learnt of these". A count per topic
        in a subquery, which the question(status, topic) index answers on its own, where a join
        would read every question."""
        published = (
            Question.objects.filter(topic=OuterRef("pk"), status=Status.PUBLISHED)
            .order_by()
            .values("topic")
            .annotate(count=Count("*"))
            .values("count")
        )
        return self.annotate(published_count=Subquery(published)).filter(published_count__gt=0)


class Topic(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class TagQuerySet(models.QuerySet):
    def published(self):
        """The tags at least one published question carries: the only ones the bank offers."""
        carried = Question.tags.through.objects.filter(
            tag=OuterRef("pk"), question__status=Status.PUBLISHED
        )
        return self.filter(Exists(carried))


class Tag(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=60)

    objects = TagQuerySet.as_manager()

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

    def clean(self) -> None:
        """The schema and both row sets must build a database, and the hidden rows differ."""
        if not (self.schema.strip() and self.rows.strip() and self.hidden_rows.strip()):
            return  # the fields' own errors say what is missing
        problems = sql.dataset_problems(
            self.schema, self.rows, self.hidden_rows, time_limit=DEFAULT_TIME_LIMIT
        )
        errors: dict[str, list[str]] = {}
        for part, problem in problems:
            errors.setdefault(part, []).append(problem[0].upper() + problem[1:] + ".")
        if not problems and self.pk:
            # The questions on these tables must still work with the new rows.
            for title, query, limit in self.questions.values_list(
                "title", "solution_code", "time_limit"
            ):
                for problem in sql.reference_problems(
                    query, self.schema, self.rows, self.hidden_rows, time_limit=limit
                ):
                    errors.setdefault(NON_FIELD_ERRORS, []).append(f"“{title}”: {problem}")
        if errors:
            raise ValidationError(errors)

    def table_sizes(self) -> list[tuple[str, int, int]]:
        """(table, visible rows, hidden rows) for each table, for the editors' admin. Empty when
        the dataset does not build."""
        sizes: dict[str, list[int]] = {}
        for index, rows in enumerate((self.rows, self.hidden_rows)):
            try:
                connection = sql.open_database(self.schema, rows)
            except sql.QueryError:
                return []
            try:
                tables = connection.execute(
                    "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"
                ).fetchall()
                for (name,) in tables:
                    quoted = '"' + name.replace('"', '""') + '"'
                    (count,) = connection.execute(f"SELECT COUNT(*) FROM {quoted}").fetchone()
                    sizes.setdefault(name, [0, 0])[index] = count
            finally:
                connection.close()
        return [(name, visible, hidden) for name, (visible, hidden) in sizes.items()]

    def result_of(self, query: str, *, hidden: bool, time_limit: float) -> dict:
        """The query's result on a fresh database of the visible (or hidden) rows, computed
        here with CPython's sqlite3: {"columns", "rows", "row_count"}. Raises
        runner.browser.sql.QueryError when it fails or runs past `time_limit` seconds."""
        rows = self.hidden_rows if hidden else self.rows
        return sql.result_of(self.schema, rows, query, time_limit=time_limit)

    def checks_for(self, reference: str, *, include_hidden: bool, time_limit: float) -> list:
        """What the candidate's browser runs their query against: [{"name", "rows",
        "expected": {"columns", "rows"}}], the expected result computed here from the reference
        query (which never leaves the server). Raises QueryError when the reference fails."""
        checks = []
        for hidden in (False, True) if include_hidden else (False,):
            expected = self.result_of(reference, hidden=hidden, time_limit=time_limit)
            checks.append(
                {
                    "name": SQL_CHECK_NAMES[hidden],
                    "rows": self.hidden_rows if hidden else self.rows,
                    "expected": {"columns": expected["columns"], "rows": expected["rows"]},
                }
            )
        return checks


# The checks of an SQL question's query, by whether they use the hidden rows (Run: the first;
# Submit: both). The candidate's results carry these names.
SQL_CHECK_NAMES = {False: "The visible rows", True: "The hidden rows"}


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


# Kinds whose questions carry code: coding, debugging and ORM exercises need both fields,
# practical a snippet.
CODE_FIELDS = ("starter_code", "solution_code")
# The kinds whose tests the candidate's browser runs (see runner/). A debugging exercise is a
# practical question whose starter code fails some of its tests: the candidate fixes it.
RUNNABLE_KINDS = ("coding", "practical", "orm", "debugging")
# The kinds that need starter code, a reference solution and at least one test.
NEEDS_CODE_AND_TESTS = ("coding", "orm", "debugging")
# What each of those is called in an error message.
CODE_KIND_NAMES = {
    "coding": "Coding questions",
    "orm": "ORM exercises",
    "debugging": "Debugging exercises",
}
# Predict the output: the question's own fields, which other kinds leave empty.
PREDICTION_FIELDS = ("snippet", "expected_output")
# What a kind's tests run with besides Python (runner/browser/harness.py's runtimes): an ORM
# exercise's tests get real Django, the exercise app's models and a fresh database.
RUNTIME_OF_KIND = {"orm": "django"}
DEFAULT_TIME_LIMIT = 5
MAX_TIME_LIMIT = 60
MIN_KEY_POINTS = 2
MIN_CHOICES = 2


def prediction_problems(snippet: str, expected_output: str) -> list[tuple[str, str]]:
    """What is wrong with a predict-the-output question's snippet and expected output, as
    (field, problem) pairs (empty when they are fine). Running the snippet is the bank loader's
    and the admin's job (questions/snippets.py, Run the snippet): this only reads them."""
    problems = []
    if not snippet.strip():
        problems.append(("snippet", "Write the snippet the candidate reads."))
    else:
        try:
            compile(snippet, "snippet.py", "exec")
        except (SyntaxError, ValueError) as error:  # ValueError: a NUL byte, on 3.11
            where = f" (line {error.lineno})" if getattr(error, "lineno", None) else ""
            message = getattr(error, "msg", None) or str(error)
            problems.append(("snippet", f"The snippet is not valid Python{where}: {message}."))
    if not output_lines(expected_output):
        problems.append(
            (
                "expected_output",
                "The expected output is empty: Run the snippet fills it in with what it prints.",
            )
        )
    return problems


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


# The columns a row of a question list shows (with_list_data).
LIST_COLUMNS = ("title", "slug", "kind", "difficulty", "status", "topic")
# What the question page does not show: the Markdown and code its *_html columns are rendered
# from (key_points and hints are shown as written, one per line).
SOURCE_COLUMNS = ("prompt", "answer", "starter_code", "solution_code", "snippet")


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
        the Markdown and code it was rendered from), the topic, the published follow-ups (as
        list rows), the tags and the tracks. The page asks for a multiple-choice question's
        choices: the other kinds have none."""
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
                "tags",
                "tracks",
            )
        )


class Question(models.Model):
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
    keep_choice_order = models.BooleanField(
        default=False,
        help_text="Multiple choice only: show the choices in their own order instead of "
        "shuffling them for each candidate (for choices that refer to each other).",
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

    def compare_prediction(self, prediction: str) -> OutputComparison:
        """A predict-the-output answer against what the snippet prints, line by line."""
        return compare_output(prediction, self.expected_output)

    def sql_checks(self) -> list[dict] | None:
        """The checks an SQL question's query runs against in the candidate's browser (the
        visible rows, then the hidden rows), with the expected results computed here from the
        reference query, which never leaves the server. None when the question has no dataset
        or its reference query fails (its card is then self-graded)."""
        if self.dataset_id is None or not self.runs_in_browser:
            return None
        try:
            return self.dataset.checks_for(
                self.solution_code, include_hidden=True, time_limit=self.time_limit
            )
        except sql.QueryError as error:
            logger.warning("The reference query of %s fails: %s", self.slug, error)
            return None

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
        language = "sql" if self.kind == Kind.SQL else "python"
        self.starter_code_html = highlight_code(self.starter_code, language=language)
        self.solution_code_html = highlight_code(self.solution_code, language=language)
        self.snippet_html = highlight_code(self.snippet)

    def save(self, *args, **kwargs):
        # A textarea sends CRLF line ends; a snippet and what it prints are kept as Python
        # writes them.
        self.snippet = self.snippet.replace("\r\n", "\n")
        self.expected_output = self.expected_output.replace("\r\n", "\n")
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
        """Rules that hold for one question on its own. Its choices and tests are rows of
        their own: clean_choices() and clean_tests() check them before they are saved."""
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
            kind = CODE_KIND_NAMES[self.kind]
            for name in CODE_FIELDS:
                if not getattr(self, name).strip():
                    errors.setdefault(name, []).append(
                        f"{kind} need starter code and a reference solution."
                    )
        if self.kind == Kind.PREDICT_OUTPUT:
            for name, problem in prediction_problems(self.snippet, self.expected_output):
                errors.setdefault(name, []).append(problem)
        else:
            for name in PREDICTION_FIELDS:
                if getattr(self, name).strip():
                    errors.setdefault(name, []).append(
                        "Only predict-the-output questions have a snippet and an expected "
                        "output: clear it, or change the kind."
                    )
        for name, problem in self.sql_problems():
            errors.setdefault(name, []).append(problem)
        if self.multi_select and self.kind != Kind.MULTIPLE_CHOICE:
            errors.setdefault("multi_select", []).append(
                "Only multiple-choice questions can be multi-select."
            )
        if self.keep_choice_order and self.kind != Kind.MULTIPLE_CHOICE:
            errors.setdefault("keep_choice_order", []).append(
                "Only multiple-choice questions have choices to keep in order."
            )
        if errors:
            raise ValidationError(errors)

    def clean_choices(self, correct_flags: list[bool]) -> None:
        """The choices about to be saved with the question, by whether each is correct:
        multiple choice needs two or more, at least one correct, exactly one when single-select;
        other kinds have none. Raises ValidationError (the admin's inline and the bank loader
        call this)."""
        if self.kind == Kind.MULTIPLE_CHOICE:
            problems = choice_problems(correct_flags, multi_select=self.multi_select)
        elif correct_flags:
            problems = [
                "Only multiple-choice questions have choices: delete these, or change the kind."
            ]
        else:
            problems = []
        if problems:
            raise ValidationError(problems)

    def clean_tests(self, names: list[str]) -> None:
        """The tests about to be saved with the question, by name (code_test_problems). Raises
        ValidationError (the admin's inline and the bank loader call this)."""
        problems = code_test_problems(self.kind, names)
        if names and self.kind == Kind.PRACTICAL and not self.solution_code.strip():
            problems.append("Tests need a reference solution to pass: write the solution code.")
        if problems:
            raise ValidationError(problems)

    def sql_problems(self) -> list[tuple[str, str]]:
        """(field, problem) pairs: an SQL question needs a dataset and a reference query that
        runs on both of its row sets and returns rows; other kinds have no dataset."""
        if self.kind != Kind.SQL:
            if self.dataset_id is not None or self.ordered_rows:
                return [("dataset", "Only SQL questions have a dataset: clear it.")]
            return []
        problems = []
        if self.dataset_id is None:
            problems.append(("dataset", "Choose the dataset the query runs against."))
        if not self.solution_code.strip():
            problems.append(("solution_code", "Write the reference query."))
        if problems:
            return problems
        dataset = self.dataset
        found = sql.reference_problems(
            self.solution_code,
            dataset.schema,
            dataset.rows,
            dataset.hidden_rows,
            time_limit=self.time_limit or DEFAULT_TIME_LIMIT,
        )
        return [("solution_code", problem[0].upper() + problem[1:]) for problem in found]


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

    def assignable_by(self, mentor: models.Model) -> "QuestionSetQuerySet":
        """The sets `mentor` may assign: their own and the public ones."""
        return self.filter(Q(owner=mentor) | Q(visibility=Visibility.PUBLIC))


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
