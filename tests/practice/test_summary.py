"""The summary: score, time, per-topic breakdown, every answer, Practise mistakes."""

from datetime import timedelta

import pytest
from django.urls import reverse

from practice.models import Mode, PracticeSession, Rating
from practice.templatetags.practice_tags import duration
from tests.practice.conftest import past_answers, session_with


@pytest.fixture
def finished(candidate, bank):
    questions = [bank["concepts"][0], bank["concepts"][4], bank["quiz"][0]]
    session = session_with(candidate, questions)
    first, second, third = session.items.order_by("position")
    first.reveal(response="Typed <b>answer</b>")
    first.record_grade(rating=Rating.GOOD)
    second.record_grade(rating=Rating.AGAIN)
    wrong = third.question.choices.filter(is_correct=False).first()
    third.record_choices(choice_ids=[wrong.pk])
    session.refresh_from_db()
    return session


def test_the_summary_shows_score_time_topics_and_every_answer(candidate_client, finished):
    response = candidate_client.get(reverse("practice:summary", args=[finished.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "33%" in html  # one of three
    assert "Time taken" in html
    assert "By topic" in html and "Fundamentals" in html and "Databases" in html
    for item in finished.items.select_related("question"):
        assert item.question.title in html
    assert "Typed &lt;b&gt;answer&lt;/b&gt;" in html  # escaped
    assert "Graded Good" in html and "Graded Again" in html and "Wrong" in html
    assert "Model answer" in html
    assert "Practise mistakes (2)" in html


def test_practise_mistakes_starts_a_session_with_them(candidate_client, candidate, finished):
    response = candidate_client.post(reverse("practice:practise_mistakes", args=[finished.pk]))
    new = PracticeSession.objects.exclude(pk=finished.pk).get()
    assert response["Location"] == reverse("practice:session", args=[new.pk])
    assert new.mode == Mode.MISTAKES
    missed = [item.question_id for item in finished.items.order_by("position")][1:]
    assert list(new.items.order_by("position").values_list("question_id", flat=True)) == missed


def test_no_mistakes_means_no_button(candidate_client, candidate, bank):
    session = session_with(candidate, bank["concepts"][:1])
    session.items.get().record_grade(rating=Rating.EASY)
    html = candidate_client.get(reverse("practice:summary", args=[session.pk])).content.decode()
    assert "Practise mistakes" not in html and "No mistakes" in html
    response = candidate_client.post(
        reverse("practice:practise_mistakes", args=[session.pk]), follow=True
    )
    assert "No mistakes in this session" in response.content.decode()
    assert PracticeSession.objects.count() == 1


def test_another_users_summary_is_a_404(client, other_candidate, finished):
    client.force_login(other_candidate)
    assert client.get(reverse("practice:summary", args=[finished.pk])).status_code == 404
    assert client.post(reverse("practice:practise_mistakes", args=[finished.pk])).status_code == 404


@pytest.mark.parametrize("history", [5, 200])
def test_the_summary_queries_do_not_grow_with_history(
    client, candidate, bank, history, django_assert_num_queries
):
    past_answers(candidate, history)
    session = session_with(candidate, bank["concepts"][:2] + bank["quiz"][:2])
    for item in session.items.all():
        item.record_grade(rating=Rating.GOOD) if item.question.kind != "multiple_choice" else (
            item.record_choices(choice_ids=[item.question.choices.first().pk])
        )
    client.force_login(candidate)
    # 1 session, 2 user, 3 the practice session with its question set, 4 items with questions
    # and topics, 5 their selected choices, 6 the questions' choices, 7 unread feedback and 8 the
    # user's roles (navigation). Totals and the per-topic breakdown come from the loaded items.
    with django_assert_num_queries(8):
        client.get(reverse("practice:summary", args=[session.pk]))


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (None, ""),
        (0, "0 s"),
        (45, "45 s"),
        (180, "3 min"),
        (200, "3 min 20 s"),
        (3900, "1 h 5 min"),
    ],
)
def test_times_read_as_short_durations_without_padded_zeros(seconds, shown):
    """One duration filter for the summary and the mentor's view of an answer."""
    value = None if seconds is None else timedelta(seconds=seconds)
    assert duration(value) == shown
