"""The dashboard's heatmap: its 371 day squares joined in Python or drawn by a template loop
(issue 15). `.venv/bin/python bench/heatmap.py [--write]`, about a minute.

In process, for a candidate who answered on every day of the heatmap's year (371 squares, each
with its level and title), it times in CPU seconds of this process (time.process_time, so that
other programs on a shared machine weigh less):

- the data: practice.charts.heatmap (the squares, the month labels, the table);
- the squares four ways, checked to give the same markup: Heatmap.cells_svg (an f-string per
  square, joined and marked safe: what the dashboard uses), the same with each day's markup
  cached (as before issue 15), Django's format_html_join, and the `{% for %}` loop below in the
  site's template engine;
- the whole dashboard (/dashboard/ through Django's test client, DEBUG off, a SQLite database
  built for the run in bench/.work/ and deleted after it): as it is, then with cells_svg
  replaced by the template loop, in turn, PAGE_ROUNDS times each.

Each figure is the median over ROUNDS rounds of the mean of NUMBER calls. Prints a section of
results.md; --write puts it in bench/results.md ("## Dashboard heatmap").
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
import timeit
import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATABASE = BENCH / ".work" / "heatmap.sqlite3"
# This file's folder comes first on sys.path: look in the project instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
sys.path.insert(0, str(ROOT))
# Production's settings (DEBUG off) on a database of the run's own.
os.environ["DJANGO_SETTINGS_MODULE"] = "prep.settings"
os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ["SECURE_SSL_REDIRECT"] = "false"
os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE}"
os.environ.pop("REDIS_URL", None)
warnings.filterwarnings("ignore", message="No directory at")  # WhiteNoise: nothing collected

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.template import Context, Engine  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.html import escape, format_html_join  # noqa: E402
from django.utils.safestring import mark_safe  # noqa: E402

from accounts.models import User  # noqa: E402
from bench.common import write_section  # noqa: E402
from practice import charts  # noqa: E402
from practice.models import Mode, PracticeSession, SessionItem  # noqa: E402
from questions.models import Question  # noqa: E402

SECTION = "## Dashboard heatmap"
ROUNDS = 9
NUMBER = 10
PAGE_ROUNDS = 3  # the dashboard: this many turns of each way, each of ROUNDS x NUMBER requests
DAILY_GOAL = 10
# The squares as a template would draw them (what Heatmap.cells_svg returns, the same bytes).
CELLS_LOOP = (
    '{% for cell in heatmap.cells %}<rect class="heat heat-{{ cell.level }}" x="{{ cell.x }}" '
    'y="{{ cell.y }}" width="12" height="12" rx="2"><title>{{ cell.title }}</title></rect>'
    "{% endfor %}"
)
CELL_HTML = (
    '<rect class="heat heat-{}" x="{}" y="{}" '
    'width="12" height="12" rx="2"><title>{}</title></rect>'
)


def _ms(function: Callable[[], object]) -> float:
    """CPU milliseconds per call: the median over ROUNDS of the mean of NUMBER calls."""
    function()
    rounds = timeit.repeat(function, number=NUMBER, repeat=ROUNDS, timer=time.process_time)
    return 1000 * statistics.median(rounds) / NUMBER


def _candidate() -> User:
    """A candidate with 1 to 5 answers on every day of the last 371 days, over 40 questions."""
    from tests.factories import QuestionFactory, TopicFactory

    topics = [TopicFactory() for _ in range(8)]
    for n in range(40):
        QuestionFactory(topic=topics[n % 8])
    questions = list(Question.objects.all())
    user = User.objects.create_user("candidate", daily_goal=DAILY_GOAL)
    now = timezone.now()
    items = []
    for day in range(371):
        session = PracticeSession.objects.create(
            user=user, mode=Mode.STUDY, started_at=now - timedelta(days=day)
        )
        for n in range(1 + day % 5):
            items.append(
                SessionItem(
                    session=session,
                    question=questions[(day + n) % 40],
                    position=n + 1,
                    answered_at=now - timedelta(days=day, minutes=n),
                    score=1.0,
                    is_correct=True,
                )
            )
    SessionItem.objects.bulk_create(items)
    return user


def _delete_database() -> None:
    for suffix in ("", "-wal", "-shm"):  # SQLite's write-ahead log beside it (settings: WAL)
        DATABASE.with_name(DATABASE.name + suffix).unlink(missing_ok=True)


def measure() -> dict:
    DATABASE.parent.mkdir(exist_ok=True)
    _delete_database()
    call_command("migrate", verbosity=0)
    user = _candidate()
    client = Client()
    client.force_login(user)
    today = timezone.localdate()
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=charts.WEEKS - 1)
    counts = {first + timedelta(days=n): 1 + n % 5 for n in range((today - first).days + 1)}
    heatmap = charts.heatmap(counts, today=today, daily_goal=DAILY_GOAL)
    loop = Engine.get_default().from_string(CELLS_LOOP)

    def template_loop(heatmap: charts.Heatmap) -> str:
        return loop.render(Context({"heatmap": heatmap}))

    # Before issue 15: each day's markup after the class, escaped once per day and cached;
    # only the level and the count joined per request.
    heads = [
        f' x="{cell.x:d}" y="{cell.y:d}" width="12" height="12" rx="2">'
        f"<title>{escape(f'{cell.day:%a %-d %b %Y}')}: "
        for cell in heatmap.cells
    ]

    def cached_heads(heatmap: charts.Heatmap) -> str:
        return mark_safe(  # numbers and escaped text only
            "".join(
                [
                    f'<rect class="heat heat-{cell.level:d}"{head}{cell.count or "no"} '
                    f"{'answer' if cell.count == 1 else 'answers'}</title></rect>"
                    for cell, head in zip(heatmap.cells, heads, strict=True)
                ]
            )
        )

    def django_join(heatmap: charts.Heatmap) -> str:
        rows = ((cell.level, cell.x, cell.y, cell.title) for cell in heatmap.cells)
        return format_html_join("", CELL_HTML, rows)

    ways = (heatmap.cells_svg, cached_heads(heatmap), django_join(heatmap), template_loop(heatmap))
    if len(set(ways)) != 1:
        raise SystemExit("The ways give different markup: nothing to compare.")

    def dashboard() -> None:
        response = client.get("/dashboard/")
        if response.status_code != 200:
            raise SystemExit(f"/dashboard/ answered {response.status_code}")

    # No collected static files here: the plain storage, as in development.
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    storages = {**settings.STORAGES, "staticfiles": plain}
    results = {
        "squares": len(heatmap.cells),
        "data_ms": _ms(lambda: charts.heatmap(counts, today=today, daily_goal=DAILY_GOAL)),
        "string_ms": _ms(lambda: heatmap.cells_svg),
        "cached_ms": _ms(lambda: cached_heads(heatmap)),
        "join_ms": _ms(lambda: django_join(heatmap)),
        "loop_ms": _ms(lambda: template_loop(heatmap)),
    }
    as_it_is, with_loop = [], []
    original = charts.Heatmap.cells_svg
    with override_settings(STORAGES=storages):
        for _ in range(PAGE_ROUNDS):  # the two in turn, so that a change of load weighs on both
            as_it_is.append(_ms(dashboard))
            charts.Heatmap.cells_svg = property(template_loop)  # type: ignore[assignment,method-assign]
            try:
                with_loop.append(_ms(dashboard))
            finally:
                charts.Heatmap.cells_svg = original  # type: ignore[method-assign]
    results["dashboard_ms"] = statistics.median(as_it_is)
    results["dashboard_loop_ms"] = statistics.median(with_loop)
    connection.close()
    _delete_database()
    return results


def report(results: dict, *, when: str, load: str) -> str:
    page, page_loop = results["dashboard_ms"], results["dashboard_loop_ms"]
    return "\n".join(
        [
            SECTION,
            "",
            f"`bench/heatmap.py`, {when}, {os.cpu_count()} CPUs, Python "
            f"{sys.version.split()[0]}, Django {django.get_version()}, load average {load}. "
            "In process, CPU time of the process (time.process_time), for a candidate who "
            f"answered on every day of the year ({results['squares']} squares, each with its "
            f"title); the median over {ROUNDS} rounds of the mean of {NUMBER} calls. The "
            "dashboard runs through Django's test client, DEBUG off, on SQLite.",
            "",
            "| Measure | CPU ms per dashboard |",
            "|---|---:|",
            f"| The data (`practice.charts.heatmap`: squares, labels, the table) "
            f"| {results['data_ms']:.2f} |",
            f"| The squares: `Heatmap.cells_svg` (an f-string each, joined) "
            f"| {results['string_ms']:.2f} |",
            f"| The squares as before issue 15 (each day's markup cached, per process) "
            f"| {results['cached_ms']:.2f} |",
            f"| The squares: Django's `format_html_join` | {results['join_ms']:.2f} |",
            f"| The squares: a template `{{% for %}}` | {results['loop_ms']:.2f} |",
            f"| The dashboard, as it is | {page:.1f} |",
            f"| The dashboard, its squares drawn by the template loop | {page_loop:.1f} |",
            "",
            f"The template loop would add {page_loop - page:.1f} ms to each dashboard "
            f"({page_loop / page - 1:.0%} more CPU, so about {page / page_loop:.2f} of its "
            "throughput), so the squares stay a string joined in Python (`Heatmap.cells_svg`); "
            "the rest of the charts are drawn by their templates. Building every square per "
            "request rather than from the per-process cache costs "
            f"{results['string_ms'] - results['cached_ms']:.1f} ms, kept for simplicity. The DOM "
            "is the same either way (a `<rect>` and a `<title>` per day).",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--write", action="store_true", help="put the section in results.md")
    args = parser.parse_args()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    began = time.perf_counter()
    results = measure()
    section = report(results, when=started, load=load)
    print(section)
    print(f"({time.perf_counter() - began:.0f} s)", file=sys.stderr)
    if args.write:
        write_section(SECTION, section)


if __name__ == "__main__":
    main()
