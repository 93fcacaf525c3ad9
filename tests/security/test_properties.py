"""Property-based tests (hypothesis): whatever is posted to the practice start form and the
mentoring assignment form, nothing raises, and an invalid submission stores nothing.

Ids are drawn within the 64-bit range: bigger ones are a known SQLite crash tracked by
test_bad_input (sqlite_overflow cases) until those forms use prep.forms.ModelMultipleChoiceField.
"""

import string
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentoring.forms import AssignmentForm
from mentoring.models import Assignment
from practice.forms import StartForm
from practice.models import Mode, PracticeSession
from questions.models import Difficulty, Kind, Visibility
from tests.factories import (
    MentorFactory,
    MentorshipFactory,
    QuestionFactory,
    QuestionSetFactory,
    QuestionSetItemFactory,
    TopicFactory,
    TrackFactory,
    UserFactory,
    multiple_choice_question,
)

pytestmark = pytest.mark.django_db

PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    database=None,  # no .hypothesis folder in the working tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

junk_text = st.text(max_size=40)
# Not digits, so that no string becomes an id over 64 bits (see the module docstring).
junk_words = st.text(alphabet=string.ascii_letters + string.punctuation + " \t\n", max_size=20)
any_id = st.integers(min_value=-(2**63), max_value=2**63 - 1).map(str)


def field(*choices):
    """A field's value: one of the real choices, an id, a word or any text."""
    return st.one_of(st.sampled_from(choices), any_id, junk_words, junk_text)


def several(*choices):
    return st.lists(field(*choices), max_size=4)


def submissions(valid: dict, hostile: dict) -> st.SearchStrategy[dict]:
    """What a form receives: a sensible submission with up to three fields broken (given any
    value, or left out), or anything at all."""

    @st.composite
    def broken(draw):
        data = {name: draw(strategy) for name, strategy in valid.items()}
        for name in draw(st.sets(st.sampled_from(sorted(valid)), max_size=3)):
            if draw(st.booleans()):
                data[name] = draw(hostile[name])
            else:
                data.pop(name)
        return data

    return st.one_of(broken(), st.fixed_dictionaries({}, optional=hostile))


class Outcomes:
    """Counts how examples ended, to show that both sides of each property were exercised."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def saw(self, outcome: str) -> None:
        self.seen.add(outcome)


# --- the practice start form ----------------------------------------------------------------------


@pytest.fixture
def bank(db):
    topics = [TopicFactory(slug=f"topic-{n}") for n in range(3)]
    track = TrackFactory(slug="backend-web")
    for topic in topics:
        for kind in (Kind.CONCEPT, Kind.CODING, Kind.SYSTEM_DESIGN, Kind.BEHAVIOURAL):
            QuestionFactory(topic=topic, kind=kind, tracks=[track])
        multiple_choice_question(topic=topic)
    return topics, track


def start_form_data(topics, track):
    ids = [str(t.pk) for t in topics]
    valid = {
        "mode": st.sampled_from(Mode.values),
        "track": st.sampled_from(["", str(track.pk)]),
        "topics": st.lists(st.sampled_from(ids), max_size=3, unique=True),
        "difficulty": st.sampled_from(["", *Difficulty.values]),
        "kinds": st.lists(st.sampled_from(Kind.values), max_size=3, unique=True),
        "count": st.integers(1, 50).map(str),
        "time_limit_minutes": st.sampled_from(["", "5", "45", "180"]),
    }
    hostile = {
        "mode": field(*Mode.values),
        "track": field(str(track.pk), ""),
        "topics": several(*ids),
        "difficulty": field("", *Difficulty.values),
        "kinds": several(*Kind.values),
        "count": field("1", "5", "10", "50", "0", "51", "-1", "1e3", "5.5"),
        "time_limit_minutes": field("", "5", "45", "180", "4", "181"),
    }
    return submissions(valid, hostile)


def test_the_start_form_never_raises(bank):
    topics, track = bank
    outcomes = Outcomes()

    @PROPERTY_SETTINGS
    @given(data=start_form_data(topics, track))
    def check(data):
        form = StartForm(data)
        outcomes.saw("valid" if form.is_valid() else "invalid")
        if form.is_valid():
            request = form.practice_request()
            assert request.mode in Mode.values
            assert 1 <= request.count <= 50

    check()
    assert outcomes.seen == {"valid", "invalid"}


def test_posting_anything_to_start_starts_a_session_or_shows_the_form(bank, candidate):
    topics, track = bank
    client = Client(raise_request_exception=False)
    client.force_login(candidate)
    outcomes = Outcomes()

    @PROPERTY_SETTINGS
    @given(data=start_form_data(topics, track))
    def check(data):
        before = PracticeSession.objects.count()

        response = client.post("/practice/", data)

        assert response.status_code in (200, 302), response.status_code
        outcomes.saw(str(response.status_code))
        after = PracticeSession.objects.count()
        if response.status_code == 200:
            assert after == before, "an invalid start stored a session"
        else:
            assert after == before + 1
            session = PracticeSession.objects.latest("pk")
            assert session.user_id == candidate.pk
            assert session.mode in Mode.values
            assert 1 <= session.item_count <= 50
            assert response["Location"] == f"/practice/{session.pk}/"

    check()
    assert outcomes.seen == {"200", "302"}


# --- the mentoring assignment form ----------------------------------------------------------------


@pytest.fixture
def mentoring_world(db):
    mentor = MentorFactory(username="mentor-prop")
    mentees = [UserFactory() for _ in range(2)]
    for mentee in mentees:
        MentorshipFactory(mentor=mentor, candidate=mentee)
    stranger = UserFactory()
    own = QuestionSetFactory(owner=mentor, visibility=Visibility.PRIVATE)
    QuestionSetItemFactory(question_set=own, question=QuestionFactory())
    empty = QuestionSetFactory(owner=mentor, visibility=Visibility.PRIVATE)
    someone_elses = QuestionSetFactory(owner=MentorFactory(), visibility=Visibility.PRIVATE)
    QuestionSetItemFactory(question_set=someone_elses, question=QuestionFactory())
    public = QuestionSetFactory(owner=None, visibility=Visibility.PUBLIC)
    QuestionSetItemFactory(question_set=public, question=QuestionFactory())
    return {
        "mentor": mentor,
        "mentees": mentees,
        "stranger": stranger,
        "sets": [own, empty, someone_elses, public],
    }


def assignment_data(world):
    now = timezone.now()
    dates = [
        (now + timedelta(days=days)).strftime(fmt)
        for days in (-400, -1, 1, 30, 3650)
        for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d")
    ]
    own, _empty, _others, public = world["sets"]
    mentees = [str(u.pk) for u in world["mentees"]]
    people = [*mentees, str(world["stranger"].pk), str(world["mentor"].pk)]
    valid = {
        "question_set": st.sampled_from([str(own.pk), str(public.pk)]),
        "candidates": st.lists(st.sampled_from(mentees), min_size=1, max_size=2, unique=True),
        "due_at": st.integers(1, 3650).map(
            lambda days: (now + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")
        ),
        "mode": st.sampled_from(["study", "mock"]),
        "time_limit_minutes": st.integers(5, 180).map(str),
        "note": junk_text,
    }
    hostile = {
        "question_set": field(*[str(s.pk) for s in world["sets"]], ""),
        "candidates": several(*people),
        "due_at": st.one_of(
            field(*dates, "", "2031-02-30T10:00", "0000-01-01T00:00"),
            st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
        ),
        "mode": field("study", "mock", ""),
        "time_limit_minutes": field("", "5", "60", "180", "0", "181"),
        "note": st.one_of(junk_text, st.text(min_size=4990, max_size=5010)),
    }
    return submissions(valid, hostile)


def test_the_assignment_form_never_raises(mentoring_world):
    outcomes = Outcomes()

    @PROPERTY_SETTINGS
    @given(data=assignment_data(mentoring_world))
    def check(data):
        form = AssignmentForm(data, mentor=mentoring_world["mentor"])
        outcomes.saw("valid" if form.is_valid() else "invalid")
        if form.is_valid():
            assert form.cleaned_data["due_at"] > timezone.now()
            assert set(form.cleaned_data["candidates"]) <= set(mentoring_world["mentees"])

    check()
    assert outcomes.seen == {"valid", "invalid"}


def test_posting_anything_to_assign_assigns_to_mentees_or_shows_the_form(mentoring_world):
    client = Client(raise_request_exception=False)
    client.force_login(mentoring_world["mentor"])
    mentees = {u.pk for u in mentoring_world["mentees"]}
    own, _empty, _others, public = mentoring_world["sets"]
    outcomes = Outcomes()

    @PROPERTY_SETTINGS
    @given(data=assignment_data(mentoring_world))
    def check(data):
        before = set(Assignment.objects.values_list("pk", flat=True))

        response = client.post("/mentor/assign/", data)

        assert response.status_code in (200, 302), response.status_code
        outcomes.saw(str(response.status_code))
        created = Assignment.objects.exclude(pk__in=before)
        if response.status_code == 200:
            assert not created.exists(), "an invalid assignment was stored"
            return
        assert created.exists()
        for assignment in created:
            assert assignment.candidate_id in mentees
            assert assignment.mentor_id == mentoring_world["mentor"].pk
            assert assignment.question_set_id in (own.pk, public.pk)
            assert assignment.due_at > timezone.now() - timedelta(minutes=1)
            assert len(assignment.note) <= 5000
        created.delete()  # keep "already assigned" from hiding later examples

    check()
    assert outcomes.seen == {"200", "302"}
