"""The per-test results a candidate's browser posts on Submit: checked for shape and size.

They come from code the candidate controls, so they are stored and shown as what the browser
reported, never as proof. What the server can check, it does: every test of the question once,
known statuses, bounded sizes. The stored copy carries the server's own test code, not the
browser's.
"""

import json
import re
from collections.abc import Sequence

from django.core.exceptions import ValidationError

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


def check_code(code: str) -> str:
    if len(code.encode("utf-8")) > MAX_CODE_BYTES:
        raise ValidationError(f"The code is over {MAX_CODE_BYTES // 1024} KB: shorten it.")
    if not code.strip():
        raise ValidationError("There is no code to submit.")
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
    for index, result in enumerate(posted, 1):
        where = f"Result {index}"
        if not isinstance(result, dict) or not set(result) <= RESULT_KEYS:
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
    names = [test.name for test in tests]
    if set(by_name) != set(names):
        raise ValidationError(
            "The results do not match this question's tests (were they changed meanwhile?): "
            "reload the page and submit again."
        )
    return [{**by_name[test.name], "test_code": test.code} for test in tests]
