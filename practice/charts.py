"""Geometry for the dashboard's server-rendered SVG charts.

These functions compute positions, classes and titles; the templates draw them
(practice/_heatmap.html, practice/_mastery_chart.html), except the heatmap's day squares, whose
markup is built here (Heatmap.cells_svg): a template loop over 371 cells cost more than the rest
of the dashboard. No style attributes: colours come from class names in the stylesheet, so the
strict Content-Security-Policy holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

CELL = 12
GAP = 3
STEP = CELL + GAP
WEEKS = 53
LEFT = 30  # room for the weekday labels
TOP = 18  # room for the month labels


class HeatCell(NamedTuple):
    # A named tuple rather than a frozen dataclass: the heatmap makes 371 of them per page.
    x: int
    y: int
    day: date
    count: int
    level: int

    @property
    def title(self) -> str:
        return f"{_day_label(self.day)}: {_answers(self.count)}"


def _day_label(day: date) -> str:
    return f"{day:%a %-d %b %Y}"


def _answers(count: int) -> str:
    return f"{count or 'no'} {'answer' if count == 1 else 'answers'}"


@dataclass(frozen=True)
class AxisLabel:
    x: int
    y: int
    text: str


@dataclass(frozen=True)
class MonthRow:
    month: date
    answers: int
    active_days: int


@dataclass(frozen=True)
class Heatmap:
    cells: Sequence[HeatCell]
    months: Sequence[AxisLabel]
    weekdays: Sequence[AxisLabel]
    width: int
    height: int
    table: Sequence[MonthRow]
    total: int
    active_days: int
    # Per cell, the markup after its class: position, size and the start of its title, which
    # names the day (from _calendar, the same for every candidate on the same day).
    cell_markup: Sequence[str] = ()

    @property
    def cells_svg(self) -> SafeString:
        """One <rect> per day with its <title>. Numbers go in as %d; the title's only text, the
        day's name, was escaped once in _calendar (format_html_join costs twice as much,
        escaping every number too)."""
        return mark_safe(  # numbers and escaped text only
            "".join(
                [
                    f'<rect class="heat heat-{cell.level:d}"{markup}{_answers(cell.count)}'
                    "</title></rect>"
                    for cell, markup in zip(self.cells, self.cell_markup, strict=True)
                ]
            )
        )


def level_for(count: int, daily_goal: int) -> int:
    """0: nothing; 1: under half the goal; 2: under the goal; 3: the goal; 4: twice the goal."""
    goal = max(daily_goal, 1)
    if count <= 0:
        return 0
    if count * 2 < goal:
        return 1
    if count < goal:
        return 2
    if count < 2 * goal:
        return 3
    return 4


@dataclass(frozen=True)
class _Calendar:
    """What a heatmap ending on a given day draws whatever the counts: its days, their squares'
    positions and markup, and the month labels."""

    first: date
    days: tuple[date, ...]
    positions: tuple[tuple[int, int], ...]
    cell_markup: tuple[str, ...]
    months: tuple[AxisLabel, ...]
    month_starts: tuple[date, ...]  # the first of every month shown, in order


@lru_cache(maxsize=8)  # a handful of "today"s at once (time zones), each the same for everyone
def _calendar(today: date) -> _Calendar:
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=WEEKS - 1)
    days, positions, markup, months, month_starts = [], [], [], [], {}
    day = first
    while day <= today:
        week, weekday = divmod((day - first).days, 7)
        x, y = LEFT + week * STEP, TOP + weekday * STEP
        days.append(day)
        positions.append((x, y))
        markup.append(
            f' x="{x:d}" y="{y:d}" width="{CELL:d}" height="{CELL:d}" rx="2">'
            f"<title>{escape(_day_label(day))}: "
        )
        if weekday == 0 and (day == first or day.month != (day - timedelta(days=7)).month):
            months.append(AxisLabel(x, TOP - 6, f"{day:%b}"))
        month_starts.setdefault(day.replace(day=1), None)
        day += timedelta(days=1)
    # The first column's label collides with the next when that month starts a week later.
    if len(months) > 1 and months[1].x - months[0].x < 3 * STEP:
        months.pop(0)
    return _Calendar(
        first=first,
        days=tuple(days),
        positions=tuple(positions),
        cell_markup=tuple(markup),
        months=tuple(months),
        month_starts=tuple(month_starts),
    )


WEEKDAY_LABELS = tuple(
    AxisLabel(0, TOP + index * STEP + CELL - 2, name)
    for index, name in ((0, "Mon"), (2, "Wed"), (4, "Fri"))
)


def heatmap(counts: Mapping[date, int], *, today: date, daily_goal: int) -> Heatmap:
    """A year of activity: one column per week (Monday first), the last column this week."""
    calendar = _calendar(today)
    cells = []
    for day, (x, y) in zip(calendar.days, calendar.positions, strict=True):
        count = counts.get(day, 0)
        cells.append(HeatCell(x, y, day, count, level_for(count, daily_goal) if count else 0))
    by_month = {month: [0, 0] for month in calendar.month_starts}
    for day, count in counts.items():
        if count and calendar.first <= day <= today:
            month = by_month[day.replace(day=1)]
            month[0] += count
            month[1] += 1
    table = [MonthRow(month, total, active) for month, (total, active) in by_month.items()]
    return Heatmap(
        cells=cells,
        months=calendar.months,
        weekdays=WEEKDAY_LABELS,
        width=LEFT + WEEKS * STEP,
        height=TOP + 7 * STEP,
        table=table,
        total=sum(row.answers for row in table),
        active_days=sum(row.active_days for row in table),
        cell_markup=calendar.cell_markup,
    )


BAR_HEIGHT = 18
BAR_GAP = 10
LABEL_WIDTH = 190
BAR_WIDTH = 300
LABEL_CHARS = 28  # longer labels end with an ellipsis (the bar's title has the whole name)


@dataclass(frozen=True)
class Bar:
    y: int
    width: int
    label: str
    short_label: str
    percent: int
    title: str
    text_y: int
    value_x: int


@dataclass(frozen=True)
class BarChart:
    bars: Sequence[Bar]
    width: int
    height: int
    label_width: int
    bar_width: int


def bar_chart(rows: Sequence[tuple[str, float, str]]) -> BarChart:
    """Horizontal bars: (label, fraction 0–1, title) per row."""
    bars = []
    for index, (label, fraction, title) in enumerate(rows):
        fraction = min(max(fraction, 0.0), 1.0)
        y = index * (BAR_HEIGHT + BAR_GAP)
        width = round(BAR_WIDTH * fraction)
        bars.append(
            Bar(
                y=y,
                width=width,
                label=label,
                short_label=Truncator(label).chars(LABEL_CHARS),
                percent=round(100 * fraction),
                title=title,
                text_y=y + BAR_HEIGHT - 4,
                value_x=LABEL_WIDTH + width + 6,
            )
        )
    return BarChart(
        bars=bars,
        width=LABEL_WIDTH + BAR_WIDTH + 50,
        height=max(len(bars) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP, BAR_HEIGHT),
        label_width=LABEL_WIDTH,
        bar_width=BAR_WIDTH,
    )
