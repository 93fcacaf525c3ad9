"""The N+1 lesson: one list of questions built the naive way and the tuned way, measured.

Both approaches build the same rows (title, topic, author, tags, number of choices) for the same
published questions. The naive one reads each related object per row, as a template that says
``{{ question.topic.name }}`` or ``{{ question.choices.count }}`` would; the tuned one asks for
everything up front with ``select_related``, ``prefetch_related`` and an annotation.

Queries are recorded with ``connection.execute_wrapper`` rather than ``connection.queries``, so the
numbers are real with DEBUG off, as in production.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Prefetch, QuerySet

from questions.models import Question, Tag

ROW_CHOICES = (10, 100, 500)
DEFAULT_ROWS = 10
MAX_ROWS = 500
# The page evaluates every row (so the counts are real) but shows only this many of each list.
VISIBLE_ROWS = 20
# How many statements of each run the page prints before "… and N more".
SHOWN_QUERIES = 3


@dataclass(frozen=True)
class Row:
    title: str
    topic: str
    author: str
    tags: tuple[str, ...]
    choice_count: int


@dataclass(frozen=True)
class RecordedQuery:
    sql: str
    duration_ms: float


@dataclass
class QueryRecorder:
    """Records every statement run on the default connection while it is installed."""

    queries: list[RecordedQuery] = field(default_factory=list)

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            # Only the statements the page prints get their parameters filled in: on SQLite
            # that costs a query of its own, which would slow the naive run unfairly.
            if len(self.queries) < SHOWN_QUERIES:
                sql = self._as_run(sql, params, context)
            self.queries.append(RecordedQuery(sql, elapsed_ms))

    @staticmethod
    def _as_run(sql: str, params, context) -> str:
        """The statement with its parameters filled in, as the database saw it (best effort)."""
        cursor = context.get("cursor")
        try:
            return connection.ops.last_executed_query(cursor, sql, params) or sql
        except Exception:  # a display aid only: never fail the measurement over it
            return sql

    @property
    def db_ms(self) -> float:
        return sum(query.duration_ms for query in self.queries)


@contextmanager
def recording_queries() -> Iterator[QueryRecorder]:
    recorder = QueryRecorder()
    with connection.execute_wrapper(recorder):
        yield recorder


@dataclass
class Run:
    """One approach measured: the rows it built and what it cost."""

    name: str
    rows: list[Row]
    queries: list[RecordedQuery]
    db_ms: float
    wall_ms: float
    plan: str = ""

    @property
    def slug(self) -> str:
        return self.name.lower()

    @property
    def query_count(self) -> int:
        return len(self.queries)

    @property
    def first_queries(self) -> list[RecordedQuery]:
        return self.queries[:SHOWN_QUERIES]

    @property
    def more_queries(self) -> int:
        return max(0, self.query_count - SHOWN_QUERIES)

    @property
    def visible_rows(self) -> list[Row]:
        return self.rows[:VISIBLE_ROWS]

    @property
    def hidden_rows(self) -> int:
        return max(0, len(self.rows) - VISIBLE_ROWS)


@dataclass
class Comparison:
    rows_asked: int
    naive: Run
    tuned: Run

    @property
    def runs(self) -> tuple[Run, Run]:
        return (self.naive, self.tuned)

    @property
    def row_count(self) -> int:
        return len(self.tuned.rows)

    @property
    def saved_queries(self) -> int:
        return self.naive.query_count - self.tuned.query_count


# Explicit, because Django leaves Meta.ordering out of GROUP BY queries such as the tuned one.
ORDERING = ("topic__position", "title", "pk")


def naive_queryset() -> QuerySet[Question]:
    return Question.objects.published().order_by(*ORDERING)


def tuned_queryset() -> QuerySet[Question]:
    return (
        Question.objects.published()
        .order_by(*ORDERING)
        # One JOIN brings each question's topic and author in the same row.
        .select_related("topic", "author")
        # Only the columns the list shows: no Markdown bodies, no password hashes.
        .only("title", "topic__name", "author__username")
        # One extra query fetches the tags of every question on the page at once.
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("name")))
        # The database counts the choices: no query per row, and no choice rows loaded.
        .annotate(choice_count=Count("choices"))
    )


def _author_name(question: Question) -> str:
    author = question.author  # naive: one query per row here
    return author.username if author is not None else ""


def naive_rows(limit: int) -> list[Row]:
    """Reads related objects per row, as an unprepared template would: 1 + 4 queries a row."""
    return [
        Row(
            title=question.title,
            topic=question.topic.name,
            author=_author_name(question),
            tags=tuple(tag.name for tag in question.tags.all()),
            choice_count=question.choices.count(),
        )
        for question in naive_queryset()[:limit]
    ]


def tuned_rows(limit: int) -> list[Row]:
    """Two queries, whatever the number of rows."""
    return [
        Row(
            title=question.title,
            topic=question.topic.name,
            author=_author_name(question),
            tags=tuple(tag.name for tag in question.tags.all()),
            choice_count=question.choice_count,
        )
        for question in tuned_queryset()[:limit]
    ]


def plan_label() -> str:
    if connection.vendor == "postgresql":
        return "EXPLAIN ANALYZE, PostgreSQL"
    return f"EXPLAIN, {connection.display_name}"


def explain_tuned(limit: int) -> str:
    """The plan of the tuned list's main query: measured (ANALYZE) on PostgreSQL."""
    queryset = tuned_queryset()[:limit]
    try:
        if connection.vendor == "postgresql":
            return queryset.explain(analyze=True)
        return queryset.explain()
    except Exception as error:  # some backends cannot explain; the lab still works
        return f"No plan available on this database: {error}"


def measure(name: str, build: Callable[[int], list[Row]], limit: int) -> Run:
    started = time.perf_counter()
    with recording_queries() as recorder:
        rows = build(limit)
    wall_ms = (time.perf_counter() - started) * 1000
    return Run(
        name=name, rows=rows, queries=recorder.queries, db_ms=recorder.db_ms, wall_ms=wall_ms
    )


def compare(rows: int, *, explain: bool = True) -> Comparison:
    """Build the list both ways and measure each. `rows` is capped at MAX_ROWS."""
    limit = max(1, min(rows, MAX_ROWS))
    # Open the connection first: its set-up queries (time zone, type look-ups on PostgreSQL)
    # are not part of either list.
    connection.ensure_connection()
    naive = measure("Naive", naive_rows, limit)
    tuned = measure("Tuned", tuned_rows, limit)
    if explain:
        tuned.plan = explain_tuned(limit)
    return Comparison(rows_asked=limit, naive=naive, tuned=tuned)
