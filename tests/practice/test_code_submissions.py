"""Submit on a coding card: the code and the per-test results from the candidate's browser.

The server checks the results' shape and size, stores them as the browser's word, and refuses
what does not fit (another user's item, a finished session, a closed mock interview) with a
clear message and nothing stored. Both paths are tested: htmx (the card fragment) and plain
forms (post/redirect/get).
"""

import html
import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from practice.models import MOCK_GRACE, Mode, PracticeSession, Rating, ReviewCard, SessionItem
from practice.services import (
    start_session_with_questions,
)
from practice.views import FINISHED_NOTICE, TIME_UP_NOTICE
from questions.models import Kind
from tests.factories import (
    ADD_SOLUTION,
    ADD_STARTER,
    CodeTestFactory,
    QuestionFactory,
    coding_question,
)
from tests.practice.conftest import session_with

# Fails the last two tests (adds 3 and 1, adds 4 and 1), both hidden.
FAILING_CODE = "def add(a, b):\n    return a + b if a < 3 else 0\n"
ALREADY_RECORDED = "That answer was already recorded: nothing changed."
NO_TESTS = "This question has no tests to run."


@pytest.fixture
def question(db):
    """Add two numbers: 2 visible and 3 hidden tests."""
    return coding_question(title="Add two numbers", answer="Return **a + b**.")


@pytest.fixture
def session(candidate, question):
    """A study session: the coding question, then a concept question (so that grading the
    first does not finish the session)."""
    return session_with(candidate, [question, QuestionFactory(title="What is a closure?")])


@pytest.fixture
def item(session):
    return session.items.get(position=1)


@pytest.fixture
def mock(candidate, question):
    return session_with(
        candidate,
        [question, QuestionFactory(title="Explain the GIL")],
        mode=Mode.MOCK,
        time_limit_minutes=30,
    )


class Bystander:
    """Another candidate with open sessions on the same question, one holding a submission:
    no write of ours may touch their rows."""

    def __init__(self, user, question):
        self.user = user
        study = session_with(user, [question, QuestionFactory()])
        study.items.get(position=1).record_submission(
            code=FAILING_CODE,
            results=browser_results(question, failing=[4]),
        )
        session_with(user, [question], mode=Mode.MOCK, time_limit_minutes=30)
        self.before = self.rows()

    def rows(self) -> dict:
        return {
            "sessions": list(
                PracticeSession.objects.filter(user=self.user).order_by("pk").values()
            ),
            "items": list(
                SessionItem.objects.filter(session__user=self.user).order_by("pk").values()
            ),
            "cards": list(ReviewCard.objects.filter(user=self.user).order_by("pk").values()),
        }

    def assert_untouched(self) -> None:
        assert self.rows() == self.before


@pytest.fixture
def bystander(other_candidate, question):
    return Bystander(other_candidate, question)


def browser_results(question, *, failing=()) -> list[dict]:
    """What the browser posts after running every test: the harness's results without their
    test code (static/js/code-card.js leaves it out). The tests at indexes `failing` failed."""
    results = []
    for index, test in enumerate(question.tests.all()):
        failed = index in failing
        results.append(
            {
                "name": test.name,
                "status": "fail" if failed else "pass",
                "message": f"assert {test.name}\n  expected: 5\n  actual:   0" if failed else "",
                "output": "",
                "output_truncated": False,
                "duration_ms": 0.4,
            }
        )
    return results


def _url(session, item) -> str:
    return reverse("practice:submit_code", args=[session.pk, item.pk])


def _page(session) -> str:
    return reverse("practice:session", args=[session.pk])


def _post(client, session, item, *, code=ADD_SOLUTION, results=None, **kwargs):
    """Submit `code` with `results` (by default: every test of the item's question passed)."""
    if results is None:
        results = browser_results(item.question)
    data = {"code": code, "results": results if isinstance(results, str) else json.dumps(results)}
    return client.post(_url(session, item), data, **kwargs)


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _row(item) -> dict:
    return SessionItem.objects.values().get(pk=item.pk)


def _session_row(session) -> dict:
    return PracticeSession.objects.values().get(pk=session.pk)


def _stored_results(question, *, failing=()) -> list[dict]:
    """The results as the server stores them: in the tests' order, with the server's code."""
    return [
        {**result, "test_code": test.code}
        for result, test in zip(
            browser_results(question, failing=failing), question.tests.all(), strict=True
        )
    ]


# --- a Submit that passed every test -------------------------------------------------------------


def test_a_passing_submit_with_htmx_stores_it_and_shows_the_solution(
    candidate_client, session, item, question, htmx_headers, bystander
):
    before = timezone.now()

    response = _post(candidate_client, session, item, headers=htmx_headers)

    page = _text(response)
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="session-card"') and "<html" not in page
    assert "Model answer" in page and html.unescape(question.solution_code_html) in page
    assert "Every test passed, so Good is suggested" in re.sub(r"</?strong>", "", page)
    assert "grade-good grade-suggested" in page
    assert "Your submission: 5 of 5 passed" in page and "Ran in your browser." in page
    assert 'name="rating" value="3"' in page  # the grade form
    assert "data-code-runner" not in page  # no editor once the solution shows
    row = _row(item)
    assert row["response"] == ADD_SOLUTION
    assert row["test_results"] == _stored_results(question)
    assert before <= row["submitted_at"] <= timezone.now()
    assert row["revealed_at"] == row["submitted_at"]
    # Stored, shown, and waiting for the candidate's grade.
    assert row["answered_at"] is None and row["rating"] is None
    assert _session_row(session)["answered_count"] == 0
    assert not ReviewCard.objects.exists()
    bystander.assert_untouched()


def test_a_passing_submit_without_javascript_redirects_to_the_card_with_the_solution(
    candidate_client, session, item, question, bystander
):
    response = _post(candidate_client, session, item)

    assert response.status_code == 302 and response["Location"] == _page(session)
    page = _text(candidate_client.get(_page(session)))
    assert "Question 1 of 2" in page
    assert "Model answer" in page and html.unescape(question.solution_code_html) in page
    assert "Every test passed, so Good is suggested" in re.sub(r"</?strong>", "", page)
    assert "Your submission: 5 of 5 passed" in page
    row = _row(item)
    assert row["response"] == ADD_SOLUTION and row["test_results"] == _stored_results(question)
    assert row["submitted_at"] is not None and row["revealed_at"] is not None
    bystander.assert_untouched()


@pytest.mark.parametrize(
    ("rating", "is_correct"),
    [(Rating.HARD, True), (Rating.GOOD, True), (Rating.EASY, True), (Rating.AGAIN, False)],
)
def test_grading_after_a_passing_submit_uses_the_candidates_grade(
    candidate_client,
    candidate,
    session,
    item,
    question,
    htmx_headers,
    bystander,
    rating,
    is_correct,
):
    _post(candidate_client, session, item, headers=htmx_headers)

    response = candidate_client.post(
        reverse("practice:grade", args=[session.pk, item.pk]),
        {"rating": str(rating.value)},
        headers=htmx_headers,
    )

    assert "Question 2 of 2" in _text(response)
    row = _row(item)
    assert row["rating"] == rating and row["is_correct"] is is_correct
    assert row["answered_at"] is not None
    # The grade keeps the submission.
    assert row["response"] == ADD_SOLUTION and row["test_results"] == _stored_results(question)
    card = ReviewCard.objects.get(user=candidate, question=question)
    assert card.last_rating == rating and card.reps == 1
    assert _session_row(session)["answered_count"] == 1
    bystander.assert_untouched()


def test_a_practical_question_takes_a_submit_too(candidate_client, candidate, htmx_headers):
    question = coding_question(kind=Kind.PRACTICAL)
    session = session_with(candidate, [question])
    item = session.items.get()

    response = _post(candidate_client, session, item, headers=htmx_headers)

    assert "Your submission: 5 of 5 passed" in _text(response)
    assert _row(item)["test_results"] == _stored_results(question)


def test_output_that_cannot_be_stored_as_it_is_is_kept_with_replacement_characters(
    candidate_client, session, item, question, htmx_headers
):
    # A program may print NUL or a lone surrogate; JSON carries both, PostgreSQL's jsonb
    # refuses NUL and UTF-8 cannot encode a lone surrogate.
    raw = json.dumps(browser_results(question, failing=[0]))
    raw = raw.replace('"output": ""', r'"output": "a\u0000b\ud800c"', 1)

    response = candidate_client.post(
        _url(session, item), {"code": FAILING_CODE, "results": raw}, headers=htmx_headers
    )

    assert response.status_code == 200
    assert _row(item)["test_results"][0]["output"] == "a\ufffdb\ufffdc"
    assert candidate_client.get(_page(session)).status_code == 200


# --- a Submit with failing tests -----------------------------------------------------------------


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_a_failing_submit_is_stored_and_the_editor_comes_back_with_the_results(
    candidate_client, session, item, question, htmx_headers, bystander, htmx
):
    results = browser_results(question, failing=[3, 4])
    headers = htmx_headers if htmx else {}

    response = _post(
        candidate_client, session, item, code=FAILING_CODE, results=results, headers=headers
    )

    if htmx:
        assert response.status_code == 200
        page = _text(response)
        assert page.lstrip().startswith('<div id="session-card"')
    else:
        assert response.status_code == 302 and response["Location"] == _page(session)
        page = _text(candidate_client.get(_page(session)))
    assert "Model answer" not in page and html.unescape(question.solution_code_html) not in page
    assert "Your last submission: 3 of 5 passed" in page
    assert "assert adds 3 and 1\n  expected: 5\n  actual:   0" in page
    assert "data-code-runner" in page
    textarea = re.search(r'<textarea id="id_response"[^>]*>(.*?)</textarea>', page, re.S)
    assert textarea and textarea.group(1) == FAILING_CODE
    row = _row(item)
    assert row["response"] == FAILING_CODE
    assert row["test_results"] == _stored_results(question, failing=[3, 4])
    assert row["submitted_at"] is not None
    assert row["revealed_at"] is None and row["answered_at"] is None
    bystander.assert_untouched()


def test_giving_up_after_a_failing_submit_suggests_again(
    candidate_client, session, item, question, htmx_headers
):
    _post(
        candidate_client,
        session,
        item,
        code=FAILING_CODE,
        results=browser_results(question, failing=[0]),
    )

    response = candidate_client.post(
        reverse("practice:reveal", args=[session.pk, item.pk]),
        {"response": FAILING_CODE},
        headers=htmx_headers,
    )

    page = _text(response)
    assert "Model answer" in page and "Your submission: 4 of 5 passed" in page
    assert "Not every test passed, so Again is suggested" in re.sub(r"</?strong>", "", page)
    assert "grade-again grade-suggested" in page


# --- bad payloads ----------------------------------------------------------------------------


BAD_PAYLOADS = {
    "no code": ({"code": ""}, "There is no code to submit."),
    "blank code": ({"code": "  \n\t"}, "There is no code to submit."),
    "code with a NUL character": ({"code": "x = '\x00'"}, "Null characters are not allowed."),
    "code over 20 KB": ({"code": "#" * (20 * 1024 + 1)}, "The code is over 20 KB: shorten it."),
    "no results": ({"results": ""}, "The test results are missing: run them again."),
    "results not JSON": (
        {"results": "{not json"},
        "The test results could not be read: run the tests again.",
    ),
    "results not a list": ({"results": '{"status": "pass"}'}, "The test results are missing"),
    "no result": ({"results": "[]"}, "The test results are missing: run the tests again."),
    "over 200 results": (
        {"results": lambda question: [{"name": f"t{n}", "status": "pass"} for n in range(201)]},
        "More than 200 test results were sent.",
    ),
    "a test missing": (
        {"results": lambda question: browser_results(question)[:4]},
        "The results do not match this question's tests",
    ),
    "a test of another question": (
        {"results": lambda question: [*browser_results(question), {"name": "x", "status": "pass"}]},
        "The results do not match this question's tests",
    ),
    "an unknown status": (
        {"results": lambda question: [{**browser_results(question)[0], "status": "ok"}]},
        "Result 1: unknown status.",
    ),
    "the browser's own test code": (
        {"results": lambda question: [{**browser_results(question)[0], "test_code": "pass"}]},
        "Result 1 is not a test result.",
    ),
    "a message over 4000 characters": (
        {"results": lambda question: [{**browser_results(question)[0], "message": "m" * 4001}]},
        "Result 1: 'message' is over 4000 characters.",
    ),
    "a duration that is a boolean": (
        {"results": lambda question: [{**browser_results(question)[0], "duration_ms": True}]},
        "Result 1: 'duration_ms' must be a number of milliseconds.",
    ),
}


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
@pytest.mark.parametrize("payload", BAD_PAYLOADS.values(), ids=BAD_PAYLOADS.keys())
def test_a_bad_payload_is_refused_with_a_clear_notice_and_nothing_stored(
    candidate_client, session, item, question, htmx_headers, bystander, payload, htmx
):
    change, message = payload
    data = {"code": ADD_SOLUTION, "results": json.dumps(browser_results(question)), **change}
    if callable(data["results"]):
        data["results"] = json.dumps(data["results"](question))
    before, session_before = _row(item), _session_row(session)

    if htmx:
        response = candidate_client.post(_url(session, item), data, headers=htmx_headers)
        assert response.status_code == 200
    else:
        response = candidate_client.post(_url(session, item), data)
        assert response.status_code == 302 and response["Location"] == _page(session)
        response = candidate_client.get(response["Location"])

    assert f"Nothing was saved: {message}" in _text(response)
    assert _row(item) == before and _session_row(session) == session_before
    bystander.assert_untouched()


# --- what is not the candidate's, or no longer open ----------------------------------------------


@pytest.mark.parametrize("whose", ["their session", "their item in our session", "our item"])
def test_another_users_session_or_item_is_a_404_and_nothing_is_stored(
    client, candidate, other_candidate, session, item, bystander, whose
):
    theirs = PracticeSession.objects.filter(user=other_candidate, mode=Mode.STUDY).get()
    their_item = theirs.items.get(position=1)
    if whose == "their session":  # we post to the bystander's session and item
        client.force_login(candidate)
        target_session, target_item = theirs, their_item
    elif whose == "their item in our session":
        client.force_login(candidate)
        target_session, target_item = session, their_item
    else:  # the bystander posts to our session and item
        client.force_login(other_candidate)
        target_session, target_item = session, item
    before = _row(item)

    response = _post(client, target_session, target_item)

    assert response.status_code == 404
    assert _row(item) == before
    bystander.assert_untouched()


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_a_finished_session_refuses_a_submit_and_stores_nothing(
    candidate_client, session, item, htmx_headers, bystander, htmx
):
    session.finish()
    before, session_before = _row(item), _session_row(session)

    if htmx:
        response = _post(candidate_client, session, item, headers=htmx_headers)
        assert response["HX-Redirect"] == reverse("practice:summary", args=[session.pk])
        page = _text(candidate_client.get(response["HX-Redirect"]))
    else:
        response = _post(candidate_client, session, item, follow=True)
        assert response.redirect_chain[-1][0] == reverse("practice:summary", args=[session.pk])
        page = _text(response)

    assert FINISHED_NOTICE in page
    assert _row(item) == before and _session_row(session) == session_before
    bystander.assert_untouched()


def _close(mock, how: str) -> None:
    if how == "ended":
        PracticeSession.objects.filter(pk=mock.pk).update(closed_at=timezone.now())
    else:  # past the deadline and its grace
        started = timezone.now() - timedelta(minutes=30) - MOCK_GRACE - timedelta(seconds=5)
        PracticeSession.objects.filter(pk=mock.pk).update(started_at=started)


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
@pytest.mark.parametrize("how", ["ended", "past its deadline"])
def test_a_closed_mock_interview_refuses_a_submit_and_stores_nothing(
    candidate_client, mock, htmx_headers, bystander, how, htmx
):
    item = mock.items.get(position=1)
    _close(mock, how)
    before, session_before = _row(item), _session_row(mock)

    if htmx:
        response = _post(candidate_client, mock, item, headers=htmx_headers)
    else:
        response = _post(candidate_client, mock, item, follow=True)

    page = _text(response)
    assert TIME_UP_NOTICE in page
    assert "Score your interview" in page
    assert _row(item) == before and _session_row(mock) == session_before
    bystander.assert_untouched()


def test_a_mock_submit_sent_within_the_grace_after_the_deadline_is_kept(candidate_client, mock):
    started = timezone.now() - timedelta(minutes=30) - MOCK_GRACE + timedelta(seconds=10)
    PracticeSession.objects.filter(pk=mock.pk).update(started_at=started)
    item = mock.items.get(position=1)

    _post(candidate_client, mock, item)

    assert _row(item)["answered_at"] is not None


# --- mock interviews -----------------------------------------------------------------------------


@pytest.mark.parametrize("failing", [(), (1, 4)], ids=["all passed", "some failed"])
def test_a_mock_submit_records_the_answer_and_moves_on_without_the_model_answer(
    candidate_client, mock, question, htmx_headers, bystander, failing
):
    item = mock.items.get(position=1)
    results = browser_results(question, failing=failing)

    response = _post(candidate_client, mock, item, results=results, headers=htmx_headers)

    page = _text(response)
    assert "Question 2 of 2" in page and "Explain the GIL" in page
    assert "Model answer" not in page and html.unescape(question.solution_code_html) not in page
    assert "Return a + b." not in re.sub(r"</?strong>", "", page)
    assert "Good is suggested" not in re.sub(r"</?strong>", "", page)
    row = _row(item)
    assert row["answered_at"] is not None and row["submitted_at"] == row["answered_at"]
    assert row["response"] == ADD_SOLUTION
    assert row["test_results"] == _stored_results(question, failing=failing)
    assert row["revealed_at"] is None and row["time_spent"] is not None
    assert row["rating"] is None and row["score"] is None  # scored at the end
    assert _session_row(mock)["answered_count"] == 1
    assert not ReviewCard.objects.exists()  # scheduled when the interview is scored
    bystander.assert_untouched()


def test_a_mock_submit_without_javascript_redirects_to_the_next_question(
    candidate_client, mock, question
):
    item = mock.items.get(position=1)

    response = _post(candidate_client, mock, item)

    assert response.status_code == 302 and response["Location"] == _page(mock)
    page = _text(candidate_client.get(_page(mock)))
    assert "Question 2 of 2" in page and "Model answer" not in page
    assert _row(item)["answered_at"] is not None


def test_a_mock_coding_card_has_the_runner_and_hides_the_solution(candidate_client, mock, question):
    page = _text(candidate_client.get(_page(mock)))

    assert "data-code-runner" in page and "Submit and continue" in page
    assert reverse("practice:submit_code", args=[mock.pk, mock.items.get(position=1).pk]) in page
    assert "Model answer" not in page and html.unescape(question.solution_code_html) not in page


def test_a_double_submit_in_a_mock_interview_records_once(
    candidate_client, mock, htmx_headers, question
):
    item = mock.items.get(position=1)
    _post(candidate_client, mock, item)
    after_first = _row(item)

    response = _post(
        candidate_client,
        mock,
        item,
        code=FAILING_CODE,
        results=browser_results(question, failing=[0]),
        headers=htmx_headers,
    )

    assert ALREADY_RECORDED in _text(response)
    assert _row(item) == after_first
    assert _session_row(mock)["answered_count"] == 1


# --- double posts and answered items -------------------------------------------------------------


def test_a_second_identical_submit_after_grading_is_already_recorded(
    candidate_client, candidate, session, item, htmx_headers, bystander
):
    _post(candidate_client, session, item, headers=htmx_headers)
    candidate_client.post(reverse("practice:grade", args=[session.pk, item.pk]), {"rating": "3"})
    after_grade, session_after_grade = _row(item), _session_row(session)
    card = ReviewCard.objects.values().get(user=candidate)

    response = _post(candidate_client, session, item, headers=htmx_headers)

    assert ALREADY_RECORDED in _text(response)
    response = _post(candidate_client, session, item, follow=True)
    assert ALREADY_RECORDED in _text(response)
    assert _row(item) == after_grade and _session_row(session) == session_after_grade
    assert ReviewCard.objects.values().get(user=candidate) == card
    bystander.assert_untouched()


def test_two_submits_before_grading_keep_the_latest(
    candidate_client, session, item, question, htmx_headers, bystander
):
    _post(
        candidate_client,
        session,
        item,
        code=FAILING_CODE,
        results=browser_results(question, failing=[4]),
        headers=htmx_headers,
    )
    first = _row(item)

    response = _post(candidate_client, session, item, headers=htmx_headers)

    assert "Your submission: 5 of 5 passed" in _text(response)
    row = _row(item)
    assert row["response"] == ADD_SOLUTION
    assert row["test_results"] == _stored_results(question)
    assert row["submitted_at"] > first["submitted_at"]
    assert row["revealed_at"] == row["submitted_at"]
    assert row["answered_at"] is None
    assert _session_row(session)["answered_count"] == 0
    assert not ReviewCard.objects.exists()
    bystander.assert_untouched()


def test_an_identical_double_submit_before_grading_stores_one_submission(
    candidate_client, session, item, question, htmx_headers
):
    _post(candidate_client, session, item, headers=htmx_headers)
    first = _row(item)

    _post(candidate_client, session, item, headers=htmx_headers)

    row = _row(item)
    assert row["test_results"] == first["test_results"] and row["response"] == first["response"]
    assert row["revealed_at"] == first["revealed_at"]  # revealed once, at the first pass
    assert row["answered_at"] is None and not ReviewCard.objects.exists()


def test_a_submit_on_an_answered_item_changes_nothing(
    candidate_client, session, item, htmx_headers, bystander
):
    item.record_grade(rating=Rating.AGAIN, response="I gave up")  # graded without a Submit
    before, session_before = _row(item), _session_row(session)

    response = _post(candidate_client, session, item, headers=htmx_headers)

    assert ALREADY_RECORDED in _text(response)
    assert _row(item) == before and _session_row(session) == session_before
    assert before["test_results"] is None and before["response"] == "I gave up"
    bystander.assert_untouched()


# --- questions with nothing to run, and the request itself ---------------------------------------


def _no_tests():
    return coding_question(visible=0, hidden=0)


def _not_in_the_browser():
    return coding_question(runs_in_browser=False)


def _concept_with_tests():
    question = QuestionFactory(kind=Kind.CONCEPT)
    CodeTestFactory(question=question, name="a test it should not have")
    return question


@pytest.mark.parametrize(
    "make_question",
    [_no_tests, _not_in_the_browser, _concept_with_tests],
    ids=["no tests", "runs_in_browser off", "a concept question"],
)
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_a_question_without_tests_to_run_refuses_a_submit(
    candidate_client, candidate, htmx_headers, bystander, make_question, htmx
):
    question = make_question()
    session = session_with(candidate, [question])
    item = session.items.get()
    before = _row(item)
    results = [{"name": test.name, "status": "pass"} for test in question.tests.all()]

    if htmx:
        response = _post(
            candidate_client, session, item, results=results or "[]", headers=htmx_headers
        )
    else:
        response = _post(candidate_client, session, item, results=results or "[]", follow=True)

    assert NO_TESTS in _text(response)
    assert _row(item) == before
    bystander.assert_untouched()


def test_a_get_is_refused(candidate_client, session, item):
    assert candidate_client.get(_url(session, item)).status_code == 405


def test_a_submit_needs_the_csrf_token(candidate, session, item, question, bystander):
    client = Client(enforce_csrf_checks=True)
    client.force_login(candidate)
    client.get(_page(session))  # sets the CSRF cookie
    before = _row(item)

    refused = _post(client, session, item)

    assert refused.status_code == 403
    assert _row(item) == before
    token = client.cookies["csrftoken"].value
    accepted = _post(client, session, item, headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert accepted.status_code == 200
    assert _row(item)["test_results"] == _stored_results(question)
    bystander.assert_untouched()


def test_a_submit_needs_a_signed_in_candidate(client, session, item):
    response = _post(client, session, item)

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert _row(item)["submitted_at"] is None


# --- the study card of a coding question ---------------------------------------------------------


def _examples_section(page: str) -> str:
    match = re.search(r'<section class="examples".*?</section>', page, re.S)
    assert match, "no examples section"
    return match.group(0)


def _runner_tests(page: str, item) -> dict:
    """The tests in the runner block's data-tests-json (an attribute: htmx drops <script>s from a
    swapped card)."""
    match = re.search(r'<div class="code-runner"[^>]*data-tests-json="([^"]*)"', page)
    assert match, "no runner tests"
    return json.loads(html.unescape(match.group(1)))


def test_the_study_card_shows_the_examples_editor_and_runner(
    candidate_client, session, item, question
):
    response = candidate_client.get(_page(session))

    page = response.content.decode()
    tests = list(question.tests.all())
    examples = _examples_section(page)
    for test in tests[:2]:
        assert test.name in examples and test.code_html in examples
    for test in tests[2:]:
        assert test.name not in examples  # hidden tests are not shown
    textarea = re.search(r'<textarea id="id_response"[^>]*>(.*?)</textarea>', page, re.S)
    assert textarea and html.unescape(textarea.group(1)) == ADD_STARTER
    assert 'class="code-input"' in textarea.group(0)
    runner = re.search(r"<div class=\"code-runner\" data-code-runner[^>]*>", page)
    assert runner, "no runner block"
    assert f'data-worker-url="{reverse("runner:worker")}"' in runner.group(0)
    assert "data-tests-json=" in runner.group(0)
    assert f'data-time-limit="{question.time_limit}"' in runner.group(0)
    assert _runner_tests(page, item) == {
        "visible": [{"name": test.name, "code": test.code} for test in tests[:2]],
        "all": [{"name": test.name, "code": test.code} for test in tests],
    }
    assert f'<form id="submit-code-{item.pk}" method="post" action="{_url(session, item)}"' in page
    assert "Give up and show the solution" in page
    assert "Model answer" not in page and question.solution_code_html not in page


def test_the_session_page_has_the_editors_nonce_and_the_card_script(candidate_client, session):
    response = candidate_client.get(_page(session))

    page = response.content.decode()
    nonce = re.search(r'<meta name="csp-nonce" content="([^"]+)">', page)
    assert nonce and f"'nonce-{nonce.group(1)}'" in response["Content-Security-Policy"]
    assert '<script type="module" src="/static/js/code-card.js"></script>' in page


def test_the_editor_keeps_the_last_submitted_code(candidate_client, session, item, question):
    item.record_submission(
        code="def add(a, b):\n    return b < a\n",
        results=browser_results(question, failing=[0]),
    )

    page = candidate_client.get(_page(session)).content.decode()

    textarea = re.search(r'<textarea id="id_response"[^>]*>(.*?)</textarea>', page, re.S)
    assert html.unescape(textarea.group(1)) == "def add(a, b):\n    return b < a\n"
    assert "Your last submission: 4 of 5 passed" in html.unescape(page)


@pytest.mark.parametrize(
    "make_question", [_no_tests, _not_in_the_browser], ids=["no tests", "runs_in_browser off"]
)
def test_a_coding_question_without_tests_to_run_has_the_plain_self_graded_card(
    candidate_client, candidate, make_question
):
    question = make_question()
    session = session_with(candidate, [question])

    page = candidate_client.get(_page(session)).content.decode()

    assert question.starter_code_html in page
    assert "Show answer" in page and "Give up" not in page
    assert "data-code-runner" not in page and "data-tests-json" not in page
    assert 'id="submit-code-' not in page and 'class="examples"' not in page
    assert "Your answer" in page


# --- queries -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("tests", "items"), [(3, 1), (30, 1), (3, 20)])
def test_the_session_page_queries_do_not_grow_with_tests_or_items(
    client, candidate, tests, items, django_assert_num_queries
):
    questions = [coding_question(visible=2, hidden=tests - 2) for _ in range(items)]
    session = session_with(candidate, questions)
    client.force_login(candidate)
    # 1 session, 2 user, 3 the first unanswered item with its practice session, question and
    # topic, 4 the question's tests, 5 unread feedback and 6 the user's roles (navigation).
    with django_assert_num_queries(6):
        response = client.get(_page(session))
    shown = _runner_tests(response.content.decode(), session.items.get(position=1))
    assert len(shown["all"]) == tests


@pytest.mark.parametrize("tests", [3, 30])
def test_the_submit_post_queries_do_not_grow_with_tests(
    client, candidate, tests, htmx_headers, django_assert_num_queries
):
    question = coding_question(visible=2, hidden=tests - 2)
    session = session_with(candidate, [question])
    item = session.items.get()
    client.force_login(candidate)
    data = {"code": ADD_SOLUTION, "results": json.dumps(browser_results(question))}
    # 1 session, 2 user, 3 the item with its practice session, question and topic, 4 the
    # question's tests; 5 savepoint, 6 lock the session, 7 store the submission (UPDATE ...
    # WHERE answered_at IS NULL), 8 release the savepoint; 9 the item again, as stored, 10 its
    # question's tests. (The fragment has no navigation, so no unread count.)
    with django_assert_num_queries(10):
        response = client.post(_url(session, item), data, headers=htmx_headers)
    assert "Your submission: " in response.content.decode()


def test_giving_up_after_a_submit_keeps_the_submitted_code_with_its_results(
    candidate_client, candidate
):
    question = coding_question()
    session = start_session_with_questions(
        user=candidate, mode=Mode.STUDY, questions=[question], filters={}
    )
    item = session.items.get()
    submitted = "def add(a, b):\n    return a - b"
    results = [
        {"name": t.name, "status": "fail", "message": "no", "output": "", "duration_ms": 1}
        for t in question.tests.all()
    ]
    candidate_client.post(
        reverse("practice:submit_code", args=[session.pk, item.pk]),
        {"code": submitted, "results": json.dumps(results)},
    )

    candidate_client.post(
        reverse("practice:reveal", args=[session.pk, item.pk]),
        {"response": "def add(a, b):\n    return 'never run'"},
    )

    item.refresh_from_db()
    assert item.is_revealed
    assert item.response == submitted
    assert [r["status"] for r in item.test_results] == ["fail"] * len(results)
