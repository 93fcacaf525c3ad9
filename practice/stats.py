"""What the dashboard shows, computed with a fixed number of queries.

Counts and per-day and per-topic aggregates come from the database (values + Count); the only
Python loops run over rows already fetched (predicted recall needs the FSRS formula per card).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import (
    BooleanField,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    Value,
)
from django.db.models.functions import TruncDate

from practice import charts
from practice.models import CardState, ReviewCard, SessionItem
from practice.scheduling import retrievabilities, scheduler_for
from practice.services import start_of_day
from questions.models import Topic

STUDY_NEXT = 3  # topics suggested in the readiness panel


def activity_by_day(user, *, since: date, now: datetime) -> dict[date, int]:
    """Answers per day in the candidate's time zone, from `since` to today (one query)."""
    zone = user.zone
    start = datetime.combine(since, datetime.min.time(), tzinfo=zone)
    rows = (
        SessionItem.objects.for_user(user)
        .filter(answered_at__gte=start, answered_at__lte=now)
        .annotate(day=TruncDate("answered_at", tzinfo=zone))
        .values("day")
        .annotate(answers=Count("pk"))
        .order_by("day")
    )
    return {row["day"]: row["answers"] for row in rows}


def current_streak(active_days: Iterable[date], *, today: date) -> int:
    """Consecutive days with at least one answer, ending today, or yesterday if today has
    none yet (the streak is still alive until the day ends). The dashboard passes the
    heatmap's year of days, so a streak longer than that shows as that year."""
    days = set(active_days)
    day = today if today in days else today - timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= timedelta(days=1)
    return streak


@dataclass(frozen=True)
class TopicProgress:
    topic_id: int
    name: str
    total: int
    learnt: int
    studied: int
    due: int = 0  # studied questions due for review by the time topic_progress was asked about
    leeches: int = 0  # studied questions the candidate keeps forgetting (ReviewCard.is_leech)

    @property
    def mastery(self) -> float:
        return self.learnt / self.total if self.total else 0.0

    @property
    def coverage(self) -> float:
        return self.studied / self.total if self.total else 0.0


# One of the candidate's cards on a published question, as published_cards_of returns it: (topic
# id, state, due by `due_by`?, stability, time from its last review to `at` (None: never
# reviewed), leech?).
CardRow = tuple[int, int, bool, float | None, timedelta | None, bool]


def published_cards_of(user, *, due_by: datetime, at: datetime) -> list[CardRow]:
    """The candidate's cards on published questions, as CardRows: one query through the card's
    user index (a few hundred rows). The database compares and subtracts the timestamps:
    reading two of them per row into Python cost more than the rest of the query."""
    return list(
        ReviewCard.objects.for_user(user)
        .published()
        .annotate(
            is_due=ExpressionWrapper(Q(due__lte=due_by), output_field=BooleanField()),
            since_review=ExpressionWrapper(
                Value(at, output_field=DateTimeField()) - F("last_review"),
                output_field=DurationField(),
            ),
        )
        .values_list(
            "question__topic_id", "state", "is_due", "stability", "since_review", "is_leech"
        )
    )


def topic_progress(
    user, *, due_by: datetime | None = None, cards: list[CardRow] | None = None
) -> list[TopicProgress]:
    """Per topic with published questions: how many there are, how many the candidate has
    studied (has a card for), learnt (card in the Review state), keeps forgetting (leeches)
    and, with `due_by`, has due by then. The bank's totals come from one grouped query over
    the topics; the candidate's counts from one grouped query over their own cards
    (a few hundred rows through the card's user index, rather than a probe per published
    question), or, given `cards` (published_cards_of(user, due_by=due_by, ...), which readiness
    needs anyway), from those rows."""
    if cards is None:
        counts = {
            "studied": Count("pk"),
            "learnt": Count("pk", filter=Q(state=CardState.REVIEW)),
            "leeches": Count("pk", filter=Q(is_leech=True)),
        }
        if due_by is not None:
            counts["due"] = Count("pk", filter=Q(due__lte=due_by))
        by_topic = {
            row.pop("question__topic_id"): row
            for row in ReviewCard.objects.for_user(user)
            .published()
            .values("question__topic_id")
            .annotate(**counts)
            .order_by()
        }
    else:
        by_topic = defaultdict(lambda: {"studied": 0, "learnt": 0, "due": 0, "leeches": 0})
        for topic_id, state, is_due, _stability, _since_review, is_leech in cards:
            row = by_topic[topic_id]
            row["studied"] += 1
            row["learnt"] += state == CardState.REVIEW
            row["due"] += is_due
            row["leeches"] += is_leech
    progress = []
    for topic in Topic.objects.with_published_count():
        row = by_topic.get(topic.pk, {})
        progress.append(
            TopicProgress(
                topic_id=topic.pk,
                name=topic.name,
                total=topic.published_count,
                learnt=row.get("learnt", 0),
                studied=row.get("studied", 0),
                due=row.get("due", 0),
                leeches=row.get("leeches", 0),
            )
        )
    return progress


@dataclass(frozen=True)
class TopicReadiness:
    topic_id: int
    name: str
    studied: int
    total: int
    recall: float | None  # mean predicted recall of the studied questions; None: none studied

    @property
    def readiness(self) -> float:
        """Expected share of the topic's questions recalled on the day (unstudied: 0)."""
        return (self.recall or 0.0) * (self.studied / self.total if self.total else 0.0)

    @property
    def recall_percent(self) -> int | None:
        return None if self.recall is None else round(100 * self.recall)

    @property
    def readiness_percent(self) -> int:
        return round(100 * self.readiness)


@dataclass(frozen=True)
class Readiness:
    interview_date: date
    days_left: int
    topics: list[TopicReadiness]
    study_next: list[TopicReadiness]
    overall_percent: int


def interview_morning(user, *, now: datetime) -> datetime:
    """When readiness predicts recall for: 9:00 on the interview date in the candidate's time
    zone, or now if that has passed. Needs user.interview_date."""
    zone = user.zone
    today = now.astimezone(zone).date()
    at = datetime.combine(max(user.interview_date, today), datetime.min.time(), tzinfo=zone)
    return max(at.replace(hour=9), now)


def readiness(
    user, progress: list[TopicProgress], *, now: datetime, cards: list[CardRow] | None = None
) -> Readiness | None:
    """Predicted recall per topic on the interview date (FSRS retrievability then).

    None when the candidate has not set an interview date. One query (their cards), none when
    given them (`cards`: published_cards_of(user, at=interview_morning(user, now=now), ...))."""
    if user.interview_date is None:
        return None
    today = now.astimezone(user.zone).date()
    at = interview_morning(user, now=now)
    scheduler = scheduler_for(user)
    recalls: dict[int, list[float]] = defaultdict(list)
    rows = published_cards_of(user, due_by=at, at=at) if cards is None else cards
    values = retrievabilities(
        [(row[3], None if row[4] is None else at - row[4]) for row in rows],
        at=at,
        scheduler=scheduler,
    )
    for row, value in zip(rows, values, strict=True):
        recalls[row[0]].append(value)
    topics = [
        TopicReadiness(
            topic_id=p.topic_id,
            name=p.name,
            studied=len(recalls[p.topic_id]),
            total=p.total,
            recall=(
                sum(recalls[p.topic_id]) / len(recalls[p.topic_id]) if recalls[p.topic_id] else None
            ),
        )
        for p in progress
    ]
    total = sum(t.total for t in topics)
    overall = sum(t.readiness * t.total for t in topics) / total if total else 0.0
    return Readiness(
        interview_date=user.interview_date,
        days_left=(user.interview_date - today).days,
        topics=topics,
        study_next=sorted(topics, key=lambda t: (t.readiness, t.name))[:STUDY_NEXT],
        overall_percent=round(100 * overall),
    )


@dataclass(frozen=True)
class Dashboard:
    due_today: int
    new_available: int
    streak: int
    answered_today: int
    daily_goal: int
    heatmap: charts.Heatmap
    progress: list[TopicProgress]
    mastery_chart: charts.BarChart
    readiness: Readiness | None
    leech_count: int  # the candidate's leeches on published questions (the view lists them)

    @property
    def goal_percent(self) -> int:
        return min(100, round(100 * self.answered_today / max(self.daily_goal, 1)))

    @property
    def goal_met(self) -> bool:
        return self.answered_today >= self.daily_goal


def dashboard_for(user, *, now: datetime) -> Dashboard:
    """Everything on the dashboard but the lists (sessions, leeches): three queries (the
    candidate's cards, the bank's published questions per topic, the answers per day)."""
    today = now.astimezone(user.zone).date()
    end_of_today = start_of_day(user, now) + timedelta(days=1)
    # 1. the candidate's cards: grouped per topic (studied, learnt, leeches, and due by the end
    # of their day), or, with an interview date, every published card, which readiness needs
    # and the counts come from as well; "new" is what the candidate has no card for yet
    cards = None
    if user.interview_date is not None:
        cards = published_cards_of(user, due_by=end_of_today, at=interview_morning(user, now=now))
    progress = topic_progress(user, due_by=end_of_today, cards=cards)
    # 2. answers per day over the heatmap's year
    first_day = today - timedelta(days=today.weekday()) - timedelta(weeks=charts.WEEKS - 1)
    counts = activity_by_day(user, since=first_day, now=now)
    return Dashboard(
        due_today=sum(p.due for p in progress),
        new_available=sum(p.total - p.studied for p in progress),
        streak=current_streak(counts, today=today),
        answered_today=counts.get(today, 0),
        daily_goal=user.daily_goal,
        heatmap=charts.heatmap(counts, today=today, daily_goal=user.daily_goal),
        progress=progress,
        mastery_chart=mastery_chart(progress),
        readiness=readiness(user, progress, now=now, cards=cards),
        leech_count=sum(p.leeches for p in progress),
    )


def mastery_chart(progress: list[TopicProgress]) -> charts.BarChart:
    return charts.bar_chart(
        [
            (
                p.name,
                p.mastery,
                f"{p.name}: {p.learnt} of {p.total} questions learnt "
                f"({round(100 * p.mastery)}%), {p.studied} studied",
            )
            for p in progress
        ]
    )
