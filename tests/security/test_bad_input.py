"""Oversized input, malformed ids and parameters, unknown choices, past dates, a missing CSRF
token: a clear form error, 400, 403 or 404, never a 500, and nothing stored."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from mentoring.models import Assignment, FeedbackComment
from practice.models import Note, PracticeSession, ReviewCard, SessionItem
from questions.models import Kind, QuestionSet, Visibility
from tests.factories import (
    AssignmentFactory,
    PracticeSessionFactory,
    QuestionFactory,
    QuestionSetFactory,
    QuestionSetItemFactory,
    SessionItemFactory,
    TopicFactory,
    multiple_choice_question,
)

pytestmark = pytest.mark.django_db

ONE_MEGABYTE = "a" * 1_000_000
HUGE_ID = "99999999999999999999999"


def quiet(user=None) -> Client:
    """A client that shows the error page a visitor would get, instead of raising."""
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def topic(db):
    return TopicFactory(slug="fundamentals", name="Fundamentals")


@pytest.fixture
def study(candidate, topic):
    """An open study session of the candidate's with two cards, and its first item."""
    session = PracticeSessionFactory(user=candidate, mode="study", item_count=2)
    first = SessionItemFactory(session=session, question=QuestionFactory(topic=topic), position=1)
    SessionItemFactory(session=session, question=QuestionFactory(topic=topic), position=2)
    return session, first


@pytest.fixture
def mock(candidate, topic):
    session = PracticeSessionFactory(
        user=candidate, mode="mock", item_count=1, time_limit_minutes=30
    )
    item = SessionItemFactory(session=session, question=QuestionFactory(topic=topic), position=1)
    return session, item


@pytest.fixture
def answered_assignment_item(mentor, candidate, mentorship, topic):
    question_set = QuestionSetFactory(owner=mentor, visibility=Visibility.PRIVATE)
    question = QuestionFactory(topic=topic)
    QuestionSetItemFactory(question_set=question_set, question=question)
    assignment = AssignmentFactory(mentor=mentor, candidate=candidate, question_set=question_set)
    session = PracticeSessionFactory(
        user=candidate, mode="study", assignment=assignment, item_count=1, answered_count=1
    )
    return SessionItemFactory(
        session=session,
        question=question,
        position=1,
        response="An answer",
        rating=3,
        answered_at=timezone.now(),
    )


def nothing_answered(item) -> bool:
    item.refresh_from_db()
    return item.response == "" and item.answered_at is None and item.revealed_at is None


# --- oversized input ------------------------------------------------------------------------------


def test_a_one_megabyte_answer_gets_the_400_page_and_stores_nothing(candidate, study):
    session, item = study
    client = quiet(candidate)

    for headers in ({}, {"HX-Request": "true"}):
        response = client.post(
            f"/practice/{session.pk}/items/{item.pk}/reveal/",
            {"response": ONE_MEGABYTE},
            headers=headers,
        )
        assert response.status_code == 400
        assert "We couldn't understand that request" in response.content.decode()
    assert nothing_answered(item)


@pytest.mark.parametrize("action", ["reveal", "grade"])
def test_an_answer_over_the_limit_gets_a_message_and_stores_nothing(candidate, study, action):
    session, item = study
    data = {"response": "b" * 20_001, "rating": "3"}

    response = quiet(candidate).post(f"/practice/{session.pk}/items/{item.pk}/{action}/", data)

    assert response.status_code in (200, 302)
    assert nothing_answered(item)
    assert not ReviewCard.objects.exists()


def test_a_mock_answer_over_the_limit_stores_nothing(candidate, mock):
    session, item = mock
    client = quiet(candidate)
    url = f"/practice/{session.pk}/items/{item.pk}/answer/"

    assert client.post(url, {"response": ONE_MEGABYTE}).status_code == 400
    response = client.post(url, {"response": "c" * 20_001})

    assert response.status_code == 200
    assert "at most 20000 characters" in response.content.decode()
    assert nothing_answered(item)


def test_an_oversized_note_stores_nothing(candidate, topic):
    question = QuestionFactory(topic=topic)
    client = quiet(candidate)
    url = f"/questions/{question.slug}/note/"

    assert client.post(url, {"body": ONE_MEGABYTE}).status_code == 400
    response = client.post(url, {"body": "d" * 20_001})

    assert response.status_code == 400
    assert "at most 20000 characters" in response.content.decode()
    assert not Note.objects.exists()


def test_an_oversized_comment_stores_nothing(mentor, answered_assignment_item):
    client = quiet(mentor)
    url = f"/feedback/{answered_assignment_item.pk}/"

    assert client.post(url, {"body": ONE_MEGABYTE}).status_code == 400
    response = client.post(url, {"body": "e" * 5_001})

    assert response.status_code == 200
    assert "Keep a comment under 5,000 characters" in response.content.decode()
    assert not FeedbackComment.objects.exists()


def test_oversized_set_details_store_nothing(mentor):
    client = quiet(mentor)

    assert client.post("/mentor/sets/", {"title": ONE_MEGABYTE}).status_code == 400
    response = client.post("/mentor/sets/", {"title": "t" * 201, "description": "x" * 2001})

    html = response.content.decode()
    assert response.status_code == 200
    assert "at most 200 characters" in html and "at most 2000 characters" in html
    assert not QuestionSet.objects.exists()


def test_an_oversized_assignment_note_stores_nothing(mentor, candidate, mentorship, topic):
    question_set = QuestionSetFactory(owner=mentor, visibility=Visibility.PRIVATE)
    QuestionSetItemFactory(question_set=question_set, question=QuestionFactory(topic=topic))
    data = {
        "question_set": question_set.pk,
        "candidates": [candidate.pk],
        "due_at": (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "mode": "study",
    }
    client = quiet(mentor)

    assert client.post("/mentor/assign/", {**data, "note": ONE_MEGABYTE}).status_code == 400
    response = client.post("/mentor/assign/", {**data, "note": "n" * 5001})

    assert response.status_code == 200
    assert "at most 5000 characters" in response.content.decode()
    assert not Assignment.objects.exists()


def test_oversized_profile_fields_store_nothing(candidate):
    data = {
        "first_name": "f" * 151,
        "last_name": "",
        "email": candidate.email,
        "daily_goal": 10,
        "desired_retention": 0.9,
        "daily_review_limit": 100,
        "time_zone": "UTC",
    }
    client = quiet(candidate)

    assert client.post("/accounts/profile/", {**data, "last_name": ONE_MEGABYTE}).status_code == 400
    response = client.post("/accounts/profile/", data)

    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()
    assert User.objects.get(pk=candidate.pk).first_name == ""


def test_an_oversized_sign_up_or_log_in_gets_the_400_page(db):
    client = quiet()

    assert client.post("/accounts/signup/", {"username": ONE_MEGABYTE}).status_code == 400
    assert client.post("/accounts/login/", {"username": ONE_MEGABYTE}).status_code == 400
    assert not User.objects.exists()


def test_null_characters_are_refused_not_stored(candidate, study):
    session, item = study

    response = quiet(candidate).post(
        f"/practice/{session.pk}/items/{item.pk}/reveal/", {"response": "before\x00after"}
    )

    assert response.status_code == 200
    assert "Null characters are not allowed" in response.content.decode()
    assert nothing_answered(item)


# --- malformed ids and parameters -----------------------------------------------------------------


MALFORMED_GETS = [
    "/practice/abc/",
    "/practice/-1/",
    f"/practice/{HUGE_ID}/",
    "/practice/{session}/?item=abc",
    f"/practice/{{session}}/?item={HUGE_ID}",
    f"/practice/{HUGE_ID}/summary/",
    "/practice/abc/summary/",
    f"/feedback/{HUGE_ID}/",
    "/feedback/abc/",
    f"/mentor/mentees/{HUGE_ID}/",
    f"/mentor/sets/{HUGE_ID}/",
    f"/mentor/sets/{HUGE_ID}/search/?q=x",
    f"/mentor/assign/?set={HUGE_ID}&mentee={HUGE_ID}",
    "/mentor/assign/?set=abc&mentee=-1",
    "/mentor/assign/?set=²&mentee=²",
    "/mentor/assign/?set=٣&mentee=%20%2B1",
    "/practice/{session}/?item=²",
    "/practice/{session}/?item=٣",
    "/practice/?topics=²&topics=٣&mode=²",
    "/accounts/signup/confirm/MjI/x/",  # "²" in base64
    "/invite/not-a-token/",
    "/questions/no-such-question/",
    "/questions/?page=abc",
    f"/questions/?page={HUGE_ID}",
    "/questions/?difficulty=zzz&kind=zzz&topic=zzz&track=zzz&tag=zzz&q=%00",
    f"/practice/?mode=zzz&topics={HUGE_ID}&topics=abc",
    "/sets/no-such-set/",
    "/dashboard/?year=abc&month=99",
    "/lab/n-plus-one/?rows=abc&mode=zzz&size=-1",
]


@pytest.mark.parametrize("path", MALFORMED_GETS)
def test_malformed_addresses_answer_a_page_or_404_never_500(path, mentor, study):
    session, _item = study

    response = quiet(mentor).get(path.format(session=session.pk))

    assert response.status_code in (200, 302, 400, 403, 404), response.status_code


@pytest.mark.parametrize("value", ["²", "٣", " 1", "+1", "1_0", "-1", "", str(2**63)])
def test_ids_in_links_that_are_not_plain_digits_preselect_nothing(mentor, mentorship, value):
    QuestionSetFactory(owner=mentor, visibility=Visibility.PRIVATE)

    response = quiet(mentor).get("/mentor/assign/", {"set": value, "mentee": value})

    assert response.status_code == 200
    assert response.context["form"].initial == {}


def test_plain_ids_in_links_preselect_the_set_and_the_mentee(mentor, mentorship, candidate):
    question_set = QuestionSetFactory(owner=mentor, visibility=Visibility.PRIVATE)

    response = quiet(mentor).get(
        "/mentor/assign/", {"set": str(question_set.pk), "mentee": str(candidate.pk)}
    )

    assert response.context["form"].initial == {
        "question_set": question_set.pk,
        "candidates": [candidate.pk],
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("42", 42),
        ("0", 0),
        (str(2**63 - 1), 2**63 - 1),
        (str(2**63), None),
        ("²", None),
        ("٣", None),
        ("１２", None),
        (" 1", None),
        ("+1", None),
        ("-1", None),
        ("1_0", None),
        ("1.0", None),
        ("", None),
        (None, None),
        (["1"], None),
    ],
)
def test_parse_id_reads_plain_ascii_digits_within_the_database_range(value, expected):
    from prep.forms import parse_id

    assert parse_id(value) == expected


MALFORMED_POSTS = [
    "/practice/{session}/items/abc/grade/",
    f"/practice/{{session}}/items/{HUGE_ID}/grade/",
    f"/practice/{HUGE_ID}/items/1/reveal/",
    f"/practice/{HUGE_ID}/finish/",
    f"/feedback/{HUGE_ID}/",
    f"/mentor/sets/{HUGE_ID}/items/",
    f"/mentor/sets/{HUGE_ID}/items/{HUGE_ID}/move/",
    f"/mentor/assignments/{HUGE_ID}/withdraw/",
    f"/mentorships/{HUGE_ID}/end/",
    f"/assignments/{HUGE_ID}/start/",
]


@pytest.mark.parametrize("path", MALFORMED_POSTS)
def test_malformed_ids_in_posts_answer_404_and_change_nothing(path, candidate, study):
    session, item = study

    response = quiet(candidate).post(path.format(session=session.pk), {"rating": "3"})

    assert response.status_code in (403, 404), response.status_code
    assert nothing_answered(item)


def test_another_users_item_in_my_session_address_is_404(candidate, other_candidate, study, topic):
    session, _item = study
    theirs = SessionItemFactory(
        session=PracticeSessionFactory(user=other_candidate),
        question=QuestionFactory(topic=topic),
        position=1,
    )

    response = quiet(candidate).post(
        f"/practice/{session.pk}/items/{theirs.pk}/grade/", {"rating": "3"}
    )

    assert response.status_code == 404
    assert nothing_answered(theirs)


# --- unknown choices ------------------------------------------------------------------------------


@pytest.mark.parametrize("rating", ["0", "5", "-1", "abc", "", "3.5", HUGE_ID])
def test_an_unknown_grade_records_nothing(candidate, study, rating):
    session, item = study

    response = quiet(candidate).post(
        f"/practice/{session.pk}/items/{item.pk}/grade/", {"rating": rating}
    )

    assert response.status_code in (200, 302)
    assert nothing_answered(item)
    assert not ReviewCard.objects.exists()


@pytest.mark.parametrize("choices", [["abc"], [HUGE_ID], ["-1"], []])
def test_unknown_quiz_choices_record_nothing(candidate, topic, choices):
    question = multiple_choice_question(topic=topic)
    session = PracticeSessionFactory(user=candidate, mode="quiz", item_count=1)
    item = SessionItemFactory(session=session, question=question, position=1)

    response = quiet(candidate).post(
        f"/practice/{session.pk}/items/{item.pk}/check/", {"choices": choices}
    )

    assert response.status_code in (200, 302)
    assert nothing_answered(item)


def test_another_questions_choice_counts_as_no_choice(candidate, topic):
    question = multiple_choice_question(topic=topic)
    elsewhere = multiple_choice_question(topic=topic).choices.get(is_correct=True)
    session = PracticeSessionFactory(user=candidate, mode="quiz", item_count=1)
    item = SessionItemFactory(session=session, question=question, position=1)

    quiet(candidate).post(
        f"/practice/{session.pk}/items/{item.pk}/check/", {"choices": [elsewhere.pk]}
    )

    item.refresh_from_db()
    assert item.is_correct is not True
    assert not item.selected_choices.filter(pk=elsewhere.pk).exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"mode": "zzz"},
        {"mode": ""},
        {"count": "abc"},
        {"count": "0"},
        {"count": "-3"},
        {"count": "51"},
        {"count": HUGE_ID},
        {"kinds": ["zzz"]},
        {"difficulty": "impossible"},
        {"topics": ["abc"]},
        {"topics": [HUGE_ID]},
        {"track": "abc"},
        {"mode": "mock", "time_limit_minutes": "1"},
        {"mode": "mock", "time_limit_minutes": HUGE_ID},
    ],
)
def test_an_unknown_practice_choice_gets_a_message_and_starts_nothing(candidate, topic, changes):
    QuestionFactory(topic=topic, kind=Kind.CONCEPT)
    data = {"mode": "study", "count": "5", **changes}

    response = quiet(candidate).post("/practice/", data)

    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert not PracticeSession.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"mode": "zzz"},
        {"question_set": "abc"},
        {"question_set": HUGE_ID},
        {"candidates": ["abc"]},
        {"candidates": [HUGE_ID]},
        {"due_at": "not a date"},
        {"due_at": "2031-13-45T25:61"},
        {"due_at": "2020-01-01T09:00"},  # in the past
        {"mode": "mock", "time_limit_minutes": "abc"},
        {"mode": "mock", "time_limit_minutes": "2"},
        {"mode": "mock", "time_limit_minutes": ""},
    ],
)
def test_a_bad_assignment_gets_a_message_and_assigns_nothing(
    mentor, candidate, mentorship, topic, changes
):
    question_set = QuestionSetFactory(owner=mentor, visibility=Visibility.PRIVATE)
    QuestionSetItemFactory(question_set=question_set, question=QuestionFactory(topic=topic))
    data = {
        "question_set": question_set.pk,
        "candidates": [candidate.pk],
        "due_at": (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "mode": "study",
        **changes,
    }

    response = quiet(mentor).post("/mentor/assign/", data)

    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert not Assignment.objects.exists()


def test_assigning_to_someone_who_is_not_my_mentee_assigns_nothing(mentor, other_candidate, topic):
    question_set = QuestionSetFactory(owner=mentor, visibility=Visibility.PRIVATE)
    QuestionSetItemFactory(question_set=question_set, question=QuestionFactory(topic=topic))

    response = quiet(mentor).post(
        "/mentor/assign/",
        {
            "question_set": question_set.pk,
            "candidates": [other_candidate.pk],
            "due_at": (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "mode": "study",
        },
    )

    assert response.status_code == 200
    assert not Assignment.objects.exists()


def test_an_interview_date_in_the_past_is_refused(candidate):
    response = quiet(candidate).post(
        "/accounts/profile/",
        {
            "email": candidate.email,
            "interview_date": "2001-01-01",
            "daily_goal": 10,
            "desired_retention": 0.9,
            "daily_review_limit": 100,
            "time_zone": "UTC",
        },
    )

    assert response.status_code == 200
    assert "Pick a day from today onwards" in response.content.decode()
    assert User.objects.get(pk=candidate.pk).interview_date is None


@pytest.mark.parametrize(
    "changes",
    [
        {"time_zone": "Mars/Olympus_Mons"},
        {"daily_goal": "0"},
        {"daily_goal": HUGE_ID},
        {"desired_retention": "nan"},
        {"desired_retention": "inf"},
        {"desired_retention": "5"},
        {"target_track": HUGE_ID},
        {"interview_date": "31/02/2030"},
        {"email": "not-an-address"},
    ],
)
def test_unknown_profile_values_are_refused(candidate, changes):
    data = {
        "email": candidate.email,
        "daily_goal": 10,
        "desired_retention": 0.9,
        "daily_review_limit": 100,
        "time_zone": "UTC",
        **changes,
    }

    response = quiet(candidate).post("/accounts/profile/", data)

    assert response.status_code == 200
    assert User.objects.get(pk=candidate.pk).time_zone == "UTC"
    assert User.objects.get(pk=candidate.pk).daily_goal == 10


# --- a missing CSRF token -------------------------------------------------------------------------


def csrf_checked(user) -> Client:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(user)
    return client


def test_posts_without_the_csrf_token_get_the_403_page_and_change_nothing(
    candidate, mentor, study, answered_assignment_item, topic
):
    session, item = study
    question = QuestionFactory(topic=topic)
    me, my_mentor = csrf_checked(candidate), csrf_checked(mentor)
    attempts = [
        (me, f"/practice/{session.pk}/items/{item.pk}/reveal/", {"response": "x"}),
        (me, f"/practice/{session.pk}/items/{item.pk}/grade/", {"rating": "3"}),
        (me, f"/practice/{session.pk}/finish/", {}),
        (me, "/practice/", {"mode": "study", "count": "5"}),
        (me, f"/questions/{question.slug}/note/", {"body": "x"}),
        (me, f"/questions/{question.slug}/bookmark/", {"bookmarked": "1"}),
        (me, "/accounts/delete/", {"password": "correct-horse-battery-staple"}),
        (my_mentor, f"/feedback/{answered_assignment_item.pk}/", {"body": "x"}),
        (my_mentor, "/mentor/sets/", {"title": "x"}),
    ]

    for client, path, data in attempts:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.post(path, data, headers=headers)
            assert response.status_code == 403, path
            assert "That form had expired" in response.content.decode(), path

    assert nothing_answered(item)
    assert not Note.objects.exists()
    assert not FeedbackComment.objects.exists()
    assert QuestionSet.objects.filter(owner=mentor).count() == 1  # only the fixture's
    assert PracticeSession.objects.filter(user=candidate).count() == 2
    assert User.objects.filter(pk=candidate.pk).exists()
    assert SessionItem.objects.filter(answered_at__isnull=False).count() == 1
