"""The bank's files: read them, load them through the models' own checks, write them back.

Format: questions/bank/README.md. The files in questions/bank/ (`manage.py load_bank`,
`export_bank`) and the admin's import and export of questions (questions/admin.py) go through
these functions, so there is one format and one validation:

- `read_bank()` parses a directory and checks what only a file can get wrong: YAML, unknown
  keys, the type of each value, slugs that are not lowercase-with-dashes, and tracks,
  follow-ups and datasets that name nothing. It runs the predict-the-output snippets too (the
  bank's files only: `check_snippets=False` for an upload, whose code the server never runs).
- `load_bank()` builds the model instances and runs each one's `full_clean()` (and the
  question's `clean_choices()` and `clean_tests()`): the rules of a question live on the model.
  It writes in one transaction, matching by slug, and touches only what differs from the files.

Both raise BankError listing every problem they found, each naming its file and question, and
then nothing is written. `bank_contents()` writes questions back in the same format, so that
load -> export -> load is the identity.
"""

import io
import re
import tempfile
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction

from questions.datasets import (
    DATASETS_FILE,
    DatasetData,
    dataset_values,
    datasets_file_content,
    read_datasets,
    read_sql_keys,
    sql_question_keys,
)
from questions.models import (
    CODE_FIELDS,
    DEFAULT_TIME_LIMIT,
    RUNNABLE_KINDS,
    Choice,
    CodeTest,
    Dataset,
    Kind,
    Question,
    Tag,
    Topic,
    Track,
    prediction_problems,
)
from questions.output import describe_difference
from questions.snippets import run_snippets

BANK_DIR = Path(settings.BASE_DIR) / "questions" / "bank"
M = TypeVar("M", Track, Topic)
TRACKS_FILE = "tracks.yaml"
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

TRACKS_KEYS = {"tracks"}
TRACK_KEYS = {"slug", "name", "description"}
TOPIC_FILE_KEYS = {"topic", "questions"}
TOPIC_KEYS = {"slug", "name", "description", "position"}
QUESTION_REQUIRED = ("slug", "title", "kind", "difficulty", "status", "prompt", "answer")
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
# What the admin's import takes: one file of the bank, or a .zip of several (what its
# download gives), up to this size unpacked.
UPLOAD_MAX_BYTES = 10 * 1024 * 1024


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
    """What a load wrote (or, as a dry run, would write): the slugs of the questions created
    and updated, and how many were already as the files say."""

    topics: int = 0
    tracks: int = 0
    created_slugs: list[str] = field(default_factory=list)
    updated_slugs: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def created(self) -> int:
        return len(self.created_slugs)

    @property
    def updated(self) -> int:
        return len(self.updated_slugs)

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


def _text(value: str) -> str:
    """Editors' text without trailing whitespace: YAML block scalars end with a newline that
    is not part of the content."""
    return value.rstrip()


class _Checker:
    """Collects problems, each prefixed with where it was found. It checks what a file can get
    wrong (keys, types, slugs); what a value means is the model's to check (load_bank)."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def string(self, where: str, data: dict, key: str, *, required: bool = True) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.add(where, f"'{key}' is missing.")
            return ""
        if not isinstance(value, str):
            self.add(where, f"'{key}' must be text, not {type(value).__name__}.")
            return ""
        return _text(value)

    def boolean(self, where: str, data: dict, key: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.add(where, f"'{key}' must be true or false.")
            return default
        return value

    def whole_number(self, where: str, data: dict, key: str, default: int) -> int:
        value = data.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool):
            self.add(where, f"'{key}' must be a whole number.")
            return default
        return value

    def string_list(
        self, where: str, data: dict, key: str, *, single_line: bool = False
    ) -> list[str]:
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

    def slug(self, where: str, data: dict, key: str = "slug") -> str:
        slug = self.string(where, data, key)
        if slug and not SLUG_RE.match(slug):
            self.add(where, f"{key} '{slug}' is not lowercase-with-dashes.")
        return slug

    def slug_list(self, where: str, data: dict, key: str) -> list[str]:
        slugs = self.string_list(where, data, key)
        for slug in slugs:
            if not SLUG_RE.match(slug):
                self.add(where, f"'{slug}' in '{key}' is not lowercase-with-dashes.")
        if len(set(slugs)) != len(slugs):
            self.add(where, f"'{key}' lists the same slug twice.")
        return slugs

    def unknown_keys(self, where: str, data: dict, allowed: Iterable[str]) -> None:
        unknown = sorted(set(map(str, data)) - set(allowed))
        if unknown:
            self.add(where, f"unknown key{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}.")


def _read_yaml(path: Path, check: _Checker) -> Any:
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
        slug = check.slug(where, item)
        where = f"{path.name}, track '{slug or index}'"
        name = check.string(where, item, "name")
        description = check.string(where, item, "description", required=False)
        tracks.append(TrackData(slug, name, description, index))
    return tracks


def _read_choices(where: str, data: dict, check: _Checker) -> list[ChoiceData]:
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
        correct = check.boolean(choice_where, item, "correct", False)
        choices.append(ChoiceData(text, correct, explanation))
    return choices


def _read_tests(where: str, data: dict, check: _Checker) -> list[CodeTestData]:
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
        name = check.string(test_where, item, "name")
        if "\n" in name:
            check.add(test_where, "'name' must be a single line.")
        code = check.string(test_where, item, "code")
        hidden = check.boolean(test_where, item, "hidden", False)
        if code:
            try:
                compile(code, name or "test", "exec")
            except SyntaxError as error:
                check.add(
                    test_where, f"'code' is not valid Python (line {error.lineno}): {error.msg}."
                )
        tests.append(CodeTestData(name, code, hidden))
    return tests


def _read_question(where: str, item: dict, check: _Checker) -> QuestionData:
    slug = check.slug(where, item)
    if slug:
        where = where.split(", question")[0] + f", question '{slug}'"
    check.unknown_keys(where, item, QUESTION_KEY_ORDER)
    question = QuestionData(
        slug=slug,
        title=check.string(where, item, "title"),
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
        multi_select=check.boolean(where, item, "multi_select", False),
        keep_choice_order=check.boolean(where, item, "keep_choice_order", False),
        choices=_read_choices(where, item, check),
        starter_code=check.string(where, item, "starter_code", required=False),
        solution_code=check.string(where, item, "solution_code", required=False),
        time_limit=check.whole_number(where, item, "time_limit", DEFAULT_TIME_LIMIT),
        runs_in_browser=check.boolean(where, item, "runs_in_browser", True),
        tests=_read_tests(where, item, check),
        snippet=check.string(where, item, "snippet", required=False),
        expected_output=check.string(where, item, "expected_output", required=False),
    )
    read_sql_keys(where, item, question, check)
    if slug and slug in question.follow_ups:
        check.add(where, "lists itself as a follow-up.")
    if question.kind in Kind.values and question.kind not in RUNNABLE_KINDS:
        # export_bank leaves these keys out for such a question: a file that has them was
        # written for another kind.
        for key in ("tests", "time_limit", "runs_in_browser"):
            if key == "time_limit" and question.kind == Kind.SQL:
                continue  # an SQL query's run has a time limit too
            if key in item:
                check.add(
                    where,
                    f"has '{key}' but is not a coding, practical, debugging or orm question.",
                )
    return question


def _run_snippets(topics: list["TopicData"], check: _Checker) -> None:
    """Run every predict_output snippet that is well written (questions/snippets.py: CPython,
    a fresh process each, a time limit): one that does not finish, or does not print its
    expected_output, is a problem of its file. (A badly written one is the model's to report.)"""
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
    slug = check.slug(where, topic)
    if slug and slug != path.stem:
        check.add(where, f"slug '{slug}' must equal the file name '{path.stem}'.")
    name = check.string(where, topic, "name")
    description = check.string(where, topic, "description", required=False)
    position = check.whole_number(where, topic, "position", 0)

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
        questions.append(_read_question(where, item, check))
    return TopicData(slug, name, description, position, questions, path.name)


def _quoted(items: Iterable[str]) -> str:
    return ", ".join(f"'{item}'" for item in items)


def read_bank(directory: Path = BANK_DIR, *, check_snippets: bool = True) -> Bank:
    """Parse every file of a bank directory and check what only a file can get wrong.

    Raises BankError listing every problem (malformed YAML, unknown keys, values of the wrong
    type, duplicate slugs, tracks, follow-ups or datasets that name nothing, snippets that do
    not print their expected output). Tracks, follow-ups and datasets may name rows already in
    the database. The rules of a question are checked by load_bank().
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
    if check_snippets:
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
    named_datasets = {q.dataset for t in topics for q in t.questions if q.dataset}
    known_datasets = {d.slug for d in datasets} | set(
        Dataset.objects.filter(slug__in=named_datasets).values_list("slug", flat=True)
    )
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
            if question.dataset and question.dataset not in known_datasets:
                check.add(
                    where, f"unknown dataset '{question.dataset}' (add it to {DATASETS_FILE})."
                )

    if check.problems:
        raise BankError(check.problems)
    return Bank(tracks=tracks, topics=topics, datasets=datasets)


def unpack_upload(name: str, content: bytes) -> dict[str, bytes]:
    """The bank files of an upload, by file name: a .yaml file of the bank is itself; a .zip
    gives the .yaml files it holds (folders inside it are ignored). Raises BankError."""
    name = Path(name.replace("\x00", "")).name
    if name.endswith(".yaml"):
        return {name: content}
    if not name.endswith(".zip"):
        raise BankError([f"{name}: choose a .yaml file of the bank, or a .zip of them."])
    files: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for member in archive.infolist():
                member_name = Path(member.filename.replace("\\", "/")).name
                if member.is_dir() or not member_name.endswith(".yaml"):
                    continue
                if member_name.startswith(".") or "\x00" in member_name:
                    continue  # such as macOS's ._ files
                if member_name in files:
                    raise BankError([f"{name}: holds two files named {member_name}."])
                if sum(map(len, files.values())) + member.file_size > UPLOAD_MAX_BYTES:
                    raise BankError([f"{name}: holds more than {UPLOAD_MAX_BYTES // 2**20} MB."])
                # zipfile reads no more than the size the archive declares.
                files[member_name] = archive.read(member)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
        # RuntimeError: an encrypted file; NotImplementedError: an unknown compression.
        raise BankError([f"{name}: is not a zip archive that can be read."]) from None
    if not files:
        raise BankError([f"{name}: holds no .yaml file."])
    return files


def read_uploaded_bank(files: dict[str, bytes]) -> Bank:
    """read_bank() of uploaded files (unpack_upload), without running their snippets: the
    server runs no code an upload brings (an editor runs a snippet in their browser)."""
    with tempfile.TemporaryDirectory(prefix="bank-upload-") as directory:
        for name, content in files.items():
            (Path(directory) / Path(name).name).write_bytes(content)
        return read_bank(Path(directory), check_snippets=False)


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


def _messages(where: str, error: ValidationError) -> list[str]:
    """A model's ValidationError as problems of the file: 'field': message."""
    if not hasattr(error, "error_dict"):
        return [f"{where}: {message}" for message in error.messages]
    return [
        f"{where}: {message}" if name == NON_FIELD_ERRORS else f"{where}: '{name}': {message}"
        for name, messages in error.message_dict.items()
        for message in messages
    ]


def _set_changed(instance: models.Model, values: dict) -> bool:
    """Set the values that differ on the instance; True when there was one (always for a new
    instance, which has no related rows to compare with)."""
    changed = [
        name
        for name, value in values.items()
        if instance.pk is None or getattr(instance, name) != value
    ]
    for name in changed:
        setattr(instance, name, values[name])
    return bool(changed)


def _upsert(model: type[M], slug: str, values: dict, where: str, problems: list[str]) -> M:
    """Create or update one row by slug, through its full_clean(); a row already as the file
    says is left alone. Its problems go to `problems` (it is then not saved)."""
    instance = model.objects.filter(slug=slug).first() or model(slug=slug)
    if _set_changed(instance, values) or instance.pk is None:
        try:
            instance.full_clean()
        except ValidationError as error:
            problems.extend(_messages(where, error))
        else:
            instance.save()
    return instance


@transaction.atomic
def load_bank(bank: Bank, *, dry_run: bool = False) -> LoadResult:
    """Write a bank that read_bank() returned, in one transaction, matching everything by slug.

    Each row that is new or differs from the database is checked by its model (full_clean(),
    and a question's clean_choices() and clean_tests()) before it is saved; rows that already
    match the files are not touched (no new history). Questions, topics and tags that are not
    in the files are left alone. Raises BankError with every problem, and then nothing is
    written (the datasets, tracks, topics and tags are checked first: when one of them fails,
    its problems are reported before the questions are checked). A dry run checks and counts
    the same way, and writes nothing either.
    """
    problems: list[str] = []
    result = LoadResult(tracks=len(bank.tracks), topics=len(bank.topics))
    datasets = {}
    recheck: list[Dataset] = []  # changed datasets whose questions are checked again at the end
    for dataset_data in bank.datasets:
        slug = dataset_data.slug
        dataset = Dataset.objects.filter(slug=slug).first() or Dataset(slug=slug)
        existed = dataset.pk is not None
        if _set_changed(dataset, dataset_values(dataset_data)):
            try:
                dataset.full_clean()
            except ValidationError as error:
                # Its questions' reference queries on the new rows (Dataset.clean): the files
                # may change those queries too, so they are checked once the questions are.
                if set(error.message_dict) != {NON_FIELD_ERRORS}:
                    problems += _messages(f"{DATASETS_FILE}, dataset '{slug}'", error)
                    continue
            dataset.save()
            if existed:  # a new dataset's questions are all in the files, checked there
                recheck.append(dataset)
        datasets[slug] = dataset
    named = {q.dataset for q in bank.questions if q.dataset} - set(datasets)
    datasets.update({d.slug: d for d in Dataset.objects.filter(slug__in=named)})
    for track in bank.tracks:
        values = {"name": track.name, "description": track.description, "position": track.position}
        _upsert(Track, track.slug, values, f"{TRACKS_FILE}, track '{track.slug}'", problems)
    topics = {}
    for topic_file in bank.topics:
        values = {
            "name": topic_file.name,
            "description": topic_file.description,
            "position": topic_file.position,
        }
        topics[topic_file.slug] = _upsert(
            Topic, topic_file.slug, values, f"{topic_file.file_name}, topic", problems
        )
    tags = _tags(bank, problems)
    if problems:
        # The questions' own checks would only repeat that their topic or dataset is missing.
        raise BankError(problems)
    tracks = {t.slug: t for t in Track.objects.all()}

    existing = {
        q.slug: q
        for q in Question.objects.filter(slug__in=[q.slug for q in bank.questions])
        .select_related("topic", "dataset")
        .prefetch_related("tracks", "tags", "choices", "tests", "follow_ups")
    }
    saved: dict[str, tuple[Question, QuestionData]] = {}
    touched: set[str] = set()
    for topic_data in bank.topics:
        for data in topic_data.questions:
            question = existing.get(data.slug) or Question(slug=data.slug)
            is_new = question.pk is None
            fields_changed = _set_changed(
                question, _question_values(data, topics[topic_data.slug], datasets)
            )
            parts_changed = _parts_differ(question, data, tracks, tags, is_new=is_new)
            if is_new or fields_changed or parts_changed:
                where = f"{topic_data.file_name}, question '{data.slug}'"
                found = _question_problems(question, data, where)
                if found:
                    problems.extend(found)
                    continue
                if is_new or fields_changed:
                    question.save()
                _sync_relations(question, data, tracks, tags, is_new=is_new)
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
        wanted = {by_slug[s].pk for s in data.follow_ups if s in by_slug}
        current = set() if slug not in existing else {q.pk for q in existing[slug].follow_ups.all()}
        if wanted != current:
            question.follow_ups.set(wanted)
            touched.add(slug)

    for dataset in recheck:
        try:
            dataset.full_clean()
        except ValidationError as error:
            problems += _messages(f"{DATASETS_FILE}, dataset '{dataset.slug}'", error)
    if problems:
        raise BankError(problems)
    for slug in saved:
        if slug not in existing:
            result.created_slugs.append(slug)
        elif slug in touched:
            result.updated_slugs.append(slug)
    result.unchanged = len(saved) - len(touched)
    if dry_run:
        transaction.set_rollback(True)
    return result


def _tags(bank: Bank, problems: list[str]) -> dict[str, Tag]:
    """The tags the questions carry, by slug; the new ones are created (named as their slug)
    once their model's checks pass."""
    first_use: dict[str, str] = {}
    for topic in bank.topics:
        for question in topic.questions:
            for slug in question.tags:
                first_use.setdefault(slug, f"{topic.file_name}, question '{question.slug}'")
    tags = {t.slug: t for t in Tag.objects.filter(slug__in=first_use)}
    new = []
    for slug in sorted(set(first_use) - set(tags)):
        tag = Tag(slug=slug, name=slug)
        try:
            tag.full_clean(validate_unique=False)  # its slug is not in the database
        except ValidationError as error:
            problems.extend(_messages(f"{first_use[slug]}, tag '{slug}'", error))
            continue
        new.append(tag)
    if new and not problems:
        Tag.objects.bulk_create(new)
        tags.update({t.slug: t for t in Tag.objects.filter(slug__in=[t.slug for t in new])})
    return tags


def _question_values(data: QuestionData, topic: Topic, datasets: dict[str, Dataset]) -> dict:
    values = {name: getattr(data, name) for name in SCALAR_FIELDS}
    values["topic"] = topic
    values["dataset"] = datasets.get(data.dataset)
    values["key_points"] = "\n".join(data.key_points)
    values["hints"] = "\n".join(data.hints)
    return values


def _question_problems(question: Question, data: QuestionData, where: str) -> list[str]:
    """What the models say of a question about to be saved with its choices and tests."""
    problems = []
    try:
        question.full_clean(validate_unique=False)  # matched by slug: the slug is its own
    except ValidationError as error:
        problems += _messages(where, error)
    try:
        question.clean_choices([choice.correct for choice in data.choices])
    except ValidationError as error:
        problems += [f"{where}: 'choices': {message}" for message in error.messages]
    try:
        question.clean_tests([test.name for test in data.tests])
    except ValidationError as error:
        problems += [f"{where}: 'tests': {message}" for message in error.messages]
    for index, wanted in enumerate(data.choices, 1):
        choice = Choice(text=wanted.text, is_correct=wanted.correct, explanation=wanted.explanation)
        try:
            choice.full_clean(exclude=["question"])
        except ValidationError as error:
            problems += _messages(f"{where}, choice {index}", error)
    for index, written in enumerate(data.tests, 1):
        test = CodeTest(name=written.name, code=written.code, is_hidden=written.hidden)
        try:
            # Two tests of one name are clean_tests()'s to report, in words.
            test.full_clean(exclude=["question"], validate_constraints=False)
        except ValidationError as error:
            problems += _messages(f"{where}, test {index}", error)
    return problems


def _parts_differ(
    question: Question,
    data: QuestionData,
    tracks: dict[str, Track],
    tags: dict[str, Tag],
    *,
    is_new: bool,
) -> bool:
    """Whether the question's tracks, tags, tests or choices differ from the file's."""
    if is_new:
        return True
    return (
        {t.pk for t in question.tracks.all()} != {tracks[s].pk for s in data.tracks}
        or {t.pk for t in question.tags.all()} != {tags[s].pk for s in data.tags}
        or [(t.name, t.code, t.is_hidden) for t in question.tests.all()]
        != [(t.name, t.code, t.hidden) for t in data.tests]
        or [(c.text, c.is_correct, c.explanation) for c in question.choices.all()]
        != [(c.text, c.correct, c.explanation) for c in data.choices]
    )


def _sync_relations(
    question: Question,
    data: QuestionData,
    tracks: dict[str, Track],
    tags: dict[str, Tag],
    *,
    is_new: bool,
) -> None:
    """Bring tracks, tags, tests and choices in line with the file."""
    wanted_tracks = {tracks[s].pk for s in data.tracks}
    wanted_tags = {tags[s].pk for s in data.tags}
    current_tracks = set() if is_new else {t.pk for t in question.tracks.all()}
    current_tags = set() if is_new else {t.pk for t in question.tags.all()}
    if wanted_tracks != current_tracks:
        question.tracks.set(wanted_tracks)
    if wanted_tags != current_tags:
        question.tags.set(wanted_tags)

    wanted_tests = [(t.name, t.code, t.hidden) for t in data.tests]
    current_tests = [] if is_new else [(t.name, t.code, t.is_hidden) for t in question.tests.all()]
    if wanted_tests != current_tests:
        question.tests.all().delete()
        for position, (name, code, hidden) in enumerate(wanted_tests):
            CodeTest(  # save() each one so that its code is highlighted
                question=question, name=name, code=code, is_hidden=hidden, position=position
            ).save()

    current_choices = [] if is_new else list(question.choices.all())
    wanted_choices = [(c.text, c.correct, c.explanation) for c in data.choices]
    if wanted_choices != [(c.text, c.is_correct, c.explanation) for c in current_choices]:
        _sync_choices(question, data.choices, current_choices)


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
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent sequences under their key, as the README shows.
        return super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value + "\n", style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


def _represent_flow_list(dumper: yaml.SafeDumper, value: list) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_BankDumper.add_representer(str, _represent_str)
_BankDumper.add_representer(_FlowList, _represent_flow_list)


def dump_yaml(data: object) -> str:
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


def bank_contents(questions: models.QuerySet[Question] | None = None) -> dict[str, str]:
    """The bank files of these questions (all of them when None), by file name: tracks.yaml
    (every track, so that their order survives), datasets.yaml (the datasets their SQL
    questions query; all of them for the whole bank) and one <topic>.yaml per topic (every
    topic for the whole bank; a selection's own topics otherwise).

    Questions are written in the order they were created, so a freshly loaded bank comes
    back out in the order of its files.
    """
    whole_bank = questions is None
    selected = Question.objects.all() if questions is None else questions
    selected = (
        selected.select_related("topic", "dataset")
        .prefetch_related("tracks", "tags", "choices", "tests", "follow_ups")
        .order_by("topic__position", "topic__slug", "pk")
    )
    by_topic: dict[int, list[Question]] = {}
    for question in selected:
        by_topic.setdefault(question.topic_id, []).append(question)
    contents = {}

    tracks = [
        {"slug": t.slug, "name": t.name, "description": t.description.rstrip()}
        for t in Track.objects.order_by("position", "pk")
    ]
    if tracks:
        contents[TRACKS_FILE] = dump_yaml({"tracks": tracks})
    datasets = Dataset.objects.all()
    if not whole_bank:
        used = {q.dataset_id for group in by_topic.values() for q in group if q.dataset_id}
        datasets = datasets.filter(pk__in=used)
    datasets_content = datasets_file_content(datasets)
    if datasets_content:
        contents[DATASETS_FILE] = dump_yaml(datasets_content)

    topics = Topic.objects.order_by("position", "slug")
    if not whole_bank:
        topics = topics.filter(pk__in=by_topic)
    for topic in topics:
        content = {
            "topic": {
                "slug": topic.slug,
                "name": topic.name,
                "description": topic.description.rstrip(),
                "position": topic.position,
            },
            "questions": [_question_dict(q) for q in by_topic.get(topic.pk, [])],
        }
        contents[f"{topic.slug}.yaml"] = dump_yaml(content)
    return contents


def bank_zip(contents: dict[str, str]) -> bytes:
    """Bank files (bank_contents) as a .zip: the admin's download, which its import takes back
    and which, unpacked, is a directory load_bank reads."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in contents.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def export_bank(directory: Path = BANK_DIR) -> list[Path]:
    """Write the whole bank (bank_contents) into a directory; returns the files written."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in bank_contents().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
