"""Predict the output and debugging exercises as questions: the comparison of a prediction with
what a snippet prints, running a snippet (the harness, and CPython in a fresh process), the
model's rules, and the bank files' keys with their errors."""

from pathlib import Path
from textwrap import dedent

import pytest
from django.core.exceptions import ValidationError

from questions import snippets
from questions.bank_files import BankError, export_bank, load_bank, read_bank
from questions.models import Kind, Question
from questions.output import (
    DIFFERENT,
    EXTRA,
    MISSING,
    SAME,
    compare_output,
    describe_difference,
    output_lines,
)
from runner.browser.harness import exception_line, run_snippet
from tests.factories import QuestionFactory
from tests.questions.test_bank_files import write_bank

pytestmark = pytest.mark.django_db

# --- comparing a prediction ---------------------------------------------------------------------


def test_trailing_spaces_and_blank_lines_at_the_end_do_not_count():
    comparison = compare_output("1  \r\n[2, 3]\t\r\n\r\n\r\n", "1\n[2, 3]")

    assert comparison.matches
    assert [line.status for line in comparison.lines] == [SAME, SAME]


def test_leading_spaces_and_blank_lines_in_the_middle_count():
    assert not compare_output("  x", "x").matches
    assert not compare_output("a\nb", "a\n\nb").matches
    assert output_lines("\n\na\n\n") == ["", "", "a"]


def test_each_line_is_marked_same_different_missing_or_extra():
    short = compare_output("a\nX", "a\nb\nc")
    long = compare_output("a\nb\nc\nd", "a\nb")

    assert [(line.given, line.expected, line.status) for line in short.lines] == [
        ("a", "a", SAME),
        ("X", "b", DIFFERENT),
        (None, "c", MISSING),
    ]
    assert short.wrong_lines == 2 and not short.matches
    assert [line.status for line in long.lines] == [SAME, SAME, EXTRA, EXTRA]


def test_an_empty_prediction_matches_nothing_that_prints():
    comparison = compare_output("", "None")

    assert not comparison.matches
    assert comparison.first_difference.status == MISSING


def test_the_first_difference_in_words():
    assert describe_difference("a\nb", "a\nc") == "line 2 is 'b', but the snippet prints 'c'"
    assert describe_difference("a", "a\nc") == "line 2 ('c') is missing"
    assert describe_difference("a\nz", "a") == "line 2 ('z') is not printed"
    assert describe_difference("a ", "a\n") == ""


# --- running a snippet --------------------------------------------------------------------------


def test_the_harness_gives_what_it_prints_and_the_exception_as_a_last_line():
    report = run_snippet("print('a')\nprint('  b')\n{}['k']\nprint('never')")

    assert report["status"] == "pass"
    assert report["output"] == "a\n  b\nKeyError: 'k'"
    assert "Traceback" in report["message"] and "line 3" in report["message"]


def test_an_exception_after_an_unfinished_line_starts_a_line_of_its_own():
    report = run_snippet("print('x', end='')\nraise StopIteration")

    assert report["output"] == "x\nStopIteration"


def test_an_exception_without_a_message_is_its_type_alone():
    assert exception_line(ValueError()) == "ValueError"
    assert exception_line(ValueError("bad", 2)) == "ValueError: ('bad', 2)"

    class Broken(Exception):
        def __str__(self):
            raise RuntimeError

    assert exception_line(Broken()) == "Broken"


def test_standard_error_is_not_part_of_the_output():
    report = run_snippet("import sys, warnings\nprint('err', file=sys.stderr)\nprint('out')")

    assert report["output"] == "out\n"


def test_a_snippet_that_does_not_compile_is_an_error():
    report = run_snippet("def f(:\n    pass")

    assert report["status"] == "error"
    assert "SyntaxError" in report["message"] and report["output"] == ""


def test_cpython_runs_a_snippet_in_a_fresh_process_through_the_harness():
    run = snippets.run_snippet("x = [1, 2]\ny = x\ny += [3]\nprint(x)\nprint(x is y)")

    assert run.ran and run.output == "[1, 2, 3]\nTrue\n"


def test_a_snippet_that_never_ends_is_stopped_at_the_time_limit():
    run = snippets.run_snippet("while True:\n    pass", timeout=1)

    assert not run.ran
    assert run.problem == "did not finish within 1 s (an endless loop?)"


def test_a_snippet_that_kills_python_says_so():
    run = snippets.run_snippet("import os\nos._exit(3)")

    assert run.problem == "stopped Python itself (exit code 3)"


def test_several_snippets_come_back_in_their_order():
    runs = snippets.run_snippets([f"print({n} * {n})" for n in range(6)])

    assert [run.output for run in runs] == [f"{n * n}\n" for n in range(6)]


# --- the model ----------------------------------------------------------------------------------


def prediction(**kwargs) -> Question:
    kwargs.setdefault("snippet", "print(1 + 1)")
    kwargs.setdefault("expected_output", "2")
    return QuestionFactory.build(kind=Kind.PREDICT_OUTPUT, topic=QuestionFactory().topic, **kwargs)


def test_a_prediction_question_needs_a_snippet_and_what_it_prints():
    with pytest.raises(ValidationError) as raised:
        prediction(snippet=" ", expected_output="\n").full_clean()

    errors = raised.value.message_dict
    assert errors["snippet"] == ["Write the snippet the candidate reads."]
    assert errors["expected_output"] == [
        "The expected output is empty: Run the snippet fills it in with what it prints."
    ]


def test_a_snippet_must_be_valid_python():
    with pytest.raises(ValidationError) as raised:
        prediction(snippet="print(1\nx = 2").full_clean()

    (problem,) = raised.value.message_dict["snippet"]
    assert problem.startswith("The snippet is not valid Python (line 1):")


def test_other_kinds_have_no_snippet():
    question = QuestionFactory.build(
        kind=Kind.CONCEPT, topic=QuestionFactory().topic, snippet="print(1)"
    )
    with pytest.raises(ValidationError) as raised:
        question.full_clean()

    assert "Only predict-the-output questions" in raised.value.message_dict["snippet"][0]


def test_a_sound_prediction_question_is_clean_and_its_snippet_highlighted():
    question = prediction()
    question.full_clean(exclude=["slug"])
    question.save()

    assert '<span class="nb">print</span>' in question.snippet_html
    assert question.compare_prediction("2  \n").matches


def test_a_debugging_exercise_needs_its_code():
    question = QuestionFactory.build(kind=Kind.DEBUGGING, topic=QuestionFactory().topic)
    with pytest.raises(ValidationError) as raised:
        question.full_clean()

    assert raised.value.message_dict["starter_code"] == [
        "Debugging exercises need starter code and a reference solution."
    ]


# --- the bank files -----------------------------------------------------------------------------

READING = """\
topic:
  slug: reading
  name: Reading code
  description: What does it print?
  position: 3
questions:
  - slug: shared-list
    title: Two names, one list
    kind: predict_output
    difficulty: easy
    status: published
    tracks: [backend-web]
    tags: [mutability]
    prompt: What does this print?
    answer: Both names point at the same list.
    key_points:
      - Assignment binds a name
      - += extends in place
    snippet: |
      a = [1]
      b = a
      b += [2]
      print(a)
      print({}["k"])
    expected_output: |
      [1, 2]
      KeyError: 'k'
  - slug: fix-the-average
    title: Fix the average
    kind: debugging
    difficulty: easy
    status: published
    tracks: [backend-web]
    tags: [bugs]
    prompt: The average of [1, 2] comes out as 1. Fix it.
    answer: Floor division drops the half.
    key_points:
      - "// floors"
      - "/ is true division"
    starter_code: |
      def mean(xs):
          return sum(xs) // len(xs)
    solution_code: |
      def mean(xs):
          return sum(xs) / len(xs)
    tests:
      - name: whole numbers
        code: assert mean([2, 4]) == 3
      - name: halves
        code: assert mean([1, 2]) == 1.5
"""


def reading(**replacements: str) -> str:
    text = READING
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def test_the_bank_loads_predictions_and_debugging_exercises(tmp_path):
    load_bank(read_bank(write_bank(tmp_path, reading=READING)))

    question = Question.objects.get(slug="shared-list")
    assert question.kind == Kind.PREDICT_OUTPUT
    assert question.snippet.startswith("a = [1]\n") and question.snippet.endswith('["k"])')
    assert question.expected_output == "[1, 2]\nKeyError: 'k'"
    assert question.snippet_html
    debugging = Question.objects.get(slug="fix-the-average")
    assert debugging.kind == Kind.DEBUGGING
    assert [test.name for test in debugging.tests.all()] == ["whole numbers", "halves"]


def problems_of(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(BankError) as raised:
        load_bank(read_bank(write_bank(tmp_path, reading=text)))
    return raised.value.problems


def test_an_empty_expected_output_is_refused(tmp_path):
    text = reading(**{"    expected_output: |\n      [1, 2]\n      KeyError: 'k'\n": ""})

    assert problems_of(tmp_path, text) == [
        "reading.yaml, question 'shared-list': 'expected_output': The expected output is empty: "
        "Run the snippet fills it in with what it prints."
    ]


def test_a_snippet_that_is_not_python_is_refused(tmp_path):
    text = reading(**{"      b += [2]\n": "      b += [2\n"})

    (problem,) = problems_of(tmp_path, text)
    assert problem.startswith(
        "reading.yaml, question 'shared-list': 'snippet': The snippet is not valid Python"
    )


def test_an_output_typed_wrong_is_refused_with_the_first_difference(tmp_path):
    text = reading(**{"      [1, 2]\n      KeyError": "      [1]\n      KeyError"})

    assert problems_of(tmp_path, text) == [
        "reading.yaml, question 'shared-list': 'expected_output' is not what the snippet "
        "prints: line 1 is '[1]', but the snippet prints '[1, 2]'. Generate it by running the "
        "snippet (never type it by hand)."
    ]


def test_a_snippet_that_times_out_is_refused_and_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setattr(snippets, "SNIPPET_TIME_LIMIT", 1)
    text = reading(**{"      print(a)\n": "      while a:\n          pass\n"})

    assert problems_of(tmp_path, text) == [
        "reading.yaml, question 'shared-list': the snippet did not finish within 1 s (an "
        "endless loop?)."
    ]
    assert not Question.objects.exists()


def test_a_prediction_without_a_snippet_and_a_snippet_on_another_kind_are_refused(tmp_path):
    text = reading(
        **{
            "    snippet: |\n      a = [1]\n      b = a\n      b += [2]\n      print(a)\n"
            '      print({}["k"])\n': "",
            "    starter_code: |\n      def mean": "    snippet: print(1)\n    starter_code: |\n"
            "      def mean",
        }
    )

    assert problems_of(tmp_path, text) == [
        "reading.yaml, question 'shared-list': 'snippet': Write the snippet the candidate reads.",
        "reading.yaml, question 'fix-the-average': 'snippet': Only predict-the-output questions "
        "have a snippet and an expected output: clear it, or change the kind.",
    ]


def test_a_debugging_exercise_without_tests_is_refused(tmp_path):
    text = READING.split("    tests:\n")[0]

    assert problems_of(tmp_path, text) == [
        "reading.yaml, question 'fix-the-average': 'tests': A debugging exercise needs at least "
        "one test (its starter fails some)."
    ]


def test_export_writes_the_snippet_and_its_output_back(tmp_path):
    load_bank(read_bank(write_bank(tmp_path / "in", reading=READING)))

    export_bank(tmp_path / "out")

    written = (tmp_path / "out" / "reading.yaml").read_text(encoding="utf-8")
    assert dedent("""\
            snippet: |
              a = [1]
              b = a
              b += [2]
              print(a)
              print({}["k"])
            expected_output: |
              [1, 2]
              KeyError: 'k'
        """) in dedent(written.split("  - slug: shared-list\n")[1].split("  - slug:")[0])
    again = read_bank(tmp_path / "out")
    (shared,) = [q for q in again.questions if q.slug == "shared-list"]
    assert shared.expected_output == "[1, 2]\nKeyError: 'k'"
