"""Item analysis: Moodle's figures from first attempts, stored by an idempotent command, and
the reasons they give for editing a question."""

import statistics
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from curation.analysis import (
    MIN_ATTEMPTS,
    Attempt,
    analyse,
    discrimination,
    figures_of,
    reasons_of,
)
from curation.models import DealtWith, QuestionStatistics, Reason
from practice.models import CardState, Mode, Rating, ReviewCard, SessionItem
from questions.models import Kind, Question
from tests.curation.conftest import answered_session
from tests.factories import QuestionFactory, coding_question

# --- the formulas, against Python's statistics module and a worked example ------------------------

PAIRS = [(1.0, 0.9), (1.0, 0.6), (0.0, 0.7), (1.0, 0.8), (0.0, 0.2), (0.0, 0.5), (1.0, 0.4)]


def test_the_discrimination_index_is_the_correlation_with_the_rest_in_percent():
    index, _efficiency = discrimination(PAIRS)
    scores, rests = zip(*PAIRS, strict=True)
    assert index == pytest.approx(100 * statistics.correlation(scores, rests))


def test_the_efficiency_is_the_covariance_over_the_largest_the_same_scores_could_have():
    _index, efficiency = discrimination(PAIRS)
    scores, rests = zip(*PAIRS, strict=True)
    best = statistics.covariance(sorted(scores), sorted(rests))
    assert efficiency == pytest.approx(100 * statistics.covariance(scores, rests) / best)


def test_a_worked_example():
    # Means 0.5 and 0.5; C = (0.25 + 0.25) / 3 = 1/6; V(x) = 1/3, V(X) = 1/6:
    # DI = 100 * (1/6) / sqrt(1/18) = 70.7. Already in the best order: DE = 100.
    index, efficiency = discrimination([(1, 1), (1, 0.5), (0, 0.5), (0, 0)])
    assert index == pytest.approx(70.71, abs=0.01)
    assert efficiency == pytest.approx(100)


def test_a_question_the_weaker_candidates_get_right_discriminates_negatively():
    index, efficiency = discrimination([(0, 1), (0, 0.8), (1, 0.2), (1, 0)])
    assert index < 0 and efficiency == pytest.approx(-100)


@pytest.mark.parametrize(
    "pairs",
    [
        [],
        [(1.0, 0.5)],  # one attempt
        [(1.0, 0.5), (1.0, 0.2), (1.0, 0.9)],  # everyone right: the score does not vary
        [(0.8, 0.5), (0.8, 0.2), (0.8, 0.9)],  # nor here (0.8 is not exact in binary)
        [(1.0, 0.5), (0.0, 0.5)],  # the rest does not vary
    ],
)
def test_the_figures_are_undefined_where_nothing_varies(pairs):
    assert discrimination(pairs) == (None, None)


def _attempts(scores, rests=None, **kwargs):
    now = timezone.now()
    rests = rests or [None] * len(scores)
    return [
        Attempt(score=s, rest=r, rating=None, seconds=None, answered_at=now, passed=None, **kwargs)
        for s, r in zip(scores, rests, strict=True)
    ]


def test_the_facility_is_the_mean_score_and_discrimination_counts_only_attempts_with_a_rest():
    figures = figures_of(_attempts([1, 0, 1, 0.5], [0.9, 0.1, None, 0.5]), kind=Kind.CONCEPT)
    assert figures.attempts == 4
    assert figures.facility == pytest.approx(0.625)
    assert figures.paired_attempts == 3
    assert figures.discrimination_index == pytest.approx(
        discrimination([(1, 0.9), (0, 0.1), (0.5, 0.5)])[0]
    )


# --- the reasons ----------------------------------------------------------------------------------


def _figures(scores, rests=None):
    return figures_of(_attempts(scores, rests), kind=Kind.CONCEPT)


def test_facility_above_95_percent_with_30_attempts_is_too_easy():
    assert Reason.TOO_EASY in reasons_of(_figures([1.0] * MIN_ATTEMPTS))
    assert reasons_of(_figures([1.0] * (MIN_ATTEMPTS - 1))) == {}
    # 29 of 30 right is 96.7%; 28 of 30 is 93.3%.
    assert Reason.TOO_EASY in reasons_of(_figures([1.0] * 29 + [0.0]))
    assert Reason.TOO_EASY not in reasons_of(_figures([1.0] * 28 + [0.0] * 2))


def test_facility_below_20_percent_with_30_attempts_is_too_hard():
    assert Reason.TOO_HARD in reasons_of(_figures([0.0] * 25 + [1.0] * 5))  # 16.7%
    assert Reason.TOO_HARD not in reasons_of(_figures([0.0] * 24 + [1.0] * 6))  # 20%
    assert reasons_of(_figures([0.0] * (MIN_ATTEMPTS - 1))) == {}


def test_negative_discrimination_is_a_reason_and_says_the_key_may_be_wrong():
    scores = [0.0, 1.0] * 15
    rests = [0.9, 0.1] * 15
    found = reasons_of(_figures(scores, rests))
    assert "likely wrong key" in found[Reason.NEGATIVE_DISCRIMINATION]
    # The same question is "dubious" too, by its efficiency; the stronger reason is enough.
    assert Reason.DUBIOUS not in found


def test_for_a_self_graded_question_it_points_at_the_model_answer_instead():
    found = reasons_of(_figures([0.0, 1.0] * 15, [0.9, 0.1] * 15), kind=Kind.CONCEPT)
    assert "Check the model answer" in found[Reason.NEGATIVE_DISCRIMINATION]
    assert "wrong key" not in found[Reason.NEGATIVE_DISCRIMINATION]


def test_a_low_discriminative_efficiency_is_dubious():
    # Positive but weak: the right answers are spread over strong and weak candidates alike.
    scores = [1.0, 0.0, 1.0, 0.0, 1.0, 0.0] * 5
    rests = [0.9, 0.85, 0.2, 0.15, 0.55, 0.5] * 5  # DE 10%
    figures = _figures(scores, rests)
    assert 0 < figures.discriminative_efficiency < 15
    found = reasons_of(figures)
    assert list(found) == [Reason.DUBIOUS] and "dubious" in found[Reason.DUBIOUS]


def test_a_discriminating_question_needs_nothing():
    scores = [1.0, 0.0] * 15
    rests = [0.9, 0.1] * 15
    assert reasons_of(_figures(scores, rests)) == {}


def test_too_few_attempts_with_a_rest_give_no_discrimination_reason():
    scores = [0.0, 1.0] * 15
    rests = [0.9, 0.1] * 14 + [None, None]
    assert reasons_of(_figures(scores, rests)) == {}


# --- the whole analysis, from the database -------------------------------------------------------


def _stats(question) -> QuestionStatistics:
    return QuestionStatistics.objects.get(question=question)


def test_only_each_candidates_first_attempt_counts(quiz_question, others, make_users):
    first, second = make_users(2)
    earlier = timezone.now() - timedelta(days=5)
    answered_session(first, [(quiz_question, 0.0), (others[0], 1.0)], at=earlier)
    answered_session(first, [(quiz_question, 1.0), (others[0], 1.0)])  # a second try: ignored
    answered_session(second, [(quiz_question, 1.0), (others[0], 0.0)], at=earlier)

    analyse()

    stats = _stats(quiz_question)
    assert stats.attempts == 2
    assert stats.facility == pytest.approx(0.5)
    # Every graded answer counts towards the Again share: 1 Again of 3 grades.
    assert stats.graded_answers == 3 and stats.again_share == pytest.approx(1 / 3)


def test_the_rest_is_the_mean_score_of_the_other_answers_of_the_same_session(
    quiz_question, others, make_users
):
    users = make_users(4)
    sessions = [  # (score on the question, scores on the others)
        (1.0, [1.0, 1.0, 0.0]),
        (1.0, [0.0, 1.0, 0.0]),
        (0.0, [0.0, 0.0, 1.0]),
        (0.0, [0.0, 0.0]),  # a shorter session
    ]
    for user, (score, rest) in zip(users, sessions, strict=True):
        answered_session(user, [(quiz_question, score), *zip(others, rest, strict=False)])
    # An unscored answer (a mock interview not yet assessed) is no part of the rest.
    item = SessionItem.objects.filter(session__user=users[3]).last()
    SessionItem.objects.create(
        session=item.session, question=others[2], position=9, answered_at=timezone.now()
    )

    analyse()

    stats = _stats(quiz_question)
    expected = discrimination([(1.0, 2 / 3), (1.0, 1 / 3), (0.0, 1 / 3), (0.0, 0.0)])
    assert stats.discrimination_index == pytest.approx(expected[0])
    assert stats.discriminative_efficiency == pytest.approx(expected[1])


def test_choice_picks_come_from_first_attempts(quiz_question, others, make_users):
    a, b, c, d = quiz_question.choices.order_by("position")
    users = make_users(3)
    for user, choice in zip(users, (a, a, c), strict=True):
        (item, _rest) = answered_session(
            user, [(quiz_question, float(choice.is_correct)), (others[0], 1.0)]
        )
        item.selected_choices.set([choice])
    later = answered_session(users[2], [(quiz_question, 0.0)], at=timezone.now())[0]
    later.selected_choices.set([d])  # a second attempt: not counted

    analyse()

    picks = {row["label"]: row["picks"] for row in _stats(quiz_question).choice_picks}
    assert picks == {"A": 2, "B": 0, "C": 1, "D": 0}
    assert [row["is_correct"] for row in _stats(quiz_question).choice_picks] == [
        True,
        False,
        False,
        False,
    ]


def test_flash_cards_get_the_good_rate_the_grades_the_median_time_leeches_and_difficulty(
    make_users,
):
    question = QuestionFactory(kind=Kind.CONCEPT)
    users = make_users(4)
    for user, (rating, seconds) in zip(
        users,
        [(Rating.AGAIN, 10), (Rating.HARD, 20), (Rating.GOOD, 40), (Rating.EASY, 90)],
        strict=True,
    ):
        item = answered_session(user, [(question, 1.0)], mode=Mode.STUDY, seconds=seconds)[0]
        SessionItem.objects.filter(pk=item.pk).update(rating=rating)
        ReviewCard.objects.create(
            user=user,
            question=question,
            state=CardState.REVIEW,
            difficulty=float(rating + 3),
            lapses=9 if rating == Rating.AGAIN else 0,
            is_leech=rating == Rating.AGAIN,
        )

    analyse()

    stats = _stats(question)
    assert stats.grade_counts == [1, 1, 1, 1]
    assert stats.good_rate == pytest.approx(0.5)
    assert stats.median_seconds == pytest.approx(30)
    assert (stats.cards, stats.leeches) == (4, 1)
    assert stats.fsrs_difficulty == pytest.approx(5.5)
    assert stats.choice_picks == [] and stats.pass_rate is None


def test_coding_questions_get_the_pass_rate_of_first_submits(make_users):
    question = coding_question()
    passing = [{"name": "adds", "status": "pass"}]
    failing = [{"name": "adds", "status": "fail"}]
    users = make_users(4)
    for user, results in zip(users, [passing, passing, failing, None], strict=True):
        item = answered_session(user, [(question, 1.0)], mode=Mode.STUDY)[0]
        SessionItem.objects.filter(pk=item.pk).update(test_results=results)

    analyse()

    assert _stats(question).pass_rate == pytest.approx(0.5)  # the one who gave up did not pass


def test_every_question_gets_a_row_and_a_second_run_stores_the_same(
    quiz_question, others, make_users
):
    for user in make_users(3):
        answered_session(user, [(quiz_question, 1.0), (others[0], 0.0)])

    summary = analyse()
    first = list(QuestionStatistics.objects.order_by("pk").values())
    again = analyse()
    second = list(QuestionStatistics.objects.order_by("pk").values())

    assert summary.questions == again.questions == Question.objects.count() == len(second)
    assert summary.first_attempts == 6
    for row in (*first, *second):
        row.pop("computed_at")
    assert first == second


def test_the_command_runs_the_analysis_and_says_what_it_did(quiz_question, capsys):
    call_command("analyse_questions")
    assert "Analysed 1 questions from 0 first attempts" in capsys.readouterr().out
    assert _stats(quiz_question).attempts == 0


def test_the_command_can_queue_it_for_a_worker(quiz_question, task_queue, capsys):
    call_command("analyse_questions", "--enqueue")
    assert "Queued the item analysis" in capsys.readouterr().out
    assert not QuestionStatistics.objects.exists()

    assert task_queue.run() == 1

    (done,) = task_queue.tasks("analyse_questions")
    assert done.return_value.startswith("Analysed 1 questions")
    assert _stats(quiz_question).attempts == 0


# --- reasons, dealt with, and the next change ----------------------------------------------------


def _too_easy(question, users, *, at=None):
    for user in users:
        answered_session(user, [(question, 1.0)], at=at)


def test_the_stored_reasons_say_what_the_figures_show(quiz_question, make_users):
    _too_easy(quiz_question, make_users(MIN_ATTEMPTS))
    for item in SessionItem.objects.filter(question=quiz_question):
        item.selected_choices.set([quiz_question.choices.get(is_correct=True)])

    analyse()

    stats = _stats(quiz_question)
    codes = [reason["code"] for reason in stats.reasons]
    assert codes == [Reason.TOO_EASY, Reason.UNPICKED_DISTRACTOR]
    assert stats.reason_count == 2
    assert "Nobody picked B" in stats.reasons[1]["text"] and "C" in stats.reasons[1]["text"]


def test_a_reason_marked_dealt_with_stays_away_until_the_question_changes(
    quiz_question, make_users
):
    _too_easy(quiz_question, make_users(MIN_ATTEMPTS))
    DealtWith.objects.create(question=quiz_question, reason=Reason.TOO_EASY)

    analyse()
    assert Reason.TOO_EASY not in [r["code"] for r in _stats(quiz_question).reasons]

    # The question changes; the answers so far are all from before the change.
    quiz_question.refresh_from_db()
    quiz_question.save()
    analyse()
    assert Reason.TOO_EASY not in [r["code"] for r in _stats(quiz_question).reasons]

    # Thirty new candidates after the change find it as easy: the reason is back.
    _too_easy(quiz_question, make_users(MIN_ATTEMPTS), at=timezone.now() + timedelta(seconds=1))
    analyse()
    (reason,) = [r for r in _stats(quiz_question).reasons if r["code"] == Reason.TOO_EASY]
    assert f"over {MIN_ATTEMPTS} first attempts" in reason["text"]  # those since the change


def test_after_the_change_the_answers_since_must_show_it_again(quiz_question, make_users):
    _too_easy(quiz_question, make_users(MIN_ATTEMPTS))
    DealtWith.objects.create(question=quiz_question, reason=Reason.TOO_EASY)
    quiz_question.refresh_from_db()
    quiz_question.save()
    later = timezone.now() + timedelta(seconds=1)
    for n, user in enumerate(make_users(MIN_ATTEMPTS)):  # half of them wrong now
        answered_session(user, [(quiz_question, float(n % 2))], at=later)

    analyse()

    stats = _stats(quiz_question)
    assert Reason.TOO_EASY not in [r["code"] for r in stats.reasons]
    assert stats.facility == pytest.approx(0.75)  # the figures still count every first attempt
