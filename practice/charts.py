"""Geometry for the dashboard's server-rendered SVG charts.

These functions compute positions, levels and titles; the templates draw them
(practice/_heatmap.html, practice/_mastery_chart.html), except the heatmap's day squares, which
Heatmap.cells_svg joins into one string. No style attributes: colours come from class names in
the stylesheet, so the strict Content-Security-Policy holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

CELL = 12  # a day's square, in pixels (the legend in practice/_heatmap.html repeats it)
GAP = 3
STEP = CELL + GAP
WEEKS = 53
LEFT = 30  # room for the weekday labels
TOP = 18  # room for the month labels


@dataclass(frozen=True)
class HeatCell:
    x: int
    y: int
    day: date
    count: int
    level: int

    @property
    def title(self) -> str:
        answers = "answer" if self.count == 1 else "answers"
        return f"{self.day:%a %-d %b %Y}: {self.count or 'no'} {answers}"


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

    @property
    def cells_svg(self) -> SafeString:
        """One <rect> per day with its <title>: numbers, and the title escaped."""
        # Not a template loop: it made the dashboard markedly slower (bench/results.md, heatmap).
        return mark_safe(  # numbers (formatted as :d) and escaped text only
            "".join(
                [
                    f'<rect class="heat heat-{cell.level:d}" x="{cell.x:d}" y="{cell.y:d}" '
                    f'width="{CELL:d}" height="{CELL:d}" rx="2"><title>{escape(cell.title)}</title>'
                    "</rect>"
                    for cell in self.cells
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


WEEKDAY_LABELS = tuple(
    AxisLabel(0, TOP + index * STEP + CELL - 2, name)
    for index, name in ((0, "Mon"), (2, "Wed"), (4, "Fri"))
)


def heatmap(counts: Mapping[date, int], *, today: date, daily_goal: int) -> Heatmap:
    """A year of activity: one column per week (Monday first), the last column this week."""
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=WEEKS - 1)
    cells: list[HeatCell] = []
    months: list[AxisLabel] = []
    by_month: dict[date, list[int]] = {}  # the first of each month shown: [answers, days]
    day = first
    while day <= today:
        week, weekday = divmod((day - first).days, 7)
        x, y = LEFT + week * STEP, TOP + weekday * STEP
        count = counts.get(day, 0)
        cells.append(HeatCell(x, y, day, count, level_for(count, daily_goal)))
        if weekday == 0 and (day == first or day.month != (day - timedelta(days=7)).month):
            months.append(AxisLabel(x, TOP - 6, f"{day:%b}"))
        totals = by_month.setdefault(day.replace(day=1), [0, 0])
        if count > 0:
            totals[0] += count
            totals[1] += 1
        day += timedelta(days=1)
    # The first column's label collides with the next when that month starts a week later.
    if len(months) > 1 and months[1].x - months[0].x < 3 * STEP:
        months.pop(0)
    table = [MonthRow(month, answers, days) for month, (answers, days) in by_month.items()]
    return Heatmap(
        cells=cells,
        months=months,
        weekdays=WEEKDAY_LABELS,
        width=LEFT + WEEKS * STEP,
        height=TOP + 7 * STEP,
        table=table,
        total=sum(row.answers for row in table),
        active_days=sum(row.active_days for row in table),
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
