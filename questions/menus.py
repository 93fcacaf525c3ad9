"""The tracks, topics and tags that filter menus offer, from the cache.

The bank's filter form and the admin's list filters show them on every request, and they change
rarely: one cache read instead of three or four queries. The entry lives a minute and is dropped
whenever a track, topic, tag or question is saved or deleted (see forget_menus), so a change made
here shows at once; one made where save() does not run (a bulk update, or another process when the
cache is per-process memory) shows within the minute.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef

CACHE_KEY = "questions:menus:v1"
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


def forget_menus() -> None:
    """Drop the cached menus now and, inside a transaction, again once it commits (a request
    between the two would otherwise cache the rows as they were before the change)."""
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))


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
