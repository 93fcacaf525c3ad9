"""ORM exercises in practice: offered and preselectable on the start page, drawn into a mock
interview's hands-on stage, and started from the ORM lab's "Now fix it yourself"."""

from django.urls import reverse

from practice import draw
from practice.models import Mode, PracticeSession
from questions.models import Kind
from tests.factories import QuestionFactory, coding_question, orm_exercise

START_URL = reverse("practice:start")
LAB_URL = reverse("lab:n_plus_one")


def test_the_start_form_offers_orm_exercises_among_the_kinds(candidate_client):
    response = candidate_client.get(START_URL)

    assert (Kind.ORM, "ORM exercise") in response.context["form"].fields["kinds"].choices
    assert 'value="orm"' in response.content.decode()


def test_a_link_preselects_orm_exercises_and_ignores_unknown_kinds(candidate_client):
    response = candidate_client.get(START_URL, {"kinds": ["orm", "poetry"]})

    assert response.context["form"]["kinds"].value() == ["orm"]


def test_a_study_session_of_orm_exercises_draws_only_them(candidate_client, candidate):
    exercises = [orm_exercise(title=f"Exercise {n}") for n in range(3)]
    coding_question()

    candidate_client.post(START_URL, {"mode": Mode.STUDY, "kinds": ["orm"], "count": 10})

    session = PracticeSession.objects.get(user=candidate)
    drawn = set(session.items.values_list("question_id", flat=True))
    assert drawn == {exercise.pk for exercise in exercises}


def test_a_mock_interview_may_open_with_an_orm_exercise(candidate_client, candidate):
    assert draw.STAGE_OF_KIND[Kind.ORM] == draw.STAGE_OF_KIND[Kind.CODING] == 0
    exercise = orm_exercise()
    concept = QuestionFactory(kind=Kind.CONCEPT)

    candidate_client.post(START_URL, {"mode": Mode.MOCK, "count": 2, "time_limit_minutes": 30})

    session = PracticeSession.objects.get(user=candidate)
    questions = list(session.items.order_by("position").values_list("question_id", flat=True))
    assert questions == [exercise.pk, concept.pk]


def test_the_orm_lab_offers_to_practise_orm_exercises(candidate_client):
    html = candidate_client.get(LAB_URL).content.decode()

    assert '<h2 id="lab-practise">Now fix it yourself</h2>' in html
    assert f'<form method="post" action="{START_URL}"' in html
    for field in (
        'name="mode" value="study"',
        'name="kinds" value="orm"',
        'name="count" value="5"',
    ):
        assert field in html
    assert f'href="{START_URL}?kinds=orm"' in html


def test_now_fix_it_yourself_starts_a_study_session_of_orm_exercises(candidate_client, candidate):
    exercises = [orm_exercise(title=f"Exercise {n}") for n in range(7)]
    coding_question()

    response = candidate_client.post(START_URL, {"mode": "study", "kinds": "orm", "count": 5})

    session = PracticeSession.objects.get(user=candidate)
    assert response.status_code == 302
    assert response["Location"] == reverse("practice:session", args=[session.pk])
    assert session.mode == Mode.STUDY and session.item_count == 5
    drawn = set(session.items.values_list("question_id", flat=True))
    assert drawn <= {exercise.pk for exercise in exercises}
