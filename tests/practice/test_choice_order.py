"""Shuffled choices: each item of a session keeps its own order of a question's choices, from the
draw to the card, the result, the summary, the mentor's pages and the data export."""

import json
import random
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mentoring.services import start_assignment
from practice import draw, services
from practice.models import Mode, SessionItem
from practice.services import PracticeRequest
from questions.models import Choice, Kind
from tests.factories import (
    AssignmentFactory,
    ChoiceFactory,
    QuestionFactory,
    QuestionSetFactory,
    QuestionSetItemFactory,
    SessionItemFactory,
    TopicFactory,
)

NAMES = ("Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot")


def six_choice_question(*, keep_choice_order: bool = False, **kwargs):
    """A single-select question whose choices are "Choice Alpha" to "Choice Foxtrot", in that
    order in the bank, the first one right: 720 orders to shuffle into."""
    question = QuestionFactory(
        kind=Kind.MULTIPLE_CHOICE, keep_choice_order=keep_choice_order, **kwargs
    )
    for position, name in enumerate(NAMES):
        ChoiceFactory(
            question=question,
            text=f"Choice {name}",
            is_correct=position == 0,
            explanation=f"Why number {position} is {'right' if position == 0 else 'wrong'}.",
            position=position,
        )
    return question


def quiz(user, *, seed: int):
    """The candidate starts a quiz of every multiple-choice question, drawn with this seed."""
    request = PracticeRequest(mode=Mode.QUIZ, count=10)
    return services.start_practice(user=user, request=request, rng=random.Random(seed))


def names_in_order(item: SessionItem) -> list[str]:
    texts = dict(item.question.choices.values_list("pk", "text"))
    return [texts[pk].removeprefix("Choice ") for pk in item.choice_order]


def names_shown(html: str) -> list[str]:
    """The choices' names in the order the page shows them (each once)."""
    found = {name: html.find(f"Choice {name}") for name in NAMES}
    assert all(at >= 0 for at in found.values()), f"not every choice is on the page: {found}"
    for name in NAMES:
        assert html.count(f"Choice {name}") == 1, f"Choice {name} is on the page twice"
    return sorted(found, key=found.get)


# --- the draw ------------------------------------------------------------------------------------


def test_choice_order_shuffles_the_ids_it_is_given():
    order = draw.choice_order([1, 2, 3, 4, 5, 6], random.Random(3))

    assert sorted(order) == [1, 2, 3, 4, 5, 6]
    assert order != [1, 2, 3, 4, 5, 6]
    assert order == draw.choice_order([1, 2, 3, 4, 5, 6], random.Random(3))  # seeded: the same


def test_choice_order_keeps_a_pinned_order():
    assert draw.choice_order([4, 2, 9], random.Random(3), keep=True) == [4, 2, 9]


def test_two_candidates_drawing_the_same_quiz_see_its_choices_in_different_orders(
    candidate, other_candidate
):
    questions = [six_choice_question() for _ in range(3)]

    mine = quiz(candidate, seed=1)
    theirs = quiz(other_candidate, seed=2)

    my_items = {item.question_id: item for item in mine.items.all()}
    their_items = {item.question_id: item for item in theirs.items.all()}
    assert my_items.keys() == their_items.keys() == {q.pk for q in questions}  # the same quiz
    for question in questions:
        file_order = list(question.choices.values_list("pk", flat=True))
        mine_, theirs_ = my_items[question.pk].choice_order, their_items[question.pk].choice_order
        assert sorted(mine_) == sorted(theirs_) == sorted(file_order)  # every choice, once
        assert mine_ != theirs_
    # Over the quiz, the right answer is not always in the same place.
    places = {
        item.choice_order.index(item.question.choices.get(is_correct=True).pk)
        for item in [*my_items.values(), *their_items.values()]
    }
    assert len(places) > 1


def test_the_start_form_gives_each_candidate_an_order_of_their_own(
    client, candidate, other_candidate, settings
):
    question = six_choice_question()
    orders = []
    for user, seed in ((candidate, 1), (other_candidate, 2)):
        settings.PRACTICE_DRAW_SEED = seed
        client.force_login(user)
        client.post(reverse("practice:start"), {"mode": Mode.QUIZ, "count": 5})
        orders.append(SessionItem.objects.get(session__user=user, question=question).choice_order)

    assert orders[0] != orders[1]


def test_a_pinned_question_keeps_its_order_for_everyone(candidate):
    question = six_choice_question(keep_choice_order=True)
    file_order = list(question.choices.values_list("pk", flat=True))

    for seed in range(5):
        session = quiz(candidate, seed=seed)
        assert session.items.get().choice_order == file_order


def test_other_kinds_store_no_order(candidate):
    concept = QuestionFactory(kind=Kind.CONCEPT)
    session = services.start_session_with_questions(
        user=candidate, mode=Mode.STUDY, questions=[concept, six_choice_question()]
    )

    first, second = session.items.order_by("position")
    assert first.choice_order == []
    assert len(second.choice_order) == 6


def test_an_assignment_and_a_mock_interview_shuffle_too(candidate, mentor, mentorship):
    question = six_choice_question()
    question_set = QuestionSetFactory(owner=mentor)
    QuestionSetItemFactory(question_set=question_set, question=question)
    for mode in ("study", "mock"):
        assignment = AssignmentFactory(
            mentor=mentor, candidate=candidate, question_set=question_set, mode=mode
        )
        session, _created = start_assignment(assignment=assignment, user=candidate)
        order = session.items.get().choice_order
        assert sorted(order) == sorted(question.choices.values_list("pk", flat=True))


def test_starting_a_quiz_costs_the_same_with_few_or_many_questions(candidate):
    topic = TopicFactory()
    counts = []
    for questions in (2, 12):
        while Choice.objects.values("question").distinct().count() < questions:
            six_choice_question(topic=topic)
        with CaptureQueriesContext(connection) as captured:
            session = quiz(candidate, seed=questions)
        assert session.item_count == min(questions, 10)
        # the matching questions with their last review; in a transaction (savepoint and
        # release under the test's own): the session, the drawn questions' choices (one query
        # for all of them), the items (one INSERT)
        assert sum('FROM "questions_choice"' in q["sql"] for q in captured.captured_queries) == 1
        counts.append(len(captured))
    assert counts[0] == counts[1]


# --- one order everywhere ------------------------------------------------------------------------


@pytest.fixture
def drawn(candidate):
    """A one-question quiz whose order (seed 7) is not the bank's order."""
    six_choice_question()
    session = quiz(candidate, seed=7)
    item = session.items.get()
    assert names_in_order(item) != list(NAMES)
    return session, item


def test_the_card_shows_the_stored_order_on_every_load(candidate_client, drawn, htmx_headers):
    session, item = drawn
    url = reverse("practice:session", args=[session.pk])

    page = candidate_client.get(url).content.decode()
    again = candidate_client.get(url).content.decode()
    fragment = candidate_client.get(url, headers=htmx_headers).content.decode()

    assert names_shown(page) == names_shown(again) == names_shown(fragment) == names_in_order(item)


def test_keys_one_to_six_follow_the_order_on_screen(candidate_client, drawn):
    session, item = drawn
    html = candidate_client.get(reverse("practice:session", args=[session.pk])).content.decode()

    shortcuts = re.findall(r'value="(\d+)" id="choice-\d+"[^>]*data-shortcut="(\d)"', html)
    assert [(int(pk), int(key)) for pk, key in shortcuts] == [
        (pk, key) for key, pk in enumerate(item.choice_order, start=1)
    ]


def test_the_result_and_the_summary_show_the_same_order(candidate_client, drawn, htmx_headers):
    session, item = drawn
    wrong = item.question.choices.filter(is_correct=False).first()
    check = reverse("practice:check", args=[session.pk, item.pk])

    result = candidate_client.post(check, {"choices": [wrong.pk]}, headers=htmx_headers)
    reloaded = candidate_client.get(
        reverse("practice:session", args=[session.pk]), {"item": item.pk}
    )
    summary = candidate_client.get(reverse("practice:summary", args=[session.pk]))

    expected = names_in_order(item)
    assert names_shown(result.content.decode()) == expected
    assert names_shown(reloaded.content.decode()) == expected
    assert names_shown(summary.content.decode()) == expected


def test_the_export_lists_the_choices_in_the_order_shown(candidate_client, drawn):
    session, item = drawn
    picked = item.question.choices.get(text="Choice Charlie")
    item.record_choices(choice_ids=[picked.pk])

    data = json.loads(candidate_client.get("/accounts/profile/export/").content)

    exported = data["practice_sessions"][0]["items"][0]
    assert [c["text"] for c in exported["choices"]] == [
        f"Choice {name}" for name in names_in_order(item)
    ]
    assert [c["text"] for c in exported["choices"] if c["selected"]] == ["Choice Charlie"]
    assert [c["text"] for c in exported["choices"] if c["correct"]] == ["Choice Alpha"]
    assert exported["selected_choices"] == ["Choice Charlie"]


def test_the_mentor_sees_the_choices_in_the_order_the_candidate_saw(
    client, mentor, candidate, mentorship, django_assert_num_queries
):
    question = six_choice_question()
    question_set = QuestionSetFactory(owner=mentor)
    QuestionSetItemFactory(question_set=question_set, question=question)
    assignment = AssignmentFactory(mentor=mentor, candidate=candidate, question_set=question_set)
    session, _created = start_assignment(assignment=assignment, user=candidate)
    item = session.items.get()
    item.record_choices(choice_ids=[question.choices.get(text="Choice Echo").pk])
    expected = names_in_order(item)

    client.force_login(mentor)
    mentee = client.get(reverse("mentoring:mentee", args=[candidate.pk])).content.decode()
    # 1 session, 2 user, 3 its roles, 4 the answer with question, session, assignment, mentor
    # and whether the mentorship stands, 5 the comments, 6 the question's tests, 7 its choices,
    # 8 the choices picked, 9 mark the comments read, 10 unread feedback (navigation)
    with django_assert_num_queries(10):
        thread = client.get(reverse("mentoring:thread", args=[item.pk])).content.decode()
    client.force_login(candidate)
    own_thread = client.get(reverse("mentoring:thread", args=[item.pk])).content.decode()

    assert names_shown(mentee) == names_shown(thread) == names_shown(own_thread) == expected
    assert "Their answer" in mentee and "Their answer" in thread
    assert "Your answer" in own_thread


# --- items from before the shuffle, and questions edited since ------------------------------------


def test_an_item_from_before_the_shuffle_shows_the_bank_order(candidate_client, candidate):
    question = six_choice_question()
    item = SessionItemFactory(
        session__user=candidate, session__mode=Mode.QUIZ, session__item_count=1, question=question
    )
    assert item.choice_order == []

    html = candidate_client.get(reverse("practice:session", args=[item.session.pk]))

    assert names_shown(html.content.decode()) == list(NAMES)


def test_a_choice_added_after_the_draw_comes_last_and_a_deleted_one_is_gone(candidate, drawn):
    _session, item = drawn
    shown_before = names_in_order(item)
    question = item.question
    question.choices.get(text="Choice Bravo").delete()
    ChoiceFactory(question=question, text="Choice Golf", position=0)  # early in the bank

    item = SessionItem.objects.select_related("question").get(pk=item.pk)

    assert [c.text.removeprefix("Choice ") for c in item.ordered_choices] == [
        *(name for name in shown_before if name != "Bravo"),
        "Golf",
    ]


def test_the_order_is_the_items_own_not_the_questions(candidate, other_candidate):
    six_choice_question()
    mine = quiz(candidate, seed=1).items.get()
    theirs = quiz(other_candidate, seed=2).items.get()

    assert [c.pk for c in mine.ordered_choices] == mine.choice_order
    assert [c.pk for c in theirs.ordered_choices] == theirs.choice_order
    assert Choice.objects.filter(question=mine.question).count() == 6
