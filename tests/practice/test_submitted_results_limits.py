"""The edges of what a Submit may post (runner/results.py): a payload of exactly the largest size,
a test that ran exactly the longest time, and what a candidate is told when the question's tests
changed under them."""

import json

import pytest
from django.core.exceptions import ValidationError

from questions.models import CodeTest
from runner.results import MAX_DURATION_MS, MAX_RESULTS_JSON, MAX_TEXT, parse_results

# Unsaved rows: parse_results reads only their names and code.
TESTS = [CodeTest(name=f"test {n}", code=f"assert {n}") for n in range(100)]


def _results(tests=TESTS, **fields) -> list[dict]:
    return [
        {"name": test.name, "status": "pass", "message": "", "duration_ms": 1, **fields}
        for test in tests
    ]


def _refusal(raw: str, tests=TESTS) -> str:
    with pytest.raises(ValidationError) as caught:
        parse_results(raw, tests)
    return caught.value.messages[0]


def test_a_payload_of_exactly_the_largest_size_is_read():
    raw = json.dumps(_results(output="x" * (MAX_TEXT - 100)))
    assert len(raw) < MAX_RESULTS_JSON  # 100 outputs of 3,900 characters, and their framing
    raw = raw.ljust(MAX_RESULTS_JSON)  # JSON allows the trailing spaces

    assert len(parse_results(raw, TESTS)) == len(TESTS)
    assert "too large" in _refusal(raw + " ")


def test_a_test_that_ran_exactly_ten_minutes_is_accepted():
    tests = TESTS[:1]

    (result,) = parse_results(json.dumps(_results(tests, duration_ms=MAX_DURATION_MS)), tests)

    assert result["duration_ms"] == MAX_DURATION_MS == 600_000
    message = _refusal(json.dumps(_results(tests, duration_ms=MAX_DURATION_MS + 1)), tests)
    assert message == "Result 1: 'duration_ms' must be a number of milliseconds."


def test_results_for_tests_the_question_no_longer_has_say_to_reload():
    posted = json.dumps(_results(TESTS[:2]))

    assert _refusal(posted, TESTS[:1]) == (
        "The results do not match this question's tests (were they changed meanwhile?): "
        "reload the page and submit again."
    )
