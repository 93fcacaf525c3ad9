"""Debugging exercises in practice: a runnable card whose editor starts with code that has a bug
("Fix the code until every test passes"), Submit as for coding, drawn into the coding stage of
a mock interview; and where the new kinds appear besides (the bank's filters, the question
page, the admin)."""

import json
import random

import pytest
from django.urls import reverse

from practice import draw
from practice.models import Mode
from practice.services import PracticeRequest, start_practice
from questions.models import NEEDS_CODE_AND_TESTS, RUNNABLE_KINDS, Kind
from tests.factories import (
    ADD_SOLUTION,
    QuestionFactory,
    debugging_exercise,
    predict_output_question,
)
from tests.practice.conftest import session_with
from tests.practice.test_code_submissions import browser_results

FIX = "Fix the code until every test passes."


@pytest.fixture
def exercise(db):
    return debugging_exercise()


@pytest.fixture
def session(candidate, exercise):
    return session_with(candidate, [exercise, QuestionFactory()])


def test_a_debugging_exercise_runs_its_tests_and_needs_code_and_tests():
    assert Kind.DEBUGGING in RUNNABLE_KINDS and Kind.DEBUGGING in NEEDS_CODE_AND_TESTS


def test_the_card_says_fix_the_code_and_starts_the_editor_with_it(
    candidate_client, session, exercise
):
    html = candidate_client.get(reverse("practice:session", args=[session.pk])).content.decode()

    assert FIX in html
    assert "data-code-runner" in html and 'id="submit-code-' in html
    assert "return a - b" in html  # the code with the bug, in the editor's textarea
    assert "Fix the code, run the examples" in html


@pytest.mark.parametrize("use_htmx", [False, True])
def test_submit_records_the_fixed_code_and_suggests_good(
    candidate_client, session, exercise, htmx_headers, use_htmx
):
    item = session.items.get(position=1)
    data = {"code": ADD_SOLUTION, "results": json.dumps(browser_results(exercise))}
    url = reverse("practice:submit_code", args=[session.pk, item.pk])

    response = candidate_client.post(url, data, headers=htmx_headers if use_htmx else {})

    if use_htmx:
        html = response.content.decode()
    else:
        assert response.status_code == 302
        html = candidate_client.get(response["Location"]).content.decode()
    assert "Your submission: 5 of 5 passed" in html
    assert "grade-good grade-suggested" in html
    item.refresh_from_db()
    assert item.response == ADD_SOLUTION and item.submitted_at is not None
    assert item.test_results[0]["status"] == "pass"


def test_another_users_debugging_submit_is_a_404(client, other_candidate, session, exercise):
    item = session.items.get(position=1)
    client.force_login(other_candidate)
    data = {"code": ADD_SOLUTION, "results": json.dumps(browser_results(exercise))}

    response = client.post(reverse("practice:submit_code", args=[session.pk, item.pk]), data)

    assert response.status_code == 404
    item.refresh_from_db()
    assert item.submitted_at is None


def test_a_mock_interview_puts_it_in_the_coding_stage(candidate, candidate_client, exercise):
    QuestionFactory(kind=Kind.CONCEPT)
    session = start_practice(
        user=candidate,
        request=PracticeRequest(mode=Mode.MOCK, count=2, time_limit_minutes=30),
        rng=random.Random(1),
    )
    first = session.items.get(position=1)

    assert first.question == exercise
    assert draw.STAGE_OF_KIND[Kind.DEBUGGING] == 0
    html = candidate_client.get(reverse("practice:session", args=[session.pk])).content.decode()
    assert "Coding and practical" in html and FIX in html


def test_the_bank_filters_by_the_new_kinds(client, exercise):
    prediction = predict_output_question()

    html = client.get(reverse("questions:list"), {"kind": "debugging"}).content.decode()

    assert exercise.title in html and prediction.title not in html
    page = client.get(reverse("questions:list")).content.decode()
    for value in ("sql", "predict_output", "debugging"):
        assert f'<option value="{value}"' in page


def test_the_question_pages_show_the_code_to_fix_and_what_a_snippet_prints(client, exercise):
    prediction = predict_output_question()

    page = client.get(exercise.get_absolute_url()).content.decode()
    assert "The code to fix" in page and FIX in page
    page = client.get(prediction.get_absolute_url()).content.decode()
    assert "<h3>The code</h3>" in page and prediction.snippet_html in page
    assert "[1, 2]" not in page  # not before the answer is shown
    answer = client.get(prediction.get_absolute_url(), {"answer": "1"}).content.decode()
    assert '<pre class="expected-output">[1, 2]\nKeyError: &#x27;k&#x27;</pre>' in answer
