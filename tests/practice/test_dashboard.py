"""The dashboard: due, new, streak in the candidate's time zone, goal, charts, readiness."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.template.loader import render_to_string
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from practice import charts
from practice.models import CardState, PracticeSession, Rating, ReviewCard, SessionItem
from practice.stats import (
    activity_by_day,
    current_streak,
    dashboard_for,
    published_cards_of,
    readiness,
    topic_progress,
)
from questions.models import Question, Status
from questions.services import change_status
from tests.factories import QuestionFactory
from tests.practice.conftest import past_answers, session_with

DASHBOARD_URL = reverse("practice:dashboard")


def _answer_at(user, question, when):
    session = PracticeSession.objects.create(user=user, mode="study", started_at=when)
    SessionItem.objects.create(
        session=session, question=question, position=1, answered_at=when, rating=Rating.GOOD
    )


def test_signed_in_candidates_land_on_the_dashboard(candidate_client):
    assert candidate_client.get("/")["Location"] == DASHBOARD_URL


def test_the_streak_counts_days_in_the_candidates_time_zone(candidate, bank):
    # 23:30 and 00:30 in New York are two days there, one day in UTC.
    candidate.time_zone = "America/New_York"
    question = bank["concepts"][0]
    _answer_at(candidate, question, datetime(2025, 3, 4, 4, 30, tzinfo=UTC))  # 3 Mar 23:30
    _answer_at(candidate, question, datetime(2025, 3, 4, 5, 30, tzinfo=UTC))  # 4 Mar 00:30
    now = datetime(2025, 3, 4, 20, 0, tzinfo=UTC)  # 4 Mar 15:00 in New York
    days = activity_by_day(candidate, since=date(2025, 3, 1), now=now)
    assert days == {date(2025, 3, 3): 1, date(2025, 3, 4): 1}
    assert dashboard_for(candidate, now=now).streak == 2
    candidate.time_zone = "UTC"
    assert dashboard_for(candidate, now=now).streak == 1


def test_a_streak_survives_until_the_day_ends_and_then_breaks(candidate, bank):
    candidate.time_zone = "Asia/Tokyo"
    question = bank["concepts"][0]
    _answer_at(candidate, question, datetime(2025, 3, 3, 14, 0, tzinfo=UTC))  # 3 Mar 23:00 Tokyo
    # 4 Mar 08:00 in Tokyo: nothing yet today, but yesterday counts.
    assert dashboard_for(candidate, now=datetime(2025, 3, 3, 23, 0, tzinfo=UTC)).streak == 1
    # 5 Mar 00:30 in Tokyo: a whole day missed.
    assert dashboard_for(candidate, now=datetime(2025, 3, 4, 15, 30, tzinfo=UTC)).streak == 0


def test_current_streak():
    today = date(2025, 5, 10)
    days = {today, today - timedelta(days=1), today - timedelta(days=2), today - timedelta(days=4)}
    assert current_streak(days, today=today) == 3
    assert current_streak(days - {today}, today=today) == 2
    assert current_streak(set(), today=today) == 0


def test_due_new_and_todays_goal(candidate, bank):
    now = timezone.now()
    candidate.daily_goal = 4
    ReviewCard.objects.create(
        user=candidate, question=bank["concepts"][0], due=now - timedelta(days=1)
    )
    ReviewCard.objects.create(
        user=candidate, question=bank["concepts"][1], due=now + timedelta(days=9)
    )
    ReviewCard.objects.create(user=candidate, question=bank["draft"][0], due=now)  # unpublished
    _answer_at(candidate, bank["concepts"][2], now - timedelta(minutes=5))
    data = dashboard_for(candidate, now=now)
    assert data.due_today == 1
    published = sum(len(v) for k, v in bank.items() if k != "draft")
    assert data.new_available == published - 2
    assert data.answered_today == 1 and data.goal_percent == 25 and not data.goal_met


def test_mastery_counts_learnt_and_studied_per_topic(candidate, bank, topics):
    ReviewCard.objects.create(user=candidate, question=bank["concepts"][0], state=CardState.REVIEW)
    ReviewCard.objects.create(user=candidate, question=bank["concepts"][1])
    progress = {p.name: p for p in topic_progress(candidate)}
    fundamentals = progress["Fundamentals"]
    assert (fundamentals.learnt, fundamentals.studied) == (1, 2)
    assert fundamentals.total == 4 + 2 + 1  # concepts, coding, multi-select quiz
    assert progress["Databases"].learnt == 0


def test_progress_counted_from_the_cards_matches_the_grouped_query(candidate, bank):
    now = timezone.now()
    for question, state, due in (
        (bank["concepts"][0], CardState.REVIEW, now - timedelta(days=1)),
        (bank["concepts"][1], CardState.LEARNING, now + timedelta(hours=1)),
        (bank["concepts"][5], CardState.REVIEW, now + timedelta(days=3)),
        (bank["design"][0], CardState.RELEARNING, now),
        (bank["draft"][0], CardState.REVIEW, now),  # unpublished: counts nowhere
    ):
        ReviewCard.objects.create(user=candidate, question=question, state=state, due=due)
    due_by = now + timedelta(hours=2)

    cards = published_cards_of(candidate, due_by=due_by, at=now)
    from_cards = topic_progress(candidate, due_by=due_by, cards=cards)

    assert from_cards == topic_progress(candidate, due_by=due_by)
    assert [(p.studied, p.learnt, p.due) for p in from_cards] == [(2, 1, 2), (1, 1, 0), (1, 0, 1)]


def test_the_dashboards_readiness_from_its_cards_is_the_one_readiness_works_out_alone(
    candidate, bank
):
    now = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    candidate.interview_date = date(2025, 6, 20)
    candidate.time_zone = "America/New_York"
    for n, question in enumerate(bank["concepts"][:6]):
        ReviewCard.objects.create(
            user=candidate,
            question=question,
            state=CardState.REVIEW,
            stability=1.5 + 7 * n,
            difficulty=5.0,
            last_review=now - timedelta(days=n, hours=5 * n),
            due=now + timedelta(days=n),
        )
    ReviewCard.objects.create(user=candidate, question=bank["design"][0])  # never reviewed

    alone = readiness(candidate, topic_progress(candidate), now=now)

    assert dashboard_for(candidate, now=now).readiness == alone
    assert [t.recall_percent for t in alone.topics] == [82, 92, 0]


@pytest.mark.parametrize("interview", [False, True])
def test_the_dashboard_lists_leeches_only_when_the_cards_count_some(
    client, candidate, bank, interview, django_assert_num_queries
):
    if interview:  # the counts come from the cards themselves rather than a grouped query
        candidate.interview_date = timezone.localdate() + timedelta(days=10)
        candidate.save()
    ReviewCard.objects.create(user=candidate, question=bank["concepts"][0])
    ReviewCard.objects.create(user=candidate, question=bank["draft"][0], lapses=8, is_leech=True)
    client.force_login(candidate)
    client.get(DASHBOARD_URL)  # warms the process, as in a running one
    # 1 session, 2 user, 3 the candidate's cards (with how many are leeches), 4 the published
    # questions per topic, 5 answers per day, 6 unread feedback and 7 the user's roles
    # (navigation), 8 assignments, 9 the candidate's problem reports, 10 recent sessions: no
    # leech on a published question, so no query for them
    with django_assert_num_queries(10):
        html = client.get(DASHBOARD_URL).content.decode()
    assert "No leeches" in html

    leech = bank["concepts"][1]
    ReviewCard.objects.create(user=candidate, question=leech, lapses=8, is_leech=True)
    with django_assert_num_queries(11):  # and 11 the leeches
        html = client.get(DASHBOARD_URL).content.decode()
    assert leech.title in html and "No leeches" not in html


def test_a_question_published_since_the_last_view_is_new_at_once(candidate_client, bank):
    before = candidate_client.get(DASHBOARD_URL).context["data"].new_available
    draft = bank["draft"][0]

    change_status(questions=Question.objects.filter(pk=draft.pk), status=Status.PUBLISHED)

    assert candidate_client.get(DASHBOARD_URL).context["data"].new_available == before + 1


def test_readiness_predicts_recall_on_the_interview_date(candidate, bank):
    now = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    candidate.interview_date = date(2025, 6, 15)
    ReviewCard.objects.create(
        user=candidate,
        question=bank["concepts"][0],
        state=CardState.REVIEW,
        stability=30.0,
        difficulty=5.0,
        last_review=now,
        due=now + timedelta(days=30),
    )
    ReviewCard.objects.create(
        user=candidate,
        question=bank["concepts"][4],
        state=CardState.REVIEW,
        stability=1.0,
        difficulty=5.0,
        last_review=now,
        due=now + timedelta(days=1),
    )
    result = readiness(candidate, topic_progress(candidate), now=now)
    by_name = {t.name: t for t in result.topics}
    assert result.days_left == 14
    assert by_name["Fundamentals"].recall > 0.8 > by_name["Databases"].recall
    assert by_name["System design"].recall is None and by_name["System design"].readiness == 0
    assert result.study_next[0].name == "System design"
    assert readiness(candidate.__class__(interview_date=None), [], now=now) is None


def test_the_heatmap_has_a_titled_cell_per_day_and_a_level_per_goal():
    today = date(2025, 3, 5)
    heat = charts.heatmap({today: 12, today - timedelta(days=1): 1}, today=today, daily_goal=10)
    assert heat.cells[-1].day == today and heat.cells[-1].level == 3
    assert heat.cells[-2].level == 1
    assert heat.cells[-1].title == "Wed 5 Mar 2025: 12 answers"
    assert heat.cells[-3].title == "Mon 3 Mar 2025: no answers"
    assert heat.cells_svg.endswith(
        '<rect class="heat heat-1" x="810" y="33" width="12" height="12" rx="2">'
        "<title>Tue 4 Mar 2025: 1 answer</title></rect>"
        '<rect class="heat heat-3" x="810" y="48" width="12" height="12" rx="2">'
        "<title>Wed 5 Mar 2025: 12 answers</title></rect>"
    )
    assert heat.cells_svg.count("<rect ") == len(heat.cells)
    assert len(heat.cells) == 52 * 7 + today.weekday() + 1
    assert heat.total == 13 and heat.active_days == 2
    assert [charts.level_for(n, 10) for n in (0, 4, 5, 10, 20)] == [0, 1, 2, 3, 4]


@override_settings(USE_THOUSAND_SEPARATOR=True)
def test_chart_numbers_of_four_digits_reach_the_svg_ungrouped():
    # The SVG's numbers are geometry: "1,020" would break the drawing, even where the site's
    # locale groups the thousands of the numbers people read.
    chart = charts.bar_chart([(f"Topic {n}", 0.5, f"Topic {n}") for n in range(40)])
    assert chart.height > 999
    html = render_to_string("practice/_mastery_chart.html", {"chart": chart, "progress": []})
    assert f'viewBox="0 0 {chart.width} {chart.height}"' in html
    assert f'y="{chart.bars[-1].y}"' in html and chart.bars[-1].y > 999


def test_the_dashboard_page(candidate_client, candidate, bank):
    candidate.interview_date = timezone.localdate() + timedelta(days=10)
    candidate.save()
    session = session_with(candidate, bank["concepts"][:2])
    first = session.items.get(position=1)

    first.record_grade(rating=Rating.GOOD)
    leech = ReviewCard.objects.create(
        user=candidate, question=bank["concepts"][3], lapses=8, is_leech=True
    )
    response = candidate_client.get(DASHBOARD_URL)
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("Due today", "New questions to study", "Current streak", "1 day", "Today's goal"):
        assert text in html
    assert "<svg" in html and "heat heat-" in html and "<title>" in html
    assert "Activity as a table" in html and "Mastery as a table" in html
    assert "style=" not in html  # the CSP forbids inline styles
    assert "<script" not in html.split("</head>")[1]
    assert "Interview readiness" in html and "Study next" in html
    assert leech.question.title in html
    assert "Resume" in html  # the unfinished session
    assert "Assignments" in html


def test_the_empty_dashboard_explains_itself(candidate_client):
    html = candidate_client.get(DASHBOARD_URL).content.decode()
    assert 'id="assignments-title"' in html  # the mentoring app's section, empty
    assert "Set your interview date" in html
    assert "No leeches" in html and "No sessions yet" in html


@pytest.mark.parametrize("history", [5, 200])
def test_the_dashboard_queries_do_not_grow_with_history(
    client, candidate, bank, history, django_assert_num_queries
):
    candidate.interview_date = timezone.localdate() + timedelta(days=10)
    candidate.save()
    past_answers(candidate, history)
    QuestionFactory.create_batch(3)
    client.force_login(candidate)
    client.get(DASHBOARD_URL)  # warms the process, as in a running one
    # 1 session, 2 user, 3 the candidate's published cards (readiness, and studied, learnt and
    # due today per topic; "new" is the rest), 4 the published questions per topic, 5 answers
    # per day, 6 unread feedback and 7 the user's roles (navigation), 8 assignments
    # (mentoring's tag), 9 problem reports (curation's tag), 10 recent sessions, 11 leeches.
    with django_assert_num_queries(11):
        client.get(DASHBOARD_URL)
