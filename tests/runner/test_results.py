"""runner/results.py: what the server accepts of the results a candidate's browser posts."""

import json

import pytest
from django.core.exceptions import ValidationError

from questions.models import CodeTest
from runner.results import MAX_CODE_BYTES, MAX_RESULTS, MAX_TEXT, check_code, parse_results

# Unsaved rows: parse_results reads only their names and code.
TESTS = [
    CodeTest(name="adds small numbers", code="assert add(1, 2) == 3"),
    CodeTest(name="adds zero", code="assert add(0, 5) == 5"),
    CodeTest(name="adds negatives", code="assert add(-1, -1) == -2", is_hidden=True),
]


def _result(name: str, **fields) -> dict:
    return {
        "name": name,
        "status": "pass",
        "message": "",
        "output": "",
        "output_truncated": False,
        "duration_ms": 1.5,
        **fields,
    }


def _payload(*changes: dict, tests=TESTS) -> list[dict]:
    """One passing result per test; `changes[i]` updates the i-th."""
    results = [_result(test.name) for test in tests]
    for result, change in zip(results, changes, strict=False):
        result.update(change)
    return results


def _refusal(raw) -> str:
    with pytest.raises(ValidationError) as caught:
        parse_results(raw if isinstance(raw, str) else json.dumps(raw), TESTS)
    return caught.value.messages[0]


def test_a_good_payload_comes_back_in_the_tests_order_with_the_servers_test_code():
    posted = list(reversed(_payload({}, {"status": "fail", "message": "expected 5"})))

    results = parse_results(json.dumps(posted), TESTS)

    assert [result["name"] for result in results] == [test.name for test in TESTS]
    assert [result["test_code"] for result in results] == [test.code for test in TESTS]
    assert results[1] == {
        "name": "adds zero",
        "status": "fail",
        "message": "expected 5",
        "output": "",
        "output_truncated": False,
        "duration_ms": 1.5,
        "test_code": "assert add(0, 5) == 5",
    }


def test_optional_fields_default_and_durations_are_rounded():
    posted = [{"name": test.name, "status": "pass"} for test in TESTS]
    posted[0]["duration_ms"] = 3
    posted[1]["duration_ms"] = 0.123456

    results = parse_results(json.dumps(posted), TESTS)

    assert results[0] == {
        "name": "adds small numbers",
        "status": "pass",
        "message": "",
        "output": "",
        "output_truncated": False,
        "duration_ms": 3.0,
        "test_code": "assert add(1, 2) == 3",
    }
    assert results[1]["duration_ms"] == 0.12
    assert results[2]["duration_ms"] == 0.0


@pytest.mark.parametrize("status", ["pass", "fail", "error", "timeout"])
def test_every_status_of_the_harness_is_accepted(status):
    results = parse_results(json.dumps(_payload({"status": status})), TESTS)

    assert results[0]["status"] == status


def test_the_browsers_own_test_code_is_refused_so_it_can_never_be_stored():
    posted = _payload({"test_code": "assert True"})

    assert _refusal(posted) == "Result 1 is not a test result."


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("not json", "The test results could not be read: run the tests again."),
        ("[{", "The test results could not be read: run the tests again."),
        ("", "The test results could not be read: run the tests again."),
        ({"name": "adds zero", "status": "pass"}, "The test results are missing"),
        ("null", "The test results are missing: run the tests again."),
        ([], "The test results are missing: run the tests again."),
        ("x" * 400_001, "The test results are too large to store."),
    ],
)
def test_a_payload_that_is_not_a_list_of_results_is_refused(raw, message):
    assert _refusal(raw).startswith(message)


def test_more_than_200_results_are_refused():
    posted = [_result(f"test {number}") for number in range(MAX_RESULTS + 1)]

    assert _refusal(posted) == "More than 200 test results were sent."


def test_200_results_for_200_tests_are_accepted():
    tests = [CodeTest(name=f"test {number}", code="pass") for number in range(MAX_RESULTS)]

    results = parse_results(json.dumps(_payload(tests=tests)), tests)

    assert len(results) == 200


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"verdict": "pass"}, "Result 2 is not a test result."),
        ({"name": None}, "Result 2: missing or repeated test name."),
        ({"name": 7}, "Result 2: missing or repeated test name."),
        ({"name": "adds small numbers"}, "Result 2: missing or repeated test name."),
        ({"status": "passed"}, "Result 2: unknown status."),
        ({"status": None}, "Result 2: unknown status."),
        ({"duration_ms": -1}, "Result 2: 'duration_ms' must be a number of milliseconds."),
        ({"duration_ms": "12"}, "Result 2: 'duration_ms' must be a number of milliseconds."),
        ({"duration_ms": True}, "Result 2: 'duration_ms' must be a number of milliseconds."),
        ({"duration_ms": None}, "Result 2: 'duration_ms' must be a number of milliseconds."),
        ({"duration_ms": 600_001}, "Result 2: 'duration_ms' must be a number of milliseconds."),
        ({"output_truncated": "false"}, "Result 2: 'output_truncated' must be true or false."),
        ({"output_truncated": 0}, "Result 2: 'output_truncated' must be true or false."),
        ({"message": "x" * (MAX_TEXT + 1)}, "Result 2: 'message' is over 4000 characters."),
        ({"output": "x" * (MAX_TEXT + 1)}, "Result 2: 'output' is over 4000 characters."),
        ({"message": ["a list"]}, "Result 2: 'message' must be text."),
        ({"output": None}, "Result 2: 'output' must be text."),
    ],
)
def test_a_malformed_result_is_refused_with_a_message_naming_it(change, message):
    assert _refusal(_payload({}, change)) == message


def test_a_result_missing_its_name_is_refused():
    posted = _payload()
    del posted[1]["name"]

    assert _refusal(posted) == "Result 2: missing or repeated test name."


def test_a_result_that_is_not_an_object_is_refused():
    assert _refusal([*_payload()[:2], "pass"]) == "Result 3 is not a test result."


@pytest.mark.parametrize("duration", ["NaN", "Infinity"])
def test_a_duration_that_is_not_a_finite_number_is_refused(duration):
    raw = json.dumps(_payload({}, {"duration_ms": 0})).replace(
        '"duration_ms": 0}', f'"duration_ms": {duration}}}', 1
    )

    assert _refusal(raw) == "Result 2: 'duration_ms' must be a number of milliseconds."


def test_characters_that_cannot_be_stored_are_replaced_not_refused():
    # JSON carries them, and a program may print them: PostgreSQL refuses NUL in text and
    # jsonb, and UTF-8 cannot encode a lone surrogate (the page would fail to render).
    raw = json.dumps(_payload({"output": "OUT", "message": "MSG"}))
    raw = raw.replace("OUT", r"a\u0000b\ud800c\ud83d\ude00").replace("MSG", r"\udfff")

    results = parse_results(raw, TESTS)

    assert results[0]["output"] == "a\ufffdb\ufffdc\U0001f600"  # a real pair is kept
    assert results[0]["message"] == "\ufffd"
    json.dumps(results, ensure_ascii=False).encode("utf-8")  # now encodable


def test_texts_of_exactly_4000_characters_are_accepted():
    posted = _payload({"message": "m" * MAX_TEXT, "output": "o" * MAX_TEXT})

    results = parse_results(json.dumps(posted), TESTS)

    assert len(results[0]["message"]) == len(results[0]["output"]) == MAX_TEXT


MISMATCH = "The results do not match this question's tests"


@pytest.mark.parametrize(
    "posted",
    [
        pytest.param(_payload()[:2], id="a test missing"),
        pytest.param([*_payload(), _result("an extra test")], id="an extra test"),
        pytest.param(_payload({}, {}, {"name": "adds negative numbers"}), id="a renamed test"),
        pytest.param([_result("something else")], id="none of the names"),
    ],
)
def test_results_whose_names_do_not_match_the_questions_tests_are_refused(posted):
    message = _refusal(posted)

    assert message.startswith(MISMATCH)
    assert "reload the page and submit again" in message


def test_code_up_to_20_kb_is_accepted_as_it_was_typed():
    code = "x = 1  \n" + "#" * (MAX_CODE_BYTES - 9) + "\n"

    assert len(code.encode()) == MAX_CODE_BYTES
    assert check_code(code) == code


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("#" * (MAX_CODE_BYTES + 1), id="one byte too many"),
        # 10,241 characters, but 20,482 bytes: the limit is on bytes.
        pytest.param("é" * (MAX_CODE_BYTES // 2 + 1), id="multibyte characters"),
    ],
)
def test_code_over_20_kb_is_refused(code):
    with pytest.raises(ValidationError) as caught:
        check_code(code)

    assert caught.value.messages == ["The code is over 20 KB: shorten it."]


@pytest.mark.parametrize("code", ["", "   ", "\n\t\n"])
def test_blank_code_is_refused(code):
    with pytest.raises(ValidationError) as caught:
        check_code(code)

    assert caught.value.messages == ["There is no code to submit."]
