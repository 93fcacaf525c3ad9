"""Every text a user can enter, and every Markdown field an editor writes, comes out inert.

Each test sends the XSS corpus (tests/security/hostile.py) in through the real form, as the
user would, then opens every page that shows it, as everyone who can see it, and scans the HTML
for anything the payload could run: elements, event handlers, htmx attributes, scriptable URLs,
inline styles, a broken-out attribute, or a template that ran.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from mentoring.models import Assignment
from mentoring.services import make_invite_token, start_assignment
from practice.models import PracticeSession
from questions.models import Kind, QuestionSet, Visibility
from tests.factories import (
    ChoiceFactory,
    MentorFactory,
    QuestionFactory,
    QuestionSetFactory,
    QuestionSetItemFactory,
    TopicFactory,
)
from tests.security.hostile import MARK, PAYLOAD_IDS, XSS_PAYLOADS, assert_inert

pytestmark = pytest.mark.django_db
payloads = pytest.mark.parametrize("payload", XSS_PAYLOADS, ids=PAYLOAD_IDS)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def profile_data(user, **changes) -> dict:
    return {
        "first_name": "",
        "last_name": "",
        "email": user.email,
        "target_track": "",
        "interview_date": "",
        "daily_goal": 10,
        "desired_retention": 0.9,
        "daily_review_limit": 100,
        "time_zone": "UTC",
        **changes,
    }


@pytest.fixture
def topic(db):
    return TopicFactory(slug="fundamentals", name="Fundamentals")


@pytest.fixture
def assigned_session(mentor, candidate, mentorship, topic):
    """The candidate's session from the mentor's assignment of a two-question set."""
    question_set = QuestionSetFactory(owner=mentor, visibility=Visibility.PRIVATE)
    for position in range(2):
        QuestionSetItemFactory(
            question_set=question_set, question=QuestionFactory(topic=topic), position=position
        )
    assignment = Assignment.objects.create(
        mentor=mentor,
        candidate=candidate,
        question_set=question_set,
        due_at=timezone.now() + timedelta(days=7),
    )
    session, _created = start_assignment(assignment=assignment, user=candidate)
    return session


def answer_first_card(client, session, text: str):
    item = session.items.order_by("position").first()
    base = f"/practice/{session.pk}/items/{item.pk}"
    assert client.post(f"{base}/reveal/", {"response": text}).status_code == 302
    assert client.post(f"{base}/grade/", {"rating": "3"}).status_code == 302
    return item


# --- what candidates and mentors type -------------------------------------------------------------


@payloads
def test_names_in_the_profile_are_inert_wherever_they_show(
    payload, candidate, mentor, assigned_session
):
    name = payload[:150]
    me, my_mentor = client_for(candidate), client_for(mentor)
    assert me.post("/accounts/profile/", profile_data(candidate, first_name=name)).status_code == (
        302
    )
    assert my_mentor.post(
        "/accounts/profile/", profile_data(mentor, last_name=name)
    ).status_code == (302)
    assert User.objects.get(pk=candidate.pk).first_name == name.strip()
    item = answer_first_card(me, assigned_session, "An answer")
    my_mentor.post(f"/feedback/{item.pk}/", {"body": "A comment"})
    mentorship_pk = candidate.mentorships_received.get().pk
    invitee = client_for(User.objects.create_user("ivy", "ivy@example.com", "x" * 20))

    # The candidate's name, as the mentor sees it ...
    for path in [
        "/mentor/",
        f"/mentor/mentees/{candidate.pk}/",
        "/mentor/assign/",
        f"/feedback/{item.pk}/",
        f"/mentorships/{mentorship_pk}/end/",
    ]:
        assert_inert(my_mentor.get(path), payload, where=f"mentor {path}")
    # ... and the mentor's, as candidates see it.
    for path in [
        "/accounts/profile/",
        "/assignments/",
        f"/feedback/{item.pk}/",
        f"/mentorships/{mentorship_pk}/end/",
    ]:
        assert_inert(me.get(path), payload, where=f"candidate {path}")
    assert_inert(invitee.get(f"/invite/{make_invite_token(mentor)}/"), payload, where="invite")


@payloads
def test_typed_answers_are_inert_for_the_candidate_and_the_mentor(
    payload, candidate, mentor, assigned_session
):
    me, my_mentor = client_for(candidate), client_for(mentor)
    item = answer_first_card(me, assigned_session, payload)
    assert my_mentor.post(f"/feedback/{item.pk}/", {"body": "A comment"}).status_code == 302

    session = assigned_session.pk
    assert_inert(me.get(f"/practice/{session}/?item={item.pk}"), payload, where="result card")
    me.post(f"/practice/{session}/finish/")
    assert_inert(me.get(f"/practice/{session}/summary/"), payload, where="summary")
    assert_inert(me.get(f"/feedback/{item.pk}/"), payload, where="candidate thread")
    assert_inert(my_mentor.get(f"/feedback/{item.pk}/"), payload, where="mentor thread")
    assert_inert(
        my_mentor.get(f"/mentor/mentees/{candidate.pk}/"), payload, shown=False, where="mentee"
    )


@payloads
def test_mock_interview_answers_are_inert(payload, candidate_client, topic):
    question = QuestionFactory(topic=topic, kind=Kind.CONCEPT)
    session = PracticeSession.objects.create(
        user=User.objects.get(username="casey"), mode="mock", time_limit_minutes=30, item_count=1
    )
    item = session.items.create(question=question, position=1)

    response = candidate_client.post(
        f"/practice/{session.pk}/items/{item.pk}/answer/", {"response": payload}
    )

    assert response.status_code == 302
    assert_inert(candidate_client.get(f"/practice/{session.pk}/"), payload, where="assess")
    candidate_client.post(f"/practice/{session.pk}/assess/", {})
    assert_inert(candidate_client.get(f"/practice/{session.pk}/summary/"), payload)


@payloads
def test_notes_are_inert(payload, candidate_client, topic):
    question = QuestionFactory(topic=topic)

    response = candidate_client.post(f"/questions/{question.slug}/note/", {"body": payload})

    assert response.status_code == 302
    assert_inert(candidate_client.get(f"/questions/{question.slug}/"), payload)
    assert_inert(candidate_client.get("/bookmarks/"), payload)


@payloads
def test_feedback_comments_are_inert_on_both_sides(payload, candidate, mentor, assigned_session):
    me, my_mentor = client_for(candidate), client_for(mentor)
    item = answer_first_card(me, assigned_session, "An answer")

    assert my_mentor.post(f"/feedback/{item.pk}/", {"body": payload}).status_code == 302
    assert me.post(f"/feedback/{item.pk}/", {"body": payload}).status_code == 302

    assert_inert(my_mentor.get(f"/feedback/{item.pk}/"), payload, where="mentor thread")
    assert_inert(me.get(f"/feedback/{item.pk}/"), payload, where="candidate thread")
    me.post(f"/practice/{assigned_session.pk}/finish/")
    assert_inert(
        me.get(f"/practice/{assigned_session.pk}/summary/"), payload, shown=False, where="summary"
    )
    assert_inert(my_mentor.get(f"/mentor/mentees/{candidate.pk}/"), payload, shown=False)


@payloads
def test_set_titles_descriptions_and_assignment_notes_are_inert(
    payload, candidate, mentor, mentorship, topic
):
    my_mentor, me = client_for(mentor), client_for(candidate)
    question = QuestionFactory(topic=topic)

    response = my_mentor.post("/mentor/sets/", {"title": payload[:200], "description": payload})
    assert response.status_code == 302
    question_set = QuestionSet.objects.get(owner=mentor)
    my_mentor.post(f"/mentor/sets/{question_set.pk}/items/", {"question": question.pk})
    response = my_mentor.post(
        "/mentor/assign/",
        {
            "question_set": question_set.pk,
            "candidates": [candidate.pk],
            "due_at": "2099-01-31T18:00",
            "mode": "study",
            "note": payload,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    for path in [
        "/mentor/",
        "/mentor/sets/",
        f"/mentor/sets/{question_set.pk}/",
        "/mentor/assign/",
        f"/mentor/mentees/{candidate.pk}/",
    ]:
        assert_inert(my_mentor.get(path), payload, where=f"mentor {path}")
    for path in ["/assignments/", "/dashboard/"]:
        assert_inert(me.get(path), payload, where=f"candidate {path}")
    assignment = Assignment.objects.get()
    response = me.post(f"/assignments/{assignment.pk}/start/")
    assert_inert(me.get(response["Location"]), payload, shown=False, where="assigned session")


# --- what editors write ---------------------------------------------------------------------------


@payloads
def test_every_markdown_field_an_editor_writes_is_inert(payload, candidate_client, topic):
    question = QuestionFactory(
        topic=topic,
        title=f"Title {payload}"[:200],
        prompt=payload,
        answer=payload,
        hints=f"{payload}\nA second hint {payload}",
        key_points=f"{payload}\nAnother point {payload}",
        starter_code=payload,
        solution_code=payload,
    )
    quiz = QuestionFactory(topic=topic, kind=Kind.MULTIPLE_CHOICE, prompt=payload)
    ChoiceFactory(question=quiz, text=payload, explanation=payload, is_correct=True)
    ChoiceFactory(question=quiz, text=f"Other {payload}", explanation=payload, is_correct=False)
    public = QuestionSetFactory(
        title=f"Set {payload}"[:200], description=payload, visibility=Visibility.PUBLIC
    )
    QuestionSetItemFactory(question_set=public, question=question)

    client = candidate_client
    assert_inert(client.get("/questions/"), payload, where="question list")
    assert_inert(client.get(f"/questions/{question.slug}/"), payload, where="question page")
    assert_inert(client.get(f"/questions/{quiz.slug}/"), payload, shown=False, where="quiz page")
    assert_inert(client.get("/sets/"), payload, where="sets")
    assert_inert(client.get(f"/sets/{public.slug}/"), payload, where="set page")

    # Practised: the study card, the revealed answer and key points, the summary.
    session_url = client.post(f"/questions/{question.slug}/practise/")["Location"]
    assert_inert(client.get(session_url), payload, where="study card")
    session = PracticeSession.objects.get(pk=session_url.strip("/").split("/")[-1])
    item = session.items.get()
    client.post(f"/practice/{session.pk}/items/{item.pk}/reveal/", {"response": ""})
    assert_inert(client.get(session_url), payload, where="revealed answer")
    client.post(f"/practice/{session.pk}/items/{item.pk}/grade/", {"rating": "3"})
    assert_inert(client.get(f"/practice/{session.pk}/summary/"), payload, where="study summary")

    # A quiz: the choices, then the marked result with explanations.
    quiz_url = client.post(f"/questions/{quiz.slug}/practise/")["Location"]
    assert_inert(client.get(quiz_url), payload, shown=False, where="quiz card")
    quiz_session = PracticeSession.objects.get(pk=quiz_url.strip("/").split("/")[-1])
    quiz_item = quiz_session.items.get()
    right = quiz.choices.get(is_correct=True)
    client.post(f"/practice/{quiz_session.pk}/items/{quiz_item.pk}/check/", {"choices": right.pk})
    assert_inert(
        client.get(f"{quiz_url}?item={quiz_item.pk}"), payload, shown=False, where="quiz result"
    )


@payloads
def test_the_admin_shows_editor_markdown_inert(payload, editor_client, topic):
    question = QuestionFactory(topic=topic, title=f"Title {payload}"[:200], answer=payload)

    assert_inert(editor_client.get("/admin/questions/question/"), payload, where="admin list")
    assert_inert(
        editor_client.get(f"/admin/questions/question/{question.pk}/change/"),
        payload,
        where="admin change form",
    )
    assert_inert(
        editor_client.get(f"/admin/questions/question/{question.pk}/preview/"),
        payload,
        shown=False,
        where="admin preview",
    )


# --- what comes back in the address or a rejected form --------------------------------------------


@payloads
def test_search_terms_and_query_parameters_are_reflected_inert(payload, candidate_client, db):
    from urllib.parse import quote

    assert_inert(candidate_client.get(f"/questions/?q={quote(payload)}"), payload, where="search")
    assert_inert(
        candidate_client.get(f"/practice/?mode={quote(payload)}&topics={quote(payload)}"),
        payload,
        shown=False,
        where="start form",
    )
    every_filter = "&".join(
        f"{name}={quote(payload)}" for name in ["topic", "track", "kind", "difficulty", "tag"]
    )
    assert_inert(
        candidate_client.get(f"/questions/?q={quote(payload)}&{every_filter}&page=2"),
        payload,
        where="filtered search",
    )
    assert_inert(
        candidate_client.get(f"/lab/n-plus-one/?rows={quote(payload)}"),
        payload,
        shown=False,
        where="ORM lab",
    )


@payloads
def test_a_mentors_bank_search_is_reflected_inert(payload, mentor_client, mentor, db):
    from urllib.parse import quote

    question_set = QuestionSetFactory(owner=mentor, visibility=Visibility.PRIVATE)

    response = mentor_client.get(f"/mentor/sets/{question_set.pk}/search/?q={quote(payload)}")

    assert_inert(response, payload, shown=False, where="set search")


@payloads
def test_rejected_log_in_and_sign_up_forms_echo_input_inert(payload, client, db):
    from urllib.parse import quote

    response = client.post("/accounts/login/", {"username": payload[:150], "password": "x"})
    assert_inert(response, payload, where="log-in form")
    response = client.post(
        "/accounts/signup/",
        {"username": payload[:150], "email": payload, "password1": "a", "password2": "b"},
    )
    assert_inert(response, payload, where="sign-up form")
    response = client.get(f"/accounts/login/?next={quote(payload)}")
    assert_inert(response, payload, shown=False, where="log-in next")


def test_the_scanner_catches_a_raw_payload(db):
    """The check itself: raw payloads are caught, escaped ones pass."""
    from html import escape

    from tests.security.hostile import inert_problems

    for payload in XSS_PAYLOADS:
        assert not inert_problems(f"<p>{escape(payload)}</p>", payload), payload
        if payload.startswith(("[", "![")):
            continue  # Markdown syntax: harmful only once rendered to a link or an image
        raw = [
            f"<div>{payload}</div>",
            f'<input value="{payload}">',
            f"<input value='{payload}'>",
            f'<a href="{payload}">',
        ]
        assert any(inert_problems(html, payload) for html in raw), payload
    assert MARK in XSS_PAYLOADS[0]


def test_user_text_never_reaches_a_mentor_who_is_not_theirs(candidate, assigned_session):
    """The XSS pages above are only reachable by the right people (the rest 404)."""
    stranger = client_for(MentorFactory(username="stranger"))
    item = answer_first_card(client_for(candidate), assigned_session, "private words")

    assert stranger.get(f"/feedback/{item.pk}/").status_code == 404
    assert stranger.get(f"/mentor/mentees/{candidate.pk}/").status_code == 404
