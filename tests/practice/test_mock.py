"""Mock interviews: the loop, the countdown, the time limit, scoring by key points."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from practice.models import MOCK_GRACE, Mode, Outcome, PracticeSession, Rating, ReviewCard
from tests.practice.conftest import session_with


@pytest.fixture
def mock(candidate, bank):
    questions = [bank["coding"][0], bank["concepts"][0], bank["design"][0], bank["behavioural"][0]]
    return session_with(candidate, questions, mode=Mode.MOCK, time_limit_minutes=30)


def _answer_url(session, item):
    return reverse("practice:mock_answer", args=[session.pk, item.pk])


def _start_minutes_ago(session, minutes):
    PracticeSession.objects.filter(pk=session.pk).update(
        started_at=timezone.now() - timedelta(minutes=minutes)
    )
    session.refresh_from_db()


def test_the_page_shows_a_countdown_and_hides_the_model_answer(candidate_client, mock):
    item = mock.items.get(position=1)
    html = candidate_client.get(reverse("practice:session", args=[mock.pk])).content.decode()
    assert 'role="timer"' in html and "30 min" in html and 'data-seconds-left="' in html
    assert "Coding and practical" in html
    assert "Your answer" in html and "Submit answer and continue" in html
    assert "Model answer" not in html and item.question.answer_html not in html
    assert "End the interview now" in html


def test_a_mock_end_to_end_without_javascript(candidate_client, candidate, mock):
    items = list(mock.items.order_by("position"))
    page = reverse("practice:session", args=[mock.pk])
    for item in items:
        response = candidate_client.post(_answer_url(mock, item), {"response": f"About {item.pk}"})
        assert response["Location"] == page
    html = candidate_client.get(page).content.decode()
    assert "Score your interview" in html
    assert "Model answer" in html and f"About {items[0].pk}" in html
    # Key points covered: all three on the first, one on the second, none on the others.
    response = candidate_client.post(
        reverse("practice:assess", args=[mock.pk]),
        {f"covered-{items[0].pk}": ["0", "1", "2"], f"covered-{items[1].pk}": ["1", "7", "x"]},
    )
    assert response["Location"] == reverse("practice:summary", args=[mock.pk])
    mock.refresh_from_db()
    assert mock.is_finished
    assert mock.score == pytest.approx((1 + 1 / 3) / 4)
    first, second, third, _ = (item for item in mock.items.order_by("position"))
    assert first.covered_points == [0, 1, 2] and first.rating == Rating.GOOD
    assert second.covered_points == [1] and second.rating == Rating.AGAIN
    assert third.score == 0.0
    assert ReviewCard.objects.filter(user=candidate).count() == 4
    summary = candidate_client.get(reverse("practice:summary", args=[mock.pk])).content.decode()
    assert "point-covered" in summary and "Model answer" in summary


@pytest.mark.parametrize("junk", ["covered-²", "covered-٣", "covered-", "covered--1", "covered-x"])
def test_a_junk_field_in_the_assessment_is_ignored_and_the_rest_scores(
    candidate_client, mock, junk
):
    items = list(mock.items.order_by("position"))
    for item in items:
        candidate_client.post(_answer_url(mock, item), {"response": "Answer"})

    response = candidate_client.post(
        reverse("practice:assess", args=[mock.pk]),
        {junk: ["0"], f"covered-{items[0].pk}": ["0", "1", "2", "²", "٣"]},
    )

    assert response["Location"] == reverse("practice:summary", args=[mock.pk])
    first = mock.items.get(position=1)
    assert first.covered_points == [0, 1, 2] and first.rating == Rating.GOOD


def test_a_mock_with_htmx_swaps_the_card_and_then_offers_scoring(
    candidate_client, mock, htmx_headers
):
    items = list(mock.items.order_by("position"))
    response = candidate_client.post(
        _answer_url(mock, items[0]), {"response": "Answer"}, headers=htmx_headers
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="session-card"')
    assert "Question 2 of 4" in html and "Concepts" in html
    assert "Model answer" not in html
    for item in items[1:]:
        response = candidate_client.post(
            _answer_url(mock, item), {"response": "Answer"}, headers=htmx_headers
        )
    assert "Score your interview" in response.content.decode()


def test_answers_after_the_time_limit_are_refused(candidate_client, mock):
    _start_minutes_ago(mock, 31)
    item = mock.items.get(position=1)
    response = candidate_client.post(_answer_url(mock, item), {"response": "Too late"}, follow=True)
    html = response.content.decode()
    assert "Time is up: answers after the time limit are not accepted." in html
    assert "Score your interview" in html
    item.refresh_from_db()
    assert item.answered_at is None and item.response == ""


def test_an_answer_sent_as_the_clock_runs_out_is_kept(mock):
    item = mock.items.get(position=1)
    deadline = mock.deadline
    assert item.record_mock_answer(response="Just in time", now=deadline + MOCK_GRACE) == (
        Outcome.RECORDED
    )
    late = mock.items.get(position=2)
    late.session = mock
    outcome = late.record_mock_answer(response="Late", now=deadline + MOCK_GRACE * 2)
    assert outcome == Outcome.CLOSED


def test_after_the_limit_unanswered_questions_score_nothing(candidate_client, mock):
    first = mock.items.get(position=1)
    candidate_client.post(_answer_url(mock, first), {"response": "Only this one"})
    _start_minutes_ago(mock, 45)
    candidate_client.post(
        reverse("practice:assess", args=[mock.pk]), {f"covered-{first.pk}": ["0", "1", "2"]}
    )
    mock.refresh_from_db()
    assert mock.score == pytest.approx(0.25)
    assert ReviewCard.objects.count() == 1  # only the answered question is scheduled


def test_ending_the_interview_early_moves_on_to_scoring(candidate_client, mock):
    response = candidate_client.post(reverse("practice:finish", args=[mock.pk]), follow=True)
    assert "Score your interview" in response.content.decode()
    item = mock.items.get(position=1)
    candidate_client.post(_answer_url(mock, item), {"response": "After ending"})
    item.refresh_from_db()
    assert item.answered_at is None


def test_scoring_before_the_end_is_refused(candidate_client, mock):
    response = candidate_client.post(reverse("practice:assess", args=[mock.pk]), {}, follow=True)
    assert "first" in response.content.decode()
    mock.refresh_from_db()
    assert not mock.is_finished


def test_scoring_twice_changes_nothing(mock):
    PracticeSession.objects.filter(pk=mock.pk).update(closed_at=timezone.now())
    mock.refresh_from_db()
    assert mock.assess(covered={}) == Outcome.RECORDED
    assert mock.assess(covered={}) == Outcome.ALREADY_ANSWERED


def test_a_double_posted_answer_is_recorded_once(candidate_client, mock):
    item = mock.items.get(position=1)
    candidate_client.post(_answer_url(mock, item), {"response": "First"})
    response = candidate_client.post(_answer_url(mock, item), {"response": "Second"}, follow=True)
    assert "already recorded" in response.content.decode()
    item.refresh_from_db()
    mock.refresh_from_db()
    assert item.response == "First" and mock.answered_count == 1


def test_the_summary_waits_for_the_scoring(candidate_client, mock):
    response = candidate_client.get(reverse("practice:summary", args=[mock.pk]))
    assert response["Location"] == reverse("practice:session", args=[mock.pk])


def test_an_answered_question_cannot_be_peeked_at_mid_interview(candidate_client, mock):
    item = mock.items.get(position=1)
    candidate_client.post(_answer_url(mock, item), {"response": "Answer"})
    url = reverse("practice:session", args=[mock.pk]) + f"?item={item.pk}"
    html = candidate_client.get(url).content.decode()
    assert "Model answer" not in html and "Question 2 of 4" in html


def test_another_users_mock_is_a_404(client, other_candidate, mock):
    client.force_login(other_candidate)
    item = mock.items.get(position=1)
    assert client.post(_answer_url(mock, item), {"response": "x"}).status_code == 404
    assert client.post(reverse("practice:assess", args=[mock.pk])).status_code == 404
    assert client.post(reverse("practice:finish", args=[mock.pk])).status_code == 404
