"""The real bank's predict-the-output questions and debugging exercises, checked by running them:
every snippet prints exactly its stored expected_output under every CPython from 3.11 on that
this machine has (found as tests/questions/test_starter_bank.py finds them; the browser's 3.14
is tests/e2e/test_predict_output.py's job), and every debugging exercise's starter code is
plausible code with a bug: it passes some of its tests and fails others."""

import sys

import pytest

from questions.models import Kind
from questions.output import describe_difference
from questions.snippets import run_snippets
from tests.questions.test_starter_bank import (
    _interpreters,
    _jobs,
    _questions_in_files,
    _run_bank,
    _with_tests,
)

# Python starts in about 30 ms, but CI machines are busy: a limit that a snippet which prints at
# once never reaches.
SNIPPET_TIME_LIMIT_ON_CI = 20


def _predictions() -> list[dict]:
    return [
        q for q in _questions_in_files() if q.get("kind") == Kind.PREDICT_OUTPUT and q.get("slug")
    ]


def _debugging() -> list[dict]:
    return [q for q in _with_tests() if q.get("kind") == Kind.DEBUGGING]


def test_the_bank_has_as_many_as_the_issue_asks_for():
    published = [q for q in _predictions() + _debugging() if q.get("status") == "published"]
    kinds = [q["kind"] for q in published]

    assert kinds.count(Kind.PREDICT_OUTPUT) >= 50
    assert kinds.count(Kind.DEBUGGING) >= 25


@pytest.mark.bank_code
@pytest.mark.parametrize("python", _interpreters())
def test_every_snippet_prints_its_expected_output(python):
    questions = _predictions()

    runs = run_snippets(
        [q.get("snippet", "") for q in questions], python=python, timeout=SNIPPET_TIME_LIMIT_ON_CI
    )

    wrong = {}
    for question, run in zip(questions, runs, strict=True):
        if not run.ran:
            wrong[question["slug"]] = f"the snippet {run.problem}"
        elif difference := describe_difference(question.get("expected_output", ""), run.output):
            wrong[question["slug"]] = difference
    assert not wrong, f"stored outputs that differ from what the snippet prints: {wrong}"


@pytest.mark.bank_code
def test_each_debugging_starter_passes_some_tests_and_fails_others():
    questions = _debugging()

    reports = _run_bank(sys.executable, _jobs(questions, "starter_code"))

    all_or_nothing = {
        q["slug"]: report["status"]
        for q, report in zip(questions, reports, strict=True)
        if not any(result["status"] == "pass" for result in report["results"])
        or all(result["status"] == "pass" for result in report["results"])
    }
    assert not all_or_nothing, (
        f"a debugging starter must pass some tests and fail at least one: {all_or_nothing}"
    )
