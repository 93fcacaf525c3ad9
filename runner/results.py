"""The per-test results a candidate's browser posts on Submit: checked for shape and size.

They come from code the candidate controls, so they are stored and shown as what the browser
reported, never as proof. What the server can check, it does: every test of the question once,
known statuses, bounded sizes. The stored copy carries the server's own test code, not the
browser's.
"""

import json
import math
import re
from collections.abc import Sequence

from django.core.exceptions import ValidationError

from runner.browser import sql
from runner.browser.harness import STATUSES

MAX_CODE_BYTES = 20 * 1024
MAX_RESULTS = 200
MAX_RESULTS_JSON = 400_000
# The browser shows a test's whole output (up to the harness's 64 KB); it posts the start.
MAX_TEXT = 4_000
MAX_DURATION_MS = 10 * 60 * 1000
RESULT_KEYS = {"name", "status", "message", "output", "output_truncated", "duration_ms"}
# What JSON can carry (a program may print it) but cannot be stored or shown: NUL, which
# PostgreSQL's text and jsonb refuse, and lone surrogates, which UTF-8 cannot encode.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def check_code(code: str, *, what: str = "code") -> str:
    if len(code.encode("utf-8")) > MAX_CODE_BYTES:
        raise ValidationError(f"The {what} is over {MAX_CODE_BYTES // 1024} KB: shorten it.")
    if not code.strip():
        raise ValidationError(f"There is no {what} to submit.")
    return code


def _text(result: dict, key: str, where: str) -> str:
    value = result.get(key, "")
    if not isinstance(value, str):
        raise ValidationError(f"{where}: '{key}' must be text.")
    if len(value) > MAX_TEXT:
        raise ValidationError(f"{where}: '{key}' is over {MAX_TEXT} characters.")
    return UNSTORABLE.sub("\ufffd", value)


def parse_results(raw: str, tests: Sequence) -> list[dict]:
    """The results posted for `tests` (CodeTest rows), in the tests' order.

    Raises ValidationError, with a message fit to show the candidate, unless `raw` is a JSON
    list holding exactly one well-formed result for each test.
    """
    by_name = _results_by_name(raw)
    _check_names(by_name, [test.name for test in tests])
    return [{**by_name[test.name], "test_code": test.code} for test in tests]


def parse_query_results(raw: str, checks: Sequence[dict]) -> list[dict]:
    """The results posted for an SQL question's `checks` ([{"name", "expected": {"columns",
    "rows"}}], the server's own), in their order: each with the table the candidate's query
    returned (its first rows, as the browser reported it) and the expected table, from the
    server's check, never from the browser.

    Raises ValidationError as parse_results does, and for a table that is not one.
    """
    by_name = _results_by_name(raw, table=True)
    _check_names(by_name, [check["name"] for check in checks])
    return [
        {
            **by_name[check["name"]],
            "expected": sql.table(
                {**check["expected"], "row_count": len(check["expected"]["rows"])}
            ),
        }
        for check in checks
    ]


def _check_names(by_name: dict, names: list[str]) -> None:
    if set(by_name) != set(names):
        raise ValidationError(
            "The results do not match this question's tests (were they changed meanwhile?): "
            "reload the page and submit again."
        )


def _cell(value, where: str):
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        if value is not None and abs(value) >= 2**63:
            raise ValidationError(f"{where}: a number in the table is too large.")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValidationError(f"{where}: the table holds a number JSON cannot store.")
        return value
    if isinstance(value, str):
        if len(value) > sql.MAX_CELL + 1:
            raise ValidationError(f"{where}: a value in the table is too long.")
        return UNSTORABLE.sub("\ufffd", value)
    raise ValidationError(f"{where}: the table holds something that is not a value.")


def _table(result: dict, where: str) -> dict | None:
    """A query's result table as the browser posts it (sql.table's format), or None."""
    table = result.get("table")
    if table is None:
        return None
    if not isinstance(table, dict) or set(table) != {"columns", "rows", "row_count"}:
        raise ValidationError(f"{where}: 'table' is not a table.")
    columns, rows, count = table["columns"], table["rows"], table["row_count"]
    if (
        not isinstance(columns, list)
        or len(columns) > sql.MAX_COLUMNS
        or not all(isinstance(name, str) and len(name) <= sql.MAX_CELL + 1 for name in columns)
    ):
        raise ValidationError(f"{where}: the table's columns are not a list of names.")
    if not isinstance(rows, list) or len(rows) > sql.ROWS_SHOWN:
        raise ValidationError(f"{where}: the table's rows are not a list of its first rows.")
    if any(not isinstance(row, list) or len(row) != len(columns) for row in rows):
        raise ValidationError(f"{where}: a row of the table does not match its columns.")
    if (
        not isinstance(count, int)
        or isinstance(count, bool)
        or not len(rows) <= count <= sql.MAX_ROWS
    ):
        raise ValidationError(f"{where}: 'row_count' must be the number of rows.")
    return {
        "columns": [UNSTORABLE.sub("\ufffd", name) for name in columns],
        "rows": [[_cell(value, where) for value in row] for row in rows],
        "row_count": count,
    }


def _results_by_name(raw: str, *, table: bool = False) -> dict[str, dict]:
    """The posted results by test name, each checked; with `table`, each may carry the table an
    SQL query returned."""
    if len(raw) > MAX_RESULTS_JSON:
        raise ValidationError("The test results are too large to store.")
    try:
        posted = json.loads(raw)
    except ValueError:
        raise ValidationError("The test results could not be read: run the tests again.") from None
    if not isinstance(posted, list) or not posted:
        raise ValidationError("The test results are missing: run the tests again.")
    if len(posted) > MAX_RESULTS:
        raise ValidationError(f"More than {MAX_RESULTS} test results were sent.")
    by_name: dict[str, dict] = {}
    keys = RESULT_KEYS | {"table"} if table else RESULT_KEYS
    for index, result in enumerate(posted, 1):
        where = f"Result {index}"
        if not isinstance(result, dict) or not set(result) <= keys:
            raise ValidationError(f"{where} is not a test result.")
        name = result.get("name")
        if not isinstance(name, str) or name in by_name:
            raise ValidationError(f"{where}: missing or repeated test name.")
        status = result.get("status")
        if status not in STATUSES:
            raise ValidationError(f"{where}: unknown status.")
        duration = result.get("duration_ms", 0)
        if (
            not isinstance(duration, int | float)
            or isinstance(duration, bool)
            or not 0 <= duration <= MAX_DURATION_MS
        ):
            raise ValidationError(f"{where}: 'duration_ms' must be a number of milliseconds.")
        truncated = result.get("output_truncated", False)
        if not isinstance(truncated, bool):
            raise ValidationError(f"{where}: 'output_truncated' must be true or false.")
        by_name[name] = {
            "name": name,
            "status": status,
            "message": _text(result, "message", where),
            "output": _text(result, "output", where),
            "output_truncated": truncated,
            "duration_ms": round(float(duration), 2),
        }
        if table:
            by_name[name]["table"] = _table(result, where)
    return by_name
