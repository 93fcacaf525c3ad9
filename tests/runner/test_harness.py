"""The test harness under CPython: the same file the candidate's browser runs in Pyodide."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from runner.browser import harness
from runner.browser.harness import OUTPUT_LIMIT, run_tests

HARNESS = Path(harness.__file__)

ADD = "def add(a, b):\n    return a + b\n"


def _run(code: str, *tests: str) -> list[dict]:
    """The results of running `code` against tests named "t1", "t2", ... with these bodies."""
    named = [{"name": f"t{number}", "code": body} for number, body in enumerate(tests, 1)]
    return run_tests(code, named)["results"]


def _one(code: str, test: str) -> dict:
    (result,) = _run(code, test)
    return result


def test_it_passes_a_test_whose_asserts_hold():
    report = run_tests(ADD, [{"name": "adds", "code": "assert add(1, 2) == 3"}])

    assert report == {
        "status": "pass",
        "message": "",
        "results": [
            {
                "name": "adds",
                "status": "pass",
                "test_code": "assert add(1, 2) == 3",
                "message": "",
                "output": "",
                "output_truncated": False,
                "duration_ms": report["results"][0]["duration_ms"],
            }
        ],
    }
    assert report["results"][0]["duration_ms"] >= 0


def test_it_fails_a_test_whose_assert_does_not_hold_and_the_run_with_it():
    report = run_tests(
        ADD.replace("a + b", "a - b"),
        [
            {"name": "zero", "code": "assert add(1, 0) == 1"},
            {"name": "sum", "code": "x = 1\nassert add(1, 2) == 3"},
        ],
    )

    assert report["status"] == "fail"
    assert [result["status"] for result in report["results"]] == ["pass", "fail"]


def test_an_equality_assert_shows_the_expected_and_the_actual_value():
    result = _one(ADD.replace("a + b", "a - b"), "assert add(1, 2) == 3")

    assert result["status"] == "fail"
    assert result["message"] == "assert add(1, 2) == 3\n  expected: 3\n  actual:   -1"


def test_other_comparisons_show_both_sides_and_the_asserts_own_message_comes_first():
    result = _one(ADD, "assert add(1, 2) < 3, 'too big'")

    assert result["message"] == "too big\nassert add(1, 2) < 3\n  left:  3\n  right: 3"


def test_a_plain_assert_shows_the_value_that_was_not_true():
    result = _one(ADD, "assert [n for n in range(add(0, 0))]")

    assert result["message"] == "assert [n for n in range(add(0, 0))]\n  value: []"


def test_each_side_of_an_assert_is_evaluated_once():
    code = "calls = []\ndef add(a, b):\n    calls.append(1)\n    return a + b\n"

    result = _one(code, "assert add(1, 2) == 3\nassert len(calls) == 1")

    assert result["status"] == "pass"


def test_an_exception_other_than_an_assert_is_an_error_with_its_traceback():
    code = "def add(a, b):\n    return a + b\n\n\ndef divide(a, b):\n    return a / b\n"

    result = _one(code, "x = 1\ndivide(1, 0)")

    assert result["status"] == "error"
    assert result["message"].startswith("Traceback (most recent call last):\n")
    assert 'File "test.py", line 2, in <module>' in result["message"]
    assert 'File "solution.py", line 6, in divide' in result["message"]
    assert "    return a / b" in result["message"]
    assert result["message"].rstrip().endswith("ZeroDivisionError: division by zero")


def test_tracebacks_show_only_the_candidates_and_the_tests_frames():
    result = _one("import json\ndef parse(text):\n    return json.loads(text)\n", "parse('{')")

    message = result["message"]
    assert result["status"] == "error"
    assert 'File "test.py", line 1' in message and 'File "solution.py", line 3' in message
    assert "harness" not in message
    assert "json/decoder.py" not in message and "json/__init__.py" not in message
    frames = [line for line in message.splitlines() if line.startswith("  File ")]
    assert len(frames) == 2


def test_an_assert_failing_in_the_candidates_code_is_an_error_not_a_failed_test():
    code = "def add(a, b):\n    assert a >= 0, 'no negatives'\n    return a + b\n"

    result = _one(code, "assert add(-1, 1) == 0")

    assert result["status"] == "error"
    assert 'File "solution.py", line 2, in add' in result["message"]
    assert "AssertionError: no negatives" in result["message"]


def test_a_syntax_error_in_the_candidates_code_reports_its_line_and_runs_no_test():
    code = "def add(a, b):\n    return a + b\n\ndef broken(:\n    pass\n"

    report = run_tests(code, [{"name": "one", "code": "assert True"}, {"name": "two", "code": ""}])

    assert report["status"] == "error"
    assert 'File "solution.py", line 4' in report["message"]
    assert "SyntaxError" in report["message"]
    assert [(result["name"], result["status"]) for result in report["results"]] == [
        ("one", "error"),
        ("two", "error"),
    ]
    for result in report["results"]:
        assert result["message"] == "Not run: your code does not compile (line 4)."
        assert result["duration_ms"] == 0


def test_a_test_that_does_not_compile_is_an_error_of_that_test_only():
    results = _run(ADD, "assert add(1, 1) == 2", "assert add(1,")

    assert results[0]["status"] == "pass"
    assert results[1]["status"] == "error"
    assert results[1]["message"].startswith("The test itself does not compile:\n")


def test_a_tests_output_is_captured_with_the_candidates_stderr_included():
    code = "import sys\ndef add(a, b):\n    print('adding', a, b)\n    return a + b\n"

    results = _run(
        code,
        "assert add(1, 2) == 3",
        "print('in the test', file=sys.stderr)\nassert add(2, 2) == 5",
    )

    assert (results[0]["output"], results[0]["output_truncated"]) == ("adding 1 2\n", False)
    # A failing test keeps its output too; each test has its own.
    assert results[1]["status"] == "fail"
    assert results[1]["output"] == "in the test\nadding 2 2\n"


def test_output_is_capped_at_64_kb_and_marked_truncated():
    result = _one(ADD, "print('x' * 100_000)\nprint('after')\nassert add(1, 1) == 2")

    assert OUTPUT_LIMIT == 64 * 1024
    assert result["status"] == "pass"
    assert result["output"] == "x" * OUTPUT_LIMIT
    assert result["output_truncated"] is True


def test_output_of_exactly_the_limit_is_not_truncated():
    result = _one(ADD, f"print('x' * {OUTPUT_LIMIT - 1})")

    assert len(result["output"]) == OUTPUT_LIMIT
    assert result["output_truncated"] is False


def test_input_says_the_exercise_reads_no_input():
    result = _one("def ask():\n    return input('Your name? ')\n", "ask()")

    assert result["status"] == "error"
    assert "This exercise reads no input: input() is not available." in result["message"]
    assert 'File "solution.py", line 2, in ask' in result["message"]


@pytest.mark.parametrize(
    ("test", "error", "explanation"),
    [
        ("import sys\nsys.exit(3)", "SystemExit: 3", "The code called sys.exit() (or exit())"),
        ("exit()", "SystemExit", "The code called sys.exit() (or exit())"),
        (
            "def down(n):\n    return down(n + 1)\ndown(0)",
            "RecursionError: maximum recursion depth exceeded",
            "The recursion went too deep: check the base case, or use a loop.",
        ),
        ("raise MemoryError", "MemoryError", "The code ran out of memory."),
    ],
)
def test_exits_deep_recursion_and_running_out_of_memory_are_reported_plainly(
    test, error, explanation
):
    results = _run(ADD, test, "assert add(1, 1) == 2")

    assert results[0]["status"] == "error"
    assert error in results[0]["message"]
    assert explanation in results[0]["message"]
    # The run goes on: the next test still runs, in its own namespace.
    assert results[1]["status"] == "pass"


def test_each_test_gets_a_fresh_namespace():
    code = "seen = []\ndef remember(x):\n    seen.append(x)\n    return len(seen)\n"

    results = _run(
        code,
        "leaked = 1\nassert remember('a') == 1",
        "assert 'leaked' not in globals()\nassert remember('b') == 1",
        "assert remember('c') == 1",
    )

    assert [result["status"] for result in results] == ["pass", "pass", "pass"]


def test_a_test_cannot_break_the_next_by_replacing_a_builtin():
    results = _run(ADD, "len = None", "assert len([1, 2]) == 2")

    assert [result["status"] for result in results] == ["pass", "pass"]


@pytest.mark.parametrize(
    ("test", "status", "message"),
    [
        ("with raises(ValueError):\n    int('x')", "pass", ""),
        ("with raises(ValueError, match='invalid literal'):\n    int('x')", "pass", ""),
        ("with raises((KeyError, ValueError)):\n    {}['k']", "pass", ""),
        (
            "with raises(ValueError):\n    int('1')",
            "fail",
            "expected ValueError to be raised, but nothing was raised",
        ),
        (
            "with raises((KeyError, IndexError)):\n    pass",
            "fail",
            "expected KeyError or IndexError to be raised, but nothing was raised",
        ),
        (
            "with raises(ValueError, match='negative'):\n    int('x')",
            "fail",
            "raised ValueError(\"invalid literal for int() with base 10: 'x'\"), "
            "but the message does not contain 'negative'",
        ),
    ],
)
def test_raises_passes_only_when_the_block_raises_as_expected(test, status, message):
    result = _one(ADD, test)

    assert (result["status"], result["message"]) == (status, message)


def test_raises_lets_an_unexpected_exception_through_as_an_error():
    result = _one(ADD, "with raises(ValueError):\n    {}['k']")

    assert result["status"] == "error"
    assert "KeyError: 'k'" in result["message"]


def test_it_calls_on_start_and_on_result_in_order():
    events = []

    run_tests(
        ADD,
        [{"name": "first", "code": "assert add(1, 1) == 2"}, {"name": "second", "code": "1/0"}],
        on_start=lambda name: events.append(("start", name)),
        on_result=lambda result: events.append(("result", result["name"], result["status"])),
    )

    assert events == [
        ("start", "first"),
        ("result", "first", "pass"),
        ("start", "second"),
        ("result", "second", "error"),
    ]


def test_the_command_line_reads_a_job_and_writes_the_report():
    job = {
        "code": ADD,
        "tests": [
            {"name": "adds", "code": "assert add(1, 2) == 3"},
            {"name": "wrong", "code": "assert add(1, 2) == 4"},
        ],
    }

    completed = subprocess.run(
        [sys.executable, str(HARNESS)],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    report = json.loads(completed.stdout)
    assert report["status"] == "fail"
    assert [(r["name"], r["status"]) for r in report["results"]] == [
        ("adds", "pass"),
        ("wrong", "fail"),
    ]
    assert "expected: 4" in report["results"][1]["message"]
    assert completed.stderr == ""


def test_the_candidates_print_in_the_command_line_does_not_spoil_its_json():
    job = {"code": "print('hello')\n", "tests": [{"name": "t", "code": "print('from test')"}]}

    completed = subprocess.run(
        [sys.executable, str(HARNESS)],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    (result,) = json.loads(completed.stdout)["results"]
    assert result["output"] == "hello\nfrom test\n"
