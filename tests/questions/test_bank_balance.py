"""The bank's multiple-choice questions cannot be passed on form alone: where the key sits,
how many choices are right and how long the right one is say nothing (issue 14).

Three rules, checked on every file in questions/bank/, whoever wrote it:

1. Single-select keys are spread out: no position holds more than 35% of them, and each of
   the positions 1 to 4 holds at least one.
2. Multi-select questions vary in how many choices are right: each has at least one right and
   one wrong choice, some have exactly one right, some all but one, and no count is shared by
   more than half of them. Nor does a position give the answer away: each position that ten or
   more of them have is right in 25% to 75% of those.
3. The right choice is the longest one (longer than every wrong one, in Markdown characters)
   in at most 40% of the questions.

Candidates see the choices shuffled, but the question page and a pinned question
(keep_choice_order) show the file's order, and a habit of writing the key first or longest
shows through either way. To fix a failure, move whole choice entries (text, correct and
explanation together), rewrite choices so that they stay true or false for a reason, never pad
a wrong one.
"""

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from questions.bank_files import BANK_DIR, TRACKS_FILE, bank_files

MAX_SHARE_OF_A_KEY_POSITION = 0.35
POSITIONS_THAT_MUST_HOLD_A_KEY = (1, 2, 3, 4)
MAX_SHARE_OF_ONE_RIGHT_COUNT = 0.5
MULTI_POSITION_SHARE = (0.25, 0.75)
MIN_QUESTIONS_FOR_A_POSITION_SHARE = 10
MAX_SHARE_WITH_THE_LONGEST_RIGHT = 0.40


@dataclass(frozen=True)
class Quiz:
    """A multiple-choice question as its file has it."""

    where: str  # "file.yaml: slug"
    multi_select: bool
    right: tuple[bool, ...]  # per choice, in file order
    lengths: tuple[int, ...]

    @property
    def key_position(self) -> int:
        return self.right.index(True) + 1

    @property
    def right_is_longest(self) -> bool:
        longest_right = max(n for n, ok in zip(self.lengths, self.right, strict=True) if ok)
        wrong = [n for n, ok in zip(self.lengths, self.right, strict=True) if not ok]
        return longest_right > max(wrong, default=-1)


def quizzes_in(directory: Path) -> list[Quiz]:
    found = []
    for path in bank_files(directory):
        if path.name == TRACKS_FILE:
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for question in data.get("questions") or []:
            if question.get("kind") != "multiple_choice":
                continue
            choices = question.get("choices") or []
            found.append(
                Quiz(
                    where=f"{path.name}: {question.get('slug')}",
                    multi_select=bool(question.get("multi_select")),
                    right=tuple(bool(c.get("correct")) for c in choices),
                    lengths=tuple(len(str(c.get("text", "")).strip()) for c in choices),
                )
            )
    return found


# --- the rules, each returning what is wrong (nothing when the bank keeps it) --------------------


def key_position_problems(quizzes: list[Quiz]) -> list[str]:
    single = [q for q in quizzes if not q.multi_select and sum(q.right) == 1]
    if not single:
        return ["no single-select questions to check"]
    positions = Counter(q.key_position for q in single)
    spread = ", ".join(f"{p}: {n}" for p, n in sorted(positions.items()))
    problems = []
    for position, count in sorted(positions.items()):
        if count / len(single) > MAX_SHARE_OF_A_KEY_POSITION:
            problems.append(
                f"position {position} holds the key in {count} of {len(single)} single-select "
                f"questions (at most {MAX_SHARE_OF_A_KEY_POSITION:.0%}); keys by position: {spread}"
            )
    for position in POSITIONS_THAT_MUST_HOLD_A_KEY:
        if not positions[position]:
            problems.append(
                f"no single-select key is choice {position}; keys by position: {spread}"
            )
    return problems


def right_count_problems(quizzes: list[Quiz]) -> list[str]:
    multi = [q for q in quizzes if q.multi_select]
    if not multi:
        return ["no multi-select questions to check"]
    problems = [
        f"{q.where}: {sum(q.right)} of {len(q.right)} choices are right (1 to all but one)"
        for q in multi
        if not 1 <= sum(q.right) <= len(q.right) - 1
    ]
    if not any(sum(q.right) == 1 for q in multi):
        problems.append("no multi-select question has exactly one right choice")
    if not any(sum(q.right) == len(q.right) - 1 for q in multi):
        problems.append("no multi-select question has all but one choice right")
    counts = Counter(sum(q.right) for q in multi)
    count, questions = counts.most_common(1)[0]
    if questions / len(multi) > MAX_SHARE_OF_ONE_RIGHT_COUNT:
        problems.append(
            f"{questions} of {len(multi)} multi-select questions have exactly {count} right "
            f"choices (at most half may share a count): {dict(sorted(counts.items()))}"
        )
    low, high = MULTI_POSITION_SHARE
    for position in range(1, max(len(q.right) for q in multi) + 1):
        having = [q for q in multi if len(q.right) >= position]
        if len(having) < MIN_QUESTIONS_FOR_A_POSITION_SHARE:
            continue
        right = sum(q.right[position - 1] for q in having)
        if not low <= right / len(having) <= high:
            problems.append(
                f"choice {position} is right in {right} of the {len(having)} multi-select "
                f"questions that have it ({low:.0%} to {high:.0%})"
            )
    return problems


def longest_choice_problems(quizzes: list[Quiz]) -> list[str]:
    if not quizzes:
        return ["no multiple-choice questions to check"]
    longest = [q for q in quizzes if q.right_is_longest]
    if len(longest) / len(quizzes) <= MAX_SHARE_WITH_THE_LONGEST_RIGHT:
        return []
    return [
        f"the right choice is the longest in {len(longest)} of {len(quizzes)} questions (at most "
        f"{MAX_SHARE_WITH_THE_LONGEST_RIGHT:.0%}): " + ", ".join(q.where for q in longest)
    ]


# --- the real bank -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bank_quizzes() -> list[Quiz]:
    return quizzes_in(BANK_DIR)


def test_the_bank_has_both_kinds_of_multiple_choice_question(bank_quizzes):
    assert sum(q.multi_select for q in bank_quizzes) >= 10
    assert sum(not q.multi_select for q in bank_quizzes) >= 20


def test_single_select_keys_are_spread_over_the_positions(bank_quizzes):
    assert key_position_problems(bank_quizzes) == []


def test_multi_select_questions_vary_in_how_many_choices_are_right(bank_quizzes):
    assert right_count_problems(bank_quizzes) == []


def test_the_right_choice_is_rarely_the_longest(bank_quizzes):
    assert longest_choice_problems(bank_quizzes) == []


# --- the rules catch a bank that breaks them ------------------------------------------------------


def quiz(pattern: str, *, lengths: tuple[int, ...] | None = None, multi: bool = False) -> Quiz:
    """ "X..." is a question with four choices, the first one right."""
    right = tuple(mark == "X" for mark in pattern)
    return Quiz(f"q.yaml: {pattern}", multi, right, lengths or (10,) * len(pattern))


def test_a_key_that_is_usually_first_is_caught():
    bank = [quiz("X..."), quiz("X..."), quiz(".X.."), quiz("..X."), quiz("...X")]

    (problem,) = key_position_problems(bank)

    assert problem.startswith("position 1 holds the key in 2 of 5")


def test_a_position_that_never_holds_the_key_is_caught():
    bank = [quiz("X..."), quiz(".X.."), quiz("..X.")] * 3 + [quiz("....X")]

    assert key_position_problems(bank) == [
        "no single-select key is choice 4; keys by position: 1: 3, 2: 3, 3: 3, 5: 1"
    ]


def test_spread_out_keys_pass():
    assert key_position_problems([quiz("X..."), quiz(".X.."), quiz("..X."), quiz("...X")]) == []


def test_multi_select_questions_that_all_have_three_right_are_caught():
    bank = [quiz("XXX..", multi=True), quiz("X.XX.", multi=True), quiz(".XX.X", multi=True)]

    problems = right_count_problems(bank)

    assert "no multi-select question has exactly one right choice" in problems
    assert "no multi-select question has all but one choice right" in problems
    assert any("3 of 3 multi-select questions have exactly 3 right" in p for p in problems)


def test_a_multi_select_question_with_every_choice_right_is_caught():
    bank = [quiz("XXXX", multi=True), quiz("X...", multi=True), quiz(".XXX", multi=True)]

    assert right_count_problems(bank) == [
        "q.yaml: XXXX: 4 of 4 choices are right (1 to all but one)"
    ]


def test_a_first_choice_that_is_always_right_is_caught():
    patterns = [
        "X....",
        "XX...",
        "XXX..",
        "XXXX.",
        "X...X",
        "X..X.",
        "X.X.X",
        "X.XX.",
        "XX.X.",
        "X..XX",
    ]

    problems = right_count_problems([quiz(p, multi=True) for p in patterns])

    assert problems == [
        "choice 1 is right in 10 of the 10 multi-select questions that have it (25% to 75%)"
    ]


def test_varied_multi_select_questions_pass():
    patterns = [
        "X....",
        ".X.X.",
        "..XX.",
        "X.X.X",
        ".XXXX",
        "XX.XX",
        "...X.",
        "X..X.",
        ".X..X",
        "XX..X",
    ]

    assert right_count_problems([quiz(p, multi=True) for p in patterns]) == []


def test_a_right_choice_that_is_usually_the_longest_is_caught():
    bank = [
        quiz("X...", lengths=(90, 40, 40, 40)),
        quiz(".X..", lengths=(40, 90, 40, 40)),
        quiz("..X.", lengths=(40, 40, 40, 90)),
    ]

    (problem,) = longest_choice_problems(bank)

    assert problem.startswith("the right choice is the longest in 2 of 3 questions")
    assert "q.yaml: X..." in problem and "q.yaml: ..X." not in problem


def test_a_right_choice_as_long_as_a_wrong_one_is_not_the_longest():
    assert not quiz("X...", lengths=(50, 50, 20, 20)).right_is_longest
    assert quiz("XX..", lengths=(20, 51, 50, 20), multi=True).right_is_longest


def test_the_check_reads_new_files_too(tmp_path):
    (tmp_path / "tracks.yaml").write_text("tracks: []\n", encoding="utf-8")
    (tmp_path / "new-topic.yaml").write_text(
        """\
topic: {slug: new-topic, name: New, description: New, position: 9}
questions:
  - slug: first-is-right
    kind: multiple_choice
    multi_select: false
    choices:
      - {text: "The right one, much longer than the others", correct: true, explanation: Yes.}
      - {text: Wrong, correct: false, explanation: No.}
  - slug: a-concept
    kind: concept
""",
        encoding="utf-8",
    )

    (found,) = quizzes_in(tmp_path)

    assert found == Quiz("new-topic.yaml: first-is-right", False, (True, False), (42, 5))
    assert found.right_is_longest
