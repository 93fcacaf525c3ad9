"""The real starter bank (questions/bank/*.yaml): it loads, it is as big and as varied as the
issue asks, and every coding, practical or ORM question's reference solution passes each of its
tests while its starter code fails at least one, under every CPython from 3.11 on that this
machine has (the browser runs 3.14: tests/e2e runs bank questions there). ORM exercises run with
the server's Django, in the interpreters that have it; their starter code must fail on a query
budget only."""

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.db import transaction

from questions.bank_files import BANK_DIR, bank_files, load_bank, read_bank
from questions.models import (
    NEEDS_CODE_AND_TESTS,
    RUNTIME_OF_KIND,
    Difficulty,
    Kind,
    Question,
    Status,
    Track,
)

pytestmark = pytest.mark.django_db

# The questions ../shared/interview-guide.txt names; the bank must answer each of them.
GUIDE_SLUGS = [
    "list-vs-tuple",
    "gil-and-when-it-matters",
    "how-decorators-work",
    "four-pillars-of-oop",
    "staticmethod-classmethod-instance-method",
    "optimise-million-item-loop",
    "asyncio-vs-threading",
    "django-orm-vs-raw-sql",
    "fastapi-vs-flask",
]
TRACK_SLUGS = {"backend-web", "data-engineering", "general-software-engineering"}
# For the whole bank in one interpreter (every test of every question, twice).
BANK_RUN_TIMEOUT_SECONDS = 300
HARNESS = Path(settings.BASE_DIR) / "runner" / "browser" / "harness.py"
MIN_VISIBLE_TESTS = 2
MIN_HIDDEN_TESTS = 3
# An ORM exercise's tests that check its query budget call this helper (runner/browser/orm.py).
BUDGET_HELPER = "assert_at_most("


def _questions_in_files() -> list[dict]:
    """The questions of the bank files, read without the database (for parametrising)."""
    questions = []
    for path in bank_files(BANK_DIR):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError:
            continue  # test_the_bank_loads reports it
        if isinstance(data, dict) and isinstance(data.get("questions"), list):
            questions.extend(q for q in data["questions"] if isinstance(q, dict))
    return questions


def _with_tests() -> list[dict]:
    return [q for q in _questions_in_files() if q.get("solution_code") and q.get("tests")]


def _orm_exercises() -> list[dict]:
    return [q for q in _with_tests() if q.get("kind") == Kind.ORM]


def runtime_of(question: dict) -> str | None:
    """What the harness runs a bank question's tests with (None: plain Python)."""
    return RUNTIME_OF_KIND.get(question.get("kind")) or None


def is_budget_test(test: dict) -> bool:
    return BUDGET_HELPER in test["code"]


def _python(version: str) -> str | None:
    """A working python<version>: on PATH, or installed by pyenv (whose shims on PATH refuse
    versions that are not selected)."""
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = [shutil.which(f"python{version}")]
    candidates += sorted(str(p) for p in pyenv.glob(f"{version}.*/bin/python{version}"))
    for candidate in filter(None, candidates):
        works = subprocess.run([candidate, "-c", "pass"], capture_output=True, check=False)
        if works.returncode == 0:
            return candidate
    return None


def _interpreters() -> list:
    """This interpreter, and the other CPythons from 3.11 on that this machine has."""
    found = [pytest.param(sys.executable, id="this-python")]
    for version in ("3.11", "3.12", "3.13", "3.14"):
        if sys.version.startswith(version + "."):
            continue
        path = _python(version)
        found.append(
            pytest.param(
                path,
                id=f"python{version}",
                marks=pytest.mark.skipif(path is None, reason=f"no python{version} here"),
            )
        )
    return found


def _has_django(python: str) -> bool:
    found = subprocess.run([python, "-I", "-c", "import django"], capture_output=True, check=False)
    return found.returncode == 0


def _run_bank(python: str, jobs: list[dict]) -> list[dict]:
    """run_tests() for each job ({"code", "tests", "runtime"?}), in one fresh interpreter (an
    ORM exercise's runtime, "django", configures Django there: never in this process)."""
    program = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import harness; "
        "jobs = json.load(sys.stdin); "
        "print(json.dumps([harness.run_tests(j['code'], j['tests'], runtime=j.get('runtime')) "
        "for j in jobs]))"
    )
    completed = subprocess.run(
        [python, "-I", "-X", "utf8", "-c", program, str(HARNESS.parent)],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        timeout=BANK_RUN_TIMEOUT_SECONDS,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout)


def _failures(report: dict) -> str:
    return (
        "; ".join(
            f"{r['name']}: {r['status']} {r['message'][:300]}"
            for r in report["results"]
            if r["status"] != "pass"
        )
        or report["message"]
    )


@pytest.fixture(scope="module")
def bank(django_db_setup, django_db_blocker):
    """The bank, loaded once for this module inside a transaction rolled back at its end
    (each test's own transaction nests inside it as a savepoint)."""
    with django_db_blocker.unblock(), transaction.atomic():
        loaded = read_bank(BANK_DIR)
        load_bank(loaded)
        yield loaded
        transaction.set_rollback(True)


def test_the_bank_loads_and_a_second_load_changes_nothing(bank):
    result = load_bank(read_bank(BANK_DIR))

    assert result.created == 0
    assert result.updated == 0
    assert result.unchanged == len(bank.questions)


def test_the_bank_is_big_enough_and_covers_the_topics_tracks_and_difficulties(bank):
    published = Question.objects.published()

    assert published.count() >= 150
    assert published.values("topic").distinct().count() >= 12
    assert set(published.values_list("tracks__slug", flat=True)) >= TRACK_SLUGS
    assert set(Track.objects.values_list("slug", flat=True)) >= TRACK_SLUGS
    assert set(published.values_list("difficulty", flat=True)) == set(Difficulty.values)


def test_the_bank_has_every_kind_in_the_numbers_asked_for(bank):
    kinds = Counter(Question.objects.published().values_list("kind", flat=True))

    assert kinds[Kind.MULTIPLE_CHOICE] >= 40
    assert kinds[Kind.CODING] >= 15
    assert kinds[Kind.PRACTICAL] >= 10
    assert kinds[Kind.SYSTEM_DESIGN] >= 10
    assert kinds[Kind.BEHAVIOURAL] >= 10
    assert kinds[Kind.CODE_REVIEW] >= 5
    assert kinds[Kind.CONCEPT] >= 1
    assert kinds[Kind.ORM] >= 3


def test_multiple_choice_questions_are_sound(bank):
    questions = Question.objects.published().filter(kind=Kind.MULTIPLE_CHOICE)

    assert questions.filter(multi_select=True).count() >= 10
    for question in questions.prefetch_related("choices"):
        choices = list(question.choices.all())
        correct = sum(c.is_correct for c in choices)
        assert len(choices) >= 2, question.slug
        assert correct >= 1, question.slug
        if not question.multi_select:
            assert correct == 1, question.slug
        for choice in choices:
            assert choice.explanation.strip(), f"{question.slug}: a choice has no explanation"
            assert choice.explanation_html, question.slug


def test_every_question_has_an_answer_and_a_rubric(bank):
    for question in Question.objects.all():
        assert question.prompt_html, question.slug
        assert question.answer.strip() and question.answer_html, question.slug
        assert len(question.key_point_list) >= 2, question.slug


def test_coding_questions_and_orm_exercises_carry_all_their_code(bank):
    questions = Question.objects.filter(kind__in=NEEDS_CODE_AND_TESTS).prefetch_related("tests")
    assert questions.filter(kind=Kind.ORM).exists()
    for question in questions:
        assert question.starter_code_html, question.slug
        assert question.solution_code_html, question.slug
        tests = list(question.tests.all())
        assert tests, question.slug
        assert all(test.code_html for test in tests), question.slug


def test_follow_ups_are_linked(bank):
    with_follow_ups = Question.objects.published().filter(follow_ups__isnull=False).distinct()

    assert with_follow_ups.count() >= 50


def test_it_includes_every_question_of_the_interview_guide(bank):
    published = set(Question.objects.published().values_list("slug", flat=True))

    missing = [slug for slug in GUIDE_SLUGS if slug not in published]
    assert not missing, f"missing from the bank: {missing}"


def test_every_question_is_published_or_deliberately_not(bank):
    statuses = Counter(Question.objects.values_list("status", flat=True))

    assert statuses[Status.PUBLISHED] >= 150


def _jobs(questions: list[dict], code_key: str) -> list[dict]:
    return [
        {
            "code": question.get(code_key, ""),
            "tests": [{"name": t["name"], "code": t["code"]} for t in question["tests"]],
            "runtime": runtime_of(question),
        }
        for question in questions
    ]


@pytest.mark.bank_code
@pytest.mark.parametrize("python", _interpreters())
def test_each_solution_passes_every_test_and_each_starter_fails_one(python):
    questions = _with_tests()
    if not _has_django(python):  # ORM exercises run where Django is: this-python at least
        questions = [q for q in questions if runtime_of(q) is None]
    jobs = _jobs(questions, "solution_code") + _jobs(questions, "starter_code")

    reports = _run_bank(python, jobs)

    solutions, starters = reports[: len(questions)], reports[len(questions) :]
    failing = {
        q["slug"]: _failures(report)
        for q, report in zip(questions, solutions, strict=True)
        if report["status"] != "pass"
    }
    assert not failing, f"reference solutions that fail their tests: {failing}"
    passing = [
        q["slug"]
        for q, report in zip(questions, starters, strict=True)
        if report["status"] == "pass"
    ]
    assert not passing, f"starter code that passes every test (add a test it fails): {passing}"


@pytest.mark.bank_code
def test_the_server_checks_the_orm_exercises_with_its_own_django():
    assert _has_django(sys.executable)
    assert len(_orm_exercises()) >= 3


@pytest.mark.bank_code
def test_each_orm_starter_gives_the_right_rows_and_fails_only_on_a_query_budget():
    questions = _orm_exercises()

    reports = _run_bank(sys.executable, _jobs(questions, "starter_code"))

    wrong = {}
    for question, report in zip(questions, reports, strict=True):
        budget = {t["name"] for t in question["tests"] if is_budget_test(t)}
        results = {r["name"]: r for r in report["results"]}
        failing_elsewhere = [
            f"{name}: {r['status']} {r['message'][:200]}"
            for name, r in results.items()
            if name not in budget and r["status"] != "pass"
        ]
        over_budget = [
            name
            for name in budget
            if results[name]["status"] == "fail" and "queries (budget" in results[name]["message"]
        ]
        if failing_elsewhere or not over_budget:
            wrong[question["slug"]] = failing_elsewhere or "no query budget test fails"
    assert not wrong, f"ORM starters must be right but slow: {wrong}"


@pytest.mark.bank_code
def test_each_orm_exercise_checks_its_rows_and_its_query_budget():
    thin = {
        question["slug"]: [is_budget_test(t) for t in question["tests"]]
        for question in _orm_exercises()
        if all(is_budget_test(t) for t in question["tests"])
        or not any(is_budget_test(t) and not t.get("hidden") for t in question["tests"])
    }
    assert not thin, f"each needs a visible query budget test and a test of the rows: {thin}"


def test_every_question_with_tests_has_examples_and_hidden_tests():
    thin = {}
    for question in _with_tests():
        hidden = sum(1 for t in question["tests"] if t.get("hidden"))
        visible = len(question["tests"]) - hidden
        if visible < MIN_VISIBLE_TESTS or hidden < MIN_HIDDEN_TESTS:
            thin[question["slug"]] = f"{visible} visible, {hidden} hidden"
    assert not thin, (
        f"each needs {MIN_VISIBLE_TESTS} visible and {MIN_HIDDEN_TESTS} hidden tests: {thin}"
    )


def test_there_are_solutions_to_run():
    kinds = Counter(q.get("kind") for q in _with_tests())

    assert kinds["coding"] >= 15
    assert kinds["practical"] >= 10
    assert kinds["orm"] >= 3
