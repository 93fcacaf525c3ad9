"""What a mentor sees of a mentee's own practice: mastery per topic, nothing more."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from practice.models import CardState, ReviewCard
from questions.models import Status, Topic


@dataclass(frozen=True)
class TopicMastery:
    """One topic for one candidate, measured as on the candidate's own dashboard: the share of
    the topic's published questions whose card has reached the Review state."""

    name: str
    total: int
    studied: int
    learnt: int

    @property
    def percent(self) -> int:
        return round(100 * self.learnt / self.total) if self.total else 0


def mastery_by_topic(user_ids: Iterable[int] | QuerySet) -> dict[int, list[TopicMastery]]:
    """user id -> the topics they have studied, in topic order. Two grouped queries whatever the
    number of users (`user_ids` may be a QuerySet of ids, which becomes a subquery)."""
    # 1. published questions per topic (as on the candidate's own dashboard)
    totals = {topic.pk: topic for topic in Topic.objects.with_published_count()}
    # 2. cards per user and topic
    rows = (
        ReviewCard.objects.filter(user_id__in=user_ids, question__status=Status.PUBLISHED)
        .values("user_id", "question__topic_id")
        .annotate(studied=Count("pk"), learnt=Count("pk", filter=Q(state=CardState.REVIEW)))
        .order_by()
    )
    result: dict[int, list[tuple[tuple[int, str], TopicMastery]]] = {}
    for row in rows:
        topic = totals.get(row["question__topic_id"])
        if topic is None:
            continue
        result.setdefault(row["user_id"], []).append(
            (
                (topic.position, topic.name),
                TopicMastery(topic.name, topic.published_count, row["studied"], row["learnt"]),
            )
        )
    return {
        user_id: [mastery for _key, mastery in sorted(entries, key=lambda e: e[0])]
        for user_id, entries in result.items()
    }
