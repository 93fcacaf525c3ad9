"""Two POSTs of the same grade at the same moment store one answer and move the schedule once.

Real threads, each with its own database connection, through the real view. Only PostgreSQL
runs writers truly in parallel (SQLite serialises them at BEGIN IMMEDIATE), so the race is
only meaningful there.

What backs it in the database: SessionItem.record_grade (practice/models.py) locks the session row
(SELECT ... FOR UPDATE), claims the item with UPDATE ... WHERE answered_at IS NULL (the loser
updates no row and changes nothing), and the unique (user, question) constraint on ReviewCard
keeps get_or_create from making two cards.
"""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from practice.models import PracticeSession, ReviewCard, SessionItem
from tests.factories import PracticeSessionFactory, QuestionFactory, SessionItemFactory, UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent writers need PostgreSQL: run with DATABASE_URL=postgres://...",
    ),
]

ROUNDS = 8
RACERS = 2


def race(*requests):
    """Run the callables at the same instant, one thread each; return their results."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def run(index, request):
        try:
            barrier.wait()
            results[index] = request()
        except BaseException as error:  # reported by the test, not lost in the thread
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def make_session(user, questions):
    session = PracticeSessionFactory(user=user, mode="study", item_count=len(questions))
    for position, question in enumerate(questions, start=1):
        SessionItemFactory(session=session, question=question, position=position)
    return session


def test_the_same_grade_posted_twice_at_once_is_recorded_once():
    user = UserFactory()
    questions = [QuestionFactory() for _ in range(ROUNDS)]
    # Two items per session, so that the session stays open after one answer.
    sessions = [make_session(user, [q, QuestionFactory()]) for q in questions]

    for session, question in zip(sessions, questions, strict=True):
        item = session.items.get(question=question)
        url = f"/practice/{session.pk}/items/{item.pk}/grade/"
        clients = [Client() for _ in range(RACERS)]
        for client in clients:
            client.force_login(user)

        responses = race(
            *[
                lambda c=c, url=url: c.post(url, {"rating": "3", "response": "same answer"})
                for c in clients
            ]
        )

        for response in responses:
            assert not isinstance(response, BaseException), response
            assert response.status_code == 302, response.status_code
        item.refresh_from_db()
        assert item.answered_at is not None and item.rating == 3
        card = ReviewCard.objects.get(user=user, question=question)
        assert card.reps == 1, "the schedule moved more than once"
        assert PracticeSession.objects.get(pk=session.pk).answered_count == 1

    assert SessionItem.objects.filter(answered_at__isnull=False).count() == ROUNDS
    assert ReviewCard.objects.filter(user=user).count() == ROUNDS


def test_two_different_grades_at_once_keep_exactly_one_of_them():
    user = UserFactory()
    question = QuestionFactory()
    session = make_session(user, [question, QuestionFactory()])
    item = session.items.get(question=question)
    url = f"/practice/{session.pk}/items/{item.pk}/grade/"
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(user)

    responses = race(
        lambda: clients[0].post(url, {"rating": "1"}),
        lambda: clients[1].post(url, {"rating": "4"}),
    )

    assert [r.status_code for r in responses] == [302, 302]
    item.refresh_from_db()
    card = ReviewCard.objects.get(user=user, question=question)
    assert item.rating in (1, 4)
    assert card.reps == 1
    assert card.last_rating == item.rating  # the card moved for the grade that was stored


def test_answering_two_cards_of_one_session_at_once_counts_both():
    """Different items race on the session's answered_count: neither increment is lost."""
    user = UserFactory()
    questions = [QuestionFactory() for _ in range(3)]
    session = make_session(user, questions)
    items = list(session.items.order_by("position"))[:2]
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(user)

    responses = race(
        *[
            lambda c=c, i=i: c.post(f"/practice/{session.pk}/items/{i.pk}/grade/", {"rating": "3"})
            for c, i in zip(clients, items, strict=True)
        ]
    )

    assert [r.status_code for r in responses] == [302, 302]
    session.refresh_from_db()
    assert session.answered_count == 2
    assert session.finished_at is None


def test_a_first_answer_to_one_question_in_two_sessions_at_once_makes_one_card_reviewed_twice():
    """Both answers find no card and insert one: the loser of the unique (user, question) pair
    reviews the card the winner made instead of failing."""
    user = UserFactory()
    for _round in range(ROUNDS):
        question = QuestionFactory()
        sessions = [make_session(user, [question, QuestionFactory()]) for _ in range(RACERS)]
        clients = [Client() for _ in range(RACERS)]
        for client in clients:
            client.force_login(user)

        urls = [
            f"/practice/{s.pk}/items/{s.items.get(question=question).pk}/grade/" for s in sessions
        ]

        responses = race(
            *[
                lambda c=c, url=url: c.post(url, {"rating": "3"})
                for c, url in zip(clients, urls, strict=True)
            ]
        )

        for response in responses:
            assert not isinstance(response, BaseException), response
            assert response.status_code == 302, response.status_code
        card = ReviewCard.objects.get(user=user, question=question)
        assert card.reps == RACERS, "an answer did not move the schedule"
