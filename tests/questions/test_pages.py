"""The candidate-facing bank: /questions/, /questions/<slug>/, /sets/, /sets/<slug>/."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from questions.models import CodeTest, Difficulty, Kind, Question, Status, Tag, Visibility
from tests.factories import (
    QuestionFactory,
    QuestionSetFactory,
    QuestionSetItemFactory,
    TagFactory,
    TopicFactory,
    TrackFactory,
    multiple_choice_question,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("questions:list")


def make_questions(count: int, **kwargs) -> list[Question]:
    """`count` published questions sharing a topic, two tags and a track, created in bulk
    (the pages' query counts are what matter here, not each question's history)."""
    topic = kwargs.pop("topic", None) or TopicFactory(slug="fundamentals", name="Fundamentals")
    tags = [TagFactory(slug="python"), TagFactory(slug="basics")]
    track = TrackFactory(slug="backend-web", name="Backend web")
    start = Question.objects.count()
    template = QuestionFactory.build(topic=topic, **kwargs)
    template.render()
    values = {
        field.attname: getattr(template, field.attname)
        for field in Question._meta.concrete_fields
        if field.attname not in {"id", "title", "slug"}
    }
    questions = Question.objects.bulk_create(
        [
            Question(**values, title=f"Question number {start + n}", slug=f"bulk-{start + n}")
            for n in range(count)
        ]
    )
    through_tags = Question.tags.through
    through_tags.objects.bulk_create(
        [through_tags(question=q, tag=t) for q in questions for t in tags]
    )
    through_tracks = Question.tracks.through
    through_tracks.objects.bulk_create([through_tracks(question=q, track=track) for q in questions])
    return questions


def titles(response) -> list[str]:
    return [q.title for q in response.context["page"].object_list]


# --- /questions/ ---------------------------------------------------------------------------------


def test_the_list_shows_published_questions_only(client):
    live = QuestionFactory(title="Lists versus tuples")
    QuestionFactory(title="A draft", status=Status.DRAFT)
    QuestionFactory(title="Under review", status=Status.IN_REVIEW)

    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert titles(response) == [live.title]
    assert b"A draft" not in response.content
    assert b"Under review" not in response.content


def test_the_list_is_a_whole_page_without_htmx_and_the_results_fragment_with_it(
    client, htmx_headers
):
    QuestionFactory(title="Lists versus tuples")

    page = client.get(LIST_URL)
    fragment = client.get(LIST_URL, headers=htmx_headers)

    assert [t.name for t in page.templates][0] == "questions/list.html"
    assert b"<html" in page.content and b'id="question-results"' in page.content
    assert [t.name for t in fragment.templates] == ["questions/_list.html"]
    assert b"<html" not in fragment.content
    assert b"Lists versus tuples" in fragment.content
    assert "HX-Request" in page["Vary"]


def test_the_form_is_wired_for_htmx_and_works_without_it(client):
    response = client.get(LIST_URL)
    html = response.content.decode()

    assert '<form method="get" action="/questions/"' in html
    assert 'data-hx-get="/questions/"' in html
    assert 'data-hx-push-url="true"' in html
    assert "input changed delay:300ms" in html and "change" in html
    assert '<button type="submit" class="button">Filter</button>' in html


def test_htmx_results_push_a_clean_address(client, htmx_headers):
    response = client.get(
        LIST_URL, {"q": "tuple", "track": "", "topic": "", "kind": ""}, headers=htmx_headers
    )

    assert response["HX-Push-Url"] == "/questions/?q=tuple"


def test_a_history_restore_gets_the_whole_page(client, htmx_headers):
    response = client.get(LIST_URL, headers={**htmx_headers, "HX-History-Restore-Request": "true"})

    assert b"<html" in response.content


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"track": "data-engineering"}, ["Data question"]),
        ({"topic": "testing"}, ["Pytest fixtures"]),
        ({"difficulty": "hard"}, ["Pytest fixtures"]),
        ({"kind": "coding"}, ["Data question"]),
        ({"tag": "orm"}, ["Select related"]),
        ({"q": "fixtures"}, ["Pytest fixtures"]),
        ({"topic": "testing", "difficulty": "easy"}, []),
        ({}, ["Data question", "Pytest fixtures", "Select related"]),
    ],
)
def test_filters_narrow_the_list(client, htmx_headers, params, expected):
    data = TrackFactory(slug="data-engineering")
    TopicFactory(slug="fundamentals", position=1)
    testing = TopicFactory(slug="testing", position=2)
    QuestionFactory(title="Select related", tags=[TagFactory(slug="orm")])
    QuestionFactory(title="Pytest fixtures", topic=testing, difficulty=Difficulty.HARD)
    QuestionFactory(title="Data question", kind=Kind.CODING, tracks=[data])

    plain = client.get(LIST_URL, params)
    fragment = client.get(LIST_URL, params, headers=htmx_headers)

    assert sorted(titles(plain)) == expected
    assert sorted(titles(fragment)) == expected


def test_an_unknown_filter_value_is_reported_and_ignored(client):
    QuestionFactory(title="Lists versus tuples")

    response = client.get(LIST_URL, {"topic": "no-such-topic", "kind": "essay"})

    assert response.status_code == 200
    assert titles(response) == ["Lists versus tuples"]
    assert "topic" in response.context["form"].errors
    assert "kind" in response.context["form"].errors
    assert b"Not found, so not applied." in response.content


def test_a_search_with_nothing_searchable_or_too_long_is_handled(client):
    QuestionFactory(title="Lists versus tuples")

    assert client.get(LIST_URL, {"q": "!!!"}).status_code == 200
    response = client.get(LIST_URL, {"q": "x" * 500})
    assert response.status_code == 200
    assert "q" in response.context["form"].errors


def test_no_results_says_so(client):
    QuestionFactory(title="Lists versus tuples")

    response = client.get(LIST_URL, {"q": "kubernetes"})

    assert b"No questions match these filters" in response.content


def test_an_empty_bank_says_so(client):
    response = client.get(LIST_URL)

    assert b"No questions match yet" in response.content


def test_the_list_paginates_twenty_to_a_page(client, htmx_headers):
    make_questions(45)

    first = client.get(LIST_URL)
    third = client.get(LIST_URL, {"page": 3}, headers=htmx_headers)
    beyond = client.get(LIST_URL, {"page": 99})
    nonsense = client.get(LIST_URL, {"page": "abc"})

    assert len(titles(first)) == 20
    assert b"page 1 of 3" in first.content
    assert b'href="?page=2"' in first.content
    assert b'data-hx-get="?page=2"' in first.content
    assert len(titles(third)) == 5
    assert beyond.context["page"].number == 3
    assert nonsense.context["page"].number == 1


def test_pagination_links_keep_the_filters(client):
    make_questions(25, difficulty=Difficulty.HARD)

    response = client.get(LIST_URL, {"difficulty": "hard", "q": ""})

    assert b'href="?difficulty=hard&amp;q=&amp;page=2"' in response.content


def _count_list_queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL, params or {})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", [{}, {"tag": "python", "difficulty": "medium", "q": "number"}])
def test_the_list_issues_the_same_queries_for_10_and_500_questions(
    client, django_assert_num_queries, params
):
    make_questions(10)
    client.get(LIST_URL, params)  # warms the process, as in a running one
    # 1-3 the filter form's tracks, topics and tags (of published questions), 4 count, 5 the
    # page of questions with their topics, 6 their tags.
    expected = 6
    with django_assert_num_queries(expected):
        client.get(LIST_URL, params)

    make_questions(490)
    with django_assert_num_queries(expected):
        response = client.get(LIST_URL, params)
    assert response.context["page"].paginator.count == 500


def test_the_list_issues_the_same_queries_for_a_signed_in_candidate(candidate_client):
    make_questions(10)
    candidate_client.get(LIST_URL)  # warms the process, as in a running one
    few = _count_list_queries(candidate_client)

    make_questions(490)
    assert _count_list_queries(candidate_client) == few


# --- /questions/<slug>/ --------------------------------------------------------------------------


def detail_url(question) -> str:
    return reverse("questions:detail", args=[question.slug])


def test_the_question_page_shows_the_prompt_but_not_the_answer(client):
    question = QuestionFactory(
        title="Lists versus tuples",
        prompt="What is the **difference**?",
        answer="The model answer about mutability.",
        key_points="Mutability\nHashability",
        hints="Think about dict keys\nWhat can change?",
        difficulty=Difficulty.EASY,
        tags=[TagFactory(slug="data-structures", name="data-structures")],
        tracks=[TrackFactory(name="Backend web")],
    )

    response = client.get(detail_url(question))
    html = response.content.decode()

    assert response.status_code == 200
    assert '<h1 id="question-title">Lists versus tuples</h1>' in html
    assert "What is the <strong>difference</strong>?" in html
    assert "The model answer" not in html
    assert "Hashability" not in html
    assert '<details class="bank-hints">' in html and "Hints (2)" in html
    assert "#data-structures" in html and "Backend web" in html
    assert "badge-easy" in html and "Concept" in html
    assert f'href="{detail_url(question)}?answer=1#answer"' in html
    assert f'data-hx-get="{detail_url(question)}?answer=1"' in html
    assert 'data-hx-target="#answer"' in html


def test_show_answer_without_htmx_reloads_the_page_with_the_answer(client):
    question = QuestionFactory(answer="The model answer.", key_points="Mutability\nHashability")

    response = client.get(detail_url(question), {"answer": "1"})
    html = response.content.decode()

    assert b"<html" in response.content
    assert "The model answer." in html
    assert "<li>Hashability</li>" in html
    assert "Show answer" not in html


def test_show_answer_with_htmx_returns_the_answer_fragment(client, htmx_headers):
    question = QuestionFactory(answer="The model answer.", key_points="Mutability\nHashability")

    response = client.get(detail_url(question), {"answer": "1"}, headers=htmx_headers)

    assert [t.name for t in response.templates] == ["questions/_answer.html"]
    assert b"<html" not in response.content
    assert b"The model answer." in response.content
    assert b"<li>Mutability</li>" in response.content


def test_multiple_choice_reveals_which_choices_are_right_only_with_the_answer(client):
    question = multiple_choice_question(correct=1, wrong=2)

    closed = client.get(detail_url(question)).content.decode()
    opened = client.get(detail_url(question), {"answer": "1"}).content.decode()

    assert closed.count('class="bank-choice"') == 3
    assert "Choose one answer" in closed
    assert "is-correct" not in closed and "Because of the reason" not in closed
    assert opened.count("bank-choice is-correct") == 1
    assert opened.count("bank-choice is-wrong") == 2
    assert "Because of the reason given here." in opened


def test_a_coding_question_shows_starter_code_and_keeps_solution_and_tests_for_the_answer(client):
    question = QuestionFactory(
        kind=Kind.CODING,
        starter_code="def add(a, b): ...",
        solution_code="def add(a, b):\n    return a + b",
    )
    CodeTest.objects.create(question=question, name="adds two", code="assert add(1, 2) == 3")

    closed = client.get(detail_url(question)).content.decode()
    opened = client.get(detail_url(question), {"answer": "1"}).content.decode()

    assert "Starter code" in closed and '<span class="nf">add</span>' in closed
    assert (
        "Reference solution" not in closed
        and 'add</span><span class="p">(</span><span class="mi">1' not in closed
    )
    assert "adds two" not in closed
    assert "Reference solution" in opened and "<h3>Tests</h3>" in opened
    assert '<span class="k">assert</span>' in opened


def test_the_answer_lists_every_test_by_name_and_says_which_are_hidden(client, htmx_headers):
    question = QuestionFactory(kind=Kind.PRACTICAL, starter_code="x = 1")
    CodeTest.objects.create(question=question, name="an example", code="assert x == 1", position=0)
    CodeTest.objects.create(
        question=question, name="a hidden one", code="assert x > 0", is_hidden=True, position=1
    )

    fragment = client.get(detail_url(question), {"answer": "1"}, headers=htmx_headers)
    html = fragment.content.decode()

    assert [t.name for t in fragment.context["tests"]] == ["an example", "a hidden one"]
    assert re.search(r"an example\s*<span class=\"badge badge-accent\">Example</span>", html)
    assert re.search(r"a hidden one\s*<span class=\"badge\">Hidden</span>", html)
    assert html.count('<span class="k">assert</span>') == 2
    assert "data-code-runner" not in html  # Run the tests is the preview's, for editors


def test_a_question_page_never_offers_run_the_tests(client):
    question = QuestionFactory(
        kind=Kind.CODING, starter_code="def f(): ...", solution_code="def f(): return 1"
    )
    CodeTest.objects.create(question=question, name="one", code="assert f() == 1")

    for params in ({}, {"answer": "1"}):
        response = client.get(detail_url(question), params)
        html = response.content.decode()
        assert "data-code-runner" not in html and "Run the tests" not in html
        assert "js/code-card.js" not in html
        assert "check_codes" not in response.context


def test_follow_ups_link_to_published_questions_only(client):
    question = QuestionFactory()
    live = QuestionFactory(title="The GIL and when it matters")
    draft = QuestionFactory(title="Secret draft", status=Status.DRAFT)
    question.follow_ups.set([live, draft])

    html = client.get(detail_url(question)).content.decode()

    assert "Follow-up questions" in html
    assert f'href="{detail_url(live)}"' in html
    assert "Secret draft" not in html


def test_drafts_and_questions_in_review_are_not_found(client, candidate_client):
    draft = QuestionFactory(status=Status.DRAFT)
    review = QuestionFactory(status=Status.IN_REVIEW)

    assert client.get(detail_url(draft)).status_code == 404
    assert candidate_client.get(detail_url(review)).status_code == 404
    assert candidate_client.get(detail_url(draft), {"answer": "1"}).status_code == 404
    assert client.get("/questions/no-such-question/").status_code == 404


def test_questions_about_the_orm_link_to_the_lab(client):
    orm = QuestionFactory(tags=[TagFactory(slug="orm")])
    other = QuestionFactory()

    assert b"See it live in the ORM lab" in client.get(detail_url(orm)).content
    assert b"See it live in the ORM lab" not in client.get(detail_url(other)).content


def test_the_page_leaves_the_practise_form_to_the_practice_app(client):
    question = QuestionFactory()

    html = client.get(detail_url(question)).content.decode()

    practise_url = reverse("practice:practise_question", args=[question.slug])
    assert f'<form method="post" action="{practise_url}">' in html
    assert "csrfmiddlewaretoken" in html


def test_the_question_page_issues_a_fixed_number_of_queries(client, django_assert_num_queries):
    tags = [TagFactory(slug="python"), TagFactory(slug="orm")]
    small = multiple_choice_question(correct=1, wrong=1)
    small.tags.set(tags[:1])
    small.follow_ups.set([QuestionFactory()])
    big = multiple_choice_question(correct=2, wrong=4)
    big.tags.set(tags)
    big.follow_ups.set([QuestionFactory() for _ in range(8)])

    # 1 the question with its topic, 2 follow-ups with topics, 3 tags, 4 tracks, 5 choices
    for question in (small, big):
        with django_assert_num_queries(5):
            client.get(detail_url(question), {"answer": "1"})


def test_a_question_without_choices_costs_no_choices_query(client, django_assert_num_queries):
    question = QuestionFactory(kind=Kind.CONCEPT, tags=[TagFactory()])
    question.follow_ups.set([QuestionFactory() for _ in range(3)])

    # 1 the question with its topic, 2 follow-ups with topics, 3 tags, 4 tracks
    with django_assert_num_queries(4):
        client.get(detail_url(question), {"answer": "1"})


def test_a_coding_question_reads_its_tests_in_one_query_however_many(
    client, django_assert_num_queries
):
    small, big = (
        QuestionFactory(kind=Kind.CODING, tags=[TagFactory()], solution_code="x = 1")
        for _ in range(2)
    )
    for question, count in ((small, 1), (big, 12)):
        for n in range(count):
            CodeTest.objects.create(
                question=question, name=f"test {n}", code="assert x", is_hidden=n % 2 == 1
            )

    for question, count in ((small, 1), (big, 12)):
        # 1 the question with its topic, 2 follow-ups with topics, 3 tags, 4 tracks, 5 its
        # tests (coding and practical only)
        with django_assert_num_queries(5):
            response = client.get(detail_url(question), {"answer": "1"})
        assert len(response.context["tests"]) == count
        # Closed, the page shows no tests: it reads none.
        with django_assert_num_queries(4):
            client.get(detail_url(question))


# --- /sets/ --------------------------------------------------------------------------------------


def test_the_sets_page_lists_public_sets_with_their_published_question_counts(client):
    public = QuestionSetFactory(title="Backend loop", visibility=Visibility.PUBLIC)
    QuestionSetFactory(title="Morgan's private set", visibility=Visibility.PRIVATE)
    QuestionSetItemFactory(question_set=public)
    QuestionSetItemFactory(question_set=public, question=QuestionFactory(status=Status.DRAFT))

    html = client.get(reverse("questions:sets")).content.decode()

    assert "Backend loop" in html
    assert "1 question</p>" in html
    assert "private set" not in html


def test_the_sets_page_has_an_empty_state(client):
    assert b"No curated sets yet" in client.get(reverse("questions:sets")).content


def test_a_public_set_lists_its_published_questions_in_order(client):
    question_set = QuestionSetFactory(visibility=Visibility.PUBLIC)
    QuestionSetItemFactory(
        question_set=question_set, question=QuestionFactory(title="Second"), position=2
    )
    QuestionSetItemFactory(
        question_set=question_set, question=QuestionFactory(title="First"), position=1
    )
    QuestionSetItemFactory(
        question_set=question_set,
        question=QuestionFactory(title="Hidden draft", status=Status.DRAFT),
    )

    html = client.get(reverse("questions:set_detail", args=[question_set.slug])).content.decode()

    assert html.index("First") < html.index("Second")
    assert "Hidden draft" not in html


def test_a_private_set_is_not_found(client, mentor_client, mentor):
    private = QuestionSetFactory(visibility=Visibility.PRIVATE, owner=mentor)

    url = reverse("questions:set_detail", args=[private.slug])
    assert client.get(url).status_code == 404
    assert mentor_client.get(url).status_code == 404


def test_both_set_pages_issue_the_same_queries_for_few_and_many(client, django_assert_num_queries):
    def build(sets: int, questions: int):
        for _ in range(sets):
            question_set = QuestionSetFactory(visibility=Visibility.PUBLIC)
            for question in make_questions(questions):
                QuestionSetItemFactory(question_set=question_set, question=question)
        return question_set

    few = build(2, 3)
    # 1 the public sets with their counts
    with django_assert_num_queries(1):
        client.get(reverse("questions:sets"))
    # 1 the set, 2 its items with questions and topics, 3 the questions' tags
    with django_assert_num_queries(3):
        client.get(reverse("questions:set_detail", args=[few.slug]))

    Tag.objects.all().delete()
    many = build(10, 50)
    with django_assert_num_queries(1):
        client.get(reverse("questions:sets"))
    with django_assert_num_queries(3):
        response = client.get(reverse("questions:set_detail", args=[many.slug]))
    assert len(response.context["question_set"].published_items) == 50
