"""The whole bank in the browser's Python (Pyodide, CPython 3.14): every coding, practical and
ORM question that runs in the browser passes its tests with its reference solution and fails at
least one with its starter code, as tests/questions/test_starter_bank.py checks under the
server's CPythons. Run through the page's own runner (static/js/runner.js), on a real card; the
ORM exercises with their runtime (Django, installed into the worker on the first of them)."""

import pytest
from playwright.sync_api import expect

from practice.models import Mode
from practice.services import start_session_with_questions
from tests.factories import UserFactory, coding_question
from tests.questions.test_starter_bank import _failures, _with_tests, runtime_of

pytestmark = pytest.mark.e2e

PYTHON_START_MS = 60_000

# In the page: the card's own runner (the same module, so the same worker) runs each job in turn.
# A run stopped at its time limit restarts Python: the next job waits until it is ready again.
RUN_JOBS = """async (jobs) => {
  const { runnerFor } = await import("/static/js/runner.js");
  const block = document.querySelector("[data-code-runner]");
  const runner = runnerFor(block.dataset.workerUrl);
  const ready = () => new Promise((resolve) => {
    const unsubscribe = runner.subscribe((state) => {
      if (state.phase === "loading") return;
      resolve();
      queueMicrotask(() => unsubscribe());
    });
  });
  const reports = [];
  for (const job of jobs) {
    await ready();
    reports.push(await runner.run({
      code: job.code, tests: job.tests, timeLimitMs: job.limit, runtime: job.runtime,
    }));
  }
  return reports;
}"""


def _jobs(questions: list[dict], code_key: str) -> list[dict]:
    return [
        {
            "code": question.get(code_key, ""),
            "tests": [{"name": t["name"], "code": t["code"]} for t in question["tests"]],
            "limit": 1000 * question.get("time_limit", 5),
            "runtime": runtime_of(question),
        }
        for question in questions
    ]


def test_the_banks_solutions_pass_and_starters_fail_in_the_browser(page, log_in, live_server):
    candidate = UserFactory()
    session = start_session_with_questions(
        user=candidate, mode=Mode.STUDY, questions=[coding_question()], filters={}
    )
    log_in(page.context, candidate)
    page.goto(f"/practice/{session.pk}/")
    expect(page.get_by_role("status").filter(has_text="Python")).to_have_text(
        "Python is ready.", timeout=PYTHON_START_MS
    )
    questions = [q for q in _with_tests() if q.get("runs_in_browser", True)]
    assert len(questions) >= 25

    solutions = page.evaluate(RUN_JOBS, _jobs(questions, "solution_code"))
    starters = page.evaluate(RUN_JOBS, _jobs(questions, "starter_code"))

    failing = {
        q["slug"]: _failures(report)
        for q, report in zip(questions, solutions, strict=True)
        if report["status"] != "pass"
    }
    assert not failing, f"reference solutions that fail in the browser: {failing}"
    passing = [
        q["slug"]
        for q, report in zip(questions, starters, strict=True)
        if report["status"] == "pass"
    ]
    assert not passing, f"starter code that passes every test in the browser: {passing}"
