"""Predict the output in Chromium: every snippet of the bank prints its stored output in the
browser's Python (Pyodide, CPython 3.14; tests/questions/test_predict_output_bank.py checks the
server's CPythons), an editor's Run the snippet fills in the expected output, and a candidate
answers a card by keyboard alone, with axe-core on the card and its result."""

import pytest
from playwright.sync_api import expect

from questions.models import Question
from questions.output import describe_difference
from tests.e2e.axe import check_accessibility
from tests.e2e.test_keyboard import tab_to, wait_for_focus
from tests.factories import (
    SHARED_LIST_OUTPUT,
    EditorFactory,
    QuestionFactory,
    UserFactory,
    predict_output_question,
)
from tests.practice.conftest import session_with
from tests.questions.test_predict_output_bank import _predictions

pytestmark = pytest.mark.e2e

PYTHON_START_MS = 60_000
SNIPPET_LIMIT_MS = 5_000

# In the page: the page's own runner (the module snippet-runner.js imported) runs each snippet.
RUN_SNIPPETS = """async (snippets) => {
  const { runnerFor } = await import("/static/js/runner.js");
  const block = document.querySelector("[data-snippet-runner]");
  const runner = runnerFor(block.dataset.workerUrl);
  const runs = [];
  for (const code of snippets.codes) {
    runs.push(await runner.runSnippet({ code, timeLimitMs: snippets.limit }));
  }
  return runs;
}"""


def open_change_page(page, log_in, question) -> None:
    log_in(page.context, EditorFactory())
    page.goto(f"/admin/questions/question/{question.pk}/change/")
    expect(page.locator("[data-snippet-status]")).to_have_text(
        "Python is ready.", timeout=PYTHON_START_MS
    )


def test_every_snippet_of_the_bank_prints_its_output_in_the_browser(page, log_in):
    questions = _predictions()
    assert len(questions) >= 3
    open_change_page(page, log_in, predict_output_question())

    runs = page.evaluate(
        RUN_SNIPPETS,
        {"codes": [q.get("snippet", "") for q in questions], "limit": SNIPPET_LIMIT_MS},
    )

    wrong = {}
    for question, run in zip(questions, runs, strict=True):
        if run["status"] != "pass":
            wrong[question["slug"]] = f"{run['status']}: {run['message'][-300:]}"
        elif difference := describe_difference(question["expected_output"], run["output"]):
            wrong[question["slug"]] = difference
    assert not wrong, f"stored outputs that differ from what Python 3.14 prints: {wrong}"


def test_an_editor_runs_the_snippet_and_saves_what_it_prints(page, log_in):
    question = predict_output_question(expected_output="typed by hand")
    open_change_page(page, log_in, question)
    expected = page.locator("#id_expected_output")
    status = page.locator("[data-snippet-status]")

    page.get_by_role("button", name="Run the snippet").click()

    expect(status).to_have_text("Expected output filled in: 2 lines. Save the question to keep it.")
    expect(expected).to_have_value(SHARED_LIST_OUTPUT)
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    question.refresh_from_db()
    assert question.expected_output == SHARED_LIST_OUTPUT


def test_a_snippet_that_never_ends_fills_in_nothing(page, log_in):
    question = predict_output_question()
    open_change_page(page, log_in, question)
    page.locator("#id_snippet").fill("while True:\n    pass")

    page.get_by_role("button", name="Run the snippet").click()

    expect(page.locator("[data-snippet-status]")).to_have_text(
        "The snippet did not finish within 5 s: nothing was filled in.", timeout=20_000
    )
    expect(page.locator("#id_expected_output")).to_have_value(SHARED_LIST_OUTPUT)
    # Python starts again, and the next run works.
    page.locator("#id_snippet").fill("print('again')")
    expect(page.get_by_role("button", name="Run the snippet")).to_be_enabled(
        timeout=PYTHON_START_MS
    )
    page.get_by_role("button", name="Run the snippet").click()
    expect(page.locator("#id_expected_output")).to_have_value("again")


def test_a_snippet_that_does_not_compile_says_why(page, log_in):
    open_change_page(page, log_in, predict_output_question())
    page.locator("#id_snippet").fill("print(1")

    page.get_by_role("button", name="Run the snippet").click()

    expect(page.locator("[data-snippet-status]")).to_have_text(
        "The snippet does not run: nothing was filled in."
    )
    expect(page.locator("[data-snippet-detail]")).to_contain_text("SyntaxError")


def test_a_candidate_predicts_by_keyboard_alone(page, log_in):
    candidate = UserFactory()
    question = predict_output_question()
    session = session_with(candidate, [question, predict_output_question()], mode="quiz")
    log_in(page.context, candidate)
    page.goto(f"/practice/{session.pk}/")
    check_accessibility(page, "a predict-the-output card")

    tab_to(page, "id_response")
    wait_for_focus(page, "#id_response")
    page.keyboard.type("[1, 2]")
    page.keyboard.press("Enter")
    page.keyboard.type("KeyError: 'k'")
    page.keyboard.press("Control+Enter")

    expect(page.locator(".verdict")).to_have_text("Right: that is exactly what it prints.")
    expect(page.locator("#practice-status")).to_have_text("Right.")
    expect(page.locator(".output-comparison caption")).to_contain_text("Every line matches.")
    check_accessibility(page, "a predict-the-output result")
    page.keyboard.press(" ")
    # Exact: the status line soon says "Question 2 of 2: <title>" too (prep.js announces it).
    expect(page.get_by_text("Question 2 of 2", exact=True)).to_be_visible()
    item = Question.objects.get(pk=question.pk).session_items.get()
    assert item.is_correct and item.response.replace("\r\n", "\n") == SHARED_LIST_OUTPUT


def test_python_loads_on_other_kinds_pages_only_once_a_snippet_is_wanted(page, log_in):
    question = QuestionFactory(title="Explain the GIL")
    log_in(page.context, EditorFactory())
    page.goto(f"/admin/questions/question/{question.pk}/change/")
    status = page.locator("[data-snippet-status]")
    expect(status).to_have_text("Python starts when you first run a snippet.")

    page.locator("#id_kind").select_option("predict_output")
    page.get_by_role("heading", name="Predict the output").click()  # open the fieldset
    page.locator("#id_snippet").fill("print(sum(range(5)))")
    expect(status).to_have_text("Python is ready.", timeout=PYTHON_START_MS)
    page.get_by_role("button", name="Run the snippet").click()

    expect(page.locator("#id_expected_output")).to_have_value("10")
