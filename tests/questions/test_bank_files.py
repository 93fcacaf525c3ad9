"""load_bank and export_bank: idempotent loading, updates by slug, round trip, clear errors."""

from io import StringIO
from pathlib import Path
from textwrap import dedent

import pytest
from django.core.management import CommandError, call_command

from questions.bank_files import BankError, export_bank, load_bank, read_bank
from questions.models import Choice, Kind, Question, Status, Tag, Topic, Track
from tests.factories import QuestionFactory, SessionItemFactory, TopicFactory

pytestmark = pytest.mark.django_db

TRACKS = """\
tracks:
  - slug: backend-web
    name: Backend web
    description: Django, Flask and FastAPI roles.
  - slug: data-engineering
    name: Data engineering
    description: Pipelines and pandas.
"""

FUNDAMENTALS = """\
topic:
  slug: fundamentals
  name: Python fundamentals
  description: The core language.
  position: 1
questions:
  - slug: list-vs-tuple
    title: Lists versus tuples
    kind: concept
    difficulty: easy
    status: published
    tracks: [backend-web, data-engineering]
    tags: [data-structures, immutability]
    prompt: |
      What is the difference between a `list` and a `tuple`?

      ```python
      point = (1, 2)
      ```
    answer: |
      **Mutability.** A tuple is hashable if its items are.
    key_points:
      - Lists are mutable, tuples are not
      - "Tuples are hashable: usable as dict keys"
    hints:
      - Think about dict keys.
    follow_ups: [tuple-quiz, reverse-words]
  - slug: tuple-quiz
    title: Which of these are tuples?
    kind: multiple_choice
    difficulty: medium
    status: draft
    tracks: [backend-web]
    tags: [data-structures]
    prompt: Which expressions build a tuple?
    answer: The comma makes the tuple, not the parentheses.
    key_points:
      - The comma makes a tuple
      - Parentheses alone only group
    multi_select: true
    choices:
      - text: "`(1, 2)`"
        correct: true
        explanation: Two items and a comma.
      - text: "`1,`"
        correct: true
        explanation: A trailing comma is enough.
      - text: "`(1)`"
        correct: false
        explanation: Just the integer 1 in parentheses.
"""

CODING = """\
topic:
  slug: coding
  name: Coding exercises
  description: Small functions with tests.
  position: 2
questions:
  - slug: reverse-words
    title: Reverse the words
    kind: coding
    difficulty: hard
    status: in_review
    tracks: [backend-web]
    tags: [strings]
    prompt: Reverse the order of words in a sentence.
    answer: Split, reverse, join.
    key_points:
      - Uses split and join
      - Handles empty input
    starter_code: |
      def reverse_words(text: str) -> str:
          ...
    solution_code: |
      def reverse_words(text: str) -> str:
          return " ".join(reversed(text.split()))
    time_limit: 3
    tests:
      - name: reverses three words
        code: |
          assert reverse_words("a b c") == "c b a"
      - name: keeps an empty text empty
        hidden: true
        code: |
          assert reverse_words("") == ""
"""


def write_bank(directory: Path, **files: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    contents = {"tracks": TRACKS, "fundamentals": FUNDAMENTALS, "coding": CODING, **files}
    for name, text in contents.items():
        if text is not None:
            (directory / f"{name}.yaml").write_text(text, encoding="utf-8")
    return directory


def run_load(directory: Path) -> str:
    out = StringIO()
    call_command("load_bank", "--dir", str(directory), stdout=out)
    return out.getvalue()


def bank_snapshot() -> dict:
    """Everything a bank file says, as stored in the database."""
    snapshot = {}
    for q in Question.objects.prefetch_related("tracks", "tags", "follow_ups", "choices", "tests"):
        snapshot[q.slug] = {
            "fields": {
                name: getattr(q, name)
                for name in (
                    "title",
                    "kind",
                    "difficulty",
                    "status",
                    "prompt",
                    "answer",
                    "key_points",
                    "hints",
                    "multi_select",
                    "keep_choice_order",
                    "starter_code",
                    "solution_code",
                    "time_limit",
                    "runs_in_browser",
                    "prompt_html",
                )
            },
            "topic": q.topic.slug,
            "tracks": sorted(t.slug for t in q.tracks.all()),
            "tags": sorted(t.slug for t in q.tags.all()),
            "follow_ups": sorted(f.slug for f in q.follow_ups.all()),
            "choices": [(c.text, c.is_correct, c.explanation) for c in q.choices.all()],
            "tests": [(t.name, t.code, t.is_hidden, t.position) for t in q.tests.all()],
        }
    snapshot["_topics"] = list(Topic.objects.values_list("slug", "name", "description", "position"))
    snapshot["_tracks"] = list(Track.objects.values_list("slug", "name", "description", "position"))
    return snapshot


# --- loading -------------------------------------------------------------------------------------


def test_it_loads_a_bank_and_says_what_it_did(tmp_path):
    output = run_load(write_bank(tmp_path))

    assert "Loaded 3 questions in 2 topics: 3 created, 0 updated, 0 unchanged." in output
    question = Question.objects.get(slug="list-vs-tuple")
    assert question.topic.slug == "fundamentals"
    assert question.status == Status.PUBLISHED and question.published_at is not None
    assert question.key_point_list == [
        "Lists are mutable, tuples are not",
        "Tuples are hashable: usable as dict keys",
    ]
    assert question.hint_list == ["Think about dict keys."]
    assert question.prompt.endswith("```")  # the YAML block's final newline is not content
    assert '<pre class="highlight">' in question.prompt_html
    assert {t.slug for t in question.tracks.all()} == {"backend-web", "data-engineering"}
    assert {t.slug for t in question.tags.all()} == {"data-structures", "immutability"}
    assert {f.slug for f in question.follow_ups.all()} == {"tuple-quiz", "reverse-words"}
    quiz = Question.objects.get(slug="tuple-quiz")
    assert quiz.multi_select
    assert list(quiz.choices.values_list("text", "is_correct", "position")) == [
        ("`(1, 2)`", True, 0),
        ("`1,`", True, 1),
        ("`(1)`", False, 2),
    ]
    assert quiz.choices.first().text_html == "<p><code>(1, 2)</code></p>"
    coding = Question.objects.get(slug="reverse-words")
    assert coding.kind == Kind.CODING and coding.status == Status.IN_REVIEW
    assert '<span class="k">return</span>' in coding.solution_code_html
    assert list(Track.objects.values_list("slug", "position")) == [
        ("backend-web", 1),
        ("data-engineering", 2),
    ]


def test_a_second_load_changes_nothing(tmp_path):
    bank = write_bank(tmp_path)
    run_load(bank)
    before = bank_snapshot()
    history = Question.history.count()

    output = run_load(bank)

    assert "3 questions in 2 topics: 0 created, 0 updated, 3 unchanged." in output
    assert bank_snapshot() == before
    assert Question.history.count() == history  # nothing saved, so no new history


def test_an_edited_file_updates_questions_by_slug(tmp_path):
    bank = write_bank(tmp_path)
    run_load(bank)
    original_pk = Question.objects.get(slug="tuple-quiz").pk

    edited = FUNDAMENTALS.replace("title: Which of these are tuples?", "title: Spot the tuples")
    edited = edited.replace(
        "explanation: Just the integer 1 in parentheses.", "explanation: An int."
    )
    edited = edited.replace("tags: [data-structures, immutability]", "tags: [immutability]")
    output = run_load(write_bank(bank, fundamentals=edited))

    assert "0 created, 2 updated, 1 unchanged" in output
    quiz = Question.objects.get(slug="tuple-quiz")
    assert quiz.pk == original_pk
    assert quiz.title == "Spot the tuples"
    assert quiz.choices.last().explanation == "An int."
    assert [t.slug for t in Question.objects.get(slug="list-vs-tuple").tags.all()] == [
        "immutability"
    ]


def test_it_leaves_questions_that_are_not_in_the_files_alone(tmp_path):
    own = QuestionFactory(slug="an-editors-own-question")

    run_load(write_bank(tmp_path))

    assert Question.objects.filter(pk=own.pk).exists()


def test_follow_ups_and_tracks_may_name_rows_already_in_the_database(tmp_path):
    QuestionFactory(slug="already-there")
    Track.objects.create(slug="general-software-engineering", name="General")
    text = CODING.replace("tracks: [backend-web]", "tracks: [general-software-engineering]")
    text = text.replace("    starter_code:", "    follow_ups: [already-there]\n    starter_code:")

    run_load(write_bank(tmp_path, coding=text))

    coding = Question.objects.get(slug="reverse-words")
    assert [q.slug for q in coding.follow_ups.all()] == ["already-there"]


def test_it_says_so_and_succeeds_when_there_are_no_bank_files(tmp_path):
    assert "No bank files" in run_load(tmp_path)
    assert Question.objects.count() == 0


# --- bad files -----------------------------------------------------------------------------------


def problems_for(tmp_path, **files) -> str:
    bank = write_bank(tmp_path, **files)
    with pytest.raises(CommandError) as error:
        run_load(bank)
    return str(error.value)


BAD_FILES = [
    ({"fundamentals": "topic: [unclosed"}, "fundamentals.yaml: is not valid YAML (line 1"),
    ({"fundamentals": "- just\n- a list\n"}, "fundamentals.yaml: must be a mapping"),
    (
        {"fundamentals": FUNDAMENTALS.replace("slug: fundamentals", "slug: basics")},
        "fundamentals.yaml, topic: slug 'basics' must equal the file name 'fundamentals'",
    ),
    (
        {"fundamentals": FUNDAMENTALS.replace("kind: concept", "kind: essay")},
        "fundamentals.yaml, question 'list-vs-tuple': 'kind': Value 'essay' is not a valid choice.",
    ),
    (
        {"fundamentals": FUNDAMENTALS.replace("difficulty: easy", "difficulty: brutal")},
        "fundamentals.yaml, question 'list-vs-tuple': 'difficulty': Value 'brutal' is not a "
        "valid choice.",
    ),
    (
        {"fundamentals": FUNDAMENTALS.replace("status: published", "status: live")},
        "fundamentals.yaml, question 'list-vs-tuple': 'status': Value 'live' is not a valid "
        "choice.",
    ),
    (
        {"coding": CODING.replace("tracks: [backend-web]", "tracks: [mobile]")},
        "coding.yaml, question 'reverse-words': unknown track 'mobile'",
    ),
    (
        {"fundamentals": FUNDAMENTALS.replace("[tuple-quiz, reverse-words]", "[nowhere]")},
        "fundamentals.yaml, question 'list-vs-tuple': unknown follow-up 'nowhere'",
    ),
    (
        {"fundamentals": FUNDAMENTALS.replace("    hints:", "    colour: blue\n    hints:")},
        "fundamentals.yaml, question 'list-vs-tuple': unknown key: colour",
    ),
    (
        {"coding": CODING.replace("slug: reverse-words", "slug: list-vs-tuple")},
        # Files are read in name order, so the second copy is the one in fundamentals.yaml.
        "fundamentals.yaml, question 'list-vs-tuple': duplicate slug (also in coding.yaml)",
    ),
    (
        {
            "fundamentals": FUNDAMENTALS.replace(
                "        correct: true\n", "        correct: false\n"
            )
        },
        "fundamentals.yaml, question 'tuple-quiz': 'choices': Mark at least one choice as correct",
    ),
    (
        {"fundamentals": FUNDAMENTALS.replace("multi_select: true", "multi_select: false")},
        "fundamentals.yaml, question 'tuple-quiz': 'choices': 2 choices are marked correct, but "
        "the question is single-select",
    ),
    (
        {"fundamentals": FUNDAMENTALS.split('      - text: "`1,`"')[0]},
        "fundamentals.yaml, question 'tuple-quiz': 'choices': A multiple-choice question needs "
        "at least two choices",
    ),
    (
        {"fundamentals": FUNDAMENTALS.replace("explanation: A trailing comma is enough.", "")},
        "fundamentals.yaml, question 'tuple-quiz', choice 2: 'explanation' is missing",
    ),
    (
        {"coding": CODING.split("    tests:")[0]},
        "coding.yaml, question 'reverse-words': 'tests': A coding question needs at least one "
        "test.",
    ),
    (
        {"coding": CODING.replace("keeps an empty text empty", "reverses three words")},
        "coding.yaml, question 'reverse-words': 'tests': Each test needs its own name; used more "
        "than once: \u201creverses three words\u201d.",
    ),
    (
        {"coding": CODING.replace('assert reverse_words("") == ""', "assert (")},
        "coding.yaml, question 'reverse-words', test 2: 'code' is not valid Python (line 1)",
    ),
    (
        {"coding": CODING.replace("        hidden: true", "        hidden: sometimes")},
        "coding.yaml, question 'reverse-words', test 2: 'hidden' must be true or false",
    ),
    (
        {"coding": CODING.replace("time_limit: 3", "time_limit: 0")},
        "coding.yaml, question 'reverse-words': 'time_limit': Ensure this value is greater than or "
        "equal to 1.",
    ),
    (
        {"fundamentals": FUNDAMENTALS.replace("A trailing comma is enough.", "''")},
        "fundamentals.yaml, question 'tuple-quiz', choice 2: 'explanation': This field cannot "
        "be blank.",
    ),
    (
        {"coding": CODING.replace("name: reverses three words", "name: " + "x" * 121)},
        "coding.yaml, question 'reverse-words', test 1: 'name': Ensure this value has at most "
        "120 characters (it has 121).",
    ),
    (
        {"coding": CODING.replace("tags: [strings]", "tags: [" + "s" * 51 + "]")},
        f"coding.yaml, question 'reverse-words', tag '{'s' * 51}': 'slug': Ensure this value "
        "has at most 50 characters (it has 51).",
    ),
    (
        {"coding": CODING.replace("time_limit: 3", "time_limit: three")},
        "coding.yaml, question 'reverse-words': 'time_limit' must be a whole number.",
    ),
    (
        {"coding": CODING.replace("      - name: reverses three words\n", "      - \n")},
        "coding.yaml, question 'reverse-words', test 1: 'name' is missing",
    ),
    (
        {"coding": CODING.replace("      - Handles empty input\n", "")},
        "coding.yaml, question 'reverse-words': 'key_points': Give at least two key points",
    ),
    (
        {"coding": CODING.replace("answer: Split, reverse, join.", "answer: ''")},
        "coding.yaml, question 'reverse-words': 'answer': Write the model answer.",
    ),
    (
        {"coding": CODING.replace("    prompt: Reverse the order of words in a sentence.\n", "")},
        "coding.yaml, question 'reverse-words': 'prompt' is missing",
    ),
    (
        {"fundamentals": FUNDAMENTALS.replace("- Think about dict keys.", "- Think: dict keys")},
        "item 1 of 'hints' was read as a mapping",
    ),
    (
        {"coding": CODING.replace("slug: reverse-words", "slug: Reverse_Words")},
        "slug 'Reverse_Words' is not lowercase-with-dashes",
    ),
    (
        {"tracks": TRACKS.replace("    name: Data engineering\n", "")},
        "tracks.yaml, track 'data-engineering': 'name' is missing",
    ),
    (
        {
            "fundamentals": FUNDAMENTALS.replace(
                "status: published", "status: published\n    multi_select: true"
            )
        },
        "fundamentals.yaml, question 'list-vs-tuple': 'multi_select': Only multiple-choice "
        "questions can be multi-select.",
    ),
    (
        {
            "coding": CODING.replace(
                "status: in_review", "status: in_review\n    keep_choice_order: true"
            )
        },
        "coding.yaml, question 'reverse-words': 'keep_choice_order': Only multiple-choice "
        "questions have choices to keep in order.",
    ),
    (
        {
            "fundamentals": FUNDAMENTALS.replace(
                "multi_select: true", "multi_select: true\n    keep_choice_order: maybe"
            )
        },
        "fundamentals.yaml, question 'tuple-quiz': 'keep_choice_order' must be true or false",
    ),
]


@pytest.mark.parametrize(("files", "message"), BAD_FILES)
def test_a_bad_file_is_refused_with_a_message_naming_file_and_question(tmp_path, files, message):
    problems = problems_for(tmp_path, **files)

    assert message in problems
    assert "Nothing was loaded." in problems
    assert Question.objects.count() == 0
    assert Topic.objects.count() == 0
    assert Tag.objects.count() == 0


def test_it_reports_every_problem_at_once(tmp_path):
    problems = problems_for(
        tmp_path,
        fundamentals=FUNDAMENTALS.replace("kind: concept", "kind: essay"),
        coding=CODING.replace("difficulty: hard", "difficulty: brutal"),
    )

    assert "The question bank has 2 problems" in problems
    assert "'kind': Value 'essay' is not a valid choice." in problems
    assert "'difficulty': Value 'brutal' is not a valid choice." in problems


def test_nothing_is_written_when_a_later_file_is_bad(tmp_path):
    """A question the model refuses, in a file read after others that were written, rolls
    back the whole load: load_bank() runs in one transaction."""
    run_load(write_bank(tmp_path / "good"))
    snapshot = bank_snapshot()
    edited = FUNDAMENTALS.replace("title: Lists versus tuples", "title: Changed")

    problems_bank = write_bank(
        tmp_path / "bad",
        fundamentals=edited,
        coding=CODING.replace("difficulty: hard", "difficulty: x"),
    )
    with pytest.raises(BankError) as raised:
        load_bank(read_bank(problems_bank))

    assert raised.value.problems == [
        "coding.yaml, question 'reverse-words': 'difficulty': Value 'x' is not a valid choice."
    ]
    assert bank_snapshot() == snapshot


def test_load_bank_rolls_back_when_writing_fails_half_way(tmp_path, monkeypatch):
    bank = read_bank(write_bank(tmp_path))
    original_save = Choice.save

    def failing_save(self, *args, **kwargs):
        if self.text == "`(1)`":
            raise RuntimeError("disk full")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Choice, "save", failing_save)
    with pytest.raises(RuntimeError):
        load_bank(bank)

    assert Question.objects.count() == 0
    assert Track.objects.count() == 0


# --- exporting -----------------------------------------------------------------------------------


def test_load_export_load_gives_identical_content(tmp_path):
    run_load(write_bank(tmp_path / "bank"))
    before = bank_snapshot()

    call_command("export_bank", "--dir", str(tmp_path / "first"), stdout=StringIO())
    # Load the export into an empty database: the same bank comes back.
    Question.objects.all().delete()
    Topic.objects.all().delete()
    Track.objects.all().delete()
    output = run_load(tmp_path / "first")

    assert "3 created" in output
    assert bank_snapshot() == before
    call_command("export_bank", "--dir", str(tmp_path / "second"), stdout=StringIO())
    first = {p.name: p.read_text() for p in (tmp_path / "first").iterdir()}
    second = {p.name: p.read_text() for p in (tmp_path / "second").iterdir()}
    assert first == second
    assert set(first) == {"tracks.yaml", "fundamentals.yaml", "coding.yaml"}


def test_loading_the_export_over_the_same_database_changes_nothing(tmp_path):
    run_load(write_bank(tmp_path / "bank"))
    export_bank(tmp_path / "out")

    assert "0 created, 0 updated, 3 unchanged" in run_load(tmp_path / "out")


def test_the_export_reads_like_the_readme(tmp_path):
    run_load(write_bank(tmp_path / "bank"))
    export_bank(tmp_path / "out")

    text = (tmp_path / "out" / "fundamentals.yaml").read_text()
    assert text.startswith("topic:\n  slug: fundamentals\n  name: Python fundamentals\n")
    assert "  - slug: list-vs-tuple\n    title: Lists versus tuples\n" in text
    assert "    tracks: [backend-web, data-engineering]\n" in text
    assert "    prompt: |\n      What is the difference between a `list` and a `tuple`?\n" in text
    assert "    multi_select: true\n    choices:\n      - text:" in text
    # Empty optional keys are left out.
    quiz = text.split("slug: tuple-quiz")[1]
    assert "hints:" not in quiz and "follow_ups:" not in quiz and "starter_code" not in quiz


def test_export_writes_editors_questions_in_their_topics_file(tmp_path):
    topic = TopicFactory(slug="testing", name="Testing")
    QuestionFactory(slug="pytest-fixtures", topic=topic, key_points="One\nTwo")

    export_bank(tmp_path)
    bank = read_bank(tmp_path)

    assert [q.slug for q in bank.topics[0].questions] == ["pytest-fixtures"]


def test_export_command_reports_the_files(tmp_path):
    TopicFactory(slug="testing")
    out = StringIO()

    call_command("export_bank", "--dir", str(tmp_path), stdout=out)

    assert f"Wrote 1 file to {tmp_path}." in out.getvalue()


def test_the_checked_bank_can_be_read_without_the_command(tmp_path):
    bank = read_bank(write_bank(tmp_path))

    assert [t.slug for t in bank.topics] == ["coding", "fundamentals"]
    assert len(bank.questions) == 3
    assert dedent(bank.questions[0].solution_code).startswith("def reverse_words")


def test_it_loads_a_coding_questions_named_tests_in_order(tmp_path):
    run_load(write_bank(tmp_path))

    question = Question.objects.get(slug="reverse-words")
    tests = list(question.tests.all())
    assert [(t.name, t.is_hidden, t.position) for t in tests] == [
        ("reverses three words", False, 0),
        ("keeps an empty text empty", True, 1),
    ]
    assert tests[0].code == 'assert reverse_words("a b c") == "c b a"'
    assert '<span class="k">assert</span>' in tests[0].code_html
    assert question.time_limit == 3
    assert question.runs_in_browser is True


def test_a_pinned_choice_order_is_loaded_and_written_back(tmp_path):
    pinned = FUNDAMENTALS.replace(
        "multi_select: true", "multi_select: true\n    keep_choice_order: true"
    )
    run_load(write_bank(tmp_path / "bank", fundamentals=pinned))

    assert Question.objects.get(slug="tuple-quiz").keep_choice_order is True
    assert Question.objects.get(slug="list-vs-tuple").keep_choice_order is False
    export_bank(tmp_path / "out")
    text = (tmp_path / "out" / "fundamentals.yaml").read_text()
    assert "    multi_select: true\n    keep_choice_order: true\n    choices:\n" in text
    assert text.count("keep_choice_order") == 1  # left out where it is false
    assert "0 created, 0 updated, 3 unchanged" in run_load(tmp_path / "out")
    # Unpinning it in the file updates the question.
    assert "1 updated" in run_load(write_bank(tmp_path / "bank"))
    assert Question.objects.get(slug="tuple-quiz").keep_choice_order is False


CHOICES = """\
      - text: "`(1, 2)`"
        correct: true
        explanation: Two items and a comma.
      - text: "`1,`"
        correct: true
        explanation: A trailing comma is enough.
      - text: "`(1)`"
        correct: false
        explanation: Just the integer 1 in parentheses.
"""


def test_moving_choices_keeps_the_rows_that_past_answers_point_at(tmp_path, candidate):
    run_load(write_bank(tmp_path / "bank"))
    quiz = Question.objects.get(slug="tuple-quiz")
    ids = dict(quiz.choices.values_list("text", "pk"))
    answer = SessionItemFactory(question=quiz, choice_order=list(ids.values()))
    answer.selected_choices.set([ids["`1,`"]])
    moved = """\
      - text: "`(1)`"
        correct: false
        explanation: Just the integer 1 in parentheses.
      - text: "`(1, 2)`"
        correct: true
        explanation: Two items and a comma.
      - text: "`1,`"
        correct: true
        explanation: A trailing comma makes a **tuple** of one.
"""
    assert CHOICES in FUNDAMENTALS

    output = run_load(
        write_bank(tmp_path / "bank", fundamentals=FUNDAMENTALS.replace(CHOICES, moved))
    )

    assert "1 updated" in output
    assert list(quiz.choices.values_list("pk", "position")) == [
        (ids["`(1)`"], 0),
        (ids["`(1, 2)`"], 1),
        (ids["`1,`"], 2),
    ]
    trailing = quiz.choices.get(pk=ids["`1,`"])
    assert (
        trailing.explanation_html
        == "<p>A trailing comma makes a <strong>tuple</strong> of one.</p>"
    )
    assert list(answer.selected_choices.values_list("pk", flat=True)) == [ids["`1,`"]]


def test_a_rewritten_choice_is_a_new_row_and_the_others_stay(tmp_path):
    run_load(write_bank(tmp_path / "bank"))
    quiz = Question.objects.get(slug="tuple-quiz")
    ids = dict(quiz.choices.values_list("text", "pk"))
    rewritten = FUNDAMENTALS.replace('- text: "`(1)`"', '- text: "`(1)` on its own"')

    run_load(write_bank(tmp_path / "bank", fundamentals=rewritten))

    after = dict(quiz.choices.values_list("text", "pk"))
    assert after["`(1, 2)`"] == ids["`(1, 2)`"] and after["`1,`"] == ids["`1,`"]
    assert after["`(1)` on its own"] not in ids.values()
    assert "`(1)`" not in after
