"""An ORM exercise in real Chromium: the card loads Django into the runner's worker, the starter
code gives the right rows over its query budget (and the result says so, with the queries), and
the reference solution passes every test. The exercise is the bank's own."""

import re

import pytest
import yaml
from playwright.sync_api import expect

from questions.bank_files import BANK_DIR
from questions.models import Kind
from tests.e2e.test_runner import paste_code, result_named, runner_status, study_session_on
from tests.factories import CodeTestFactory, QuestionFactory

pytestmark = pytest.mark.e2e

# Pyodide, then Django's archive, cold, in headless Chromium on a busy 2-core machine.
DJANGO_START_MS = 90_000
READY = "Python and Django are ready."
SLUG = "orm-book-list-select-related"


def bank_exercise(slug: str):
    """The bank's exercise, as a published question with its tests."""
    data = yaml.safe_load((BANK_DIR / "databases-sql.yaml").read_text(encoding="utf-8"))
    (found,) = [q for q in data["questions"] if q["slug"] == slug]
    question = QuestionFactory(
        kind=Kind.ORM,
        slug=slug,
        title=found["title"],
        prompt=found["prompt"],
        answer=found["answer"],
        starter_code=found["starter_code"].rstrip(),
        solution_code=found["solution_code"].rstrip(),
    )
    for position, test in enumerate(found["tests"]):
        CodeTestFactory(
            question=question,
            name=test["name"],
            code=test["code"].rstrip(),
            is_hidden=test.get("hidden", False),
            position=position,
        )
    return question


def test_the_starter_is_over_its_query_budget_and_the_reference_passes(page, log_in):
    question = bank_exercise(SLUG)
    study_session_on(page, log_in, question)
    card = page.locator("#session-card")
    expect(runner_status(card)).to_have_text(READY, timeout=DJANGO_START_MS)

    # The starter code, as the editor opens with it: right rows, one query per book.
    card.get_by_role("button", name=re.compile("^Submit")).click()
    stored = card.locator(".test-results")
    expect(stored.get_by_role("heading")).to_have_text("Your last submission: 3 of 5 passed")
    rows = result_named(stored, "returns the same rows as before")
    expect(rows.locator(".badge")).to_have_text("Passed")
    budget = result_named(stored, "runs at most 1 query")
    expect(budget.locator(".badge")).to_have_text("Failed")
    expect(budget.locator(".test-message")).to_have_text(
        "21 queries (budget 1): 20 of them are the same query on exercise_author: "
        "look at a loop that reads each book's author"
    )
    # Every query, numbered (the stored output is the start of it).
    expect(budget.locator(".test-output pre")).to_contain_text("21 queries:\n 1. SELECT")
    expect(budget.locator(".test-output pre")).to_contain_text('FROM "exercise_author" WHERE')
    expect(runner_status(card)).to_have_text(READY)

    # The reference solution, on the card the first Submit swapped in: every test passes, and
    # the query's plan is shown.
    paste_code(page, card, question.solution_code)
    card.get_by_role("button", name=re.compile("^Submit")).click()
    expect(stored.get_by_role("heading")).to_have_text("Your submission: 5 of 5 passed")
    budget = result_named(stored, "runs at most 1 query")
    expect(budget.locator(".test-output pre")).to_contain_text("1 query:")
    expect(budget.locator(".test-output pre")).to_contain_text("QUERY PLAN")
    expect(card.get_by_role("heading", name="Model answer")).to_be_visible()


def test_the_next_page_starts_python_and_django_from_the_snapshot_and_grades_alike(page, log_in):
    question = bank_exercise(SLUG)
    study_session_on(page, log_in, question)
    card = page.locator("#session-card")
    runner = card.locator("[data-code-runner]")
    expect(runner_status(card)).to_have_text(READY, timeout=DJANGO_START_MS)
    expect(runner).to_have_attribute("data-restored", "false")

    page.reload()

    expect(runner_status(card)).to_have_text(READY, timeout=DJANGO_START_MS)
    expect(runner).to_have_attribute("data-restored", "true")
    paste_code(page, card, question.solution_code)
    card.get_by_role("button", name=re.compile("^Submit")).click()
    stored = card.locator(".test-results")
    expect(stored.get_by_role("heading")).to_have_text("Your submission: 5 of 5 passed")
    budget = result_named(stored, "runs at most 1 query")
    expect(budget.locator(".test-output pre")).to_contain_text("QUERY PLAN")
