"""The real starter bank (questions/bank/*.yaml): it loads, it is as big and as varied as the
issue asks, and every coding question's reference solution passes its own tests."""

import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest
import yaml
from django.db import transaction

from questions.bank_files import BANK_DIR, bank_files, load_bank, read_bank
from questions.models import Difficulty, Kind, Question, Status, Track

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
SOLUTION_TIMEOUT_SECONDS = 20


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


def _runnable(kind: str) -> list:
    return [
        pytest.param(q, id=q.get("slug", "?"))
        for q in _questions_in_files()
        if q.get("kind") == kind and q.get("solution_code") and q.get("test_code")
    ]


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


def test_coding_questions_carry_all_their_code(bank):
    for question in Question.objects.filter(kind=Kind.CODING):
        assert question.starter_code_html, question.slug
        assert question.solution_code_html, question.slug
        assert question.test_code_html, question.slug


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


def _run(question: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    """Run solution_code then test_code in one fresh namespace, in a separate interpreter."""
    program = tmp_path / "check.py"
    program.write_text(
        textwrap.dedent(question["solution_code"])
        + "\n\n"
        + textwrap.dedent(question["test_code"]),
        encoding="utf-8",
    )
    return subprocess.run(
        [sys.executable, "-I", "-X", "utf8", str(program)],
        capture_output=True,
        text=True,
        timeout=SOLUTION_TIMEOUT_SECONDS,
        cwd=tmp_path,
        check=False,
    )


@pytest.mark.parametrize("question", _runnable("coding"))
def test_each_coding_solution_passes_its_tests(question, tmp_path):
    result = _run(question, tmp_path)

    assert result.returncode == 0, f"{question['slug']}:\n{result.stderr[-2000:]}"


def test_there_are_coding_solutions_to_run():
    coding = [q for q in _questions_in_files() if q.get("kind") == "coding"]

    assert len(coding) >= 15
    assert len(_runnable("coding")) == len(coding)
