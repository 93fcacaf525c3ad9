"""ORM exercises as a kind of question: loaded, checked and listed like coding questions, with
Django as their tests' runtime."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from questions.bank_files import BankError, export_bank, load_bank, read_bank
from questions.models import RUNNABLE_KINDS, Kind, Question, code_test_problems
from tests.factories import QuestionFactory, coding_question, orm_exercise
from tests.questions.test_bank_files import CODING, run_load, write_bank

pytestmark = pytest.mark.django_db

ORM_BANK = CODING.replace("kind: coding", "kind: orm")


def test_an_orm_exercise_runs_in_the_browser_with_django_and_a_coding_question_without():
    assert Kind.ORM in RUNNABLE_KINDS
    assert Kind.ORM.label == "ORM exercise"
    assert orm_exercise().runtime == "django"
    assert coding_question().runtime == ""
    assert QuestionFactory(kind=Kind.CONCEPT).runtime == ""


def test_the_bank_loads_an_orm_exercise_with_its_tests_and_time_limit(tmp_path):
    run_load(write_bank(tmp_path, coding=ORM_BANK))

    question = Question.objects.get(slug="reverse-words")
    assert question.kind == Kind.ORM
    assert question.time_limit == 3
    assert [t.name for t in question.tests.all()] == [
        "reverses three words",
        "keeps an empty text empty",
    ]


def test_an_orm_exercise_round_trips_through_export(tmp_path):
    run_load(write_bank(tmp_path / "in", coding=ORM_BANK))

    export_bank(tmp_path / "out")

    (exported,) = [q for q in read_bank(tmp_path / "out").questions if q.slug == "reverse-words"]
    assert (exported.kind, len(exported.tests), exported.time_limit) == (Kind.ORM, 2, 3)


ORM_CODE = "ORM exercises need starter code and a reference solution."
ORM_TEST = "An ORM exercise needs at least one test."


@pytest.mark.parametrize(
    ("cut", "missing"),
    [
        ("    tests:", [("tests", ORM_TEST)]),
        (
            "    starter_code:",
            [("starter_code", ORM_CODE), ("solution_code", ORM_CODE), ("tests", ORM_TEST)],
        ),
    ],
)
def test_the_bank_refuses_an_orm_exercise_without_its_code_or_tests(tmp_path, cut, missing):
    bank = write_bank(tmp_path, coding=ORM_BANK.split(cut)[0])

    with pytest.raises(BankError) as raised:
        load_bank(read_bank(bank))

    assert raised.value.problems == [
        f"coding.yaml, question 'reverse-words': '{name}': {message}" for name, message in missing
    ]


def test_tests_on_a_kind_that_runs_nothing_name_the_kinds_that_run(tmp_path):
    bank = write_bank(tmp_path, coding=CODING.replace("kind: coding", "kind: concept"))

    with pytest.raises(BankError) as raised:
        load_bank(read_bank(bank))

    assert (
        "coding.yaml, question 'reverse-words': has 'tests' but is not a coding, practical, "
        "debugging or orm question."
    ) in raised.value.problems


def test_an_orm_exercise_needs_starter_code_a_solution_and_a_test():
    question = QuestionFactory.build(kind=Kind.ORM, starter_code="", solution_code=" ")

    with pytest.raises(ValidationError) as raised:
        question.clean()

    assert raised.value.message_dict["starter_code"] == [
        "ORM exercises need starter code and a reference solution."
    ]
    assert "solution_code" in raised.value.message_dict
    assert code_test_problems(Kind.ORM, []) == ["An ORM exercise needs at least one test."]
    assert code_test_problems(Kind.ORM, ["returns the rows"]) == []


def test_the_bank_lists_orm_exercises_under_their_own_kind(client):
    exercise = orm_exercise(title="Count the books")
    coding_question(title="Add two numbers")

    response = client.get(reverse("questions:list"), {"kind": "orm"})

    html = response.content.decode()
    assert response.status_code == 200
    assert exercise.title in html and "Add two numbers" not in html
    assert '<option value="orm" selected>ORM exercise</option>' in html


def test_an_orm_exercises_page_shows_its_starter_code(client):
    exercise = orm_exercise()

    html = client.get(exercise.get_absolute_url()).content.decode()

    assert "<h3>Starter code</h3>" in html
    assert "book_count" in html  # highlighted, so in pieces
