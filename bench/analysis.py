"""`make bench`, its item-analysis part (issue 14): `manage.py analyse_questions` at two scales.

For each scale (small: 1,000 questions, 100 users, 20,000 answers; large: 10,000 / 1,000 /
200,000, as bench/run.py seeds them) it builds a PostgreSQL database of its own
(prep_bench_analysis_small, prep_bench_analysis_large: created, marked with a comment and
dropped at the end; it refuses to touch a database of that name it did not create), migrates it,
fills it with `manage.py seed_demo`, then, in a second process on that database:

- times the analysis (curation.analysis.analyse: read every scored answer, compute, store one
  row per question) REPEATS times: the first run inserts the rows, the later ones update them;
  the figure is the median of the later runs, the first is reported beside it;
- counts the queries of the editor's question list (/admin/questions/question/, as it opens and
  sorted by facility) and of the Needs editing queue, with Django's test client.

The growth is large ÷ small of the analysis time, for ten times the answers: at most 12 (linear,
with room for the sorts' log n). Writes its section of bench/results.md ("## Item analysis")
and bench/analysis-results.json, and prints the table. About 3 minutes on a 2-CPU machine.

    .venv/bin/python bench/analysis.py [--repeats 3] [--keep-db]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
# This file's folder comes first on sys.path: look in the project instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    PY,
    RESULTS_MD,
    drop_postgres,
    manage,
    recreate_postgres,
    write_section,
)

RESULTS_JSON = BENCH / "analysis-results.json"
SECTION = "## Item analysis (issue 14)"

SCALES = {
    "small": {"questions": 1_000, "users": 100, "answers": 20_000},
    "large": {"questions": 10_000, "users": 1_000, "answers": 200_000},
}
GROWTH_BUDGET = 12.0  # large ÷ small, for 10 times the answers
PG_DATABASE = "prep_bench_analysis"  # prep_bench_analysis_small, prep_bench_analysis_large


def say(message: str) -> None:
    print(f"[bench analysis {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- the databases -----------------------------------------------------------------------------


# --- inside Django: the measurements -------------------------------------------------------------


def measure(repeats: int) -> dict:
    """Run in a process of its own with DATABASE_URL set: the analysis's times and the pages'
    query counts, as a dict."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prep.settings")
    import django

    django.setup()

    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from accounts.roles import EDITORS
    from curation.analysis import analyse
    from curation.models import QuestionStatistics
    from practice.models import SessionItem

    runs, cpu = [], []
    for _ in range(repeats):
        started = time.process_time()
        summary = analyse()
        runs.append(summary.seconds)
        cpu.append(time.process_time() - started)
    from django.contrib import admin

    from curation.columns import facility
    from questions.models import Question

    editor = User.objects.filter(groups__name=EDITORS, is_staff=True).order_by("pk").first()
    # ?o= counts the list's columns from 1 after the selection checkbox.
    by_facility = str(1 + list(admin.site._registry[Question].list_display).index(facility))
    client = Client()
    client.force_login(editor, backend="accounts.backends.EmailOrUsernameBackend")
    pages = {
        "admin_list": ("/admin/questions/question/", {}),
        "admin_list_by_facility": ("/admin/questions/question/", {"o": f"-{by_facility}"}),
        "needs_editing_queue": ("/admin/curation/needsediting/", {}),
    }
    queries = {}
    # The pages are counted, not served: their static files need no collected manifest.
    plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain_static}):
        for key, (url, params) in pages.items():
            client.get(url, params)  # warm the process's caches, as the site's budget tests do
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url, params)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            queries[key] = len(captured)
    return {
        "runs_seconds": [round(s, 3) for s in runs],
        "first_seconds": round(runs[0], 3),
        "seconds": round(statistics.median(runs[1:] or runs), 3),
        # This process's own CPU time (Python's part; PostgreSQL's is in another process): the
        # steadier figure when the machine is busy.
        "cpu_seconds": round(statistics.median(cpu[1:] or cpu), 3),
        "answers": SessionItem.objects.filter(answered_at__isnull=False).count(),
        "first_attempts": summary.first_attempts,
        "questions": summary.questions,
        "needing_edits": QuestionStatistics.objects.filter(reason_count__gt=0).count(),
        "queries": queries,
    }


# --- the report ----------------------------------------------------------------------------------


def report(results: dict) -> str:
    small, large = results["scales"]["small"], results["scales"]["large"]
    growth = results["growth"]
    met = "met" if growth <= GROWTH_BUDGET else "**not met**"
    lines = [
        SECTION,
        "",
        f"`bench/analysis.py`, {results['finished_at']}, {results['machine']}, PostgreSQL "
        f"(load average {results['load_before']} before, {results['load_after']} after). "
        "The analysis (`manage.py analyse_questions`) reads every scored answer, keeps each "
        "candidate's first attempt at each question, computes the figures and stores one row "
        f"per question. Time: the median of {results['repeats'] - 1} runs after a first one "
        "(which inserts the rows; the later ones update them).",
        "",
        "| Scale | Questions | Answers | First attempts | Analysis (s) | of which Python CPU (s) | "
        "First run (s) | Need editing |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, scale in (("small", small), ("large", large)):
        lines.append(
            f"| {name} | {scale['questions']:,} | {scale['answers']:,} | "
            f"{scale['first_attempts']:,} | {scale['seconds']:.2f} | {scale['cpu_seconds']:.2f} | "
            f"{scale['first_seconds']:.2f} | {scale['needing_edits']:,} |"
        )
    lines += [
        "",
        f"**Growth** (large ÷ small, 10 × the answers): **{growth:.1f}** (budget ≤ "
        f"{GROWTH_BUDGET:.0f}: {met}); of the Python CPU time alone: "
        f"{results['cpu_growth']:.1f}. The large scale has 10 × the questions and the answers "
        f"but {large['first_attempts'] / small['first_attempts']:.1f} × the first attempts "
        "(its candidates repeat fewer questions).",
        "",
        "Queries per page, as the editor, at each scale (the same at both: no query per row):",
        "",
        "| Page | small | large |",
        "|---|---:|---:|",
    ]
    names = {
        "admin_list": "Question list (`/admin/questions/question/`)",
        "admin_list_by_facility": "Question list sorted by facility",
        "needs_editing_queue": "Needs editing queue",
    }
    for key, label in names.items():
        lines.append(f"| {label} | {small['queries'][key]} | {large['queries'][key]} |")
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="analysis runs per scale (≥ 2)")
    parser.add_argument("--keep-db", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print("BENCH_RESULT " + json.dumps(measure(args.repeats)), flush=True)
        return
    repeats = max(2, args.repeats)

    started = time.perf_counter()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "DATABASE_URL", "DEBUG")
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        SECURE_SSL_REDIRECT="false",
        ALLOWED_HOSTS="testserver",
        LOG_LEVEL="WARNING",
    )
    results = {
        "machine": f"{os.cpu_count()} CPUs",
        "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "repeats": repeats,
        "scales": {},
    }
    databases = []
    try:
        for name, spec in SCALES.items():
            database = f"{PG_DATABASE}_{name}"
            databases.append(database)
            scale_env = {**env, "DATABASE_URL": recreate_postgres(database)}
            say(f"=== {name}: {spec['questions']:,} questions, {spec['answers']:,} answers ===")
            migrated = manage(scale_env, "migrate", "--noinput", "-v0")
            seeded = manage(
                scale_env,
                "seed_demo",
                f"--questions={spec['questions']}",
                f"--users={spec['users']}",
                f"--answers={spec['answers']}",
                f"--seed={args.seed}",
                "-v0",
            )
            say(f"migrated in {migrated:.0f} s, seeded in {seeded:.0f} s; measuring")
            done = subprocess.run(
                [PY, __file__, "--measure", f"--repeats={repeats}"],
                cwd=ROOT,
                env=scale_env,
                capture_output=True,
                text=True,
                check=True,
            )
            line = next(row for row in done.stdout.splitlines() if row.startswith("BENCH_RESULT "))
            measured = json.loads(line.removeprefix("BENCH_RESULT "))
            measured.update(migrate_seconds=round(migrated, 1), seed_seconds=round(seeded, 1))
            results["scales"][name] = measured
            say(
                f"{name}: analysis {measured['seconds']:.2f} s (first run "
                f"{measured['first_seconds']:.2f} s), queries {measured['queries']}"
            )
    finally:
        if not args.keep_db:
            for database in databases:
                drop_postgres(database)
    small, large = results["scales"]["small"], results["scales"]["large"]
    results["growth"] = round(large["seconds"] / small["seconds"], 2)
    results["cpu_growth"] = round(large["cpu_seconds"] / small["cpu_seconds"], 2)
    results["growth_budget_met"] = results["growth"] <= GROWTH_BUDGET
    results["queries_flat"] = small["queries"] == large["queries"]
    results["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    results["finished_at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    RESULTS_JSON.write_text(json.dumps(results, indent=2) + "\n")
    section = report(results)
    write_section(SECTION, section)
    print()
    print(section)
    say(f"done in {results['total_seconds']:.0f} s: {RESULTS_MD}, {RESULTS_JSON}")
    if not results["growth_budget_met"] or not results["queries_flat"]:
        raise SystemExit("The item analysis missed its budget: see the table above.")


if __name__ == "__main__":
    main()
