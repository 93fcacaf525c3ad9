"""The in-browser Python runner, in real Chromium: write code by keyboard, Run the examples, Submit
every test, and find the result in the summary and on the mentor's page; an endless loop, a
syntax error, input() and a huge print; the worker's own Content-Security-Policy; the no-JS path;
a mock interview; axe; one runner for every card of a session.

Python (Pyodide) takes several seconds to start in headless Chromium: the tests wait for the
card's status to say "Python is ready." (PYTHON_START_MS), never for a fixed time.
"""

import re
import time

import pytest
from django.core.signals import request_started
from playwright.sync_api import expect

from mentoring.services import start_assignment
from practice.models import PracticeSession, SessionItem
from practice.services import start_session_with_questions
from tests.e2e.axe import check_accessibility
from tests.factories import (
    AssignmentFactory,
    MentorFactory,
    MentorshipFactory,
    QuestionFactory,
    QuestionSetFactory,
    QuestionSetItemFactory,
    UserFactory,
    coding_question,
)

pytestmark = pytest.mark.e2e

# A cold start of Pyodide in headless Chromium on a busy 2-core machine, with room to spare.
PYTHON_START_MS = 60_000
READY = "Python is ready."
# coding_question()'s add(a, b) with a slip: "adds 0 and 1" fails (expected 1, actual 0) and
# "adds 1 and 1" passes.
WRONG_SOLUTION = "def add(a, b):\n    return a + a"
RIGHT_SOLUTION = "def add(a, b):\n    return a + b"
EXAMPLES = ("adds 0 and 1", "adds 1 and 1")
HIDDEN = ("adds 2 and 1", "adds 3 and 1", "adds 4 and 1")


# --- helpers ------------------------------------------------------------------------------------


def runner_status(block):
    """The runner's status line (role=status) inside a card or an answer."""
    return block.get_by_role("status")


def wait_for_python(block, *, timeout: int = PYTHON_START_MS) -> None:
    expect(runner_status(block)).to_have_text(READY, timeout=timeout)


def editor_of(card):
    """The code editor: CodeMirror's content element, labelled "Your code" as the textarea it
    replaces was (and not that textarea, which has the same name until the editor loads)."""
    return card.get_by_role("textbox", name="Your code").and_(card.locator(".cm-content"))


def select_all_code(page, card) -> None:
    editor_of(card).focus()
    page.keyboard.press("ControlOrMeta+a")


def type_code(page, card, code: str) -> None:
    """Replace the editor's code by typing `code` key by key over all of it.

    The editor keeps a line's indentation on Enter, indents one level more after a ":" and
    closes brackets and quotes by itself (typing the closing one steps over it). So each line
    is typed without its indentation, which suits code that only ever indents further."""
    select_all_code(page, card)
    page.keyboard.type("\n".join(line.lstrip() for line in code.split("\n")))
    expect(card.locator("textarea#id_response")).to_have_value(code)


def paste_code(page, card, code: str) -> None:
    """Replace the editor's code with `code` in one go, as a paste does (no auto-indent)."""
    select_all_code(page, card)
    page.keyboard.insert_text(code)
    expect(card.locator("textarea#id_response")).to_have_value(code)


def results_of(block):
    """The results of the latest run in a runner block (a card's, or the mentor's run)."""
    return block.locator("[data-runner-results] .test-results")


def result_named(results, name: str):
    return results.locator("li.test").filter(
        has=results.page.locator(".test-name", has_text=re.compile(f"^{re.escape(name)}$"))
    )


def wait_for_swap_to_settle(page) -> None:
    """htmx makes a swapped-in card's forms its own when the swap settles (20 ms later); a key
    pressed before then sends a form the old-fashioned way, reloading the page."""
    expect(page.locator("#session-card.htmx-settling, #session-card .htmx-added")).to_have_count(0)


def open_session(page, session: PracticeSession) -> None:
    page.goto(f"/practice/{session.pk}/")
    # The keyboard shortcuts come with prep.js (deferred): wait for it before pressing keys.
    page.wait_for_load_state("load")


def study_session_on(page, log_in, *questions) -> PracticeSession:
    """Sign a new candidate in and open a study session on `questions`."""
    candidate = UserFactory()
    session = start_session_with_questions(user=candidate, mode="study", questions=questions)
    log_in(page.context, candidate)
    open_session(page, session)
    return session


class ServerRequests:
    """The paths of every request the live server handles (in this process, on its thread),
    collected from Django's request_started signal."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def __call__(self, sender, environ, **kwargs) -> None:
        self.paths.append(environ["PATH_INFO"])


@pytest.fixture
def server_requests():
    requests = ServerRequests()
    request_started.connect(requests, dispatch_uid="test_runner_server_requests")
    yield requests
    request_started.disconnect(dispatch_uid="test_runner_server_requests")


# --- the stories --------------------------------------------------------------------------------


def test_a_candidate_types_runs_fixes_and_submits_code_that_the_mentor_runs_again(
    new_context, log_in
):
    question = coding_question(title="Add two numbers", answer="Return the sum of a and b.")
    mentor = MentorFactory(username="morgan")
    candidate = UserFactory(username="casey")
    MentorshipFactory(mentor=mentor, candidate=candidate)
    question_set = QuestionSetFactory(owner=mentor, visibility="private")
    QuestionSetItemFactory(question_set=question_set, question=question, position=0)
    assignment = AssignmentFactory(mentor=mentor, candidate=candidate, question_set=question_set)
    session, _ = start_assignment(assignment=assignment, user=candidate)

    page = new_context().new_page()
    log_in(page.context, candidate)
    open_session(page, session)
    card = page.locator("#session-card")
    expect(card).to_contain_text("Question 1 of 1")
    wait_for_python(card)

    # A slip, typed by keyboard; Ctrl+Enter runs the examples, and only them.
    type_code(page, card, WRONG_SOLUTION)
    page.keyboard.press("ControlOrMeta+Enter")
    expect(runner_status(card)).to_have_text("Examples: 1 of 2 tests passed.")
    results = results_of(card)
    expect(results.get_by_role("heading")).to_have_text("Examples: 1 of 2 passed")
    expect(results.locator(".test-name")).to_have_text(list(EXAMPLES))
    failing = result_named(results, "adds 0 and 1")
    expect(failing.locator(".badge")).to_have_text("Failed")
    expect(failing.locator(".test-message")).to_contain_text("expected: 1")
    expect(failing.locator(".test-message")).to_contain_text("actual:   0")
    expect(result_named(results, "adds 1 and 1").locator(".badge")).to_have_text("Passed")

    # The fix: the old results are marked stale as soon as the code changes.
    type_code(page, card, RIGHT_SOLUTION)
    expect(results).to_have_class(re.compile(r"\bis-stale\b"))
    expect(results).to_contain_text("Your code has changed since these results: run it again.")
    page.keyboard.press("ControlOrMeta+Enter")
    expect(runner_status(card)).to_have_text("Examples: 2 of 2 tests passed.")
    expect(results).not_to_have_class(re.compile(r"\bis-stale\b"))

    # Ctrl+Shift+Enter submits: every test runs, the results are stored, the card shows them.
    page.keyboard.press("ControlOrMeta+Shift+Enter")
    stored = card.locator(".test-results")
    expect(stored.get_by_role("heading")).to_have_text("Your submission: 5 of 5 passed")
    expect(stored.locator(".test-name")).to_have_text([*EXAMPLES, *HIDDEN])
    expect(card.locator(".your-code")).to_have_text(RIGHT_SOLUTION)
    expect(card.get_by_role("heading", name="Model answer")).to_be_visible()
    expect(card.locator(".model-answer .code-block")).to_contain_text("return a + b")
    expect(card.get_by_role("button", name=re.compile("^Good"))).to_have_class(
        re.compile(r"\bgrade-suggested\b")
    )
    expect(card.locator(".suggestion")).to_contain_text("Every test passed, so Good is suggested")

    wait_for_swap_to_settle(page)
    page.keyboard.press("3")
    expect(page).to_have_url(re.compile(rf"/practice/{session.pk}/summary/$"))
    summary_item = page.locator(".summary-item").filter(has_text="Add two numbers")
    expect(summary_item).to_contain_text("5 of 5 tests passed")
    expect(summary_item).to_contain_text("Graded Good")
    expect(summary_item.locator(".your-code")).to_have_text(RIGHT_SOLUTION)

    # The mentor finds the submission, with where it ran, and runs it in their own browser.
    mentor_page = new_context().new_page()
    log_in(mentor_page.context, mentor)
    mentor_page.goto(f"/mentor/mentees/{candidate.pk}/")
    answer = mentor_page.locator(".answer").filter(has_text="Add two numbers")
    expect(answer.locator(".your-code")).to_have_text(RIGHT_SOLUTION)
    expect(answer.locator(".test-results").first.get_by_role("heading")).to_have_text(
        "Tests: 5 of 5 passed"
    )
    expect(answer).to_contain_text("the code ran there, not on Prep's servers")
    wait_for_python(answer)
    answer.get_by_role("button", name="Run it again in my browser").click()
    expect(runner_status(answer)).to_have_text("Run in your browser: 5 of 5 tests passed.")
    expect(results_of(answer).get_by_role("heading")).to_have_text(
        "Run in your browser: 5 of 5 passed"
    )


def test_an_endless_loop_is_stopped_at_the_time_limit_and_the_runner_starts_again(page, log_in):
    question = coding_question(title="Add, slowly", time_limit=2)
    study_session_on(page, log_in, question)
    card = page.locator("#session-card")
    wait_for_python(card)

    type_code(page, card, "def add(a, b):\n    while True:\n        pass")
    started = time.monotonic()
    page.keyboard.press("ControlOrMeta+Enter")
    # The page's own thread is free while Python loops in the worker: it runs this script and
    # moves the focus while the run is still going.
    during_run = page.evaluate(
        """() => {
            const button = document.querySelector(".session-end button");
            button.focus();
            return {
                focused: document.activeElement === button,
                status: document.querySelector("[data-runner-status]").textContent,
            };
        }"""
    )
    assert during_run == {"focused": True, "status": "Running the examples…"}

    message = results_of(card).locator(".run-message")
    expect(message).to_have_text(
        "The run took longer than 2 s and was stopped in the test “adds 0 and 1”.",
        timeout=(2 + 10) * 1000,
    )
    assert time.monotonic() - started < 2 + 10
    results = results_of(card)
    expect(result_named(results, "adds 0 and 1").locator(".badge")).to_have_text("Timed out")
    expect(result_named(results, "adds 0 and 1").locator(".test-message")).to_contain_text(
        "Stopped after 2 s"
    )
    expect(result_named(results, "adds 1 and 1").locator(".test-message")).to_have_text(
        "Not run: the run stopped at the time limit."
    )

    # A fresh Python starts; the runner is usable again.
    wait_for_python(card)
    type_code(page, card, RIGHT_SOLUTION)
    page.keyboard.press("ControlOrMeta+Enter")
    expect(runner_status(card)).to_have_text("Examples: 2 of 2 tests passed.")


def test_a_syntax_error_is_shown_at_its_line_and_no_test_runs(page, log_in):
    study_session_on(page, log_in, coding_question(title="Add, carelessly"))
    card = page.locator("#session-card")
    wait_for_python(card)

    paste_code(page, card, "def add(a, b):\n    total = a +\n    return total")
    page.keyboard.press("ControlOrMeta+Enter")

    message = results_of(card).locator(".run-message")
    expect(message).to_contain_text("line 2")
    expect(message).to_contain_text("total = a +")
    expect(message).to_contain_text("SyntaxError")
    tests = results_of(card).locator("li.test")
    expect(tests).to_have_count(len(EXAMPLES))
    for name in EXAMPLES:
        result = result_named(results_of(card), name)
        expect(result.locator(".badge")).to_have_text("Error")
        expect(result.locator(".test-message")).to_contain_text(
            "Not run: your code does not compile"
        )
    expect(runner_status(card)).to_have_text("Examples: 0 of 2 tests passed.")


def test_input_says_the_exercise_reads_none_and_a_huge_print_is_truncated(page, log_in):
    study_session_on(page, log_in, coding_question(title="Add, chattily"))
    card = page.locator("#session-card")
    wait_for_python(card)

    type_code(page, card, "def add(a, b):\n    return int(input())")
    page.keyboard.press("ControlOrMeta+Enter")
    first = result_named(results_of(card), "adds 0 and 1")
    expect(first.locator(".badge")).to_have_text("Error")
    expect(first.locator(".test-message")).to_contain_text("This exercise reads no input")

    type_code(page, card, 'def add(a, b):\n    print("x" * 100000)\n    return a + b')
    page.keyboard.press("ControlOrMeta+Enter")
    expect(runner_status(card)).to_have_text("Examples: 2 of 2 tests passed.")
    output = result_named(results_of(card), "adds 0 and 1").locator(".test-output")
    expect(output.locator("summary")).to_have_text("Output (truncated)")
    output.locator("summary").click()
    expect(output).to_contain_text("Output truncated: only the start is shown.")
    shown = output.locator("pre").inner_text()
    assert set(shown.strip()) == {"x"} and 1_000 < len(shown) < 100_000, len(shown)


def test_code_in_the_editor_cannot_call_the_site_with_the_candidates_cookies(
    page, log_in, console_problems, server_requests
):
    session = study_session_on(page, log_in, coding_question(title="Add, nosily"))
    card = page.locator("#session-card")
    wait_for_python(card)

    paste_code(
        page,
        card,
        "from js import XMLHttpRequest, location\n"
        "def add(a, b):\n"
        "    request = XMLHttpRequest.new()\n"
        '    request.open("GET", location.origin + "/dashboard/", False)\n'
        "    request.send()\n"
        "    return request.status",
    )
    page.keyboard.press("ControlOrMeta+Enter")

    expect(runner_status(card)).to_have_text("Examples: 0 of 2 tests passed.")
    for name in EXAMPLES:
        result = result_named(results_of(card), name)
        expect(result.locator(".badge")).to_have_text("Error")
        expect(result.locator(".test-message")).to_contain_text(
            "NetworkError: Failed to execute 'send' on 'XMLHttpRequest'"
        )
        expect(result.locator(".test-message")).to_contain_text("/dashboard/")
    # The server never saw the request: it saw the page and the worker's own downloads.
    assert f"/practice/{session.pk}/" in server_requests.paths
    assert any(path.endswith("/pyodide.asm.wasm") for path in server_requests.paths)
    assert "/dashboard/" not in server_requests.paths, server_requests.paths
    # Should the worker's "Refused to connect" reach the page's console (today it does not),
    # it is the refusal this test is about, not a problem of the page.
    refusals = [p for p in console_problems if "Refused to connect" in p and "/dashboard/" in p]
    for refusal in refusals:
        console_problems.remove(refusal)


def test_without_javascript_the_coding_card_is_a_textarea_and_self_graded(new_context, log_in):
    question = coding_question(title="Add, plainly", answer="Return a + b.")
    candidate = UserFactory()
    session = start_session_with_questions(user=candidate, mode="study", questions=[question])
    context = new_context(java_script_enabled=False)
    log_in(context, candidate)
    page = context.new_page()
    page.goto(f"/practice/{session.pk}/")
    card = page.locator("#session-card")

    expect(card.get_by_role("textbox", name="Your code")).to_have_value(question.starter_code)
    expect(card.locator("[data-code-runner]")).to_be_hidden()
    for name in ("Run examples", "Submit"):
        expect(card.get_by_role("button", name=re.compile(f"^{name}"))).to_have_count(0)

    card.get_by_role("textbox", name="Your code").fill(RIGHT_SOLUTION)
    card.get_by_role("button", name=re.compile("^Give up and show the solution")).click()
    expect(card.get_by_role("heading", name="Model answer")).to_be_visible()
    expect(card.locator(".your-code")).to_have_text(RIGHT_SOLUTION)
    card.get_by_role("button", name=re.compile("^Good")).click()

    expect(page).to_have_url(re.compile(rf"/practice/{session.pk}/summary/$"))
    expect(page.locator(".summary-item")).to_contain_text("Graded Good")


def test_a_mock_interview_runs_code_submits_it_and_moves_on_without_showing_the_solution(
    page, log_in
):
    coding = coding_question(
        title="Add in an interview",
        answer="The model answer: return the sum.",
        solution_code="def add(a, b):\n    return a + b  # the plus operator sums\n",
    )
    concept = QuestionFactory(title="What is a closure?", topic=coding.topic)
    candidate = UserFactory()
    session = start_session_with_questions(
        user=candidate, mode="mock", questions=[coding, concept], time_limit_minutes=30
    )
    log_in(page.context, candidate)
    open_session(page, session)
    card = page.locator("#session-card")
    expect(card).to_contain_text("Question 1 of 2")
    wait_for_python(card)

    type_code(page, card, RIGHT_SOLUTION)
    card.get_by_role("button", name=re.compile("^Run examples")).click()
    expect(runner_status(card)).to_have_text("Examples: 2 of 2 tests passed.")
    expect(page.get_by_text("the plus operator sums")).to_have_count(0)
    expect(page.get_by_text("The model answer: return the sum.")).to_have_count(0)

    card.get_by_role("button", name=re.compile("^Submit and continue")).click()
    expect(card).to_contain_text("Question 2 of 2")
    expect(card.get_by_role("heading", name="What is a closure?")).to_be_visible()
    wait_for_swap_to_settle(page)
    item = SessionItem.objects.get(session=session, question=coding)
    assert item.is_answered
    assert item.response == RIGHT_SOLUTION
    assert [r["status"] for r in item.test_results] == ["pass"] * 5
    expect(page.get_by_text("the plus operator sums")).to_have_count(0)
    expect(page.get_by_text("The model answer: return the sum.")).to_have_count(0)

    card.get_by_label("Your answer").fill("A function that keeps its enclosing variables.")
    card.get_by_role("button", name="Submit answer and continue").click()
    expect(card.get_by_role("heading", name="Score your interview")).to_be_visible()
    expect(card).to_contain_text("The model answer: return the sum.")


def test_the_plain_mock_answer_button_steps_back_while_python_can_run(page, log_in):
    """`hidden` must win over the buttons' own display rule."""
    candidate = UserFactory()
    session = start_session_with_questions(
        user=candidate,
        mode="mock",
        questions=[coding_question(title="Add in an interview")],
        time_limit_minutes=30,
    )
    log_in(page.context, candidate)
    open_session(page, session)
    card = page.locator("#session-card")
    wait_for_python(card)

    # Submit runs the tests and sends the answer; the plain button would skip the tests.
    expect(card.get_by_role("button", name=re.compile("^Submit and continue"))).to_be_visible()
    # (It follows the runner's state at once: no need for the long default wait.)
    expect(card.get_by_role("button", name="Submit answer and continue")).to_be_hidden(
        timeout=5_000
    )


def test_the_study_card_with_the_editor_and_results_has_no_serious_axe_violation(page, log_in):
    study_session_on(page, log_in, coding_question(title="Add, accessibly"))
    card = page.locator("#session-card")
    wait_for_python(card)
    type_code(page, card, WRONG_SOLUTION)
    page.keyboard.press("ControlOrMeta+Enter")
    expect(runner_status(card)).to_have_text("Examples: 1 of 2 tests passed.")
    results_of(card).locator(".test-code summary").first.click()

    label = "study card with the code editor and test results"
    check_accessibility(page, label, schemes=("light",))
    # The editor's theme follows a change of colour scheme at the next rendering step (media
    # query changes are reported before animation frames run); check_accessibility would look
    # at once, and find the light editor on the dark page. (A second at most, should the page
    # draw no frame.)
    page.emulate_media(color_scheme="dark")
    page.evaluate(
        """() => new Promise((done) => {
            requestAnimationFrame(() => requestAnimationFrame(done));
            setTimeout(done, 1000);
        })"""
    )
    check_accessibility(page, label, schemes=("dark",))


def test_one_runner_serves_every_card_of_a_session(page, log_in):
    workers = []
    page.on("worker", lambda worker: workers.append(worker.url))
    study_session_on(
        page,
        log_in,
        coding_question(title="Add, first card"),
        coding_question(title="Add, second card"),
    )
    card = page.locator("#session-card")
    wait_for_python(card)
    type_code(page, card, RIGHT_SOLUTION)
    page.keyboard.press("ControlOrMeta+Shift+Enter")
    expect(card.locator(".test-results").get_by_role("heading")).to_have_text(
        "Your submission: 5 of 5 passed"
    )
    wait_for_swap_to_settle(page)
    page.keyboard.press("3")

    expect(card).to_contain_text("Question 2 of 2")
    wait_for_swap_to_settle(page)
    # Ready at once: the first card's Python, not a new download and start.
    wait_for_python(card, timeout=2_000)
    expect(editor_of(card)).to_be_visible()
    assert workers == [page.url.split("/practice/")[0] + "/runner/worker.js"]


def test_a_coding_card_swapped_in_by_htmx_runs_its_own_examples(page, log_in):
    """htmx drops every <script> of a swapped-in card: the tests must not travel in one."""
    study_session_on(
        page,
        log_in,
        QuestionFactory(title="A concept first"),
        coding_question(title="Add, after a concept"),
    )
    card = page.locator("#session-card")
    page.keyboard.press("Space")
    expect(card.get_by_role("heading", name="Model answer")).to_be_visible()
    wait_for_swap_to_settle(page)
    page.keyboard.press("3")
    expect(card.get_by_role("heading", name="Add, after a concept")).to_be_visible()
    wait_for_python(card)

    type_code(page, card, RIGHT_SOLUTION)
    page.keyboard.press("ControlOrMeta+Enter")
    # Two small tests take milliseconds: no need for the long default wait.
    expect(runner_status(card)).to_have_text("Examples: 2 of 2 tests passed.", timeout=5_000)


def test_typing_over_all_the_code_replaces_it_within_the_pages_policy(
    page, log_in, console_problems
):
    """Typing over a selection of several lines used to be left to Chrome's contentEditable,
    which wrote a style attribute that the policy refused, and could leave a stray newline."""
    study_session_on(page, log_in, coding_question(title="Add, quickly"))
    card = page.locator("#session-card")
    expect(editor_of(card)).to_be_visible()

    for code in (WRONG_SOLUTION, RIGHT_SOLUTION, WRONG_SOLUTION):
        select_all_code(page, card)
        page.keyboard.type("\n".join(line.lstrip() for line in code.split("\n")))
        expect(card.locator("textarea#id_response")).to_have_value(code)
    # The console watcher fails the test at teardown on a refused inline style too; this says
    # so where it happens.
    assert not [p for p in console_problems if "inline style" in p], list(console_problems)
