"""Every practice write touches the candidate's own row and nothing else.

Casey practises; Bea (tests/bystander.py) is in the middle of her own study, quiz and mock
sessions on the same questions, with cards on them. Each write of Casey's must leave Bea's rows,
and Casey's other sessions and answers, exactly as they were: a write that lost its `pk=`,
`user=` or `session=` filter would pass every test that only looks at Casey's own row.
"""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from practice.models import Mode, Outcome, PracticeSession, Rating, ReviewCard, SessionItem
from tests.bystander import snapshot
from tests.factories import ADD_SOLUTION, coding_question
from tests.practice.conftest import session_with


@pytest.fixture
def concepts(bank):
    return bank["concepts"][:3]


@pytest.fixture
def bea(bystander, bank, concepts):
    return bystander([*concepts, *bank["quiz"][:2]])


@pytest.fixture
def study(candidate, concepts):
    return session_with(candidate, concepts)


@pytest.fixture
def other_study(candidate, bank):
    """Casey's other open session, on other questions."""
    return session_with(candidate, bank["concepts"][3:5])


def _rows(session) -> list[dict]:
    return list(SessionItem.objects.filter(session=session).order_by("pk").values())


def _session_row(session) -> dict:
    return PracticeSession.objects.values().get(pk=session.pk)


def _card(user, question) -> ReviewCard:
    return ReviewCard.objects.get(user=user, question=question)


def _results(question) -> list[dict]:
    return [
        {"name": test.name, "status": "pass", "message": "", "output": "", "duration_ms": 1}
        for test in question.tests.all()
    ]


# --- study cards ---------------------------------------------------------------------------------


def test_showing_caseys_answer_leaves_every_other_card_unshown(study, other_study, bea):
    first, second, third = study.items.order_by("position")
    others = _rows(other_study)

    assert first.reveal(response="Casey's words") is True

    first.refresh_from_db()
    assert first.revealed_at is not None and first.response == "Casey's words"
    for item in (second, third):
        item.refresh_from_db()
        assert item.revealed_at is None and item.response == ""
    assert _rows(other_study) == others
    bea.assert_untouched()


def test_grading_caseys_new_card_leaves_beas_cards_and_sessions_as_they_were(
    candidate, study, other_study, bea
):
    item = study.items.get(position=1)
    others = _rows(other_study)

    assert item.record_grade(rating=Rating.EASY) == Outcome.RECORDED

    card = _card(candidate, item.question)
    assert card.reps == 1 and card.last_rating == Rating.EASY
    assert _rows(other_study) == others
    assert study.items.filter(answered_at__isnull=False).count() == 1
    bea.assert_untouched()


def test_grading_a_card_casey_already_has_moves_only_her_card(candidate, study, bea):
    first, second, _ = study.items.order_by("position")
    first.record_grade(rating=Rating.GOOD)
    again = session_with(candidate, [first.question])

    again.items.get().record_grade(rating=Rating.AGAIN)

    card = _card(candidate, first.question)
    assert card.reps == 2 and card.last_rating == Rating.AGAIN
    assert not ReviewCard.objects.filter(user=candidate, question=second.question).exists()
    bea.assert_untouched()


def test_caseys_last_grade_finishes_her_session_and_no_other(study, other_study, bea):
    items = list(study.items.order_by("position"))
    other = _session_row(other_study)
    now = timezone.now()

    for item in items:
        item.record_grade(rating=Rating.GOOD, now=now)

    study.refresh_from_db()
    assert study.finished_at == now and study.score == 1.0 and study.answered_count == 3
    assert _session_row(other_study) == other
    bea.assert_untouched()


def test_ending_caseys_session_early_ends_no_other(study, other_study, bea):
    study.items.get(position=1).record_grade(rating=Rating.HARD)
    other = _session_row(other_study)

    assert study.finish() == Outcome.RECORDED

    study.refresh_from_db()
    assert study.is_finished and study.score == 1.0
    assert _session_row(other_study) == other
    bea.assert_untouched()


# --- quizzes -------------------------------------------------------------------------------------


def test_checking_caseys_quiz_answer_leaves_beas_quiz_and_cards_alone(candidate, bank, bea):
    question = bank["quiz"][0]
    quiz = session_with(candidate, bank["quiz"][:2], mode=Mode.QUIZ)
    item = quiz.items.get(position=1)
    right = question.choices.get(is_correct=True)

    assert item.record_choices(choice_ids=[right.pk]) == Outcome.RECORDED

    assert list(item.selected_choices.all()) == [right]
    assert _card(candidate, question).last_rating == Rating.GOOD
    assert not quiz.items.get(position=2).selected_choices.exists()
    bea.assert_untouched()


# --- mock interviews -----------------------------------------------------------------------------


@pytest.fixture
def mock(candidate, concepts):
    return session_with(candidate, concepts[:2], mode=Mode.MOCK, time_limit_minutes=30)


def test_caseys_mock_answer_leaves_beas_open_mock_alone(mock, bea):
    first, second = mock.items.order_by("position")

    assert first.record_mock_answer(response="Casey's answer") == Outcome.RECORDED

    second.refresh_from_db()
    assert second.answered_at is None and second.response == ""
    mock.refresh_from_db()
    assert mock.answered_count == 1 and not mock.is_finished
    bea.assert_untouched()


def test_ending_caseys_mock_closes_only_hers(mock, bea):
    assert mock.finish() == Outcome.RECORDED

    mock.refresh_from_db()
    assert mock.closed_at is not None and not mock.is_finished
    bea.assert_untouched()


def test_scoring_caseys_mock_leaves_beas_cards_on_the_same_questions_as_they_were(
    candidate, mock, bea
):
    first, second = mock.items.order_by("position")
    first.record_mock_answer(response="One")
    second.record_mock_answer(response="Two")
    # Casey already has a card for the first question (it is updated), not for the second.
    ReviewCard.objects.create(user=candidate, question=first.question)
    other_open = session_with(candidate, [second.question], mode=Mode.MOCK)

    mock.assess(covered={first.pk: [0, 1, 2], second.pk: []})

    assert _card(candidate, first.question).last_rating == Rating.GOOD
    assert _card(candidate, second.question).last_rating == Rating.AGAIN
    other_open.refresh_from_db()
    assert not other_open.is_finished and other_open.closed_at is None
    bea.assert_untouched()


# --- code submissions ----------------------------------------------------------------------------


@pytest.fixture
def coding(db):
    return coding_question(title="Add two numbers")


@pytest.mark.parametrize("mode", [Mode.STUDY, Mode.MOCK])
def test_caseys_submit_stores_on_her_item_only(candidate, coding, concepts, bystander, mode):
    bea = bystander([coding, *concepts])
    session = session_with(candidate, [coding, concepts[0]], mode=mode)
    item, other = session.items.order_by("position")

    outcome = item.record_submission(code=ADD_SOLUTION, results=_results(coding))

    assert outcome == Outcome.RECORDED
    item.refresh_from_db()
    assert item.response == ADD_SOLUTION and item.submitted_at is not None
    other.refresh_from_db()
    assert other.response == "" and other.submitted_at is None and other.test_results is None
    bea.assert_untouched()


# --- through the pages: Bea's ids are not Casey's to use -----------------------------------------


def _bea_urls(bea) -> dict[str, tuple[str, dict]]:
    study_item = bea.study.items.get(position=3)
    quiz_item = bea.quiz.items.get(position=2)
    mock_item = bea.mock.items.get(position=2)
    choice = quiz_item.question.choices.get(is_correct=True, position=0)
    return {
        "reveal": (
            reverse("practice:reveal", args=[bea.study.pk, study_item.pk]),
            {"response": "x"},
        ),
        "grade": (reverse("practice:grade", args=[bea.study.pk, study_item.pk]), {"rating": 3}),
        "check": (
            reverse("practice:check", args=[bea.quiz.pk, quiz_item.pk]),
            {"choices": [choice.pk]},
        ),
        "mock_answer": (
            reverse("practice:mock_answer", args=[bea.mock.pk, mock_item.pk]),
            {"response": "x"},
        ),
        "submit_code": (
            reverse("practice:submit_code", args=[bea.study.pk, study_item.pk]),
            {"code": "x = 1", "results": json.dumps([])},
        ),
        "assess": (
            reverse("practice:assess", args=[bea.waiting_mock.pk]),
            {f"covered-{bea.waiting_mock.items.get(position=1).pk}": ["0"]},
        ),
        "finish": (reverse("practice:finish", args=[bea.study.pk]), {}),
        "mistakes": (reverse("practice:practise_mistakes", args=[bea.quiz.pk]), {}),
    }


@pytest.mark.parametrize(
    "action", ["reveal", "grade", "check", "mock_answer", "submit_code", "assess", "finish"]
)
def test_caseys_posts_to_beas_sessions_are_404s_that_change_nothing(candidate_client, bea, action):
    url, data = _bea_urls(bea)[action]

    assert candidate_client.post(url, data).status_code == 404

    bea.assert_untouched()


def test_casey_cannot_start_a_mistakes_session_from_beas_quiz(candidate_client, candidate, bea):
    url, data = _bea_urls(bea)["mistakes"]

    assert candidate_client.post(url, data).status_code == 404

    assert not PracticeSession.objects.filter(user=candidate).exists()
    bea.assert_untouched()


@pytest.mark.parametrize("action", ["reveal", "grade", "mock_answer"])
def test_beas_item_under_caseys_session_is_a_404(
    candidate_client, candidate, concepts, bea, action
):
    """Casey's own session id with one of Bea's item ids: the item is looked up within
    Casey's session, not anywhere."""
    mode = Mode.MOCK if action == "mock_answer" else Mode.STUDY
    own = session_with(candidate, concepts, mode=mode)
    bea_item = (bea.mock if mode == Mode.MOCK else bea.study).items.get(position=2)
    url = reverse(f"practice:{action}", args=[own.pk, bea_item.pk])

    assert candidate_client.post(url, {"response": "x", "rating": 3}).status_code == 404

    bea.assert_untouched()


@pytest.mark.parametrize("page", ["session", "summary"])
def test_beas_pages_are_404s_for_casey(candidate_client, bea, page):
    finished = bea.study
    PracticeSession.objects.filter(pk=finished.pk).update(finished_at=timezone.now())
    bea.before = snapshot(bea.user)

    assert candidate_client.get(reverse(f"practice:{page}", args=[finished.pk])).status_code == 404
    item_url = (
        reverse("practice:session", args=[finished.pk])
        + "?item="
        + str(finished.items.get(position=1).pk)
    )
    assert candidate_client.get(item_url).status_code == 404
    bea.assert_untouched()


def test_a_whole_study_session_through_the_pages_leaves_bea_alone(candidate_client, study, bea):
    for item in study.items.order_by("position"):
        candidate_client.post(
            reverse("practice:reveal", args=[study.pk, item.pk]), {"response": "typed"}
        )
        candidate_client.post(reverse("practice:grade", args=[study.pk, item.pk]), {"rating": 3})
    study.refresh_from_db()
    assert study.is_finished
    candidate_client.get(reverse("practice:summary", args=[study.pk]))
    bea.assert_untouched()


def test_a_whole_mock_through_the_pages_leaves_bea_alone(candidate_client, mock, bea):
    started = timezone.now() - timedelta(minutes=1)
    PracticeSession.objects.filter(pk=mock.pk).update(started_at=started)
    for item in mock.items.order_by("position"):
        candidate_client.post(
            reverse("practice:mock_answer", args=[mock.pk, item.pk]), {"response": "typed"}
        )
    first = mock.items.get(position=1)
    candidate_client.post(reverse("practice:assess", args=[mock.pk]), {f"covered-{first.pk}": "0"})
    mock.refresh_from_db()
    assert mock.is_finished
    bea.assert_untouched()
