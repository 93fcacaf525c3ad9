"""The tests of coding and practical questions in the editors' admin: the tests inline and its
rules, and the preview's Run the tests (import and export: test_bank_import_admin.py).

The admin is plain Django (no htmx), so each refusal is a plain POST answered with the form."""

import json
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from questions.models import CodeTest, Kind, Question, Status
from tests.factories import QuestionFactory, TopicFactory, multiple_choice_question
from tests.questions.test_admin import (
    ADD,
    change_form_data,
    change_url,
    preview_url,
    question_post,
)

pytestmark = pytest.mark.django_db


def add_tests(question, *tests: tuple[str, str, bool]) -> list[CodeTest]:
    """Give the question these (name, code, hidden) tests, in this order."""
    return [
        CodeTest.objects.create(
            question=question, name=name, code=code, is_hidden=hidden, position=position
        )
        for position, (name, code, hidden) in enumerate(tests)
    ]


def coding_question(**kwargs) -> Question:
    values = {
        "kind": Kind.CODING,
        "starter_code": "def add(a, b):\n    return 0",
        "solution_code": "def add(a, b):\n    return a + b",
    }
    return QuestionFactory(**{**values, **kwargs})


def with_tests(data: dict, tests: list[tuple[str, str, bool]]) -> dict:
    """The add form's data with these (name, code, hidden) tests in its tests formset."""
    data = {**data, "tests-TOTAL_FORMS": str(len(tests))}
    for index, (name, code, hidden) in enumerate(tests):
        data[f"tests-{index}-name"] = name
        data[f"tests-{index}-code"] = code
        data[f"tests-{index}-position"] = str(index)
        if hidden:
            data[f"tests-{index}-is_hidden"] = "on"
    return data


def coding_post(**overrides) -> dict:
    return question_post(
        TopicFactory(),
        kind=Kind.CODING,
        starter_code="def add(a, b): ...",
        solution_code="def add(a, b):\n    return a + b",
        **overrides,
    )


def errors_of_tests(response) -> list[str]:
    (formset,) = [
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "tests"
    ]
    return list(formset.non_form_errors())


# --- the change form -----------------------------------------------------------------------------


def test_the_add_form_offers_two_empty_tests_and_says_what_each_kind_needs(editor_client):
    html = editor_client.get(ADD).content.decode()

    assert 'name="tests-TOTAL_FORMS" value="2"' in html
    assert 'name="tests-0-name"' in html and 'name="tests-1-code"' in html
    assert re.search(
        r'<input type="number" name="time_limit" value="5"[^>]* min="1" max="60"', html
    )
    assert 'name="runs_in_browser"' in html
    assert "reference solution and at least one test required" in html
    assert "tests optional" in html


def test_the_change_form_of_a_coding_question_shows_its_tests_and_no_empty_one(editor_client):
    question = coding_question(time_limit=7)
    add_tests(question, ("adds two", "assert add(1, 2) == 3", False), ("zero", "assert 1", True))

    response = editor_client.get(change_url(question))
    html = response.content.decode()

    assert response.status_code == 200
    assert 'name="tests-TOTAL_FORMS" value="2"' in html
    assert 'value="adds two"' in html and 'value="zero"' in html
    assert re.search(r'<input type="checkbox" name="tests-1-is_hidden"[^>]* checked>', html)
    assert not re.search(r'<input type="checkbox" name="tests-0-is_hidden"[^>]* checked>', html)
    assert 'name="time_limit" value="7"' in html
    assert "test_code" not in html


def test_an_editor_adds_a_coding_question_with_its_tests(editor_client, editor):
    data = with_tests(
        coding_post(time_limit="3"),
        [
            ("adds two", "assert add(1, 2) == 3", False),
            ("adds negatives", "assert add(-1, -2) == -3", True),
        ],
    )

    response = editor_client.post(ADD, data)

    assert response.status_code == 302
    question = Question.objects.get(slug="lists-versus-tuples")
    assert question.time_limit == 3 and question.runs_in_browser
    assert list(question.tests.values_list("name", "is_hidden")) == [
        ("adds two", False),
        ("adds negatives", True),
    ]
    assert '<span class="k">assert</span>' in question.tests.first().code_html
    # Each test keeps its own history, with the editor who wrote it.
    assert question.tests.first().history.get().history_user == editor


def test_a_practical_question_may_have_no_tests(editor_client):
    data = question_post(TopicFactory(), kind=Kind.PRACTICAL, starter_code="x = [] * 3")

    assert editor_client.post(ADD, data).status_code == 302


def test_a_coding_question_without_a_test_is_refused(editor_client):
    response = editor_client.post(ADD, coding_post())

    assert response.status_code == 200
    assert errors_of_tests(response) == ["A coding question needs at least one test."]
    assert "A coding question needs at least one test." in response.content.decode()
    assert not Question.objects.exists()


def test_deleting_the_last_test_of_a_coding_question_is_refused(editor_client):
    question = coding_question()
    (test,) = add_tests(question, ("adds two", "assert add(1, 2) == 3", False))
    data = change_form_data(editor_client.get(change_url(question)))
    data["tests-0-DELETE"] = "on"

    response = editor_client.post(change_url(question), data)

    assert response.status_code == 200
    assert errors_of_tests(response) == ["A coding question needs at least one test."]
    assert CodeTest.objects.filter(pk=test.pk).exists()


@pytest.mark.parametrize("kind", [Kind.CONCEPT, Kind.MULTIPLE_CHOICE, Kind.SYSTEM_DESIGN])
def test_tests_on_another_kind_are_refused(editor_client, kind):
    data = with_tests(question_post(TopicFactory(), kind=kind), [("one", "assert 1", False)])

    response = editor_client.post(ADD, data)

    assert response.status_code == 200
    assert (
        "Only coding, practical, debugging and ORM questions have tests: remove them, or "
        "change the kind." in errors_of_tests(response)
    )
    assert not Question.objects.exists() and not CodeTest.objects.exists()


def test_changing_a_coding_question_to_another_kind_with_its_tests_is_refused(editor_client):
    question = coding_question()
    add_tests(question, ("adds two", "assert add(1, 2) == 3", False))
    data = change_form_data(editor_client.get(change_url(question)))
    data["kind"] = Kind.CONCEPT

    response = editor_client.post(change_url(question), data)

    assert response.status_code == 200
    assert errors_of_tests(response) == [
        "Only coding, practical, debugging and ORM questions have tests: remove them, or "
        "change the kind."
    ]
    question.refresh_from_db()
    assert question.kind == Kind.CODING


def test_two_tests_with_the_same_name_are_refused(editor_client):
    data = with_tests(
        coding_post(),
        [("adds", "assert add(1, 2) == 3", False), ("adds", "assert add(0, 0) == 0", True)],
    )

    response = editor_client.post(ADD, data)

    assert response.status_code == 200
    assert errors_of_tests(response) == [
        "Each test needs its own name; used more than once: \u201cadds\u201d."
    ]
    assert not Question.objects.exists() and not CodeTest.objects.exists()


def test_an_editor_renames_and_deletes_tests_of_a_question(editor_client):
    question = coding_question()
    add_tests(
        question,
        ("adds two", "assert add(1, 2) == 3", False),
        ("old name", "assert add(0, 0) == 0", False),
    )
    data = change_form_data(editor_client.get(change_url(question)))
    data["tests-0-DELETE"] = "on"
    data["tests-1-name"] = "adds zeros"
    data["tests-1-is_hidden"] = "on"

    response = editor_client.post(change_url(question), data)

    assert response.status_code == 302
    assert list(question.tests.values_list("name", "is_hidden")) == [("adds zeros", True)]


def test_the_change_form_of_a_coding_question_reads_its_tests_in_one_query(
    editor_client, editor, django_assert_num_queries
):
    question = coding_question(author=editor)
    editor_client.get(change_url(question))  # warms the process, as in a running one
    for count in (1, 20):
        add_tests(
            question, *[(f"test {count}-{n}", "assert True", n % 2 == 0) for n in range(count)]
        )
        # 1 session, 2 user, 3 its roles (is_editor), 4 the question with its topic, 5-6
        # permissions, 7-9 its tracks, tags and follow-ups, 10 the chosen topic again (Django's
        # autocomplete box reads it by id; no tags or follow-ups: no query), 11 its choices
        # (inline), 12 its tests (inline), 13 the editors (the author <select>), 14 the
        # question's problem reports (the item analysis panel; its figures come with the
        # question), 15 every track (the checkboxes)
        with django_assert_num_queries(15):
            response = editor_client.get(change_url(question))

    html = response.content.decode()
    assert 'name="tests-TOTAL_FORMS" value="21"' in html and 'value="test 20-19"' in html


# --- the preview's Run the tests -----------------------------------------------------------------


def json_attribute(html: str, name: str):
    """The JSON in the first data-* attribute `name` of the page (the check block's)."""
    match = re.search(rf'{name}="([^"]*)"', html)
    assert match, f"no {name}"
    return json.loads(unescape(match.group(1)))


def test_the_preview_offers_an_editor_run_the_tests_with_the_code_and_every_test(editor_client):
    question = coding_question(status=Status.DRAFT, time_limit=4)
    add_tests(
        question,
        ("adds two", "assert add(1, 2) == 3", False),
        ("adds negatives", "assert add(-1, -2) == -3", True),
    )

    response = editor_client.get(preview_url(question))
    html = response.content.decode()

    assert response.status_code == 200
    assert "data-code-runner" in html and 'data-mode="check"' in html
    assert f'data-worker-url="{reverse("runner:worker")}"' in html
    assert 'data-time-limit="4"' in html
    assert '<button type="button" data-check disabled' in html and ">Run the tests</button>" in html
    assert "data-runner-status" in html and "data-runner-results" in html
    assert json_attribute(html, "data-codes-json") == {
        "solution": question.solution_code,
        "starter": question.starter_code,
    }
    assert json_attribute(html, "data-tests-json") == {
        "visible": [{"name": "adds two", "code": "assert add(1, 2) == 3"}],
        "all": [
            {"name": "adds two", "code": "assert add(1, 2) == 3"},
            {"name": "adds negatives", "code": "assert add(-1, -2) == -3"},
        ],
    }
    # The runner's script and the editor's style nonce, in the head of this page only.
    head = html[: html.index("</head>")]
    assert "js/code-card.js" in head and '<meta name="csp-nonce"' in head


def test_the_published_question_page_has_no_run_the_tests(client, editor_client):
    question = coding_question(status=Status.PUBLISHED)
    add_tests(question, ("adds two", "assert add(1, 2) == 3", False))

    for response in (
        client.get(question.get_absolute_url()),
        editor_client.get(question.get_absolute_url()),  # an editor on the public page too
        client.get(question.get_absolute_url(), {"answer": "1"}),
    ):
        html = response.content.decode()
        assert "data-code-runner" not in html and "check-codes" not in html
        assert "js/code-card.js" not in html
        assert question.solution_code not in html  # raw; the answer shows it highlighted


@pytest.mark.parametrize(
    ("changes", "tests", "reason"),
    [
        ({}, [], "It has no tests yet"),
        ({"runs_in_browser": False}, [("one", "assert 1", False)], "do not run in the browser"),
        ({"solution_code": ""}, [("one", "assert 1", False)], "no reference solution"),
    ],
)
def test_the_preview_says_why_the_tests_cannot_run(editor_client, changes, tests, reason):
    question = coding_question(kind=Kind.PRACTICAL, **changes)
    add_tests(question, *tests)

    html = editor_client.get(preview_url(question)).content.decode()

    assert "Run the tests" in html and reason in html
    assert "data-code-runner" not in html and "js/code-card.js" not in html


def test_the_preview_of_another_kind_has_no_run_the_tests(editor_client):
    html = editor_client.get(preview_url(multiple_choice_question())).content.decode()

    assert "Run the tests" not in html and "js/code-card.js" not in html


def test_the_preview_reads_the_tests_in_one_query_however_many(editor_client):
    question = coding_question()
    add_tests(question, ("first", "assert True", False))
    editor_client.get(preview_url(question))

    with CaptureQueriesContext(connection) as few:
        editor_client.get(preview_url(question))
    add_tests(question, *[(f"more {n}", "assert True", n % 2 == 0) for n in range(20)])
    with CaptureQueriesContext(connection) as many:
        response = editor_client.get(preview_url(question))

    assert len(few) == len(many)
    assert len(json_attribute(response.content.decode(), "data-tests-json")["all"]) == 21
    assert sum("questions_codetest" in query["sql"] for query in many) == 1
