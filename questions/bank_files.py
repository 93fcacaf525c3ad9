"""The starter bank as files: read and check them, load them, write the database back.

Format: questions/bank/README.md. `read_bank()` parses and checks every file and raises
BankError listing every problem (each naming its file and question) before anything touches
the database; `load_bank()` then writes it all in one transaction, matching by slug, and changes
nothing that is already as the files say; `export_bank()` writes the database back in the same
format, so that load -> export -> load is the identity.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction

from questions.datasets import (
    DATASETS_FILE,
    DatasetData,
    check_sql_questions,
    dataset_values,
    datasets_file_content,
    read_datasets,
    read_sql_keys,
    sql_question_keys,
)
from questions.models import (
    CODE_FIELDS,
    DEFAULT_TIME_LIMIT,
    MAX_TIME_LIMIT,
    MIN_KEY_POINTS,
    NEEDS_CODE_AND_TESTS,
    PREDICTION_FIELDS,
    RUNNABLE_KINDS,
    Choice,
    CodeTest,
    Dataset,
    Difficulty,
    Kind,
    Question,
    Status,
    Tag,
    Topic,
    Track,
    choice_problems,
    prediction_problems,
)
from questions.output import describe_difference
from questions.snippets import run_snippets

BANK_DIR = Path(settings.BASE_DIR) / "questions" / "bank"
TRACKS_FILE = "tracks.yaml"
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

TRACKS_KEYS = {"tracks"}
TRACK_KEYS = {"slug", "name", "description"}
TOPIC_FILE_KEYS = {"topic", "questions"}
TOPIC_KEYS = {"slug", "name", "description", "position"}
QUESTION_REQUIRED = ("slug", "title", "kind", "difficulty", "status", "prompt", "answer")
QUESTION_OPTIONAL = (
    "tracks",
    "tags",
    "key_points",
    "hints",
    "follow_ups",
    "multi_select",
    "keep_choice_order",
    "choices",
    "dataset",
    "ordered_rows",
    "starter_code",
    "solution_code",
    "time_limit",
    "runs_in_browser",
    "tests",
    "snippet",
    "expected_output",
)
# The order keys are written in (the README's order).
QUESTION_KEY_ORDER = (
    "slug",
    "title",
    "kind",
    "difficulty",
    "status",
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
    "dataset",
    "ordered_rows",
    "starter_code",
    "solution_code",
    "time_limit",
    "runs_in_browser",
    "tests",
    "snippet",
    "expected_output",
)
CHOICE_KEYS = {"text", "correct", "explanation"}
TEST_KEYS = {"name", "code", "hidden"}
TEST_NAME_MAX = CodeTest._meta.get_field("name").max_length
TITLE_MAX = Question._meta.get_field("title").max_length
SLUG_MAX = Question._meta.get_field("slug").max_length
TAG_SLUG_MAX = Tag._meta.get_field("slug").max_length


class BankError(Exception):
    """The bank files cannot be loaded; `problems` lists each one, naming file and question."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        count = len(problems)
        heading = f"The question bank has {count} problem{'s' if count != 1 else ''}"
        super().__init__(heading + ":\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class TrackData:
    slug: str
    name: str
    description: str
    position: int


@dataclass(frozen=True)
class ChoiceData:
    text: str
    correct: bool
    explanation: str


@dataclass(frozen=True)
class CodeTestData:
    name: str
    code: str
    hidden: bool = False


@dataclass
class QuestionData:
    slug: str
    title: str
    kind: str
    difficulty: str
    status: str
    prompt: str
    answer: str
    tracks: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    key_points: list[str] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    follow_ups: list[str] = field(default_factory=list)
    multi_select: bool = False
    keep_choice_order: bool = False
    choices: list[ChoiceData] = field(default_factory=list)
    starter_code: str = ""
    solution_code: str = ""
    time_limit: int = DEFAULT_TIME_LIMIT
    runs_in_browser: bool = True
    tests: list[CodeTestData] = field(default_factory=list)
    snippet: str = ""
    expected_output: str = ""
    dataset: str = ""  # sql: the slug of a dataset (datasets.yaml)
    ordered_rows: bool = False


@dataclass
class TopicData:
    slug: str
    name: str
    description: str
    position: int
    questions: list[QuestionData]
    file_name: str


@dataclass
class Bank:
    tracks: list[TrackData]
    topics: list[TopicData]
    datasets: list[DatasetData] = field(default_factory=list)

    @property
    def questions(self) -> list[QuestionData]:
        return [q for topic in self.topics for q in topic.questions]


@dataclass
class LoadResult:
    topics: int = 0
    tracks: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def questions(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        return (
            f"Loaded {self.questions} question{'s' if self.questions != 1 else ''} "
            f"in {self.topics} topic{'s' if self.topics != 1 else ''}: "
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged."
        )


# --- reading -------------------------------------------------------------------------------------


def bank_files(directory: Path) -> list[Path]:
    """The YAML files of a bank directory, tracks.yaml and datasets.yaml first, then topics by
    name."""
    files = sorted(p for p in Path(directory).glob("*.yaml") if p.is_file())
    return sorted(files, key=lambda p: (p.name not in (TRACKS_FILE, DATASETS_FILE), p.name))


def _text(value) -> str:
    """Editors' text without trailing whitespace: YAML block scalars end with a newline that
    is not part of the content."""
    return value.rstrip() if isinstance(value, str) else value


class _Checker:
    """Collects problems, each prefixed with where it was found."""

    def __init__(self):
        self.problems: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def string(self, where, data, key, *, required=True, max_length=None) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.add(where, f"'{key}' is missing.")
            return ""
        if not isinstance(value, str):
            self.add(where, f"'{key}' must be text, not {type(value).__name__}.")
            return ""
        value = _text(value)
        if required and not value.strip():
            self.add(where, f"'{key}' is empty.")
        if max_length and len(value) > max_length:
            self.add(where, f"'{key}' is longer than {max_length} characters.")
        return value

    def string_list(self, where, data, key, *, single_line=False) -> list[str]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(where, f"'{key}' must be a list of text items.")
            return []
        for index, item in enumerate(value, 1):
            if isinstance(item, dict):
                self.add(
                    where,
                    f"item {index} of '{key}' was read as a mapping: put text that contains "
                    "': ' in quotes.",
                )
            elif not isinstance(item, str):
                self.add(where, f"item {index} of '{key}' must be text.")
        if not all(isinstance(v, str) for v in value):
            return []
        items = [_text(v) for v in value]
        if any(not item.strip() for item in items):
            self.add(where, f"'{key}' has an empty item.")
        if single_line and any("\n" in item for item in items):
            self.add(where, f"each item of '{key}' must be a single line.")
        return items

    def slug_list(self, where, data, key) -> list[str]:
        slugs = self.string_list(where, data, key)
        for slug in slugs:
            if not SLUG_RE.match(slug):
                self.add(where, f"'{slug}' in '{key}' is not lowercase-with-dashes.")
        if len(set(slugs)) != len(slugs):
            self.add(where, f"'{key}' lists the same slug twice.")
        return slugs

    def unknown_keys(self, where, data: dict, allowed) -> None:
        unknown = sorted(set(map(str, data)) - set(allowed))
        if unknown:
            self.add(where, f"unknown key{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}.")


def _read_yaml(path: Path, check: _Checker):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        check.add(path.name, "is not UTF-8 text.")
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        check.add(path.name, f"is not valid YAML{where}: {problem}.")
    return None


def _read_tracks(path: Path, check: _Checker) -> list[TrackData]:
    data = _read_yaml(path, check)
    if data is None:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("tracks"), list):
        check.add(path.name, "must be a mapping with a 'tracks' list.")
        return []
    check.unknown_keys(path.name, data, TRACKS_KEYS)
    tracks = []
    for index, item in enumerate(data["tracks"], 1):
        where = f"{path.name}, track {index}"
        if not isinstance(item, dict):
            check.add(where, "must be a mapping with slug, name and description.")
            continue
        check.unknown_keys(where, item, TRACK_KEYS)
        slug = check.string(where, item, "slug", max_length=50)
        if slug and not SLUG_RE.match(slug):
            check.add(where, f"slug '{slug}' is not lowercase-with-dashes.")
        where = f"{path.name}, track '{slug or index}'"
        name = check.string(where, item, "name", max_length=100)
        description = check.string(where, item, "description", required=False)
        tracks.append(TrackData(slug, name, description, index))
    return tracks


def _read_choices(where, data, check: _Checker) -> list[ChoiceData]:
    raw = data.get("choices")
    if raw is None:
        return []
    if not isinstance(raw, list):
        check.add(where, "'choices' must be a list.")
        return []
    choices = []
    for index, item in enumerate(raw, 1):
        choice_where = f"{where}, choice {index}"
        if not isinstance(item, dict):
            check.add(choice_where, "must be a mapping with text, correct and explanation.")
            continue
        check.unknown_keys(choice_where, item, CHOICE_KEYS)
        text = check.string(choice_where, item, "text")
        explanation = check.string(choice_where, item, "explanation")
        correct = item.get("correct", False)
        if not isinstance(correct, bool):
            check.add(choice_where, "'correct' must be true or false.")
            correct = False
        choices.append(ChoiceData(text, correct, explanation))
    return choices


def _read_tests(where, data, check: _Checker) -> list[CodeTestData]:
    raw = data.get("tests")
    if raw is None:
        return []
    if not isinstance(raw, list):
        check.add(where, "'tests' must be a list.")
        return []
    tests = []
    for index, item in enumerate(raw, 1):
        test_where = f"{where}, test {index}"
        if not isinstance(item, dict):
            check.add(test_where, "must be a mapping with name and code.")
            continue
        check.unknown_keys(test_where, item, TEST_KEYS)
        name = check.string(test_where, item, "name", max_length=TEST_NAME_MAX)
        if "\n" in name:
            check.add(test_where, "'name' must be a single line.")
        code = check.string(test_where, item, "code")
        hidden = item.get("hidden", False)
        if not isinstance(hidden, bool):
            check.add(test_where, "'hidden' must be true or false.")
            hidden = False
        if code:
            try:
                compile(code, name or "test", "exec")
            except SyntaxError as error:
                check.add(
                    test_where, f"'code' is not valid Python (line {error.lineno}): {error.msg}."
                )
        tests.append(CodeTestData(name, code, hidden))
    names = [test.name for test in tests]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        check.add(where, f"two tests share a name: {_quoted(duplicates)}.")
    return tests


def _read_time_limit(where, data, check: _Checker) -> int:
    value = data.get("time_limit", DEFAULT_TIME_LIMIT)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_TIME_LIMIT:
        check.add(where, f"'time_limit' must be a whole number of seconds, 1 to {MAX_TIME_LIMIT}.")
        return DEFAULT_TIME_LIMIT
    return value


def _read_question(where: str, item: dict, check: _Checker) -> QuestionData | None:
    slug = check.string(where, item, "slug", max_length=SLUG_MAX)
    if slug and not SLUG_RE.match(slug):
        check.add(where, f"slug '{slug}' is not lowercase-with-dashes.")
    if slug:
        where = where.split(", question")[0] + f", question '{slug}'"
    check.unknown_keys(where, item, (*QUESTION_REQUIRED, *QUESTION_OPTIONAL))
    question = QuestionData(
        slug=slug,
        title=check.string(where, item, "title", max_length=TITLE_MAX),
        kind=check.string(where, item, "kind"),
        difficulty=check.string(where, item, "difficulty"),
        status=check.string(where, item, "status"),
        prompt=check.string(where, item, "prompt"),
        answer=check.string(where, item, "answer"),
        tracks=check.slug_list(where, item, "tracks"),
        tags=check.slug_list(where, item, "tags"),
        key_points=check.string_list(where, item, "key_points", single_line=True),
        hints=check.string_list(where, item, "hints", single_line=True),
        follow_ups=check.slug_list(where, item, "follow_ups"),
        choices=_read_choices(where, item, check),
        starter_code=check.string(where, item, "starter_code", required=False),
        solution_code=check.string(where, item, "solution_code", required=False),
        time_limit=_read_time_limit(where, item, check),
        tests=_read_tests(where, item, check),
        snippet=check.string(where, item, "snippet", required=False),
        expected_output=check.string(where, item, "expected_output", required=False),
    )
    for key in ("multi_select", "keep_choice_order", "runs_in_browser"):
        value = item.get(key, getattr(question, key))
        if not isinstance(value, bool):
            check.add(where, f"'{key}' must be true or false.")
            continue
        setattr(question, key, value)

    if question.kind and question.kind not in Kind.values:
        check.add(where, f"unknown kind '{question.kind}' (one of: {', '.join(Kind.values)}).")
    if question.difficulty and question.difficulty not in Difficulty.values:
        check.add(
            where,
            f"unknown difficulty '{question.difficulty}' (one of: {', '.join(Difficulty.values)}).",
        )
    if question.status and question.status not in Status.values:
        check.add(
            where, f"unknown status '{question.status}' (one of: {', '.join(Status.values)})."
        )
    for tag in question.tags:
        if len(tag) > TAG_SLUG_MAX:
            check.add(where, f"tag '{tag}' is longer than {TAG_SLUG_MAX} characters.")
    if len(question.key_points) < MIN_KEY_POINTS:
        check.add(where, "needs at least two key points.")
    if slug and slug in question.follow_ups:
        check.add(where, "lists itself as a follow-up.")

    if question.kind == Kind.MULTIPLE_CHOICE:
        for problem in choice_problems(
            [c.correct for c in question.choices], multi_select=question.multi_select
        ):
            check.add(where, problem)
    else:
        if "choices" in item:
            check.add(where, "has choices but is not multiple_choice.")
        if question.multi_select:
            check.add(where, "is multi_select but not multiple_choice.")
        if question.keep_choice_order:
            check.add(where, "has keep_choice_order but is not multiple_choice.")
    if question.kind in NEEDS_CODE_AND_TESTS:
        missing = [name for name in CODE_FIELDS if not getattr(question, name).strip()]
        if not question.tests:
            missing.append("tests")
        if missing:
            what = {Kind.ORM: "an orm", Kind.DEBUGGING: "a debugging"}.get(
                question.kind, "a coding"
            )
            check.add(where, f"is {what} question without {', '.join(missing)}.")
    read_sql_keys(where, item, question, check)
    if question.kind not in RUNNABLE_KINDS:
        for key in ("tests", "time_limit", "runs_in_browser"):
            if key == "time_limit" and question.kind == Kind.SQL:
                continue  # an SQL query's run has a time limit too
            if key in item:
                check.add(
                    where,
                    f"has '{key}' but is not a coding, practical, debugging or orm question.",
                )
    elif question.tests and not question.solution_code.strip():
        check.add(where, "has tests but no solution_code to check them against.")
    if question.kind == Kind.PREDICT_OUTPUT:
        _check_prediction(where, question, check)
    else:
        for key in PREDICTION_FIELDS:
            if key in item:
                check.add(where, f"has '{key}' but is not a predict_output question.")
    return question


def _check_prediction(where: str, question: QuestionData, check: _Checker) -> None:
    """A predict_output question's snippet and expected output, as written (read_bank then runs
    the snippet: _run_snippets)."""
    if not question.snippet.strip():
        check.add(where, "is a predict_output question without a snippet.")
        return
    for name, problem in prediction_problems(question.snippet, question.expected_output):
        if name == "snippet":
            check.add(where, f"'snippet': {problem}")
        else:
            check.add(
                where,
                "'expected_output' is empty: run the snippet and paste exactly what it prints.",
            )


def _run_snippets(topics: list["TopicData"], check: _Checker) -> None:
    """Run every predict_output snippet that is well written (questions/snippets.py: CPython,
    a fresh process each, a time limit): one that does not finish, or does not print its
    expected_output, is a problem of its file."""
    to_run = [
        (f"{topic.file_name}, question '{question.slug}'", question)
        for topic in topics
        for question in topic.questions
        if question.kind == Kind.PREDICT_OUTPUT
        and not prediction_problems(question.snippet, question.expected_output)
    ]
    runs = run_snippets([question.snippet for _where, question in to_run])
    for (where, question), run in zip(to_run, runs, strict=True):
        if not run.ran:
            check.add(where, f"the snippet {run.problem}.")
            continue
        difference = describe_difference(question.expected_output, run.output)
        if difference:
            check.add(
                where,
                f"'expected_output' is not what the snippet prints: {difference}. Generate it "
                "by running the snippet (never type it by hand).",
            )


def _read_topic_file(path: Path, check: _Checker) -> TopicData | None:
    data = _read_yaml(path, check)
    if data is None:
        return None
    if not isinstance(data, dict):
        check.add(path.name, "must be a mapping with 'topic' and 'questions'.")
        return None
    check.unknown_keys(path.name, data, TOPIC_FILE_KEYS)
    topic = data.get("topic")
    if not isinstance(topic, dict):
        check.add(path.name, "'topic' is missing or not a mapping.")
        return None
    where = f"{path.name}, topic"
    check.unknown_keys(where, topic, TOPIC_KEYS)
    slug = check.string(where, topic, "slug", max_length=50)
    if slug and slug != path.stem:
        check.add(where, f"slug '{slug}' must equal the file name '{path.stem}'.")
    name = check.string(where, topic, "name", max_length=100)
    description = check.string(where, topic, "description", required=False)
    position = topic.get("position", 0)
    if not isinstance(position, int) or isinstance(position, bool) or position < 0:
        check.add(where, "'position' must be a whole number, 0 or more.")
        position = 0

    raw_questions = data.get("questions") or []
    if not isinstance(raw_questions, list):
        check.add(path.name, "'questions' must be a list.")
        raw_questions = []
    questions = []
    for index, item in enumerate(raw_questions, 1):
        where = f"{path.name}, question {index}"
        if not isinstance(item, dict):
            check.add(where, "must be a mapping.")
            continue
        question = _read_question(where, item, check)
        if question is not None:
            questions.append(question)
    return TopicData(slug, name, description, position, questions, path.name)


def _quoted(items) -> str:
    return ", ".join(f"'{item}'" for item in items)


def read_bank(directory: Path = BANK_DIR) -> Bank:
    """Parse and check every file of a bank directory.

    Raises BankError listing every problem (malformed YAML, unknown keys, kinds,
    difficulties, statuses, tracks or follow-ups, duplicate slugs, invalid choices, ...).
    Tracks and follow-ups may name tracks and questions already in the database.
    """
    directory = Path(directory)
    check = _Checker()
    tracks: list[TrackData] = []
    topics: list[TopicData] = []
    datasets: list[DatasetData] = []
    for path in bank_files(directory):
        if path.name == TRACKS_FILE:
            tracks = _read_tracks(path, check)
        elif path.name == DATASETS_FILE:
            datasets = read_datasets(path, _read_yaml(path, check), check)
        else:
            topic = _read_topic_file(path, check)
            if topic is not None:
                topics.append(topic)
    _run_snippets(topics, check)

    seen: dict[str, str] = {}
    for topic in topics:
        for question in topic.questions:
            if not question.slug:
                continue
            if question.slug in seen:
                check.add(
                    f"{topic.file_name}, question '{question.slug}'",
                    f"duplicate slug (also in {seen[question.slug]}).",
                )
            seen.setdefault(question.slug, topic.file_name)

    known_tracks = {t.slug for t in tracks} | set(Track.objects.values_list("slug", flat=True))
    if not known_tracks and any(q.tracks for t in topics for q in t.questions):
        check.add(TRACKS_FILE, "is missing, and the database has no tracks yet.")
    known_questions = set(seen) | set(Question.objects.values_list("slug", flat=True))
    for topic in topics:
        for question in topic.questions:
            where = f"{topic.file_name}, question '{question.slug}'"
            unknown = [t for t in question.tracks if t not in known_tracks]
            if unknown:
                check.add(
                    where, f"unknown track{'s' if len(unknown) > 1 else ''} {_quoted(unknown)}."
                )
            unknown = [s for s in question.follow_ups if s not in known_questions]
            if unknown:
                check.add(
                    where, f"unknown follow-up{'s' if len(unknown) > 1 else ''} {_quoted(unknown)}."
                )
    check_sql_questions(topics, datasets, check)

    if check.problems:
        raise BankError(check.problems)
    return Bank(tracks=tracks, topics=topics, datasets=datasets)


# --- loading -------------------------------------------------------------------------------------

# Question fields copied straight from the file (the rest are relations or need conversion).
SCALAR_FIELDS = (
    "title",
    "kind",
    "difficulty",
    "status",
    "prompt",
    "answer",
    "multi_select",
    "keep_choice_order",
    "starter_code",
    "solution_code",
    "time_limit",
    "runs_in_browser",
    "ordered_rows",
    "snippet",
    "expected_output",
)


def _question_values(data: QuestionData, topic: Topic, datasets: dict[str, int]) -> dict:
    values = {name: getattr(data, name) for name in SCALAR_FIELDS}
    values["topic"] = topic
    values["dataset_id"] = datasets.get(data.dataset)
    values["key_points"] = "\n".join(data.key_points)
    values["hints"] = "\n".join(data.hints)
    return values


def _upsert(model, slug: str, values: dict):
    """Create or update one row by slug; returns (instance, changed)."""
    instance = model.objects.filter(slug=slug).first()
    if instance is None:
        return model.objects.create(slug=slug, **values), True
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    if changed:
        instance.save()
    return instance, bool(changed)


@transaction.atomic
def load_bank(bank: Bank) -> LoadResult:
    """Write a checked bank to the database in one transaction, matching everything by slug.

    Rows that already match the files are not touched (no new history). Questions, topics
    and tags that are not in the files are left alone.
    """
    result = LoadResult(tracks=len(bank.tracks), topics=len(bank.topics))
    datasets = {d.slug: _upsert(Dataset, d.slug, dataset_values(d))[0].pk for d in bank.datasets}
    named = {q.dataset for q in bank.questions if q.dataset} - set(datasets)
    datasets.update(Dataset.objects.filter(slug__in=named).values_list("slug", "pk"))
    for track in bank.tracks:
        _upsert(
            Track,
            track.slug,
            {"name": track.name, "description": track.description, "position": track.position},
        )
    tracks = {t.slug: t for t in Track.objects.all()}

    tag_slugs = {tag for q in bank.questions for tag in q.tags}
    existing_tags = set(Tag.objects.filter(slug__in=tag_slugs).values_list("slug", flat=True))
    Tag.objects.bulk_create([Tag(slug=s, name=s) for s in sorted(tag_slugs - existing_tags)])
    tags = {t.slug: t for t in Tag.objects.filter(slug__in=tag_slugs)}

    existing = {
        q.slug: q
        for q in Question.objects.filter(slug__in=[q.slug for q in bank.questions])
        .select_related("topic")
        .prefetch_related("tracks", "tags", "choices", "tests", "follow_ups")
    }
    saved: dict[str, tuple[Question, QuestionData]] = {}
    touched: set[str] = set()
    for topic_data in bank.topics:
        topic, _ = _upsert(
            Topic,
            topic_data.slug,
            {
                "name": topic_data.name,
                "description": topic_data.description,
                "position": topic_data.position,
            },
        )
        for data in topic_data.questions:
            values = _question_values(data, topic, datasets)
            question = existing.get(data.slug)
            if question is None:
                question = Question(slug=data.slug, **values)
                question.save()
                result.created += 1
                touched.add(data.slug)
            else:
                changed = [n for n, v in values.items() if getattr(question, n) != v]
                for name in changed:
                    setattr(question, name, values[name])
                if changed:
                    question.save()
                    touched.add(data.slug)
            if _sync_relations(question, data, tracks, tags, is_new=data.slug not in existing):
                touched.add(data.slug)
            saved[data.slug] = (question, data)

    follow_up_slugs = {slug for q in bank.questions for slug in q.follow_ups}
    by_slug = {q.slug: q for q, _ in saved.values()}
    by_slug.update(
        {
            q.slug: q
            for q in Question.objects.filter(slug__in=follow_up_slugs - set(by_slug)).only(
                "pk", "slug"
            )
        }
    )
    for slug, (question, data) in saved.items():
        wanted = {by_slug[s].pk for s in data.follow_ups}
        current = set() if slug not in existing else {q.pk for q in existing[slug].follow_ups.all()}
        if wanted != current:
            question.follow_ups.set(wanted)
            touched.add(slug)

    result.updated = len(touched) - result.created
    result.unchanged = len(saved) - len(touched)
    return result


def _sync_relations(question: Question, data: QuestionData, tracks, tags, *, is_new) -> bool:
    """Bring tracks, tags and choices in line with the file; True if anything changed."""
    changed = False
    wanted_tracks = {tracks[s].pk for s in data.tracks}
    wanted_tags = {tags[s].pk for s in data.tags}
    current_tracks = set() if is_new else {t.pk for t in question.tracks.all()}
    current_tags = set() if is_new else {t.pk for t in question.tags.all()}
    if wanted_tracks != current_tracks:
        question.tracks.set(wanted_tracks)
        changed = True
    if wanted_tags != current_tags:
        question.tags.set(wanted_tags)
        changed = True

    wanted_tests = [(t.name, t.code, t.hidden) for t in data.tests]
    current_tests = [] if is_new else [(t.name, t.code, t.is_hidden) for t in question.tests.all()]
    if wanted_tests != current_tests:
        question.tests.all().delete()
        for position, (name, code, hidden) in enumerate(wanted_tests):
            CodeTest(  # save() each one so that its code is highlighted
                question=question, name=name, code=code, is_hidden=hidden, position=position
            ).save()
        changed = True

    current_choices = [] if is_new else list(question.choices.all())
    wanted_choices = [(c.text, c.correct, c.explanation) for c in data.choices]
    if wanted_choices != [(c.text, c.is_correct, c.explanation) for c in current_choices]:
        _sync_choices(question, data.choices, current_choices)
        changed = True
    return changed


def _sync_choices(question: Question, wanted: list[ChoiceData], current: list[Choice]) -> None:
    """Make the question's choices the file's. A choice whose text is unchanged keeps its row
    (moved, re-marked or re-explained in place), so that past answers that picked it, and the
    order each candidate was shown (practice.SessionItem.choice_order), still point at it; the
    other rows are deleted and new ones created."""
    unused: dict[str, list[Choice]] = {}
    for choice in current:
        unused.setdefault(choice.text, []).append(choice)
    for position, item in enumerate(wanted):
        same_text = unused.get(item.text)
        choice = same_text.pop(0) if same_text else Choice(question=question, text=item.text)
        values = {"is_correct": item.correct, "explanation": item.explanation, "position": position}
        if choice.pk is None or any(getattr(choice, name) != v for name, v in values.items()):
            for name, value in values.items():
                setattr(choice, name, value)
            choice.save()  # one by one, so that the Markdown is rendered
    left_over = [choice.pk for choices in unused.values() for choice in choices]
    if left_over:
        Choice.objects.filter(pk__in=left_over).delete()


# --- exporting -----------------------------------------------------------------------------------


class _FlowList(list):
    """A list written inline: `tracks: [a, b]`."""


class _BankDumper(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):
        # Indent sequences under their key, as the README shows.
        return super().increase_indent(flow, False)


def _represent_str(dumper, value: str):
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value + "\n", style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


def _represent_flow_list(dumper, value):
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_BankDumper.add_representer(str, _represent_str)
_BankDumper.add_representer(_FlowList, _represent_flow_list)


def dump_yaml(data) -> str:
    return yaml.dump(
        data,
        Dumper=_BankDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )


def _question_dict(question: Question) -> dict:
    data = {
        "slug": question.slug,
        "title": question.title,
        "kind": question.kind,
        "difficulty": question.difficulty,
        "status": question.status,
        "tracks": _FlowList(t.slug for t in question.tracks.all()),
        "tags": _FlowList(t.slug for t in question.tags.all()),
        "prompt": question.prompt.rstrip(),
        "answer": question.answer.rstrip(),
        "key_points": question.key_point_list,
        "hints": question.hint_list,
        "follow_ups": _FlowList(q.slug for q in question.follow_ups.all()),
    }
    if question.kind == Kind.MULTIPLE_CHOICE:
        data["multi_select"] = question.multi_select
        if question.keep_choice_order:
            data["keep_choice_order"] = True
        data["choices"] = [
            {
                "text": c.text.rstrip(),
                "correct": c.is_correct,
                "explanation": c.explanation.rstrip(),
            }
            for c in question.choices.all()
        ]
    for name in CODE_FIELDS:
        value = getattr(question, name).rstrip()
        if value:
            data[name] = value
    if question.kind == Kind.SQL:
        data.update(sql_question_keys(question))
        if question.time_limit != DEFAULT_TIME_LIMIT:
            data["time_limit"] = question.time_limit
    if question.kind == Kind.PREDICT_OUTPUT:
        data["snippet"] = question.snippet.rstrip()
        data["expected_output"] = question.expected_output.rstrip()
    if question.kind in RUNNABLE_KINDS:
        if question.time_limit != DEFAULT_TIME_LIMIT:
            data["time_limit"] = question.time_limit
        if not question.runs_in_browser:
            data["runs_in_browser"] = False
        data["tests"] = [
            {"name": t.name, **({"hidden": True} if t.is_hidden else {}), "code": t.code.rstrip()}
            for t in question.tests.all()
        ]
    # Leave out what is empty, so that files stay short.
    return {
        key: data[key]
        for key in QUESTION_KEY_ORDER
        if key in data and (data[key] not in ([], "") or key in ("tracks",))
    }


def export_bank(directory: Path = BANK_DIR) -> list[Path]:
    """Write tracks.yaml, datasets.yaml and one <topic>.yaml per topic; returns the files
    written.

    Questions are written in the order they were created, so a freshly loaded bank comes
    back out in the order of its files.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []

    tracks = [
        {"slug": t.slug, "name": t.name, "description": t.description.rstrip()}
        for t in Track.objects.order_by("position", "pk")
    ]
    if tracks:
        path = directory / TRACKS_FILE
        path.write_text(dump_yaml({"tracks": tracks}), encoding="utf-8")
        written.append(path)
    datasets = datasets_file_content()
    if datasets:
        path = directory / DATASETS_FILE
        path.write_text(dump_yaml(datasets), encoding="utf-8")
        written.append(path)

    questions = (
        Question.objects.select_related("topic", "dataset")
        .prefetch_related("tracks", "tags", "choices", "tests", "follow_ups")
        .order_by("topic__position", "topic__slug", "pk")
    )
    by_topic: dict[int, list[Question]] = {}
    for question in questions:
        by_topic.setdefault(question.topic_id, []).append(question)
    for topic in Topic.objects.order_by("position", "slug"):
        content = {
            "topic": {
                "slug": topic.slug,
                "name": topic.name,
                "description": topic.description.rstrip(),
                "position": topic.position,
            },
            "questions": [_question_dict(q) for q in by_topic.get(topic.pk, [])],
        }
        path = directory / f"{topic.slug}.yaml"
        path.write_text(dump_yaml(content), encoding="utf-8")
        written.append(path)
    return written
