"""Predict the output: a candidate's prediction against what the snippet prints.

Compared on the server, line by line: each line without its trailing whitespace, and without
the blank lines at the end (a textarea sends CRLF line ends; an editor adds a last newline).
Leading whitespace and blank lines before the last printed line count: `print("  x")` prints
two spaces.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import zip_longest

SAME, DIFFERENT, MISSING, EXTRA = "same", "different", "missing", "extra"


def output_lines(text: str) -> list[str]:
    """The lines of an output as they are compared."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


@dataclass(frozen=True)
class OutputLine:
    """One line of the comparison: the candidate's and the snippet's (None where one of the
    two has no line with this number)."""

    number: int
    given: str | None
    expected: str | None

    @property
    def status(self) -> str:
        if self.given is None:
            return MISSING
        if self.expected is None:
            return EXTRA
        return SAME if self.given == self.expected else DIFFERENT

    @property
    def is_same(self) -> bool:
        return self.status == SAME


@dataclass(frozen=True)
class OutputComparison:
    lines: tuple[OutputLine, ...]

    @property
    def matches(self) -> bool:
        return all(line.is_same for line in self.lines)

    @property
    def wrong_lines(self) -> int:
        return sum(1 for line in self.lines if not line.is_same)

    @property
    def first_difference(self) -> OutputLine | None:
        return next((line for line in self.lines if not line.is_same), None)


def compare_output(given: str, expected: str) -> OutputComparison:
    """The candidate's output (`given`) against the snippet's, line by line."""
    pairs = zip_longest(output_lines(given), output_lines(expected))
    return OutputComparison(
        tuple(OutputLine(number, mine, theirs) for number, (mine, theirs) in enumerate(pairs, 1))
    )


def describe_difference(given: str, expected: str) -> str:
    """The first difference in words, for an error message ("" when they match)."""
    line = compare_output(given, expected).first_difference
    if line is None:
        return ""
    if line.given is None:
        return f"line {line.number} ({line.expected!r}) is missing"
    if line.expected is None:
        return f"line {line.number} ({line.given!r}) is not printed"
    return f"line {line.number} is {line.given!r}, but the snippet prints {line.expected!r}"
