"""Predict the output and debugging in the editors' admin: the fields and their rules, Run the
snippet on the change page (its block, script and worker; the browser test runs it), the kind
filter (import and export: test_bank_import_admin.py)."""

import pytest
from django.urls import reverse

from questions.models import Kind, Question
from tests.factories import TopicFactory, predict_output_question
from tests.questions.test_admin import ADD, change_url, question_post

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:questions_question_changelist")


def prediction_post(**overrides) -> dict:
    values = {
        "kind": Kind.PREDICT_OUTPUT,
        "slug": "two-names",
        "snippet": "a = [1]\nb = a\nb += [2]\nprint(a)",
        "expected_output": "[1, 2]",
    }
    return question_post(TopicFactory(), **{**values, **overrides})


def test_the_change_page_offers_run_the_snippet_under_the_expected_output(editor_client):
    question = predict_output_question()

    html = editor_client.get(change_url(question)).content.decode()

    # Its fieldset is open on a prediction's page (collapsed ones sit in a <details>).
    assert '<fieldset class="module aligned prediction-fields"' in html
    assert 'id="id_snippet"' in html and 'id="id_expected_output"' in html
    assert "data-snippet-runner" in html and ">Run the snippet</button>" in html
    assert f'data-worker-url="{reverse("runner:worker")}"' in html
    assert 'data-time-limit="5"' in html
    assert 'src="/static/js/snippet-runner.js"' in html and 'type="module"' in html
    assert "<noscript>" in html  # without JavaScript: run it yourself and paste what it prints


def test_an_editor_adds_a_prediction_question_its_line_ends_as_python_writes_them(
    editor_client,
):
    data = prediction_post(snippet="x = [1]\r\nprint(x)\r\nprint(2)", expected_output="[1]\r\n2")

    response = editor_client.post(ADD, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    question = Question.objects.get(slug="two-names")
    assert question.kind == Kind.PREDICT_OUTPUT
    assert question.snippet == "x = [1]\nprint(x)\nprint(2)"
    assert question.expected_output == "[1]\n2"
    assert question.snippet_html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"expected_output": "  \n"},
            "expected_output",
            "The expected output is empty: Run the snippet fills it in with what it prints.",
        ),
        ({"snippet": ""}, "snippet", "Write the snippet the candidate reads."),
        ({"snippet": "print(1"}, "snippet", "The snippet is not valid Python (line 1): "),
    ],
)
def test_a_prediction_question_is_refused_without_a_sound_snippet_and_output(
    editor_client, overrides, field, message
):
    response = editor_client.post(ADD, prediction_post(**overrides))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors[field]
    assert errors[0].startswith(message)
    assert not Question.objects.exists()


def test_the_fieldset_stays_collapsed_on_other_kinds_pages(editor_client):
    question = predict_output_question()
    question.kind, question.snippet, question.expected_output = Kind.CONCEPT, "", ""
    question.save()

    html = editor_client.get(change_url(question)).content.decode()

    assert '<fieldset class="module aligned collapse prediction-fields"' in html


def test_the_list_filters_by_the_new_kinds(editor_client):
    predict_output_question(title="What does it print?")

    html = editor_client.get(LIST_URL, {"kind__exact": "predict_output"}).content.decode()

    assert "What does it print?" in html
    for label in ("SQL query", "Predict the output", "Debugging"):
        assert label in html
