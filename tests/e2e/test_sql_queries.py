"""SQL questions in real Chromium: the query runs in SQLite inside the runner's worker (Pyodide's
sqlite3), on a fresh database of the visible rows (Run) or of both row sets (Submit), and the
card shows the candidate's table beside the expected one. A wrong query fails with both tables,
the reference passes, and an endless recursive CTE stops at the time limit.

Python (Pyodide) takes several seconds to start: the tests wait for the card's status to say
"SQLite is ready." (PYTHON_START_MS), never for a fixed time.
"""

import re
import time

import pytest
from playwright.sync_api import expect

from practice.models import SessionItem
from tests.e2e.axe import check_accessibility
from tests.e2e.test_runner import (
    PYTHON_START_MS,
    result_named,
    results_of,
    runner_status,
    study_session_on,
    wait_for_swap_to_settle,
)
from tests.factories import ORDERS_PER_CUSTOMER, ORDERS_PER_CUSTOMER_INNER, sql_question

pytestmark = pytest.mark.e2e

READY = "SQLite is ready."
ENDLESS = (
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n)\nSELECT COUNT(*), 0 FROM n"
)


def wait_for_sqlite(card, *, timeout: int = PYTHON_START_MS) -> None:
    expect(runner_status(card)).to_have_text(READY, timeout=timeout)


def editor_of(card):
    return card.get_by_role("textbox", name="Your query").and_(card.locator(".cm-content"))


def write_query(page, card, query: str) -> None:
    """Replace the editor's text with `query`, as a paste does."""
    editor_of(card).focus()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(query)
    expect(card.locator("textarea#id_response")).to_have_value(query)


def table_rows(region) -> list[list[str]]:
    return [
        [cell.strip() for cell in row.locator("td").all_inner_texts()]
        for row in region.locator("tbody tr").all()
    ]


def test_a_wrong_query_fails_with_both_tables_and_the_reference_passes_and_is_stored(page, log_in):
    question = sql_question(title="Orders per customer, in the browser")
    session = study_session_on(page, log_in, question)
    card = page.locator("#session-card")
    expect(card.get_by_role("heading", name="Expected result")).to_be_visible()
    expect(card.locator(".query-rule")).to_contain_text("column names do not matter")
    wait_for_sqlite(card)

    # An inner join loses the customer without orders: Ctrl+Enter runs it on the visible rows.
    write_query(page, card, ORDERS_PER_CUSTOMER_INNER)
    page.keyboard.press("ControlOrMeta+Enter")
    expect(runner_status(card)).to_have_text("Run: 0 of 1 checks passed.")
    visible = result_named(results_of(card), "The visible rows")
    expect(visible.locator(".badge")).to_have_text("Failed")
    expect(visible.locator(".test-message")).to_contain_text("Missing: 1 row, such as ('Cy', 0).")
    mine = visible.get_by_role("region", name=re.compile(r"^Your result"))
    expected = visible.get_by_role("region", name=re.compile(r"^Expected"))
    expect(mine).to_have_accessible_name("Your result (2 rows)")
    expect(expected).to_have_accessible_name("Expected (3 rows)")
    assert table_rows(mine) == [["Ada", "2"], ["Ben", "1"]]
    assert table_rows(expected) == [["Ada", "2"], ["Ben", "1"], ["Cy", "0"]]

    # An SQL error is shown as SQLite says it, with no table of the candidate's.
    write_query(page, card, "SELECT nme FROM customers")
    page.keyboard.press("ControlOrMeta+Enter")
    expect(visible.locator(".test-message")).to_have_text("no such column: nme")
    expect(visible.locator(".result-table-missing")).to_contain_text("Your result: none")

    # The reference passes on the visible rows, then on both with Ctrl+Shift+Enter (Submit).
    write_query(page, card, ORDERS_PER_CUSTOMER)
    page.keyboard.press("ControlOrMeta+Enter")
    expect(runner_status(card)).to_have_text("Run: 1 of 1 checks passed.")
    page.keyboard.press("ControlOrMeta+Shift+Enter")
    stored = card.locator(".test-results")
    expect(stored.get_by_role("heading")).to_have_text("Your submission: 2 of 2 passed")
    expect(stored.locator(".test-name")).to_have_text(["The visible rows", "The hidden rows"])
    expect(card.get_by_role("heading", name="Model answer")).to_be_visible()
    wait_for_swap_to_settle(page)
    item = SessionItem.objects.get(session=session)
    assert item.response == ORDERS_PER_CUSTOMER
    assert [r["status"] for r in item.test_results] == ["pass", "pass"]
    assert item.test_results[1]["table"]["rows"] == [["Dee", 0], ["Eve", 2], ["Fay", 0]]


def test_an_endless_recursive_cte_stops_at_the_time_limit_and_sqlite_stays_ready(page, log_in):
    study_session_on(page, log_in, sql_question(title="Orders, endlessly", time_limit=2))
    card = page.locator("#session-card")
    wait_for_sqlite(card)

    write_query(page, card, ENDLESS)
    started = time.monotonic()
    page.keyboard.press("ControlOrMeta+Enter")

    message = results_of(card).locator(".run-message")
    expect(message).to_have_text(
        "The query took longer than 2 s and was stopped in “The visible rows”.",
        timeout=(2 + 10) * 1000,
    )
    elapsed = time.monotonic() - started
    assert 2 <= elapsed < 2 + 5, elapsed
    visible = result_named(results_of(card), "The visible rows")
    expect(visible.locator(".badge")).to_have_text("Timed out")
    expect(visible.locator(".test-message")).to_contain_text("Stopped at the time limit of 2 s")
    expect(runner_status(card)).to_have_text("Run: the query was stopped at the time limit.")
    # SQLite stopped the query itself: the same Python is still there, ready at once.
    expect(card.get_by_role("button", name=re.compile("^Run the query"))).to_be_enabled(
        timeout=1_000
    )
    write_query(page, card, ORDERS_PER_CUSTOMER)
    page.keyboard.press("ControlOrMeta+Enter")
    expect(runner_status(card)).to_have_text("Run: 1 of 1 checks passed.", timeout=5_000)


def test_without_javascript_the_sql_card_is_self_graded(new_context, log_in):
    from practice.services import start_session_with_questions
    from tests.factories import UserFactory

    question = sql_question(title="Orders per customer, plainly")
    candidate = UserFactory()
    session = start_session_with_questions(user=candidate, mode="study", questions=[question])
    context = new_context(java_script_enabled=False)
    log_in(context, candidate)
    page = context.new_page()
    page.goto(f"/practice/{session.pk}/")
    card = page.locator("#session-card")

    expect(card.get_by_role("heading", name="Expected result")).to_be_visible()
    expect(card.locator("[data-code-runner]")).to_be_hidden()
    card.get_by_role("textbox", name="Your query").fill(ORDERS_PER_CUSTOMER)
    card.get_by_role("button", name=re.compile("^Give up and show the solution")).click()
    expect(card.locator(".model-answer .code-block")).to_contain_text("LEFT JOIN")
    card.get_by_role("button", name=re.compile("^Good")).click()
    expect(page).to_have_url(re.compile(rf"/practice/{session.pk}/summary/$"))


def test_the_sql_card_with_its_tables_has_no_serious_axe_violation(page, log_in):
    study_session_on(page, log_in, sql_question(title="Orders per customer, accessibly"))
    card = page.locator("#session-card")
    wait_for_sqlite(card)
    write_query(page, card, ORDERS_PER_CUSTOMER_INNER)
    page.keyboard.press("ControlOrMeta+Enter")
    expect(runner_status(card)).to_have_text("Run: 0 of 1 checks passed.")

    check_accessibility(page, "SQL card with its result tables", schemes=("light", "dark"))


# In the page: the card's own runner (the same worker) runs each SQL job in turn.
RUN_QUERIES = """async (jobs) => {
  const { runnerFor } = await import("/static/js/runner.js");
  const block = document.querySelector("[data-code-runner]");
  const runner = runnerFor(block.dataset.workerUrl);
  const reports = [];
  for (const job of jobs) {
    reports.push(await runner.run({
      code: job.code, tests: job.checks, timeLimitMs: job.limit + 2000, runtime: "sql",
      sql: { schema: job.schema, ordered: job.ordered, timeLimit: job.limit / 1000 },
    }));
  }
  return reports.map((report) => ({
    status: report.status,
    failures: report.results.filter((r) => r.status !== "pass")
      .map((r) => `${r.name}: ${r.message}`),
  }));
}"""


def test_the_banks_sql_references_pass_and_starters_fail_in_the_browsers_sqlite(page, log_in):
    """Every SQL question of the bank, in Pyodide's SQLite (3.39) rather than the server's, whose
    results the expected ones are: the reference passes both checks, the starter does not."""
    from tests.questions.test_sql_bank import QUESTIONS, _checks

    assert QUESTIONS, "no SQL question in the bank"
    jobs = {"solution_code": [], "starter_code": []}
    for question in QUESTIONS:
        dataset, checks = _checks(question)
        for key, found in jobs.items():
            found.append(
                {
                    "code": question.get(key) or "",
                    "checks": checks,
                    "schema": dataset["schema"],
                    "ordered": bool(question.get("ordered_rows")),
                    "limit": 1000 * question.get("time_limit", 5),
                }
            )
    study_session_on(page, log_in, sql_question(title="The bank, in the browser"))
    wait_for_sqlite(page.locator("#session-card"))

    references = page.evaluate(RUN_QUERIES, jobs["solution_code"])
    starters = page.evaluate(RUN_QUERIES, jobs["starter_code"])

    failing = {
        q["slug"]: r["failures"]
        for q, r in zip(QUESTIONS, references, strict=True)
        if r["status"] != "pass"
    }
    assert not failing, f"reference queries that fail in the browser: {failing}"
    passing = [
        q["slug"]
        for q, r in zip(QUESTIONS, starters, strict=True)
        if q.get("starter_code") and r["status"] == "pass"
    ]
    assert not passing, f"starter queries that pass in the browser: {passing}"


def test_the_editor_speaks_sql_on_an_sql_card(page, log_in):
    study_session_on(page, log_in, sql_question(title="Comments in SQL"))
    card = page.locator("#session-card")
    write_query(page, card, "SELECT name FROM customers")

    # The comment shortcut comments out the line as SQLite reads it ("--"), not as Python ("#").
    page.keyboard.press("ControlOrMeta+/")

    expect(card.locator("textarea#id_response")).to_have_value("-- SELECT name FROM customers")
