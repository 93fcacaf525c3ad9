"""prep.forms: the shared field that keeps out-of-range ids from reaching the database."""

import pytest
from django import forms

from prep.forms import ModelMultipleChoiceField
from questions.models import Topic
from tests.factories import TopicFactory

pytestmark = pytest.mark.django_db


class TopicsForm(forms.Form):
    topics = ModelMultipleChoiceField(queryset=Topic.objects.all(), required=False)


@pytest.mark.parametrize(
    "value", ["99999999999999999999999", str(2**63), str(-(2**63) - 1), " 1" + "0" * 30]
)
def test_an_id_no_row_can_have_is_an_invalid_value_not_a_crash(value):
    form = TopicsForm({"topics": [value]})

    assert not form.is_valid()
    assert "is not a valid value" in str(form.errors["topics"])


def test_real_ids_still_work_and_strangers_are_invalid_choices():
    topic = TopicFactory()

    assert TopicsForm({"topics": [str(topic.pk)]}).is_valid()
    assert TopicsForm({"topics": ["abc"]}).errors["topics"]
    assert "Select a valid choice" in str(TopicsForm({"topics": ["987654"]}).errors["topics"])
