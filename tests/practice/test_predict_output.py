"""Predict the output in practice: the card (the snippet and a box for what it prints), Check
compared on the server line by line, the result (each line marked in words), the schedule and
the score as a quiz answer, in every mode (a quiz, a mock interview, study), the summary, the
dashboard and the mentor's page."""

import random

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from practice import draw
from practice.models import Mode, PracticeSession, Rating, ReviewCard
from practice.services import PracticeRequest, start_practice
from questions.models import Kind
from tests.factories import (
    SHARED_LIST_OUTPUT,
    AssignmentFactory,
    QuestionSetFactory,
    QuestionSetItemFactory,
    TopicFactory,
    predict_output_question,
)
from tests.practice.conftest import session_with

RIGHT = "[1, 2]\nKeyError: 'k'"


@pytest.fixture
def rng():
    return random.Random(7)


@pytest.fixture
def question(db):
    return predict_output_question()


@pytest.fixture
def session(candidate, question):
    return session_with(candidate, [question], mode=Mode.QUIZ)


def page_url(session) -> str:
    return reverse("practice:session", args=[session.pk])


def check_url(session, item) -> str:
    return reverse("practice:check", args=[session.pk, item.pk])


# --- the card ------------------------------------------------------------------------------------


def test_the_card_shows_the_snippet_and_asks_what_it_prints(candidate_client, session, question):
    html = candidate_client.get(page_url(session)).content.decode()

    assert question.snippet_html in html
    assert '<label for="id_response">What does it print?</label>' in html
    assert "<code>ExceptionType: message</code>" in html  # the form of an exception, stated
    assert ">Check</button>" in html
    assert "Show answer" not in html and SHARED_LIST_OUTPUT not in html


def test_the_card_works_without_javascript_its_form_posts_to_check(candidate_client, session):
    item = session.items.get()
    html = candidate_client.get(page_url(session)).content.decode()

    assert f'action="{check_url(session, item)}"' in html
    assert 'name="response"' in html and "csrfmiddlewaretoken" in html


# --- checking ------------------------------------------------------------------------------------


def test_a_right_prediction_without_javascript(candidate_client, candidate, session, question):
    item = session.items.get()

    response = candidate_client.post(check_url(session, item), {"response": RIGHT})

    assert response["Location"] == f"{page_url(session)}?item={item.pk}"
    html = candidate_client.get(response["Location"]).content.decode()
    assert "Right: that is exactly what it prints." in html
    assert "Every line matches." in html and html.count("</span> Same</td>") == 2
    assert "Both names point at <strong>the same list</strong>" in html  # the explanation
    item.refresh_from_db()
    assert item.is_correct and item.score == 1.0 and item.rating == Rating.GOOD
    assert item.response == RIGHT
    card = ReviewCard.objects.get(user=candidate, question=question)
    assert card.last_rating == Rating.GOOD
    session.refresh_from_db()
    assert session.is_finished and session.score == 1.0


def test_a_wrong_prediction_with_htmx_marks_each_line_in_words(
    candidate_client, candidate, session, question, htmx_headers
):
    item = session.items.get()

    response = candidate_client.post(
        check_url(session, item), {"response": "[1]\n"}, headers=htmx_headers
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="session-card"')
    assert "Not quite" in html and "2 lines of 2 do not match." in html
    assert '<code class="output-text">[1]</code>' in html
    assert '<code class="output-text">[1, 2]</code>' in html
    assert "</span> Different</td>" in html and "</span> Missing</td>" in html
    assert "(no line)" in html
    item.refresh_from_db()
    assert item.is_correct is False and item.score == 0.0 and item.rating == Rating.AGAIN
    assert ReviewCard.objects.get(user=candidate, question=question).last_rating == Rating.AGAIN


def test_trailing_spaces_and_windows_line_ends_are_still_right(candidate_client, session):
    item = session.items.get()

    candidate_client.post(
        check_url(session, item), {"response": "[1, 2]   \r\nKeyError: 'k' \r\n\r\n"}
    )

    item.refresh_from_db()
    assert item.is_correct is True


def test_leading_spaces_are_kept_and_count(candidate_client, session):
    item = session.items.get()

    candidate_client.post(check_url(session, item), {"response": "  [1, 2]\nKeyError: 'k'"})

    item.refresh_from_db()
    assert item.response == "  [1, 2]\nKeyError: 'k'"
    assert item.is_correct is False


def test_what_the_browser_says_about_correctness_is_ignored(candidate_client, session):
    item = session.items.get()

    candidate_client.post(
        check_url(session, item), {"response": "wrong", "is_correct": "1", "score": "1"}
    )

    item.refresh_from_db()
    assert item.is_correct is False and item.score == 0.0


@pytest.mark.parametrize("use_htmx", [False, True])
def test_an_empty_prediction_is_asked_for_again(candidate_client, session, htmx_headers, use_htmx):
    item = session.items.get()
    headers = htmx_headers if use_htmx else {}

    response = candidate_client.post(
        check_url(session, item), {"response": "  \n "}, headers=headers
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Type what the code prints, then Check." in html
    assert 'aria-invalid="true"' in html
    item.refresh_from_db()
    assert item.answered_at is None


def test_a_double_check_keeps_the_first_answer(candidate_client, candidate, session, question):
    item = session.items.get()
    candidate_client.post(check_url(session, item), {"response": RIGHT})

    response = candidate_client.post(check_url(session, item), {"response": "oops"}, follow=True)

    assert "already recorded" in response.content.decode()
    item.refresh_from_db()
    assert item.response == RIGHT and item.is_correct
    assert ReviewCard.objects.get(user=candidate, question=question).reps == 1


def test_it_cannot_be_graded_or_revealed_like_a_flash_card(candidate_client, candidate, question):
    session = session_with(candidate, [question], mode=Mode.STUDY)
    item = session.items.get()

    for name, data in (("grade", {"rating": "4"}), ("reveal", {"response": "x"})):
        url = reverse(f"practice:{name}", args=[session.pk, item.pk])
        candidate_client.post(url, data)

    item.refresh_from_db()
    assert item.answered_at is None and item.revealed_at is None
    # In study mode the card is the same checked card.
    assert ">Check</button>" in candidate_client.get(page_url(session)).content.decode()


def test_another_users_prediction_is_a_404(client, other_candidate, session):
    item = session.items.get()
    client.force_login(other_candidate)

    response = client.post(check_url(session, item), {"response": RIGHT})

    assert response.status_code == 404
    assert not PracticeSession.objects.filter(answered_count__gt=0).exists()


def test_check_needs_the_csrf_token(candidate, session):
    item = session.items.get()
    client = Client(enforce_csrf_checks=True)
    client.force_login(candidate)

    response = client.post(check_url(session, item), {"response": RIGHT})

    assert response.status_code == 403
    item.refresh_from_db()
    assert item.answered_at is None


def test_check_needs_a_login(client, session):
    item = session.items.get()

    response = client.post(check_url(session, item), {"response": RIGHT})

    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("questions", [2, 12])
def test_the_card_and_check_cost_the_same_with_few_or_many_questions(
    client, candidate, questions, htmx_headers, django_assert_num_queries
):
    topic = TopicFactory()
    session = session_with(
        candidate, [predict_output_question(topic=topic) for _ in range(questions)], mode="quiz"
    )
    item = session.items.get(position=1)
    client.force_login(candidate)
    # 1 session, 2 user, 3 the first unanswered item with its practice session, question and
    # topic, 4 unread feedback and 5 the user's roles (navigation)
    with django_assert_num_queries(5):
        client.get(page_url(session))
    # 1 session, 2 user, 3 the item with its session, question and topic; 4 savepoint, 5 lock
    # the session, 6 claim the item (UPDATE ... WHERE answered_at IS NULL), 7 the review card,
    # 8-10 insert it (in a savepoint of its own), 11 count the answer, 12 release the savepoint;
    # 13 the item again, as recorded.
    with django_assert_num_queries(13):
        response = client.post(check_url(session, item), {"response": RIGHT}, headers=htmx_headers)
    assert "Right: that is exactly what it prints." in response.content.decode()


# --- drawn in every mode -------------------------------------------------------------------------


def test_a_quiz_draws_predictions_with_multiple_choice(candidate, question, rng):
    session = start_practice(user=candidate, request=PracticeRequest(mode=Mode.QUIZ), rng=rng)

    assert list(session.items.values_list("question__kind", flat=True)) == [Kind.PREDICT_OUTPUT]


def test_the_start_form_offers_the_new_kinds_and_a_predictions_only_quiz(candidate_client):
    html = candidate_client.get(reverse("practice:start")).content.decode()
    for value, label in (
        ("sql", "SQL query"),
        ("predict_output", "Predict the output"),
        ("debugging", "Debugging"),
    ):
        assert f'value="{value}"' in html and label in html
    predict_output_question()

    response = candidate_client.post(
        reverse("practice:start"), {"mode": "quiz", "kinds": ["predict_output"], "count": 5}
    )

    assert response.status_code == 302
    session = PracticeSession.objects.get()
    assert session.mode == Mode.QUIZ and session.item_count == 1


def test_a_mock_interview_asks_for_the_prediction_with_the_concepts(
    candidate, candidate_client, question, rng
):
    assert draw.STAGE_OF_KIND[Kind.PREDICT_OUTPUT] == draw.STAGE_OF_KIND[Kind.CONCEPT]
    assert draw.STAGE_OF_KIND[Kind.SQL] == draw.STAGE_OF_KIND[Kind.DEBUGGING] == 0
    session = start_practice(
        user=candidate,
        request=PracticeRequest(mode=Mode.MOCK, time_limit_minutes=30),
        rng=rng,
    )
    html = candidate_client.get(page_url(session)).content.decode()

    assert "Concepts" in html and question.snippet_html in html
    assert "What does it print?" in html


def mock_with(candidate, questions):
    return session_with(candidate, questions, mode=Mode.MOCK, time_limit_minutes=30)


def test_a_mock_prediction_is_kept_as_typed_and_checked_when_scored(
    candidate_client, candidate, question, htmx_headers
):
    other = predict_output_question()
    session = mock_with(candidate, [question, other])
    first, second = session.items.order_by("position")
    answer = reverse("practice:mock_answer", args=[session.pk, first.pk])
    candidate_client.post(answer, {"response": RIGHT + "\n"})
    answer = reverse("practice:mock_answer", args=[session.pk, second.pk])
    candidate_client.post(answer, {"response": "  [1, 2]"})
    second.refresh_from_db()
    assert second.response == "  [1, 2]"  # not stripped: leading spaces are output

    html = candidate_client.get(page_url(session)).content.decode()
    assert "Score your interview" in html
    assert "Checked, not ticked:" in html
    assert "your prediction is right, so it scores in full." in html
    assert 'name="covered-' not in html  # nothing to tick for a prediction

    candidate_client.post(reverse("practice:assess", args=[session.pk]), {})

    session.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_correct, first.score, first.rating) == (True, 1.0, Rating.GOOD)
    assert (second.is_correct, second.score, second.rating) == (False, 0.0, Rating.AGAIN)
    assert session.is_finished and session.score == 0.5
    summary = candidate_client.get(reverse("practice:summary", args=[session.pk])).content.decode()
    assert "% of key points" not in summary and "(not covered)" not in summary


# --- where an answer shows up --------------------------------------------------------------------


def test_the_summary_counts_it_and_shows_the_lines(candidate_client, candidate, question):
    session = session_with(candidate, [question, predict_output_question()], mode=Mode.QUIZ)
    first, second = session.items.order_by("position")
    first.record_prediction(prediction=RIGHT)
    second.record_prediction(prediction="[1]")

    html = candidate_client.get(reverse("practice:summary", args=[session.pk])).content.decode()

    assert '<p class="stat">1 / 2</p>' in html  # one correct of two
    assert html.count('<span class="badge badge-good">Correct</span>') == 1
    assert html.count('<span class="badge badge-bad">Wrong</span>') == 1
    assert "Every line matches." in html and "2 lines of 2 do not match." in html
    assert question.snippet_html in html
    assert "Practise mistakes (1)" in html


def test_the_dashboard_counts_it(candidate_client, candidate, session, question):
    session.items.get().record_prediction(prediction=RIGHT)

    data = candidate_client.get(reverse("practice:dashboard")).context["data"]

    assert data.answered_today == 1 and data.streak == 1
    (progress,) = [p for p in data.progress if p.topic_id == question.topic_id]
    assert (progress.total, progress.studied) == (1, 1)


def test_the_mentor_sees_the_prediction_against_the_output(
    client, mentor, candidate, mentorship, question
):
    question_set = QuestionSetFactory(owner=mentor)
    QuestionSetItemFactory(question_set=question_set, question=question)
    assignment = AssignmentFactory(mentor=mentor, candidate=candidate, question_set=question_set)
    session = session_with(candidate, [question], mode=Mode.QUIZ, assignment=assignment)
    session.items.get().record_prediction(prediction="[1]")
    client.force_login(mentor)

    html = client.get(reverse("mentoring:mentee", args=[candidate.pk])).content.decode()

    assert '<th scope="col">They wrote</th>' in html
    assert '<code class="output-text">[1]</code>' in html and "</span> Different</td>" in html
    assert '<span class="badge badge-bad">Wrong</span>' in html


def test_the_mentee_page_costs_the_same_with_few_or_many_predictions(
    client, mentor, candidate, mentorship
):
    client.force_login(mentor)
    url = reverse("mentoring:mentee", args=[candidate.pk])
    counts = []
    for answers in (2, 10):
        question_set = QuestionSetFactory(owner=mentor)
        questions = [predict_output_question() for _ in range(answers)]
        for question in questions:
            QuestionSetItemFactory(question_set=question_set, question=question)
        assignment = AssignmentFactory(
            mentor=mentor, candidate=candidate, question_set=question_set
        )
        session = session_with(candidate, questions, mode=Mode.QUIZ, assignment=assignment)
        for item in session.items.all():
            item.record_prediction(prediction="[1]")
        client.get(url)  # warms the process, as in a running one
        with CaptureQueriesContext(connection) as captured:
            html = client.get(url).content.decode()
        counts.append(len(captured))
        assert html.count("</span> Different</td>") >= answers
    assert counts[0] == counts[1]
