"""SQL questions in practice: the card (the tables, the comparison rule, the expected result
computed on the server from a reference query that never reaches the page) and Submit (the
query and each check's result with its table, as the browser reported them, stored beside the
server's expected table). Both paths: htmx (the card fragment) and plain forms."""

import html
import json
import re

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from practice.models import Mode, SessionItem
from questions.models import Dataset, Question
from runner.browser import sql
from tests.factories import (
    ORDERS_PER_CUSTOMER,
    ORDERS_PER_CUSTOMER_INNER,
    SHOP_HIDDEN_ROWS,
    SHOP_ROWS,
    SHOP_SCHEMA,
    DatasetFactory,
    QuestionFactory,
    sql_question,
)
from tests.practice.conftest import session_with

CHECKS = ("The visible rows", "The hidden rows")
# The expected results of ORDERS_PER_CUSTOMER (name, orders) on each row set.
VISIBLE = [["Ada", 2], ["Ben", 1], ["Cy", 0]]
HIDDEN = [["Dee", 0], ["Eve", 2], ["Fay", 0]]


@pytest.fixture
def question(db):
    return sql_question(answer="A **LEFT JOIN** keeps the customers without orders.")


@pytest.fixture
def session(candidate, question):
    return session_with(candidate, [question, QuestionFactory(title="What is an index?")])


@pytest.fixture
def item(session):
    return session.items.get(position=1)


def _page(session) -> str:
    return reverse("practice:session", args=[session.pk])


def _url(session, item) -> str:
    return reverse("practice:submit_code", args=[session.pk, item.pk])


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _row(item) -> dict:
    return SessionItem.objects.values().get(pk=item.pk)


def browser_results(query: str = ORDERS_PER_CUSTOMER) -> list[dict]:
    """What the card's script posts after a Submit: the query's real results on both row sets
    (runner/browser/sql.py, as the browser runs it), without the expected tables."""
    checks = [
        {"name": name, "rows": rows, "expected": _expected(rows)}
        for name, rows in zip(CHECKS, (SHOP_ROWS, SHOP_HIDDEN_ROWS), strict=True)
    ]
    report = sql.run_checks(query, SHOP_SCHEMA, checks, ordered=False, time_limit=5)
    return [{**result, "duration_ms": 0.5} for result in report["results"]]


def _expected(rows: str) -> dict:
    result = sql.result_of(SHOP_SCHEMA, rows, ORDERS_PER_CUSTOMER)
    return {"columns": result["columns"], "rows": result["rows"]}


def _post(client, session, item, *, query=ORDERS_PER_CUSTOMER, results=None, **kwargs):
    if results is None:
        results = browser_results(query)
    raw = results if isinstance(results, str) else json.dumps(results)
    return client.post(_url(session, item), {"code": query, "results": raw}, **kwargs)


def _runner_sql(page: str) -> dict:
    match = re.search(r'<div class="code-runner"[^>]*data-sql-json="([^"]*)"', page)
    assert match, "no SQL runner block"
    return json.loads(html.unescape(match.group(1)))


def _expected_tables(rows) -> dict:
    return {"columns": ["name", "orders"], "rows": rows, "row_count": len(rows)}


# --- the card ------------------------------------------------------------------------------------


def test_the_card_shows_the_tables_the_rule_and_the_expected_result(
    candidate_client, session, question
):
    page = candidate_client.get(_page(session)).content.decode()

    text = html.unescape(page)
    assert question.dataset.description_html in page
    assert "The tables: " + question.dataset.title in text
    assert html.escape(SHOP_SCHEMA) in page  # in the Schema details
    assert "column by column, by position (column names do not matter)" in text
    assert "as a set of rows in any order (duplicates count)" in text
    expected = re.search(r'<section class="expected-result".*?</section>', page, re.S).group(0)
    assert "Expected result (3 rows)" in html.unescape(re.sub(r"<[^>]+>", "", expected))
    assert [html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", expected)] == [
        "Ada",
        "2",
        "Ben",
        "1",
        "Cy",
        "0",
    ]
    assert re.findall(r'<th scope="col">(.*?)</th>', expected) == ["name", "orders"]
    textarea = re.search(r'<textarea id="id_response"[^>]*>(.*?)</textarea>', page, re.S)
    assert html.unescape(textarea.group(1)) == question.starter_code
    assert '<label for="id_response">Your query</label>' in page
    assert "Run the query" in page and "Loading SQLite…" in page
    assert "Give up and show the solution" in page


def test_the_runner_gets_the_rows_and_expected_results_but_never_the_reference_query(
    candidate_client, session, item, question
):
    page = candidate_client.get(_page(session)).content.decode()

    runner = _runner_sql(page)
    assert runner["schema"] == SHOP_SCHEMA and runner["ordered"] is False
    visible = {"name": CHECKS[0], "rows": SHOP_ROWS, "expected": _expected(SHOP_ROWS)}
    hidden = {"name": CHECKS[1], "rows": SHOP_HIDDEN_ROWS, "expected": _expected(SHOP_HIDDEN_ROWS)}
    assert runner["checks"] == {"visible": [visible], "all": [visible, hidden]}
    assert hidden["expected"]["rows"] == HIDDEN
    assert re.search(r'data-runtime="sql"', page) and "data-tests-json" not in page
    assert "LEFT JOIN" not in html.unescape(page)  # the reference query (and no model answer)
    assert f'<form id="submit-code-{item.pk}" method="post" action="{_url(session, item)}"' in page


def test_a_question_whose_rows_must_come_in_order_says_so(candidate, candidate_client):
    question = sql_question(
        ordered_rows=True, solution_code=ORDERS_PER_CUSTOMER + "\nORDER BY orders DESC, c.name"
    )
    session = session_with(candidate, [question])

    page = candidate_client.get(_page(session)).content.decode()

    assert "row by row in order: the order of the rows matters" in page
    assert _runner_sql(page)["ordered"] is True


def test_a_long_expected_result_shows_its_first_rows_with_the_count(candidate, candidate_client):
    many = "INSERT INTO customers (name) VALUES " + ", ".join(f"('c{n}')" for n in range(45))
    dataset = DatasetFactory(rows=many + ";", hidden_rows=SHOP_HIDDEN_ROWS)
    session = session_with(candidate, [sql_question(dataset=dataset)])

    page = candidate_client.get(_page(session)).content.decode()

    assert "Expected result (45 rows, the first 20 shown)" in re.sub(r"<[^>]+>", "", page)
    assert len(_runner_sql(page)["checks"]["visible"][0]["expected"]["rows"]) == 45


@pytest.mark.parametrize("broken", ["no dataset", "a reference query that fails"])
def test_an_sql_question_that_cannot_be_checked_is_self_graded(candidate, candidate_client, broken):
    question = sql_question()
    if broken == "no dataset":
        Question.objects.filter(pk=question.pk).update(dataset=None)
    else:  # an edit behind the admin's back
        Question.objects.filter(pk=question.pk).update(solution_code="SELECT nme FROM customers")
    session = session_with(candidate, [question])

    page = _text(candidate_client.get(_page(session)))

    assert "data-code-runner" not in page and "data-sql-json" not in page
    assert "Show answer" in page
    item = session.items.get()
    response = _post(candidate_client, session, item, headers={"HX-Request": "true"})
    assert "This question has no query to check." in _text(response)
    assert _row(item)["test_results"] is None


# --- Submit --------------------------------------------------------------------------------------


def _stored(query: str = ORDERS_PER_CUSTOMER) -> list[dict]:
    expected = (_expected_tables(VISIBLE), _expected_tables(HIDDEN))
    return [
        {**result, "expected": table}
        for result, table in zip(browser_results(query), expected, strict=True)
    ]


def test_a_passing_submit_with_htmx_stores_both_checks_and_shows_the_model_answer(
    candidate_client, session, item, question, htmx_headers
):
    response = _post(candidate_client, session, item, headers=htmx_headers)

    page = _text(response)
    assert page.lstrip().startswith('<div id="session-card"')
    assert "Your submission: 2 of 2 passed" in page
    assert "Model answer" in page and "LEFT JOIN" in page
    assert "Every test passed, so Good is suggested" in re.sub(r"</?strong>", "", page)
    assert page.count('aria-label="Your result (3 rows)"') == 2
    assert page.count('aria-label="Expected (3 rows)"') == 2
    row = _row(item)
    assert row["response"] == ORDERS_PER_CUSTOMER
    assert row["test_results"] == _stored()
    assert [r["table"]["rows"] for r in row["test_results"]] == [VISIBLE, HIDDEN]
    assert row["revealed_at"] is not None and row["answered_at"] is None


def test_a_failing_submit_without_javascript_keeps_the_editor_and_shows_both_tables(
    candidate_client, session, item
):
    response = _post(candidate_client, session, item, query=ORDERS_PER_CUSTOMER_INNER)

    assert response.status_code == 302 and response["Location"] == _page(session)
    page = _text(candidate_client.get(_page(session)))
    assert "Your last submission: 0 of 2 passed" in page
    assert "Missing: 1 row, such as ('Cy', 0)." in page
    assert 'aria-label="Your result (2 rows)"' in page and 'aria-label="Expected (3 rows)"' in page
    assert "data-code-runner" in page and "Model answer" not in page
    textarea = re.search(r'<textarea id="id_response"[^>]*>(.*?)</textarea>', page, re.S)
    assert textarea.group(1) == ORDERS_PER_CUSTOMER_INNER
    row = _row(item)
    assert row["test_results"] == _stored(ORDERS_PER_CUSTOMER_INNER)
    assert row["revealed_at"] is None


def test_the_stored_expected_table_is_the_servers_whatever_the_browser_sends(
    candidate_client, session, item, htmx_headers
):
    results = browser_results()
    results[0]["expected"] = {"columns": ["x"], "rows": [["forged"]], "row_count": 1}

    response = _post(candidate_client, session, item, results=results, headers=htmx_headers)

    assert "Nothing was saved: Result 1 is not a test result." in _text(response)
    assert _row(item)["test_results"] is None


def test_a_query_that_failed_is_stored_with_its_error_and_no_table(
    candidate_client, session, item, htmx_headers
):
    response = _post(
        candidate_client, session, item, query="SELECT nme FROM customers", headers=htmx_headers
    )

    page = _text(response)
    assert "no such column: nme" in page
    assert page.count("Your result: none (the query did not run to the end).") == 2
    assert [r["table"] for r in _row(item)["test_results"]] == [None, None]


def _table_of(results, **change):
    results[0]["table"] = {**results[0]["table"], **change}
    return results


BAD_PAYLOADS = {
    "no query": ({"code": ""}, "There is no query to submit."),
    "a query over 20 KB": ({"code": "-" * (20 * 1024 + 1)}, "The query is over 20 KB"),
    "a check missing": (
        lambda: browser_results()[:1],
        "The results do not match this question's tests",
    ),
    "a test of a coding question": (
        lambda: [{"name": "adds 0 and 1", "status": "pass"}],
        "The results do not match this question's tests",
    ),
    "a table that is not one": (
        lambda: [{**browser_results()[0], "table": [1, 2]}, browser_results()[1]],
        "Result 1: 'table' is not a table.",
    ),
    "a row wider than the columns": (
        lambda: _table_of(browser_results(), rows=[["Ada", 2, "extra"]]),
        "Result 1: a row of the table does not match its columns.",
    ),
    "more rows than a card shows": (
        lambda: _table_of(browser_results(), rows=[["Ada", 2]] * 21, row_count=21),
        "Result 1: the table's rows are not a list of its first rows.",
    ),
    "a count below the rows shown": (
        lambda: _table_of(browser_results(), row_count=1),
        "Result 1: 'row_count' must be the number of rows.",
    ),
    "a value that is a list": (
        lambda: _table_of(browser_results(), rows=[["Ada", [2]]], row_count=1),
        "Result 1: the table holds something that is not a value.",
    ),
    "an infinite number": (
        lambda: json.dumps(_table_of(browser_results(), rows=[["Ada", float("inf")]], row_count=1)),
        "Result 1: the table holds a number JSON cannot store.",
    ),
    "a value too long to show": (
        lambda: _table_of(browser_results(), rows=[["A" * 300, 2]], row_count=1),
        "Result 1: a value in the table is too long.",
    ),
}


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
@pytest.mark.parametrize("payload", BAD_PAYLOADS.values(), ids=BAD_PAYLOADS.keys())
def test_a_bad_payload_is_refused_with_a_clear_notice_and_nothing_stored(
    candidate_client, session, item, htmx_headers, payload, htmx
):
    change, message = payload
    data = {"code": ORDERS_PER_CUSTOMER, "results": json.dumps(browser_results())}
    if callable(change):
        made = change()
        data["results"] = made if isinstance(made, str) else json.dumps(made)
    else:
        data.update(change)
    before = _row(item)

    if htmx:
        response = candidate_client.post(_url(session, item), data, headers=htmx_headers)
    else:
        response = candidate_client.post(_url(session, item), data, follow=True)

    assert f"Nothing was saved: {message}" in _text(response)
    assert _row(item) == before


def test_another_users_item_is_a_404_and_nothing_is_stored(client, other_candidate, session, item):
    client.force_login(other_candidate)

    response = _post(client, session, item)

    assert response.status_code == 404 and _row(item)["test_results"] is None


def test_a_submit_needs_the_csrf_token(candidate, session, item):
    client = Client(enforce_csrf_checks=True)
    client.force_login(candidate)
    client.get(_page(session))

    assert _post(client, session, item).status_code == 403
    assert _row(item)["test_results"] is None
    token = client.cookies["csrftoken"].value
    accepted = _post(client, session, item, headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert accepted.status_code == 200 and _row(item)["test_results"] == _stored()


def test_a_finished_session_refuses_a_submit(candidate_client, session, item):
    session.finish()

    response = _post(candidate_client, session, item, follow=True)

    assert "This session is finished" in _text(response)
    assert _row(item)["test_results"] is None


# --- mock interviews, the summary, the mentor ----------------------------------------------------


def test_a_mock_interview_runs_the_query_submits_it_and_moves_on_without_the_answer(
    candidate, candidate_client, question, htmx_headers
):
    mock = session_with(
        candidate,
        [question, QuestionFactory(title="Explain the GIL")],
        mode=Mode.MOCK,
        time_limit_minutes=30,
    )
    item = mock.items.get(position=1)
    page = _text(candidate_client.get(_page(mock)))
    assert "data-sql-json" in page and "Submit and continue" in page
    assert "LEFT JOIN" not in page and "Model answer" not in page

    response = _post(candidate_client, mock, item, headers=htmx_headers)

    page = _text(response)
    assert "Question 2 of 2" in page and "LEFT JOIN" not in page
    row = _row(item)
    assert row["answered_at"] is not None and row["test_results"] == _stored()


def test_the_summary_and_the_mentors_view_of_the_answer_show_the_tables(
    candidate_client, session, item
):
    _post(candidate_client, session, item)
    session.finish()

    summary = _text(candidate_client.get(reverse("practice:summary", args=[session.pk])))

    assert "2 of 2 tests passed" in summary
    assert summary.count('aria-label="Expected (3 rows)"') == 2
    answer = render_to_string(
        "mentoring/_answer.html", {"item": SessionItem.objects.get(pk=item.pk)}
    )
    assert answer.count('aria-label="Your result (3 rows)"') == 2
    assert "Run it again in my browser" not in answer  # a query has no tests to run again


# --- queries -------------------------------------------------------------------------------------


@pytest.mark.parametrize("customers", [3, 60])
def test_the_session_page_queries_do_not_grow_with_the_rows(
    client, candidate, customers, django_assert_num_queries
):
    many = "INSERT INTO customers (name) VALUES " + ", ".join(f"('c{n}')" for n in range(customers))
    session = session_with(
        candidate, [sql_question(dataset=DatasetFactory(rows=many + ";")) for _ in range(3)]
    )
    client.force_login(candidate)
    # 1 session, 2 user, 3 the first unanswered item with its practice session, question and
    # topic, 4 the question's dataset, 5 unread feedback and 6 the user's roles (navigation).
    with django_assert_num_queries(6):
        response = client.get(_page(session))
    assert len(_runner_sql(response.content.decode())["checks"]["all"]) == 2


def test_the_submit_post_queries_are_a_fixed_number(
    client, candidate, htmx_headers, django_assert_num_queries
):
    session = session_with(candidate, [sql_question()])
    item = session.items.get()
    client.force_login(candidate)
    data = {"code": ORDERS_PER_CUSTOMER, "results": json.dumps(browser_results())}
    # 1 session, 2 user, 3 the item with its session, question and topic, 4 the dataset; 5
    # savepoint, 6 lock the session, 7 store the submission, 8 release the savepoint; 9 the item
    # again, as stored, 10 its dataset.
    with django_assert_num_queries(10):
        response = client.post(_url(session, item), data, headers=htmx_headers)
    assert "Your submission: 2 of 2 passed" in _text(response)


def test_a_dataset_in_use_cannot_be_deleted_from_under_its_questions(question):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        Dataset.objects.filter(pk=question.dataset_id).delete()
