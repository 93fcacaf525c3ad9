"""The tracks, topics and tags that filter menus offer, and the number of published questions
per topic, from the cache.

The bank's filter form and the admin's list filters show the menus on every request, and the
dashboard and the mentor's pages show the totals (mastery is "learnt of the topic's published
questions"). Both are the same for everyone and change only when editors change the bank: one
cache read instead of queries on every page view. Each entry lives a minute and both are dropped
whenever a track, topic, tag or question is saved or deleted (see forget_menus), so a change made
here shows at once; one made where save() does not run (a bulk update, or another process when the
cache is per-process memory) shows within the minute. A total a minute late is harmless: it is
the denominator of a percentage and of "new questions to study", not something a candidate's own
answer changes.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, Func, IntegerField, OuterRef, Subquery

CACHE_KEY = "questions:menus:v1"
TOTALS_CACHE_KEY = "questions:published-totals:v1"
CACHE_SECONDS = 60


@dataclass(frozen=True)
class MenuEntry:
    pk: int
    slug: str
    name: str


@dataclass(frozen=True)
class Menus:
    """Each list in its model's order (position then name; tags by name)."""

    tracks: tuple[MenuEntry, ...]
    topics: tuple[MenuEntry, ...]
    tags: tuple[MenuEntry, ...]
    # The tags at least one published question carries: the only ones the bank offers.
    published_tags: tuple[MenuEntry, ...]


def menus() -> Menus:
    """The menus, from the cache or (on a miss) three queries."""
    cached = cache.get(CACHE_KEY)
    if cached is None:
        cached = _load()
        cache.set(CACHE_KEY, cached, CACHE_SECONDS)
    return cached


@dataclass(frozen=True)
class TopicTotal:
    topic_id: int
    name: str
    position: int
    total: int


def published_totals() -> tuple[TopicTotal, ...]:
    """Published questions per topic, for the topics that have any, in topic order: from the
    cache, or (on a miss) one query."""
    cached = cache.get(TOTALS_CACHE_KEY)
    if cached is None:
        cached = _load_totals()
        cache.set(TOTALS_CACHE_KEY, cached, CACHE_SECONDS)
    return cached


def forget_menus() -> None:
    """Drop the cached menus and totals now and, inside a transaction, again once it commits (a
    request between the two would otherwise cache the rows as they were before the change)."""
    keys = [CACHE_KEY, TOTALS_CACHE_KEY]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def _load() -> Menus:
    from questions.models import Question, Status, Tag, Topic, Track

    def entries(queryset):
        return tuple(MenuEntry(pk, slug, name) for pk, slug, name in queryset)

    published = Question.tags.through.objects.filter(
        tag_id=OuterRef("pk"), question__status=Status.PUBLISHED
    )
    tags = Tag.objects.annotate(published=Exists(published)).values_list(
        "pk", "slug", "name", "published"
    )
    tag_rows = list(tags)
    return Menus(
        tracks=entries(Track.objects.values_list("pk", "slug", "name")),
        topics=entries(Topic.objects.values_list("pk", "slug", "name")),
        tags=tuple(MenuEntry(pk, slug, name) for pk, slug, name, _ in tag_rows),
        published_tags=tuple(
            MenuEntry(pk, slug, name) for pk, slug, name, is_published in tag_rows if is_published
        ),
    )


def _load_totals() -> tuple[TopicTotal, ...]:
    """A COUNT(*) per topic (a few dozen) that the (status, topic) index answers, rather than
    grouping every published question joined to its topic: 0.8 ms against 4.6 ms at 10,000
    questions once the table has been vacuumed (before that the index scans visit the table:
    6-10 ms, which is why the result is cached)."""
    from questions.models import Question, Topic

    published = (
        Question.objects.published()
        .filter(topic=OuterRef("pk"))
        .order_by()
        # COUNT(*) as a plain Func: no GROUP BY in the subquery, and no column outside the index
        .annotate(n=Func(template="COUNT(*)", output_field=IntegerField()))
        .values("n")
    )
    rows = Topic.objects.annotate(
        total=Subquery(published, output_field=IntegerField())
    ).values_list("pk", "name", "position", "total")
    return tuple(TopicTotal(*row) for row in rows if row[3])
