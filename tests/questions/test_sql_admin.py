"""The editors' admin for SQL questions: datasets (checked on save: the schema and both row
sets must build, and the questions on them must still work), and an SQL question's reference
query (checked on save on both row sets), each with a clear error and nothing saved."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from questions.models import Dataset, Kind, Question
from tests.factories import (
    ORDERS_PER_CUSTOMER,
    SHOP_HIDDEN_ROWS,
    SHOP_ROWS,
    SHOP_SCHEMA,
    DatasetFactory,
    TopicFactory,
    sql_question,
)
from tests.questions.test_admin import change_form_data, change_url, question_post

pytestmark = pytest.mark.django_db

DATASET_ADD = reverse("admin:questions_dataset_add")


def dataset_post(**overrides) -> dict:
    return {
        "title": "Shop orders",
        "slug": "shop",
        "description": "`customers` and their `orders`.",
        "schema": SHOP_SCHEMA,
        "rows": SHOP_ROWS,
        "hidden_rows": SHOP_HIDDEN_ROWS,
        **overrides,
    }


def errors_of(response) -> dict:
    return response.context["adminform"].form.errors


# --- datasets ------------------------------------------------------------------------------------


def test_an_editor_adds_a_dataset_and_its_description_is_rendered(editor_client):
    response = editor_client.post(DATASET_ADD, dataset_post())

    assert response.status_code == 302
    dataset = Dataset.objects.get(slug="shop")
    assert dataset.description_html == (
        "<p><code>customers</code> and their <code>orders</code>.</p>"
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"schema": "CREATE TABLE customers (id INTEGER PRIMARY KEY"},
            "schema",
            "Line 1: incomplete input",
        ),
        (
            {"rows": SHOP_ROWS + "\nINSERT INTO refunds VALUES (1);"},
            "rows",
            "Line 3: no such table: refunds (in “INSERT INTO refunds VALUES (1);”).",
        ),
        (
            {"hidden_rows": "INSERT INTO orders VALUES (1, 1);"},
            "hidden_rows",
            "Line 1: table orders has 3 columns but 2 values were supplied",
        ),
        ({"hidden_rows": SHOP_ROWS}, "hidden_rows", "The same as the visible rows"),
    ],
    ids=["schema", "rows", "hidden rows", "hidden rows that are the visible ones"],
)
def test_a_dataset_that_does_not_build_is_refused_on_its_field(
    editor_client, change, field, message
):
    response = editor_client.post(DATASET_ADD, dataset_post(**change))

    assert response.status_code == 200
    assert errors_of(response)[field][0].startswith(message), errors_of(response)
    assert not Dataset.objects.exists()


def test_new_rows_that_break_a_questions_reference_query_are_refused(editor_client):
    question = sql_question(title="Orders per customer")
    url = reverse("admin:questions_dataset_change", args=[question.dataset.pk])
    # No customer is left in the hidden rows: the reference query returns nothing there.
    hidden = "INSERT INTO orders VALUES (9, 1, 5);"

    response = editor_client.post(url, dataset_post(slug=question.dataset.slug, hidden_rows=hidden))

    assert response.status_code == 200
    assert errors_of(response)["__all__"] == [
        "“Orders per customer”: the reference query returns no row on the hidden rows: a query "
        "that returns nothing would pass."
    ]
    assert Dataset.objects.get().hidden_rows == SHOP_HIDDEN_ROWS


def test_the_change_page_counts_the_rows_of_each_table(editor_client):
    dataset = DatasetFactory()

    page = editor_client.get(
        reverse("admin:questions_dataset_change", args=[dataset.pk])
    ).content.decode()

    assert "customers: 3 visible, 3 hidden; orders: 3 visible, 2 hidden" in page


def test_the_dataset_list_counts_the_questions(editor_client):
    question = sql_question()

    page = editor_client.get(reverse("admin:questions_dataset_changelist")).content.decode()

    assert question.dataset.title in page
    assert '<td class="field-question_count">1</td>' in page


@pytest.mark.parametrize("persona", ["candidate", "mentor"])
def test_only_editors_reach_the_datasets(client, persona, request):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("admin:questions_dataset_changelist"))

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


# --- SQL questions -------------------------------------------------------------------------------


def test_an_sql_questions_reference_query_is_run_when_it_is_saved(editor_client):
    question = sql_question()
    data = change_form_data(editor_client.get(change_url(question)))
    data["solution_code"] = "SELECT nme FROM customers"

    response = editor_client.post(change_url(question), data)

    assert response.status_code == 200
    assert errors_of(response)["solution_code"] == [
        "The reference query fails on the visible rows: no such column: nme",
        "The reference query fails on the hidden rows: no such column: nme",
    ]
    assert Question.objects.get().solution_code == ORDERS_PER_CUSTOMER


def test_the_change_form_offers_the_dataset_it_has_chosen(editor_client):
    question = sql_question()

    page = editor_client.get(change_url(question)).content.decode()

    assert (
        f'<option value="{question.dataset.pk}" selected>{question.dataset.title}</option>' in page
    )
    assert "as a multiset of rows unless the order matters" in page


def test_a_new_sql_question_needs_a_dataset_and_a_reference_query(editor_client):
    data = question_post(TopicFactory(), kind=Kind.SQL, solution_code="", starter_code="")

    response = editor_client.post(reverse("admin:questions_question_add"), data)

    errors = errors_of(response)
    assert errors["dataset"] == ["Choose the dataset the query runs against."]
    assert errors["solution_code"] == ["Write the reference query."]
    assert not Question.objects.exists()


def test_only_sql_questions_have_a_dataset():
    question = sql_question()
    question.kind = Kind.CONCEPT

    with pytest.raises(ValidationError) as error:
        question.full_clean()

    assert error.value.message_dict["dataset"] == ["Only SQL questions have a dataset: clear it."]


def test_an_sql_questions_code_is_highlighted_as_sql():
    question = sql_question()

    assert '<span class="k">LEFT</span>' in question.solution_code_html


# --- the question's page -------------------------------------------------------------------------


def test_the_question_page_shows_the_tables_but_not_the_reference_query_until_asked(client):
    question = sql_question()

    page = client.get(question.get_absolute_url()).content.decode()

    assert question.dataset.description_html in page
    assert "The tables: " + question.dataset.title in page
    assert "LEFT" not in page  # the reference query is in the answer, shown on demand
    answer = client.get(question.get_absolute_url() + "?answer=1").content.decode()
    assert '<span class="k">LEFT</span>' in answer
