"""runner/browser/sql.py under CPython: the file the browser runs SQL questions with (in
Pyodide), and the server computes their expected results with. Each check builds a fresh
database, runs the query read-only and compares its result by position, as a multiset of rows
unless the order matters."""

from pathlib import Path

import pytest

from runner.browser import sql

SCHEMA = """\
CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    total REAL NOT NULL  -- in pounds; a ';' in a comment ends nothing
);
"""
ROWS = """\
INSERT INTO customers VALUES (1, 'Ada', 'Leeds'), (2, 'Ben', NULL), (3, 'Cy', 'York');
-- Ada has two orders, Ben one, Cy none.
INSERT INTO orders VALUES (1, 1, 10.5), (2, 1, 4.5), (3, 2, 20);
"""
HIDDEN_ROWS = """\
INSERT INTO customers VALUES (1, 'Dee', 'Hull'), (2, 'Eve', 'Hull');
INSERT INTO orders VALUES (1, 2, 1), (2, 2, 2);
"""
TOTALS = (
    "SELECT c.name, ROUND(SUM(o.total), 2) FROM customers c "
    "JOIN orders o ON o.customer_id = c.id GROUP BY c.id"
)
ENDLESS = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT COUNT(*) FROM n"


def expected(query: str, rows: str = ROWS) -> dict:
    result = sql.result_of(SCHEMA, rows, query)
    return {"columns": result["columns"], "rows": result["rows"]}


def checks(query: str = TOTALS) -> list[dict]:
    return [
        {"name": "The visible rows", "rows": ROWS, "expected": expected(query)},
        {"name": "The hidden rows", "rows": HIDDEN_ROWS, "expected": expected(query, HIDDEN_ROWS)},
    ]


def run(query: str, *, ordered: bool = False, time_limit: float = 5, reference: str = TOTALS):
    return sql.run_checks(query, SCHEMA, checks(reference), ordered=ordered, time_limit=time_limit)


# --- building the database -----------------------------------------------------------------------


def test_statements_are_split_where_sqlite_says_they_end_with_their_lines():
    found = sql.statements(
        "CREATE TABLE t (x);\n\n-- a note; not a statement\nINSERT INTO t VALUES (';');\n"
    )

    assert found == [(1, "CREATE TABLE t (x);"), (4, "INSERT INTO t VALUES (';');")]


def test_a_failing_row_names_its_line_and_statement():
    rows = ROWS + "INSERT INTO payments VALUES (1);\n"

    with pytest.raises(sql.QueryError) as error:
        sql.open_database(SCHEMA, rows)

    assert str(error.value) == (
        "the rows, line 4: no such table: payments (in “INSERT INTO payments VALUES (1);”)"
    )


def test_a_failing_schema_is_named_as_such():
    with pytest.raises(sql.QueryError, match=r"^'schema', line 1: near \"TABEL\": syntax error"):
        sql.open_database("CREATE TABEL t (x);", "", names=("'schema'", "'rows'"))


def test_the_database_is_read_only_once_built():
    connection = sql.open_database(SCHEMA, ROWS)

    for statement in ("DELETE FROM orders", "CREATE TABLE t (x)", "UPDATE customers SET name = ''"):
        with pytest.raises(sql.QueryError, match="read-only here: write a SELECT"):
            sql.run_query(connection, statement)


# --- running a query -----------------------------------------------------------------------------


def test_a_query_returns_its_columns_and_every_row():
    result = sql.result_of(SCHEMA, ROWS, "SELECT name, city FROM customers ORDER BY id")

    assert result == {
        "columns": ["name", "city"],
        "rows": [["Ada", "Leeds"], ["Ben", None], ["Cy", "York"]],
        "row_count": 3,
    }


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "There is no query to run: write a SELECT."),
        ("-- nothing yet\n", "There is no query to run: write a SELECT."),
        ("SELEC name FROM customers", 'near "SELEC": syntax error'),
        ("SELECT nme FROM customers", "no such column: nme"),
        ("SELECT 1; SELECT 2", "Only one statement can run: write a single SELECT"),
        ("ATTACH ':memory:' AS other", "ATTACH and DETACH are not allowed"),
        ("PRAGMA query_only = OFF", "The statement returns no rows: write a SELECT"),
    ],
)
def test_a_query_that_cannot_run_says_why(query, message):
    with pytest.raises(sql.QueryError) as error:
        sql.result_of(SCHEMA, ROWS, query)

    assert message in str(error.value) and error.value.status == "error"


def test_a_query_with_too_many_rows_is_refused_rather_than_compared():
    endless_rows = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT x FROM n"

    with pytest.raises(sql.QueryError, match="more than 10,000 rows"):
        sql.result_of(SCHEMA, ROWS, endless_rows, time_limit=5)


def test_an_endless_query_stops_at_the_time_limit():
    with pytest.raises(sql.QueryError) as error:
        sql.result_of(SCHEMA, ROWS, ENDLESS, time_limit=0.3)

    assert error.value.status == "timeout"
    assert str(error.value).startswith("Stopped at the time limit of 0.3 s")


def test_blobs_and_infinities_come_out_as_json_can_carry_them():
    result = sql.result_of("", "", "SELECT x'00ff', 9e999, -9e999, 1.5")

    assert result["rows"] == [["x'00ff'", "inf", "-inf", 1.5]]


# --- comparing -----------------------------------------------------------------------------------


def table(*rows, columns=("a", "b")) -> dict:
    return {"columns": list(columns), "rows": [list(row) for row in rows]}


def test_rows_compare_as_a_multiset_by_position_whatever_the_column_names():
    mine = table((2, "b"), (1, "a"), (1, "a"), columns=("x", "y"))

    assert sql.compare(mine, table((1, "a"), (2, "b"), (1, "a")), ordered=False) == ""


def test_a_duplicate_row_too_many_or_too_few_is_a_difference():
    message = sql.compare(table((1, "a"), (1, "a")), table((1, "a")), ordered=False)

    assert message == (
        "Your query returns 2 rows; the expected result has 1 row. "
        "Not expected: 1 row, such as (1, 'a')."
    )


def test_missing_and_unexpected_rows_are_shown_with_nulls_as_null():
    message = sql.compare(table((1, None)), table((1, "a"), (2, "b")), ordered=False)

    assert message == (
        "Your query returns 1 row; the expected result has 2 rows. "
        "Missing: 2 rows, such as (1, 'a'). Not expected: 1 row, such as (1, NULL)."
    )


def test_another_number_of_columns_says_columns_compare_by_position():
    message = sql.compare(table((1,), columns=("a",)), table((1, "a")), ordered=False)

    assert message.startswith("Your result has 1 column; the expected one has 2. Columns are")


def test_order_matters_only_when_the_question_says_so():
    mine, theirs = table((2, "b"), (1, "a")), table((1, "a"), (2, "b"))

    assert sql.compare(mine, theirs, ordered=False) == ""
    assert sql.compare(mine, theirs, ordered=True) == (
        "The right rows, in the wrong order: the question asks for an order. "
        "Row 1 is (2, 'b'); the expected one is (1, 'a')."
    )


def test_numbers_compare_as_numbers_and_floats_after_rounding():
    assert sql.compare(table((2.0, 0.1 + 0.2)), table((2, 0.3)), ordered=True) == ""
    assert sql.compare(table((2, 0.31)), table((2, 0.3)), ordered=True) != ""
    assert sql.compare(table(("2", 1)), table((2, 1)), ordered=True) != ""


# --- a run ---------------------------------------------------------------------------------------


def test_the_reference_passes_on_both_row_sets_with_its_table():
    report = run(TOTALS)

    assert report["status"] == "pass" and report["message"] == ""
    visible, hidden = report["results"]
    assert visible["name"] == "The visible rows" and visible["status"] == "pass"
    assert visible["table"] == {
        "columns": ["name", "ROUND(SUM(o.total), 2)"],
        "rows": [["Ada", 15.0], ["Ben", 20.0]],
        "row_count": 2,
    }
    assert hidden["table"]["rows"] == [["Eve", 3.0]]
    assert set(visible) == {
        "name",
        "status",
        "message",
        "output",
        "output_truncated",
        "duration_ms",
        "table",
    }


def test_a_query_that_hard_codes_the_visible_answer_fails_on_the_hidden_rows():
    hard_coded = "SELECT 'Ada', 15.0 UNION ALL SELECT 'Ben', 20"

    report = run(hard_coded)

    assert report["status"] == "fail"
    assert [r["status"] for r in report["results"]] == ["pass", "fail"]
    assert report["results"][1]["table"]["rows"] == [["Ada", 15.0], ["Ben", 20]]


def test_an_inner_join_where_a_left_join_is_wanted_fails_with_the_missing_row():
    reference = (
        "SELECT c.name, COUNT(o.id) FROM customers c LEFT JOIN orders o ON o.customer_id = c.id "
        "GROUP BY c.id"
    )
    inner = reference.replace("LEFT JOIN", "JOIN")

    visible = run(inner, reference=reference)["results"][0]

    assert visible["status"] == "fail"
    assert "Missing: 1 row, such as ('Cy', 0)." in visible["message"]


def test_an_sql_error_is_an_error_on_each_check_without_a_table():
    report = run("SELECT total FROM order")

    assert report["status"] == "fail"
    for result in report["results"]:
        assert result["status"] == "error" and result["table"] is None
        assert 'near "order": syntax error' in result["message"]


def test_a_long_result_is_shown_by_its_first_rows_and_counted():
    query = (
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 50) "
        "SELECT x FROM n"
    )

    result = run(query, reference=query)["results"][0]

    assert result["status"] == "pass"
    assert result["table"]["row_count"] == 50
    assert len(result["table"]["rows"]) == sql.ROWS_SHOWN == 20


def test_a_run_past_its_time_limit_stops_and_leaves_the_rest_not_run():
    seen = []

    report = sql.run_checks(
        ENDLESS,
        SCHEMA,
        checks(),
        ordered=False,
        time_limit=0.3,
        on_start=lambda name: seen.append(("start", name)),
        on_result=lambda result: seen.append(("result", result["name"], result["status"])),
    )

    assert report["status"] == "timeout"
    assert report["message"] == (
        "The query took longer than 0.3 s and was stopped in “The visible rows”."
    )
    assert seen == [
        ("start", "The visible rows"),
        ("result", "The visible rows", "timeout"),
        ("result", "The hidden rows", "error"),
    ]
    assert report["results"][1]["message"] == "Not run: the run stopped at the time limit."


# --- how the browser gets this file --------------------------------------------------------------


def test_the_worker_fetches_this_file_from_beside_the_harness_within_its_policy(client, db):
    from django.contrib.staticfiles import finders

    from tests.runner.test_worker_script import config_of, directives

    response = client.get("/runner/worker.js")

    config = config_of(response)
    assert config["sqlUrl"].endswith("/runner/sql.py")
    assert config["sqlUrl"].rsplit("/", 1)[0] == config["harnessUrl"].rsplit("/", 1)[0]
    connect = directives(response["Content-Security-Policy"])["connect-src"]
    assert config["sqlUrl"].rsplit("/", 1)[0] + "/" in connect
    assert finders.find("runner/sql.py") == str(Path(sql.__file__))
    assert 'runtime === "sql"' in response.content.decode()
