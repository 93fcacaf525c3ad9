"""Runs an SQL query against a question's dataset and compares its result with the expected one.

The same file runs in two places: inside Pyodide in the candidate's browser (the runner's worker
fetches it from static/runner/, beside the harness) with Pyodide's sqlite3, and on the server with
CPython's, where it computes each SQL question's expected result from the reference query (which
never reaches the browser) and where CI checks the bank. So it imports nothing but the standard
library and stays valid on Python 3.11 to 3.14.

Each check gets a fresh in-memory database: the dataset's schema (CREATE TABLE statements), then
one of its row sets (INSERT statements), then the query, read-only. The result is compared with
the expected one by position: the same number of columns (their names do not matter), and the
same rows, as a multiset unless the question says the order matters. Numbers compare as numbers
(2 equals 2.0; floats are rounded to 9 decimal places first, so that summing in another order
does not fail a query).

A run has a time limit: SQLite checks the clock every PROGRESS_STEPS steps of its virtual machine
and stops a query past the deadline (an endless recursive CTE). The browser's page keeps its own,
later limit in case this one cannot fire.

A check's result follows the harness's format, with the result table added:
    {"name", "status": "pass" | "fail" | "error" | "timeout", "message", "output": "",
     "output_truncated": False, "duration_ms",
     "table": {"columns": [...], "rows": [[...], ...first ROWS_SHOWN], "row_count"} or None}
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
from collections import Counter
from collections.abc import Callable

PASS, FAIL, ERROR, TIMEOUT = "pass", "fail", "error", "timeout"
# The rows of a result a card shows, and the browser posts on Submit.
ROWS_SHOWN = 20
# A result longer than this is refused rather than compared (a cross join gone wrong).
MAX_ROWS = 10_000
MAX_COLUMNS = 64
# A shown value (or column name) longer than this is cut, with "…" (the comparison uses it all).
MAX_CELL = 200
# Steps of SQLite's virtual machine between two looks at the clock: a few microseconds' work.
PROGRESS_STEPS = 2_000
DECIMALS = 9
# SQLite's authorizer: what a query may not do even to its own in-memory database.
_SQLITE_ATTACH, _SQLITE_DETACH = 24, 25


class QueryError(Exception):
    """The query (or the dataset) could not run; `status` is "error" or "timeout". When a
    script of the dataset failed, `part` names it and `detail` says where and why."""

    def __init__(self, message: str, status: str = ERROR, *, part: str = "", detail: str = ""):
        super().__init__(message)
        self.message = message
        self.status = status
        self.part = part
        self.detail = detail or message


def _no_attach(action: int, *args) -> int:
    """No other database: everything happens in the fresh in-memory one."""
    return sqlite3.SQLITE_DENY if action in (_SQLITE_ATTACH, _SQLITE_DETACH) else sqlite3.SQLITE_OK


def statements(script: str) -> list[tuple[int, str]]:
    """The SQL statements of a script, each with the line it starts on (a semicolon inside a
    string or a comment does not end one)."""
    found = []
    start = 0
    end = script.find(";")
    while end != -1:
        if sqlite3.complete_statement(script[start : end + 1]):
            found.append((start, script[start : end + 1]))
            start = end + 1
        end = script.find(";", end + 1)
    found.append((start, script[start:]))
    located = []
    line, counted = 1, 0  # the line at offset `counted`
    for offset, text in found:
        if not text.strip() or _only_comments(text.strip().rstrip(";")):
            continue
        body = text.lstrip()
        while body.startswith("--") and "\n" in body:  # start at the statement, not its comment
            body = body.split("\n", 1)[1].lstrip()
        first = offset + len(text) - len(body)
        line += script.count("\n", counted, first)
        counted = first
        located.append((line, body.strip()))
    return located


def _only_comments(text: str) -> bool:
    lines = [line.strip() for line in text.splitlines()]
    return all(not line or line.startswith("--") for line in lines)


def _deadline_passed(deadline: float | None) -> Callable[[], int]:
    def check() -> int:
        return 1 if deadline is not None and time.perf_counter() > deadline else 0

    return check


def _first_line(text: str, limit: int = 80) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def run_script(connection: sqlite3.Connection, script: str, what: str) -> None:
    """Run each statement of a script (the schema, a row set). Raises QueryError naming `what`,
    the line and the statement that failed."""
    for line, statement in statements(script):
        try:
            connection.execute(statement)
        except (sqlite3.Error, sqlite3.Warning) as error:
            if "interrupted" in str(error):
                detail = "building it took too long"
                raise QueryError(f"{what}: {detail}.", TIMEOUT, part=what, detail=detail) from None
            detail = f"line {line}: {error} (in “{_first_line(statement)}”)"
            raise QueryError(f"{what}, {detail}", part=what, detail=detail) from None


def open_database(
    schema: str,
    rows: str,
    *,
    deadline: float | None = None,
    names: tuple[str, str] = ("the schema", "the rows"),
) -> sqlite3.Connection:
    """A fresh in-memory database with the schema and the rows, read-only from then on.

    Raises QueryError when the schema or the rows fail: the message starts with the name of
    the one that failed (`names`), then gives the line and the statement.
    """
    connection = sqlite3.connect(":memory:", isolation_level=None)
    connection.set_authorizer(_no_attach)
    connection.set_progress_handler(_deadline_passed(deadline), PROGRESS_STEPS)
    try:
        run_script(connection, schema, names[0])
        run_script(connection, rows, names[1])
        connection.execute("PRAGMA query_only = ON")
    except BaseException:
        connection.close()
        raise
    return connection


def cell(value: object) -> object:
    """A value as JSON carries it: bytes as SQLite writes a blob literal, a float that JSON
    cannot hold (infinity) as text."""
    if isinstance(value, bytes):
        return "x'" + value.hex() + "'"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def run_query(
    connection: sqlite3.Connection, query: str, *, time_limit: float | None = None
) -> dict:
    """The result of one SELECT: {"columns", "rows", "row_count"}, every row.

    Raises QueryError (status "timeout" past the deadline the connection was opened with) with a
    message fit for the candidate: SQLite's own, or what to do instead.
    """
    if not query.strip() or _only_comments(query):
        raise QueryError("There is no query to run: write a SELECT.")
    try:
        cursor = connection.execute(query)
        if cursor.description is None:
            raise QueryError(
                "The statement returns no rows: write a SELECT (or WITH … SELECT) query."
            )
        rows = cursor.fetchmany(MAX_ROWS + 1)
    except (sqlite3.Error, sqlite3.Warning) as error:
        text = str(error)
        if text == "interrupted":
            limit = f" of {_seconds(time_limit)}" if time_limit else ""
            raise QueryError(
                f"Stopped at the time limit{limit}: does a recursive CTE never end, or does a "
                "join multiply the rows?",
                TIMEOUT,
            ) from None
        if "one statement at a time" in text:
            text = "Only one statement can run: write a single SELECT (a WITH … SELECT is one)."
        elif text == "incomplete input":
            text = "The query is not finished (SQLite says: incomplete input)."
        elif "readonly database" in text:
            text = "The tables are read-only here: write a SELECT."
        elif "not authorized" in text:
            text = "Only this database can be read: ATTACH and DETACH are not allowed."
        raise QueryError(text) from None
    if len(rows) > MAX_ROWS:
        raise QueryError(
            f"The query returns more than {MAX_ROWS:,} rows: is a join or a condition missing?"
        )
    columns = [description[0] for description in cursor.description]
    if len(columns) > MAX_COLUMNS:
        raise QueryError(f"The query returns {len(columns)} columns: at most {MAX_COLUMNS}.")
    return {
        "columns": columns,
        "rows": [[cell(value) for value in row] for row in rows],
        "row_count": len(rows),
    }


def result_of(schema: str, rows: str, query: str, *, time_limit: float | None = None) -> dict:
    """run_query on a fresh database with `rows` (the server's expected results, CI's checks).
    Raises QueryError."""
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    connection = open_database(schema, rows, deadline=deadline)
    try:
        return run_query(connection, query, time_limit=time_limit)
    finally:
        connection.close()


def dataset_problems(
    schema: str, rows: str, hidden_rows: str, *, time_limit: float
) -> list[tuple[str, str]]:
    """What fails when the schema and each row set are built into a fresh database, as
    (part, problem) pairs, the part being "schema", "rows" or "hidden_rows" (empty when both
    build). Rows that are the visible ones again are a problem too: Submit would check nothing
    new."""
    problems = []
    for key, script in (("rows", rows), ("hidden_rows", hidden_rows)):
        deadline = time.perf_counter() + time_limit
        try:
            open_database(schema, script, deadline=deadline, names=("schema", key)).close()
        except QueryError as error:
            if error.part == "schema":
                return [("schema", error.detail)]  # the same for both row sets: say it once
            problems.append((key, error.detail))
    if not problems and rows.strip() == hidden_rows.strip():
        problems.append(
            (
                "hidden_rows",
                "the same as the visible rows: give Submit different rows (with the edge "
                "cases), so that a query that hard-codes the visible answer fails",
            )
        )
    return problems


def reference_problems(
    query: str, schema: str, rows: str, hidden_rows: str, *, time_limit: float
) -> list[str]:
    """What is wrong with a question's reference query (the server's and CI's check): it fails,
    or returns no row (then a query that returns nothing would pass), on either row set."""
    problems = []
    for name, script in (("the visible rows", rows), ("the hidden rows", hidden_rows)):
        try:
            result = result_of(schema, script, query, time_limit=time_limit)
        except QueryError as error:
            problems.append(f"the reference query fails on {name}: {error}")
            continue
        if not result["row_count"]:
            problems.append(
                f"the reference query returns no row on {name}: a query that returns nothing "
                "would pass."
            )
    return problems


def _seconds(value: float) -> str:
    return f"{value:g} s"


def _same(value: object) -> object:
    """A value as it is compared: 2.0 as 2, other floats to DECIMALS places."""
    if isinstance(value, float) and math.isfinite(value):
        rounded = round(value, DECIMALS)
        return int(rounded) if rounded.is_integer() else rounded
    return value


def _key(row) -> tuple:
    return tuple(_same(value) for value in row)


def _shown(row) -> str:
    parts = ["NULL" if value is None else repr(value) for value in row]
    return "(" + ", ".join(parts) + ")"


def _rows(count: int) -> str:
    return f"{count:,} row{'s' if count != 1 else ''}"


def compare(actual: dict, expected: dict, *, ordered: bool) -> str:
    """Why `actual` is not the expected result ({"columns", "rows"} each), or "" when it is."""
    width, wanted_width = len(actual["columns"]), len(expected["columns"])
    if width != wanted_width:
        return (
            f"Your result has {width} column{'s' if width != 1 else ''}; the expected one has "
            f"{wanted_width}. Columns are compared by position, so return exactly those, in that "
            "order."
        )
    mine = [_key(row) for row in actual["rows"]]
    theirs = [_key(row) for row in expected["rows"]]
    if mine == theirs:
        return ""
    missing = Counter(theirs) - Counter(mine)
    extra = Counter(mine) - Counter(theirs)
    if not missing and not extra:
        if not ordered:
            return ""
        for position, (got, wanted) in enumerate(zip(mine, theirs, strict=True), 1):
            if got != wanted:
                return (
                    "The right rows, in the wrong order: the question asks for an order. Row "
                    f"{position} is {_shown(got)}; the expected one is {_shown(wanted)}."
                )
    parts = []
    if len(mine) != len(theirs):
        parts.append(
            f"Your query returns {_rows(len(mine))}; the expected result has {_rows(len(theirs))}."
        )
    if missing:
        example = next(iter(missing))
        parts.append(f"Missing: {_rows(sum(missing.values()))}, such as {_shown(example)}.")
    if extra:
        example = next(iter(extra))
        parts.append(f"Not expected: {_rows(sum(extra.values()))}, such as {_shown(example)}.")
    return " ".join(parts)


def _clipped(value: object) -> object:
    if isinstance(value, str) and len(value) > MAX_CELL:
        return value[:MAX_CELL] + "…"
    return value


def table(result: dict) -> dict:
    """A result as a card shows it: the columns, the first ROWS_SHOWN rows (long texts cut),
    the count."""
    return {
        "columns": [_clipped(name) for name in result["columns"]],
        "rows": [[_clipped(value) for value in row] for row in result["rows"][:ROWS_SHOWN]],
        "row_count": result["row_count"],
    }


def _result(name: str, status: str, message: str, *, started: float, shown=None) -> dict:
    return {
        "name": name,
        "status": status,
        "message": message,
        "output": "",
        "output_truncated": False,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        "table": shown,
    }


def check_query(
    query: str,
    schema: str,
    check: dict,
    *,
    ordered: bool,
    deadline: float | None = None,
    time_limit: float | None = None,
) -> dict:
    """One check ({"name", "rows", "expected": {"columns", "rows"}}): the query on a fresh
    database with the check's rows, compared with the expected result."""
    started = time.perf_counter()
    name = check["name"]
    try:
        connection = open_database(schema, check["rows"], deadline=deadline)
    except QueryError as error:
        return _result(name, error.status, f"The dataset itself fails: {error}", started=started)
    try:
        result = run_query(connection, query, time_limit=time_limit)
    except QueryError as error:
        return _result(name, error.status, error.message, started=started)
    finally:
        connection.close()
    difference = compare(result, check["expected"], ordered=ordered)
    status = FAIL if difference else PASS
    return _result(name, status, difference, started=started, shown=table(result))


def run_checks(
    query: str,
    schema: str,
    checks: list[dict],
    *,
    ordered: bool,
    time_limit: float,
    on_start: Callable[[str], object] | None = None,
    on_result: Callable[[dict], object] | None = None,
) -> dict:
    """Run `query` for each check in order, all within `time_limit` seconds.

    Returns {"status", "message", "results"}, as the harness's run_tests does: "pass" when every
    check passed, "timeout" when the time ran out (the checks after it are not run), "fail"
    otherwise. on_start(name) is called before each check, on_result(result) after it.
    """
    deadline = time.perf_counter() + time_limit
    results = []
    status, message = PASS, ""
    for check in checks:
        if status == TIMEOUT:
            result = _result(
                check["name"],
                ERROR,
                "Not run: the run stopped at the time limit.",
                started=time.perf_counter(),
            )
        else:
            if on_start is not None:
                on_start(check["name"])
            result = check_query(
                query, schema, check, ordered=ordered, deadline=deadline, time_limit=time_limit
            )
            if result["status"] == TIMEOUT:
                status = TIMEOUT
                message = (
                    f"The query took longer than {_seconds(time_limit)} and was stopped in "
                    f"“{check['name']}”."
                )
            elif result["status"] != PASS:
                status = FAIL
        results.append(result)
        if on_result is not None:
            on_result(result)
    return {"status": status, "message": message, "results": results}


def run_job(
    job: str,
    on_start: Callable[[str], object] | None = None,
    on_result: Callable[[str], object] | None = None,
) -> str:
    """The browser's entry point (runner/worker.js): a JSON job {"query", "schema", "checks",
    "ordered", "time_limit"} in, run_checks' report out as JSON, and each result to on_result as
    JSON too. JSON both ways, so that NULL stays None (not JavaScript's null or undefined) and a
    large integer stays a number."""
    data = json.loads(job)
    report = run_checks(
        data["query"],
        data["schema"],
        data["checks"],
        ordered=bool(data["ordered"]),
        time_limit=float(data["time_limit"]),
        on_start=on_start,
        on_result=None if on_result is None else lambda result: on_result(json.dumps(result)),
    )
    return json.dumps(report)
