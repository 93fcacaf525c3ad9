"""The bank's filter menus (plain queries on every request) and the bank form's plain <select>."""

import pytest
from django import forms
from django.urls import reverse

from questions.forms import PlainSelect, QuestionFilterForm
from questions.models import Status
from questions.services import change_status
from tests.factories import QuestionFactory, TagFactory, TopicFactory, TrackFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("questions:list")


def values(form: QuestionFilterForm, field: str) -> list[str]:
    return [value for value, _label in form.fields[field].choices if value]


def test_the_menus_list_tracks_topics_and_tags_in_their_models_order():
    TopicFactory(slug="testing", name="Testing", position=2)
    TopicFactory(slug="basics", name="Basics", position=1)
    TrackFactory(slug="data", name="Data")
    QuestionFactory(tags=[TagFactory(slug="zip", name="zip"), TagFactory(slug="abc", name="abc")])
    TagFactory(slug="unused", name="unused")

    form = QuestionFilterForm()

    assert values(form, "topic")[:2] == ["basics", "testing"]
    assert "data" in values(form, "track")
    assert values(form, "tag") == ["abc", "zip"]  # only the tags of published questions


def test_the_menus_cost_a_query_each(django_assert_num_queries):
    TopicFactory(slug="basics")

    with django_assert_num_queries(3):  # tracks, topics, the tags of published questions
        QuestionFilterForm({"topic": "basics"}).filters()


def test_a_new_topic_can_be_chosen_at_once(client):
    client.get(LIST_URL)
    TopicFactory(slug="new-topic", name="New topic")

    response = client.get(LIST_URL, {"topic": "new-topic"})

    assert '<option value="new-topic" selected>New topic</option>' in response.content.decode()
    assert not response.context["form"].errors


def test_a_deleted_track_leaves_the_menu_at_once(client):
    track = TrackFactory(slug="gone", name="Gone")
    client.get(LIST_URL)
    track.delete()

    response = client.get(LIST_URL, {"track": "gone"})

    assert "track" in response.context["form"].errors
    assert 'value="gone"' not in response.content.decode()


def test_a_tag_is_offered_once_a_published_question_carries_it(client):
    draft = QuestionFactory(status=Status.DRAFT, tags=[TagFactory(slug="asyncio")])
    assert "asyncio" not in values(QuestionFilterForm(), "tag")

    change_status(questions=type(draft).objects.filter(pk=draft.pk), status=Status.PUBLISHED)

    response = client.get(LIST_URL, {"tag": "asyncio"})
    assert not response.context["form"].errors
    assert '<option value="asyncio" selected>' in response.content.decode()


def test_a_tag_added_in_the_admin_reaches_the_menu_at_once(editor_client, client):
    question = QuestionFactory(title="Tagged later")
    tag = TagFactory(slug="later")
    client.get(LIST_URL)
    admin = editor_client.get(reverse("admin:questions_question_change", args=[question.pk]))
    form = admin.context["adminform"].form
    data = {
        **{name: form[name].value() or "" for name in ("title", "slug", "kind", "difficulty")},
        "status": Status.PUBLISHED,
        "topic": question.topic_id,
        "tags": [tag.pk],
        "prompt": question.prompt,
        "answer": question.answer,
        "key_points": question.key_points,
        "time_limit": question.time_limit,
        "choices-TOTAL_FORMS": 0,
        "choices-INITIAL_FORMS": 0,
        "tests-TOTAL_FORMS": 0,
        "tests-INITIAL_FORMS": 0,
    }
    response = editor_client.post(
        reverse("admin:questions_question_change", args=[question.pk]), data
    )

    assert response.status_code == 302
    assert "later" in values(QuestionFilterForm(), "tag")


# --- the plain <select> --------------------------------------------------------------------------


CHOICES = [("", "All"), ("a", "Alpha & co"), ("b", "Beta")]


def _normalised(html: str) -> str:
    return " ".join(html.split()).replace("> <", "><")


@pytest.mark.parametrize("value", [None, "", "a", "b", "unknown"])
@pytest.mark.parametrize(
    "attrs",
    [{"id": "id_x"}, {"id": "id_x", "aria-invalid": "true", "aria-describedby": "id_x_error"}],
)
def test_the_plain_select_renders_what_djangos_select_renders(value, attrs):
    plain = PlainSelect(choices=CHOICES).render("x", value, attrs)
    django = forms.Select(choices=CHOICES).render("x", value, attrs)

    assert _normalised(plain) == _normalised(django)


def test_the_plain_select_writes_boolean_attributes_as_django_does():
    attrs = {"id": "id_x", "required": True, "disabled": False}

    plain = PlainSelect(choices=CHOICES).render("x", "a", attrs)

    assert plain.startswith('<select name="x" id="id_x" required>')
