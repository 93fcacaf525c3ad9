"""Study and review cards: Show answer, then Again / Hard / Good / Easy, with and without htmx."""

from datetime import timedelta

import fsrs
import pytest
from django.urls import reverse
from django.utils import timezone

from practice.models import (
    CardState,
    Mode,
    Outcome,
    PracticeSession,
    Rating,
    ReviewCard,
    SessionItem,
)
from tests.practice.conftest import past_answers, session_with


@pytest.fixture
def session(candidate, bank):
    return session_with(candidate, bank["concepts"][:3])


def _urls(session, item):
    return {
        "page": reverse("practice:session", args=[session.pk]),
        "reveal": reverse("practice:reveal", args=[session.pk, item.pk]),
        "grade": reverse("practice:grade", args=[session.pk, item.pk]),
    }


def test_the_session_page_shows_progress_and_the_first_card(candidate_client, session):
    first = session.items.get(position=1)
    response = candidate_client.get(reverse("practice:session", args=[session.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Question 1 of 3" in html
    assert '<progress max="3" value="0"' in html
    assert first.question.title in html
    assert "Show answer" in html and 'data-shortcut=" "' in html
    assert first.question.answer_html not in html  # hidden until revealed
    assert 'id="session-card"' in html and 'aria-live="polite"' in html


def test_study_end_to_end_without_javascript(candidate_client, candidate, session):
    items = list(session.items.order_by("position"))
    for index, item in enumerate(items):
        urls = _urls(session, item)
        response = candidate_client.post(urls["reveal"], {"response": "My own words"})
        assert response.status_code == 302 and response["Location"] == urls["page"]
        page = candidate_client.get(urls["page"]).content.decode()
        assert "Model answer" in page and "My own words" in page
        assert "Names the idea" in page  # key points
        assert 'data-shortcut="3"' in page
        response = candidate_client.post(urls["grade"], {"rating": "3"})
        if index < len(items) - 1:
            assert response["Location"] == urls["page"]
            assert (
                f"Question {index + 2} of 3" in candidate_client.get(urls["page"]).content.decode()
            )
        else:
            assert response["Location"] == reverse("practice:summary", args=[session.pk])
    session.refresh_from_db()
    assert session.is_finished and session.answered_count == 3 and session.score == 1.0
    assert ReviewCard.objects.filter(user=candidate).count() == 3
    item = SessionItem.objects.get(pk=items[0].pk)
    assert item.response == "My own words" and item.rating == Rating.GOOD
    assert item.revealed_at and item.answered_at and item.time_spent is not None


def test_study_end_to_end_with_htmx_swaps_only_the_card(
    candidate_client, candidate, session, htmx_headers
):
    items = list(session.items.order_by("position"))
    urls = _urls(session, items[0])
    response = candidate_client.post(urls["reveal"], {"response": ""}, headers=htmx_headers)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="session-card"')
    assert "<html" not in html and "Model answer" in html
    assert 'data-announce="Answer shown.' in html
    response = candidate_client.post(urls["grade"], {"rating": "1"}, headers=htmx_headers)
    html = response.content.decode()
    assert "Question 2 of 3" in html and items[1].question.title in html
    assert '<progress max="3" value="1"' in html
    # The last grade of the session takes the browser to the summary.
    items[1].record_grade(rating=Rating.GOOD)
    response = candidate_client.post(
        _urls(session, items[2])["grade"], {"rating": "4"}, headers=htmx_headers
    )
    assert response["HX-Redirect"] == reverse("practice:summary", args=[session.pk])
    session.refresh_from_db()
    assert session.is_finished
    assert session.score == pytest.approx(2 / 3)


def test_a_grade_updates_the_schedule_as_fsrs_does(candidate_client, candidate, session):
    item = session.items.get(position=1)
    candidate_client.post(_urls(session, item)["grade"], {"rating": "3"})
    card = ReviewCard.objects.get(user=candidate, question=item.question)
    item.refresh_from_db()
    expected, _ = fsrs.Scheduler(enable_fuzzing=False).review_card(
        fsrs.Card(card_id=1), fsrs.Rating.Good, item.answered_at
    )
    assert card.stability == pytest.approx(expected.stability)
    assert card.due == expected.due
    assert card.state == CardState.LEARNING and card.reps == 1


def test_a_double_post_records_once_and_schedules_once(
    candidate_client, candidate, session, htmx_headers
):
    item = session.items.get(position=1)
    url = _urls(session, item)["grade"]
    candidate_client.post(url, {"rating": "3"})
    card = ReviewCard.objects.get(user=candidate, question=item.question)
    response = candidate_client.post(url, {"rating": "1"}, headers=htmx_headers)
    assert "already recorded" in response.content.decode()
    response = candidate_client.post(url, {"rating": "1"}, follow=True)
    assert "already recorded" in response.content.decode()
    item.refresh_from_db()
    session.refresh_from_db()
    assert item.rating == Rating.GOOD
    assert session.answered_count == 1
    again = ReviewCard.objects.get(pk=card.pk)
    assert (again.reps, again.due, again.stability) == (1, card.due, card.stability)


def test_the_service_is_idempotent_too(candidate, session):
    item = session.items.get(position=1)
    assert item.record_grade(rating=Rating.GOOD) == Outcome.RECORDED
    assert item.record_grade(rating=Rating.EASY) == Outcome.ALREADY_ANSWERED
    assert ReviewCard.objects.get(user=candidate).reps == 1


def test_a_finished_session_cannot_change(candidate_client, candidate, session):
    candidate_client.post(reverse("practice:finish", args=[session.pk]))
    session.refresh_from_db()
    assert session.is_finished
    item = session.items.get(position=1)
    response = candidate_client.post(_urls(session, item)["grade"], {"rating": "3"}, follow=True)
    assert "finished" in response.content.decode()
    candidate_client.post(_urls(session, item)["reveal"], {"response": "late"})
    item.refresh_from_db()
    assert item.answered_at is None and item.revealed_at is None and item.response == ""
    assert not ReviewCard.objects.exists()


def test_ending_early_scores_what_was_answered(candidate_client, session):
    items = list(session.items.order_by("position"))
    items[0].record_grade(rating=Rating.AGAIN)
    items[1].record_grade(rating=Rating.HARD)
    response = candidate_client.post(reverse("practice:finish", args=[session.pk]))
    assert response["Location"] == reverse("practice:summary", args=[session.pk])
    session.refresh_from_db()
    assert session.score == 0.5 and session.answered_count == 2


@pytest.mark.parametrize("name", ["page", "reveal", "grade"])
def test_another_users_session_is_a_404(client, other_candidate, session, name):
    client.force_login(other_candidate)
    urls = _urls(session, session.items.first())
    response = client.get(urls[name]) if name == "page" else client.post(urls[name], {"rating": 3})
    assert response.status_code == 404
    assert not SessionItem.objects.filter(answered_at__isnull=False).exists()


def test_an_item_of_another_session_is_a_404(candidate_client, candidate, session, bank):
    other = session_with(candidate, bank["concepts"][3:4])
    url = reverse("practice:grade", args=[session.pk, other.items.get().pk])
    assert candidate_client.post(url, {"rating": 3}).status_code == 404


@pytest.mark.parametrize("rating", ["0", "5", "good", ""])
def test_a_bad_grade_is_refused_with_a_message(candidate_client, session, rating, htmx_headers):
    item = session.items.get(position=1)
    response = candidate_client.post(
        _urls(session, item)["grade"], {"rating": rating}, headers=htmx_headers
    )
    assert response.status_code == 200
    assert "Choose Again, Hard, Good or Easy" in response.content.decode()
    item.refresh_from_db()
    assert item.answered_at is None


def test_an_overlong_typed_answer_is_refused(candidate_client, session):
    item = session.items.get(position=1)
    response = candidate_client.post(_urls(session, item)["reveal"], {"response": "x" * 20_001})
    assert response.status_code == 200
    assert "at most 20000 characters" in response.content.decode()
    item.refresh_from_db()
    assert item.revealed_at is None


def test_review_mode_takes_due_cards_most_overdue_first(candidate_client, candidate, bank):
    now = timezone.now()
    questions = bank["concepts"][:4]
    for days, question in zip([1, 5, -2, 3], questions, strict=True):
        ReviewCard.objects.create(
            user=candidate,
            question=question,
            due=now - timedelta(days=days),
            state=CardState.REVIEW,
            stability=3,
            difficulty=5,
            last_review=now - timedelta(days=9),
        )
    candidate_client.post(reverse("practice:start"), {"mode": "review", "count": 10})
    session = PracticeSession.objects.get(user=candidate)
    order = list(session.items.order_by("position").values_list("question_id", flat=True))
    assert order == [questions[1].pk, questions[3].pk, questions[0].pk]


def test_review_is_capped_by_the_daily_limit(candidate_client, candidate, bank):
    candidate.daily_review_limit = 2
    candidate.save()
    for question in bank["concepts"][:5]:
        ReviewCard.objects.create(user=candidate, question=question)
    candidate_client.post(reverse("practice:start"), {"mode": "review", "count": 10})
    assert PracticeSession.objects.get(user=candidate).item_count == 2


def test_mistakes_mode_takes_questions_last_answered_wrong_or_again(
    candidate_client, candidate, bank
):
    wrong, again_then_good, again = bank["concepts"][:3]
    session = session_with(candidate, [wrong, again_then_good, again])
    items = {item.question_id: item for item in session.items.all()}
    items[wrong.pk].record_grade(rating=Rating.AGAIN)
    items[again_then_good.pk].record_grade(rating=Rating.AGAIN)
    items[again.pk].record_grade(rating=Rating.AGAIN)
    later = session_with(candidate, [again_then_good])
    later.items.get().record_grade(rating=Rating.GOOD)
    candidate_client.post(reverse("practice:start"), {"mode": "mistakes", "count": 10})
    mistakes = PracticeSession.objects.filter(mode=Mode.MISTAKES).get()
    assert set(mistakes.items.values_list("question_id", flat=True)) == {wrong.pk, again.pk}


def _page_queries(client, session, captured):
    client.get(reverse("practice:session", args=[session.pk]))
    return captured


@pytest.mark.parametrize("history", [5, 200])
def test_the_session_page_queries_do_not_grow_with_history(
    client, candidate, bank, history, django_assert_num_queries
):
    past_answers(candidate, history)
    session = session_with(candidate, bank["concepts"][:3])
    client.force_login(candidate)
    # 1 session, 2 user, 3 the first unanswered item with its practice session, question and
    # topic, 4 unread feedback and 5 the user's roles (navigation). (Choices only for a
    # multiple-choice question.)
    with django_assert_num_queries(5):
        client.get(reverse("practice:session", args=[session.pk]))


@pytest.mark.parametrize("history", [5, 200])
def test_the_grade_post_queries_do_not_grow_with_history(
    client, candidate, bank, history, htmx_headers, django_assert_num_queries
):
    past_answers(candidate, history)
    session = session_with(candidate, bank["concepts"][:3])
    item = session.items.get(position=1)
    ReviewCard.objects.create(user=candidate, question=item.question)
    client.force_login(candidate)
    url = reverse("practice:grade", args=[session.pk, item.pk])
    # 1 session, 2 user, 3 the item with its practice session, question and topic;
    # 4 savepoint, 5 lock the session, 6 claim the item (UPDATE ... WHERE answered_at IS NULL),
    # 7 lock the card, 8 save the card, 9 count the answer, 10 release the savepoint;
    # 11 the next item with its question and topic. (The fragment has no navigation, so no
    # unread count and no roles.)
    with django_assert_num_queries(11):
        client.post(url, {"rating": "3"}, headers=htmx_headers)
