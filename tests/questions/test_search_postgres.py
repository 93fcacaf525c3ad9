"""Full-text search on PostgreSQL: prefix matching, ranking, and a usable GIN index."""

import pytest
from django.db import connection
from django.urls import reverse

from questions.models import Question
from tests.factories import QuestionFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search"),
]


def test_it_matches_words_as_they_are_typed():
    decorators = QuestionFactory(title="How decorators work", prompt="Explain the syntax.")
    QuestionFactory(title="Lists versus tuples", prompt="Mutability.")

    assert list(Question.objects.search("decor")) == [decorators]
    assert list(Question.objects.search("decorators")) == [decorators]
    assert list(Question.objects.search("DECORATOR work")) == [decorators]


def test_title_matches_rank_above_prompt_matches():
    in_prompt = QuestionFactory(
        title="Wrapping functions", prompt="Write a decorator that retries."
    )
    in_title = QuestionFactory(title="Decorators and functools.wraps", prompt="Explain wraps.")

    assert list(Question.objects.search("decorator")) == [in_title, in_prompt]


def test_query_syntax_in_the_text_is_harmless():
    QuestionFactory(title="The GIL", prompt="Threads.")

    for text in ["gil & | ! ( ) :*", "'; drop table", "!!!", "<->", "gil:*A"]:
        list(Question.objects.search(text))  # no error
    assert Question.objects.search("!!!").count() == 0


def test_the_search_page_uses_full_text_search(client):
    QuestionFactory(title="How decorators work")

    response = client.get(reverse("questions:list"), {"q": "decor"})

    assert [q.title for q in response.context["page"].object_list] == ["How decorators work"]


def test_the_gin_index_exists_and_the_search_uses_it():
    for n in range(50):
        QuestionFactory(title=f"Question {n}", prompt="Something about threads and locks.")
    QuestionFactory(title="How decorators work")

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'question_search_idx'")
        (definition,) = cursor.fetchone()
        cursor.execute("ANALYZE questions_question")
        # Tiny tables are scanned sequentially whatever the indexes; forbid that to see
        # whether the planner *can* use the index for our expression.
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = Question.objects.search("decor").explain()

    assert "USING gin" in definition
    assert "question_search_idx" in plan
