"""Quiz: radios or checkboxes, Check grades on the server and marks each choice, then Next."""

import pytest
from django.urls import reverse

from practice.models import PracticeSession, Rating, ReviewCard
from tests.practice.conftest import session_with


@pytest.fixture
def quiz(candidate, bank):
    return session_with(candidate, bank["quiz"][:2], mode="quiz")


def _check_url(session, item):
    return reverse("practice:check", args=[session.pk, item.pk])


def _ids(item, *, correct):
    return [c.pk for c in item.question.choices.all() if c.is_correct == correct]


def test_a_single_select_question_shows_radio_buttons(candidate_client, quiz):
    item = quiz.items.get(position=1)
    html = candidate_client.get(reverse("practice:session", args=[quiz.pk])).content.decode()
    # The card's own radios, not the "Report a problem" form's.
    assert html.count('type="radio" name="choices"') == 3
    assert "Choose one answer" in html and ">Check</button>" in html
    assert item.question.choices.first().explanation_html not in html


def test_a_multi_select_question_shows_checkboxes(candidate_client, candidate, bank):
    multi = bank["quiz"][3]
    session = session_with(candidate, [multi], mode="quiz")
    html = candidate_client.get(reverse("practice:session", args=[session.pk])).content.decode()
    assert html.count('type="checkbox" name="choices"') == 4
    assert "Tick every right answer" in html


def test_a_right_answer_without_javascript(candidate_client, candidate, quiz):
    item = quiz.items.get(position=1)
    response = candidate_client.post(_check_url(quiz, item), {"choices": _ids(item, correct=True)})
    result_url = reverse("practice:session", args=[quiz.pk]) + f"?item={item.pk}"
    assert response["Location"] == result_url
    html = candidate_client.get(result_url).content.decode()
    assert "Right: well done." in html
    assert html.count("is-correct") == 1 and "is-wrong" not in html
    assert "Because of the reason given here." in html  # explanations shown
    assert "Next question" in html
    item.refresh_from_db()
    assert item.is_correct and item.rating == Rating.GOOD
    assert list(item.selected_choices.values_list("pk", flat=True)) == _ids(item, correct=True)
    assert ReviewCard.objects.get(user=candidate, question=item.question).last_rating == Rating.GOOD


def test_a_wrong_answer_with_htmx_marks_the_choices(
    candidate_client, candidate, quiz, htmx_headers
):
    item = quiz.items.get(position=1)
    wrong = _ids(item, correct=False)[0]
    response = candidate_client.post(
        _check_url(quiz, item), {"choices": [wrong]}, headers=htmx_headers
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="session-card"')
    assert "Not quite" in html
    assert html.count("is-correct") == 1 and html.count("is-wrong") == 1
    assert "Your answer" in html
    item.refresh_from_db()
    assert item.is_correct is False and item.rating == Rating.AGAIN
    card = ReviewCard.objects.get(user=candidate, question=item.question)
    assert card.last_rating == Rating.AGAIN
    # Next swaps in the following question.
    next_html = candidate_client.get(
        reverse("practice:session", args=[quiz.pk]), headers=htmx_headers
    ).content.decode()
    assert "Question 2 of 2" in next_html


def test_a_multi_select_answer_must_be_exactly_the_right_set(candidate_client, candidate, bank):
    multi = bank["quiz"][3]
    session = session_with(candidate, [multi], mode="quiz")
    item = session.items.get()
    right = _ids(item, correct=True)
    candidate_client.post(_check_url(session, item), {"choices": right[:1]})
    item.refresh_from_db()
    assert item.is_correct is False


def test_checking_nothing_asks_for_an_answer(candidate_client, quiz, htmx_headers):
    item = quiz.items.get(position=1)
    response = candidate_client.post(_check_url(quiz, item), {}, headers=htmx_headers)
    assert "Pick an answer, then Check." in response.content.decode()
    response = candidate_client.post(_check_url(quiz, item), {"choices": ["999999"]})
    assert "Select a valid choice" in response.content.decode()
    item.refresh_from_db()
    assert item.answered_at is None


def test_a_choice_of_another_question_is_refused(candidate_client, quiz, bank):
    item = quiz.items.get(position=1)
    foreign = bank["quiz"][2].choices.first().pk
    response = candidate_client.post(_check_url(quiz, item), {"choices": [foreign]})
    assert "Select a valid choice" in response.content.decode()


def test_a_double_check_records_the_first_answer(candidate_client, candidate, quiz):
    item = quiz.items.get(position=1)
    candidate_client.post(_check_url(quiz, item), {"choices": _ids(item, correct=True)})
    response = candidate_client.post(
        _check_url(quiz, item), {"choices": _ids(item, correct=False)[:1]}, follow=True
    )
    assert "already recorded" in response.content.decode()
    item.refresh_from_db()
    assert item.is_correct
    assert ReviewCard.objects.get(user=candidate, question=item.question).reps == 1


def test_the_last_check_offers_the_summary(candidate_client, candidate, bank):
    session = session_with(candidate, bank["quiz"][:1], mode="quiz")
    item = session.items.get()
    response = candidate_client.post(
        _check_url(session, item), {"choices": _ids(item, correct=True)}, follow=True
    )
    html = response.content.decode()
    assert "See your summary" in html
    session.refresh_from_db()
    assert session.is_finished and session.score == 1.0


def test_grading_a_quiz_question_as_a_flash_card_is_refused(candidate_client, quiz):
    item = quiz.items.get(position=1)
    url = reverse("practice:grade", args=[quiz.pk, item.pk])
    response = candidate_client.post(url, {"rating": "4"}, follow=True)
    assert "not graded that way" in response.content.decode()
    item.refresh_from_db()
    assert item.answered_at is None


def test_another_users_quiz_is_a_404(client, other_candidate, quiz):
    client.force_login(other_candidate)
    item = quiz.items.get(position=1)
    assert (
        client.post(_check_url(quiz, item), {"choices": _ids(item, correct=True)}).status_code
        == 404
    )
    assert not PracticeSession.objects.filter(answered_count__gt=0).exists()
