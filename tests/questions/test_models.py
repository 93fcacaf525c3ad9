"""Question behaviour: rendering on save, validation, published_at, QuerySet filters."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from questions.models import (
    Choice,
    CodeTest,
    Difficulty,
    Kind,
    Question,
    QuestionSet,
    Status,
    Visibility,
    choice_problems,
    search_query,
)
from tests.factories import (
    ChoiceFactory,
    QuestionFactory,
    QuestionSetFactory,
    TagFactory,
    TopicFactory,
    TrackFactory,
    multiple_choice_question,
)

pytestmark = pytest.mark.django_db


def build_question(**kwargs) -> Question:
    """An unsaved question that passes full_clean() unless kwargs break it."""
    values = {
        "title": "Lists versus tuples",
        "slug": "lists-versus-tuples",
        "topic": TopicFactory(),
        "prompt": "What is the difference?",
        "answer": "Mutability.",
        "key_points": "Mutability\nHashability",
    }
    values.update(kwargs)
    return Question(**values)


# --- rendering -----------------------------------------------------------------------------------


def test_saving_renders_the_markdown_fields_to_html():
    question = QuestionFactory(
        prompt="Explain **this**.",
        answer="Like `that`.",
        hints="First *hint*\n\nSecond hint",
        kind=Kind.CODING,
        starter_code="def f(x): ...",
        solution_code="def f(x):\n    return x",
    )

    question.refresh_from_db()
    assert question.prompt_html == "<p>Explain <strong>this</strong>.</p>"
    assert question.answer_html == "<p>Like <code>that</code>.</p>"
    assert question.hints_html == (
        '<ol class="hint-list"><li><p>First <em>hint</em></p></li><li><p>Second hint</p></li></ol>'
    )
    assert '<span class="k">def</span>' in question.starter_code_html
    assert '<span class="k">return</span>' in question.solution_code_html


def test_saving_a_test_renders_its_code():
    test = CodeTest.objects.create(
        question=QuestionFactory(kind=Kind.CODING), name="one", code="assert f(1) == 1"
    )

    test.refresh_from_db()
    assert '<span class="k">assert</span>' in test.code_html


def test_saving_with_update_fields_still_refreshes_the_html():
    question = QuestionFactory(prompt="old")
    question.prompt = "new *text*"
    question.save(update_fields=["prompt"])

    question.refresh_from_db()
    assert question.prompt_html == "<p>new <em>text</em></p>"


def test_it_stores_script_in_a_prompt_as_inert_text():
    question = QuestionFactory(prompt="<script>alert(1)</script>[x](javascript:alert(1))")

    assert "<script" not in question.prompt_html
    assert 'href="javascript' not in question.prompt_html


def test_saving_a_choice_renders_its_text_and_explanation():
    choice = ChoiceFactory(text="`(1, 2)`", explanation="A *tuple*.")

    choice.refresh_from_db()
    assert choice.text_html == "<p><code>(1, 2)</code></p>"
    assert choice.explanation_html == "<p>A <em>tuple</em>.</p>"


def test_key_point_and_hint_lists_skip_blank_lines():
    question = QuestionFactory(key_points="One\n\n  Two  \n", hints="\nA hint\n")

    assert question.key_point_list == ["One", "Two"]
    assert question.hint_list == ["A hint"]


# --- published_at --------------------------------------------------------------------------------


def test_publishing_sets_published_at_and_unpublishing_clears_it():
    question = QuestionFactory(status=Status.DRAFT, published_at=None)
    assert question.published_at is None

    question.status = Status.PUBLISHED
    question.save()
    first = question.published_at
    assert first is not None

    question.title = "Edited"
    question.save()
    assert question.published_at == first  # editing a published question keeps its date

    question.status = Status.DRAFT
    question.save()
    assert question.published_at is None


# --- validation ----------------------------------------------------------------------------------


def test_a_complete_question_is_valid():
    build_question().full_clean()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"prompt": "  "}, "prompt"),
        ({"answer": ""}, "answer"),
        ({"key_points": "Only one"}, "key_points"),
        ({"key_points": "One\n\n"}, "key_points"),
        ({"kind": Kind.CODING}, "starter_code"),
        ({"multi_select": True}, "multi_select"),
        ({"keep_choice_order": True}, "keep_choice_order"),
    ],
)
def test_it_refuses_an_incomplete_question(changes, field):
    with pytest.raises(ValidationError) as error:
        build_question(**changes).full_clean()

    assert field in error.value.message_dict


def test_a_coding_question_with_starter_code_and_a_solution_is_valid():
    # Its tests are rows of their own, checked by the admin's formset and the bank loader.
    build_question(
        kind=Kind.CODING, starter_code="def f(): ...", solution_code="def f(): return 1"
    ).full_clean()


@pytest.mark.parametrize(
    ("flags", "multi_select", "expected"),
    [
        ([True, False], False, []),
        ([True, True, False], True, []),
        ([True], False, ["at least two choices"]),
        ([], True, ["at least two choices", "at least one"]),
        ([False, False], False, ["at least one"]),
        ([False, False, False], True, ["at least one"]),
        ([True, True], False, ["single-select"]),
    ],
)
def test_choice_problems(flags, multi_select, expected):
    problems = choice_problems(flags, multi_select=multi_select)

    assert len(problems) == len(expected)
    for problem, words in zip(problems, expected, strict=True):
        assert words in problem


# --- QuerySets -----------------------------------------------------------------------------------


def test_published_leaves_out_drafts_and_questions_in_review():
    published = QuestionFactory(status=Status.PUBLISHED)
    QuestionFactory(status=Status.DRAFT)
    QuestionFactory(status=Status.IN_REVIEW)

    assert list(Question.objects.published()) == [published]


def test_for_track_accepts_a_track_or_a_slug_and_nothing_means_all():
    web, data = TrackFactory(slug="backend-web"), TrackFactory(slug="data-engineering")
    both = QuestionFactory(tracks=[web, data])
    web_only = QuestionFactory(tracks=[web])
    QuestionFactory(tracks=[data])

    assert set(Question.objects.for_track(web)) == {both, web_only}
    assert set(Question.objects.for_track("backend-web")) == {both, web_only}
    assert Question.objects.for_track(None).count() == 3


def test_for_topics_of_kinds_of_difficulty_and_tagged():
    oop, testing = TopicFactory(slug="oop"), TopicFactory(slug="testing")
    orm = TagFactory(slug="orm")
    a = QuestionFactory(topic=oop, kind=Kind.CONCEPT, difficulty=Difficulty.EASY, tags=[orm])
    b = QuestionFactory(topic=testing, kind=Kind.CODING, difficulty=Difficulty.HARD)
    c = QuestionFactory(topic=testing, kind=Kind.BEHAVIOURAL, difficulty=Difficulty.EASY)

    assert set(Question.objects.for_topics([oop])) == {a}
    assert set(Question.objects.for_topics(["oop", "testing"])) == {a, b, c}
    assert set(Question.objects.of_kinds([Kind.CODING, Kind.BEHAVIOURAL])) == {b, c}
    assert set(Question.objects.of_difficulty("easy")) == {a, c}
    assert set(Question.objects.of_difficulty(["easy", "hard"])) == {a, b, c}
    assert set(Question.objects.tagged("orm")) == {a}
    assert set(Question.objects.tagged(orm)) == {a}
    assert Question.objects.for_topics([]).of_kinds([]).of_difficulty([]).tagged("").count() == 3


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's simple match")
def test_search_on_sqlite_matches_title_or_prompt_case_insensitively():
    by_title = QuestionFactory(title="How decorators work", prompt="Explain.")
    by_prompt = QuestionFactory(title="Wrapping functions", prompt="Write a DECORATOR.")
    QuestionFactory(title="Lists", prompt="Tuples?")

    assert set(Question.objects.search("decorator")) == {by_title, by_prompt}
    assert Question.objects.search("  ").count() == 3


def test_search_query_reduces_input_to_words():
    assert search_query("!!! ---") is None
    assert search_query("decor & | ! ( ) :*") is not None


def test_with_list_data_loads_topic_and_tags_in_fixed_queries(django_assert_num_queries):
    tags = [TagFactory(), TagFactory()]
    for _ in range(5):
        QuestionFactory(tags=tags)

    # 1 questions joined with topics, 2 their tags
    with django_assert_num_queries(2):
        rows = [
            (q.topic.name, q.title, q.get_difficulty_display(), [t.name for t in q.tag_list])
            for q in Question.objects.with_list_data()
        ]
    assert len(rows) == 5


def test_with_detail_data_gives_tags_by_name_and_tracks_by_position(
    django_assert_num_queries,
):
    question = QuestionFactory(
        tags=[TagFactory(slug="orm", name="orm"), TagFactory(slug="asyncio", name="asyncio")],
        tracks=[
            TrackFactory(slug="data", name="Data", position=2),
            TrackFactory(slug="web", name="Web", position=1),
        ],
    )
    QuestionFactory(tags=[TagFactory(slug="other")], tracks=[TrackFactory(slug="other")])

    # 1 the question and its topic, 2 its follow-ups, 3 its tags, 4 its tracks
    with django_assert_num_queries(4):
        loaded = Question.objects.with_detail_data().get(pk=question.pk)
        tags, tracks = list(loaded.tags.all()), list(loaded.tracks.all())

    assert [(t.slug, t.name) for t in tags] == [("asyncio", "asyncio"), ("orm", "orm")]
    assert [t.name for t in tracks] == ["Web", "Data"]


def test_with_detail_data_keeps_only_published_follow_ups():
    question = QuestionFactory()
    live = QuestionFactory()
    draft = QuestionFactory(status=Status.DRAFT)
    question.follow_ups.set([live, draft])

    loaded = Question.objects.with_detail_data().get(pk=question.pk)

    assert loaded.published_follow_ups == [live]


def test_multiple_choice_helper_builds_valid_choices():
    question = multiple_choice_question(correct=2, wrong=2)

    assert question.multi_select
    flags = list(Choice.objects.filter(question=question).values_list("is_correct", flat=True))
    assert choice_problems(flags, multi_select=question.multi_select) == []


def test_public_question_sets():
    public = QuestionSetFactory(visibility=Visibility.PUBLIC)
    QuestionSetFactory(visibility=Visibility.PRIVATE)

    assert list(QuestionSet.objects.public()) == [public]


# --- the rules on a question's choices and tests (the admin's inlines and the bank loader) -------


@pytest.mark.parametrize(
    ("kind", "multi_select", "flags", "expected"),
    [
        (Kind.MULTIPLE_CHOICE, False, [True, False], []),
        (Kind.MULTIPLE_CHOICE, True, [True, True], []),
        (Kind.MULTIPLE_CHOICE, False, [True], ["at least two choices"]),
        (Kind.CONCEPT, False, [], []),
        (Kind.CONCEPT, False, [False], ["Only multiple-choice questions have choices"]),
    ],
)
def test_clean_choices(kind, multi_select, flags, expected):
    question = QuestionFactory.build(kind=kind, multi_select=multi_select)

    if not expected:
        question.clean_choices(flags)
        return
    with pytest.raises(ValidationError) as raised:
        question.clean_choices(flags)
    assert len(raised.value.messages) == len(expected)
    for message, part in zip(raised.value.messages, expected, strict=True):
        assert part in message


@pytest.mark.parametrize(
    ("kind", "solution_code", "names", "expected"),
    [
        (Kind.CODING, "def f(): ...", ["one"], None),
        (Kind.CODING, "def f(): ...", [], "A coding question needs at least one test."),
        (Kind.PRACTICAL, "", [], None),
        (Kind.PRACTICAL, "def f(): ...", ["one"], None),
        (Kind.PRACTICAL, "", ["one"], "Tests need a reference solution to pass"),
        (Kind.CONCEPT, "", ["one"], "Only coding, practical, debugging and ORM questions"),
        (Kind.CODING, "def f(): ...", ["one", "one"], "used more than once: \u201cone\u201d."),
    ],
)
def test_clean_tests(kind, solution_code, names, expected):
    question = QuestionFactory.build(kind=kind, solution_code=solution_code)

    if expected is None:
        question.clean_tests(names)
        return
    with pytest.raises(ValidationError) as raised:
        question.clean_tests(names)
    (message,) = raised.value.messages
    assert expected in message
