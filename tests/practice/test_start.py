"""Starting a session: the form, the draw per mode, clear errors, recent sessions."""

from collections import Counter

import pytest
from django.urls import reverse

from practice.models import Mode, PracticeSession, SessionItem
from questions.models import Kind
from tests.factories import PracticeSessionFactory, QuestionFactory
from tests.practice.conftest import session_with

START_URL = reverse("practice:start")


def test_it_asks_visitors_to_log_in(client, db):
    response = client.get(START_URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_form_offers_every_mode_and_a_start_button(candidate_client, bank):
    response = candidate_client.get(START_URL)
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("Study", "Quiz", "Review due", "Mock interview", "Mistakes"):
        assert label in html
    assert "Start practice" in html
    assert "Fundamentals" in html
    assert "No sessions yet" in html


def test_a_link_can_preselect_mode_and_topic(candidate_client, topics):
    response = candidate_client.get(START_URL, {"mode": "review", "topics": str(topics[1].pk)})
    form = response.context["form"]
    assert form["mode"].value() == "review"
    assert [str(v) for v in form["topics"].value()] == [str(topics[1].pk)]


def _start(client, **data):
    payload = {"mode": "study", "count": 10, "time_limit_minutes": 45, **data}
    return client.post(START_URL, payload)


def test_study_draws_published_questions_spread_across_the_chosen_topics(
    candidate_client, candidate, bank, topics
):
    response = _start(candidate_client, topics=[topics[0].pk, topics[1].pk], count=6)
    session = PracticeSession.objects.get(user=candidate)
    assert response.status_code == 302
    assert response["Location"] == reverse("practice:session", args=[session.pk])
    assert session.mode == Mode.STUDY and session.item_count == 6
    items = list(session.items.select_related("question__topic"))
    assert [item.position for item in items] == [1, 2, 3, 4, 5, 6]
    assert Counter(item.question.topic.slug for item in items) == {
        "fundamentals": 3,
        "databases": 3,
    }
    assert all(item.question.status == "published" for item in items)
    assert len({item.question_id for item in items}) == 6
    assert session.filters["topics"] == ["fundamentals", "databases"]


def test_the_draw_is_reproducible_with_a_seed(candidate_client, candidate, bank):
    _start(candidate_client, count=8)
    _start(candidate_client, count=8)
    first, second = PracticeSession.objects.order_by("pk")
    assert list(first.items.values_list("question_id", flat=True)) == list(
        second.items.values_list("question_id", flat=True)
    )


def test_the_draw_prefers_questions_not_seen_lately(candidate_client, candidate, topics):
    seen = QuestionFactory(topic=topics[0])
    fresh = QuestionFactory(topic=topics[0])
    session_with(candidate, [seen])
    item = SessionItem.objects.get(question=seen)

    item.record_grade(rating=3)
    _start(candidate_client, count=1)
    newest = PracticeSession.objects.order_by("-pk").first()
    assert list(newest.items.values_list("question_id", flat=True)) == [fresh.pk]


def test_filters_by_track_difficulty_and_kind(candidate_client, candidate, topics):
    from tests.factories import TrackFactory

    backend = TrackFactory(slug="backend-web")
    wanted = QuestionFactory(topic=topics[0], kind=Kind.CODING, difficulty="hard", tracks=[backend])
    QuestionFactory(topic=topics[0], kind=Kind.CODING, difficulty="hard")  # other track
    QuestionFactory(topic=topics[0], kind=Kind.CONCEPT, difficulty="hard", tracks=[backend])
    QuestionFactory(topic=topics[0], kind=Kind.CODING, difficulty="easy", tracks=[backend])
    _start(candidate_client, track=backend.pk, difficulty="hard", kinds=["coding"])
    session = PracticeSession.objects.get(user=candidate)
    assert list(session.items.values_list("question_id", flat=True)) == [wanted.pk]


def test_a_quiz_draws_only_multiple_choice_questions(candidate_client, candidate, bank):
    _start(candidate_client, mode="quiz", count=50)
    session = PracticeSession.objects.get(user=candidate)
    kinds = set(session.items.values_list("question__kind", flat=True))
    assert kinds == {Kind.MULTIPLE_CHOICE}
    assert session.item_count == len(bank["quiz"])


def test_a_mock_interview_runs_like_a_real_loop(candidate_client, candidate, bank):
    _start(candidate_client, mode="mock", count=4, time_limit_minutes=30)
    session = PracticeSession.objects.get(user=candidate)
    assert session.time_limit_minutes == 30
    kinds = list(session.items.order_by("position").values_list("question__kind", flat=True))
    assert kinds == [Kind.CODING, Kind.CONCEPT, Kind.SYSTEM_DESIGN, Kind.BEHAVIOURAL]


def test_a_mock_without_a_length_gets_the_default(candidate_client, candidate, bank):
    _start(candidate_client, mode="mock", count=4, time_limit_minutes="")
    assert PracticeSession.objects.get(user=candidate).time_limit_minutes == 45


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"topics": "__empty__"}, "No published questions match these filters"),
        (
            {"mode": "quiz", "kinds": ["concept"]},
            "tick Multiple choice, Predict the output, or none",
        ),
        ({"mode": "mock", "kinds": ["multiple_choice"]}, "has no multiple-choice questions"),
        ({"mode": "review"}, "Nothing is due for review"),
        ({"mode": "mistakes"}, "No mistakes to practise"),
        ({"count": 0}, "greater than or equal to 1"),
        ({"count": 51}, "less than or equal to 50"),
        ({"mode": "mock", "time_limit_minutes": 2}, "greater than or equal to 5"),
        ({"mode": "nonsense"}, "Select a valid choice"),
    ],
)
def test_bad_or_empty_combinations_get_a_clear_message_and_create_nothing(
    candidate_client, candidate, bank, topics, data, message
):
    if data.get("topics") == "__empty__":
        from tests.factories import TopicFactory

        data = {"topics": [TopicFactory(slug="empty-topic").pk]}
    response = _start(candidate_client, **data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PracticeSession.objects.exists()


def test_the_daily_review_limit_is_explained(candidate_client, candidate, bank):

    candidate.daily_review_limit = 1
    candidate.save()
    session = session_with(candidate, bank["concepts"][:1], mode=Mode.REVIEW)
    session.items.get().record_grade(rating=1)
    response = _start(candidate_client, mode="review")
    assert "daily review limit" in response.content.decode()
    assert PracticeSession.objects.count() == 1


def test_recent_sessions_show_scores_and_resume_links(candidate_client, candidate, other_candidate):
    done = PracticeSessionFactory(user=candidate, item_count=4, answered_count=4, score=0.75)
    done.finished_at = done.started_at
    done.save()
    running = PracticeSessionFactory(user=candidate, mode="quiz", item_count=5, answered_count=2)
    PracticeSessionFactory(user=other_candidate, mode="mock")
    response = candidate_client.get(START_URL)
    html = response.content.decode()
    assert "75%" in html
    assert reverse("practice:summary", args=[done.pk]) in html
    assert "Resume" in html and reverse("practice:session", args=[running.pk]) in html
    assert "2 of 5" in html
    assert "Mock interview</span>" not in html


def test_the_start_page_issues_the_same_queries_with_many_sessions(
    client, candidate, bank, django_assert_num_queries
):
    client.force_login(candidate)
    PracticeSessionFactory.create_batch(2, user=candidate)
    # 1 session, 2 user, 3 unread feedback and 4 the user's roles (navigation), 5 tracks,
    # 6 topics, 7 recent sessions.
    with django_assert_num_queries(7) as few:
        client.get(START_URL)
    PracticeSessionFactory.create_batch(30, user=candidate)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(START_URL)


def test_practise_this_starts_a_one_question_session(candidate_client, candidate, bank):
    question = bank["concepts"][0]
    response = candidate_client.post(reverse("practice:practise_question", args=[question.slug]))
    session = PracticeSession.objects.get(user=candidate)
    assert response["Location"] == reverse("practice:session", args=[session.pk])
    assert list(session.items.values_list("question_id", flat=True)) == [question.pk]


def test_practise_this_refuses_a_draft(candidate_client, bank):
    draft = bank["draft"][0]
    response = candidate_client.post(reverse("practice:practise_question", args=[draft.slug]))
    assert response.status_code == 404
    assert not PracticeSession.objects.exists()


def test_practise_this_redirects_htmx_in_the_browser(candidate_client, bank, htmx_headers):
    question = bank["concepts"][0]
    response = candidate_client.post(
        reverse("practice:practise_question", args=[question.slug]), headers=htmx_headers
    )
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/practice/")
