"""Item analysis in the question admin: the list's columns and the change page's panel.

The question admin (questions/admin.py) reads each question with its statistics row in the
same query (select_related), so the columns cost nothing per row; the change page adds one
query, for the question's problem reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib import admin
from django.db.models import F
from django.utils.html import format_html_join

from curation.models import ProblemReport, QuestionStatistics, Reason
from practice.templatetags.practice_tags import duration
from questions.models import Question

# What the list reads of each question's statistics (the rest stays in the database).
LIST_FIELDS = (
    "statistics__attempts",
    "statistics__facility",
    "statistics__discrimination_index",
    "statistics__discriminative_efficiency",
    "statistics__reasons",
)
NOTHING = "\u2014"
# The change page lists a question's open reports and the latest resolved ones, up to this many.
PANEL_REPORTS = 20


def statistics_of(question: Question) -> QuestionStatistics | None:
    """The question's statistics as loaded with it, or None before its first analysis."""
    try:
        return question.statistics
    except QuestionStatistics.DoesNotExist:
        return None


def _percent(value: float | None) -> str:
    """A figure already in % (discrimination), as the list shows it."""
    return NOTHING if value is None else f"{value:.0f}%"


@admin.display(description="Attempts", ordering="statistics__attempts")
def attempts(question: Question) -> str:
    stats = statistics_of(question)
    return NOTHING if stats is None else str(stats.attempts)


@admin.display(description="Facility", ordering="statistics__facility")
def facility(question: Question) -> str:
    stats = statistics_of(question)
    return _percent(None if stats is None or stats.facility is None else 100 * stats.facility)


@admin.display(description="Discrimination", ordering="statistics__discrimination_index")
def discrimination_index(question: Question) -> str:
    stats = statistics_of(question)
    return _percent(stats.discrimination_index if stats is not None else None)


@admin.display(description="Efficiency", ordering="statistics__discriminative_efficiency")
def discriminative_efficiency(question: Question) -> str:
    stats = statistics_of(question)
    return _percent(stats.discriminative_efficiency if stats is not None else None)


def median_time(question: Question) -> str:
    stats = statistics_of(question)
    if stats is None or stats.median_seconds is None:
        return NOTHING
    return duration(timedelta(seconds=stats.median_seconds))


@admin.display(description="Needs editing", ordering="statistics__reason_count")
def needs_editing(question: Question) -> str:
    stats = statistics_of(question)
    if stats is None or not stats.reasons:
        return NOTHING
    return format_html_join(
        ", ", "{}", ((REASON_LABELS.get(r["code"], r["code"]),) for r in stats.reasons)
    )


# Short labels for the list's column (the queue and the change page say more).
REASON_LABELS = {
    Reason.TOO_EASY: "too easy",
    Reason.TOO_HARD: "too hard",
    Reason.NEGATIVE_DISCRIMINATION: "negative discrimination",
    Reason.DUBIOUS: "dubious",
    Reason.UNPICKED_DISTRACTOR: "unpicked distractor",
}

# The list shows the figures an editor sorts by; the change page shows them all.
LIST_COLUMNS = (
    attempts,
    facility,
    discrimination_index,
    discriminative_efficiency,
    needs_editing,
)


# --- the change page ---------------------------------------------------------------------------

BAR_HEIGHT = 18
BAR_GAP = 8
LABEL_WIDTH = 56
BAR_WIDTH = 300
VALUE_WIDTH = 90


@dataclass(frozen=True)
class Bar:
    label: str
    title: str  # the whole story, for the tooltip and the table
    count: int
    share: int  # % of the attempts
    width: int
    y: int
    is_key: bool = False

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 5

    @property
    def value_x(self) -> int:
        return LABEL_WIDTH + BAR_WIDTH + 8


@dataclass(frozen=True)
class Chart:
    caption: str
    bars: list[Bar]

    label_width: int = LABEL_WIDTH
    bar_width: int = BAR_WIDTH
    width: int = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH

    @property
    def height(self) -> int:
        return len(self.bars) * (BAR_HEIGHT + BAR_GAP)


def _bars(rows: list[tuple[str, str, int, bool]], total: int) -> list[Bar]:
    bars = []
    for n, (label, title, count, is_key) in enumerate(rows):
        share = round(100 * count / total) if total else 0
        width = round(BAR_WIDTH * count / total) if total else 0
        bars.append(
            Bar(
                label=label,
                title=title,
                count=count,
                share=share,
                width=width,
                y=n * (BAR_HEIGHT + BAR_GAP),
                is_key=is_key,
            )
        )
    return bars


def chart_of(stats: QuestionStatistics) -> Chart | None:
    """Multiple choice: how often each choice was picked in first attempts (the key marked).
    Other kinds: the first attempts' grades. None when there is nothing to draw."""
    if not stats.attempts:
        return None
    if stats.choice_picks:
        rows = [
            (
                c["label"] + (" \u2713" if c["is_correct"] else ""),
                f"{c['label']}{' (correct)' if c['is_correct'] else ''}: \u201c{c['text']}\u201d, "
                f"picked in {c['picks']} of {stats.attempts} first attempts",
                c["picks"],
                c["is_correct"],
            )
            for c in stats.choice_picks
        ]
        caption = "How often each choice was picked (first attempts)"
        return Chart(caption, _bars(rows, stats.attempts))
    counts = stats.grade_rows
    if not any(count for _name, count in counts):
        return None
    total = sum(count for _name, count in counts)
    rows = [
        (name, f"{name}: {count} of {total} first attempts", count, False) for name, count in counts
    ]
    return Chart("Grades of first attempts", _bars(rows, total))


def panel_context(question: Question) -> dict:
    """What the change page's item-analysis panel shows: one query, for the reports."""
    stats = statistics_of(question)
    reports = list(
        ProblemReport.objects.filter(question=question)
        .select_related("reporter", "resolved_by")
        .order_by(F("resolved_at").desc(nulls_first=True), "-last_reported_at", "-pk")[
            :PANEL_REPORTS
        ]
    )
    return {
        "curation": {
            "statistics": stats,
            "median_time": median_time(question),
            "chart": chart_of(stats) if stats is not None else None,
            "open_reports": [r for r in reports if r.is_open],
            "resolved_reports": [r for r in reports if not r.is_open],
        }
    }
