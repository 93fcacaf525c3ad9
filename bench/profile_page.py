"""Where a page's time goes: `python bench/profile_page.py --prepared FILE --page KEY`.

Renders one page of the benchmark several times in-process (Django's test client, DEBUG off,
against the bench database named by DATABASE_URL) as the user bench/prepare.py chose for it, under
cProfile, and reports the time per request split into SQL, template rendering and the rest, with
the functions that cost most. bench/run.py calls it for every page that fails a guard at the
large scale (before it drops the database); run it by hand after `bench/run.py --keep-db`.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prep.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import User  # noqa: E402

TEMPLATE_RENDER = ("django/template/base.py", "render")


def _short(func: tuple[str, int, str]) -> str:
    filename, line, name = func
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
    return f"{filename}:{line}({name})"


def profile(prepared: dict, key: str, *, requests: int) -> dict:
    page = next(p for p in prepared["pages"] if p["key"] == key)
    if not page.get("available"):
        raise SystemExit(f"{key} was not available in this run")
    client = Client()
    username = prepared["users"].get(page["role"])
    if username:
        client.force_login(
            User.objects.get(username=username), backend="accounts.backends.EmailOrUsernameBackend"
        )
    headers = {"HX-Request": "true"} if page["htmx"] else {}
    # A GET can be repeated as is; a POST is profiled as the GET of the same card fragment.
    paths = [r["path"] for r in page["requests"] if r["method"] == "GET"] or [
        prepared_card_path(prepared)
    ]
    client.get(paths[0], headers=headers)  # warm caches (templates, content types)

    sql_seconds = 0.0
    by_statement: dict[str, float] = {}

    def timed(execute, sql, params, many, context):
        nonlocal sql_seconds
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            sql_seconds += elapsed
            by_statement[sql] = by_statement.get(sql, 0.0) + elapsed

    profiler = cProfile.Profile()
    started = time.perf_counter()
    with connection.execute_wrapper(timed):
        profiler.enable()
        for n in range(requests):
            client.get(paths[n % len(paths)], headers=headers)
        profiler.disable()
    wall = time.perf_counter() - started

    stats = pstats.Stats(profiler)
    entries = stats.stats  # {func: (cc, nc, tottime, cumtime, callers)}
    # The outermost Template.render calls: cumulative time of the top-level template render.
    template_seconds = max(
        (
            cumtime
            for func, (_cc, _nc, _tt, cumtime, _callers) in entries.items()
            if func[0].endswith("django/template/backends/django.py") and func[2] == "render"
        ),
        default=0.0,
    )
    profiled_wall = sum(tt for (_cc, _nc, tt, _ct, _callers) in entries.values())
    scale = wall / profiled_wall if profiled_wall else 1.0  # undo cProfile's own overhead
    top = sorted(entries.items(), key=lambda item: item[1][2], reverse=True)[:12]
    return {
        "page": key,
        "requests": requests,
        "ms_per_request": round(wall / requests * 1000, 2),
        "sql_ms_per_request": round(sql_seconds / requests * 1000, 2),
        "template_ms_per_request": round(template_seconds * scale / requests * 1000, 2),
        "python_ms_per_request": round((wall - sql_seconds) / requests * 1000, 2),
        "slowest_queries": [
            {"sql": " ".join(sql.split())[:240], "ms_per_request": round(t / requests * 1000, 2)}
            for sql, t in sorted(by_statement.items(), key=lambda item: item[1], reverse=True)[:3]
        ],
        "top_functions": [
            {
                "function": _short(func),
                "calls_per_request": round(nc / requests, 1),
                "own_ms_per_request": round(tt * scale / requests * 1000, 2),
            }
            for func, (_cc, nc, tt, _ct, _callers) in top
        ],
    }


def prepared_card_path(prepared: dict) -> str:
    card = next(p for p in prepared["pages"] if p["key"] == "card_swap")
    return card["requests"][0]["path"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--prepared", required=True, help="a *-prepared.json from bench/.work")
    parser.add_argument("--page", required=True, help="page key, e.g. bank_list")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    prepared = json.loads(Path(args.prepared).read_text())
    result = profile(prepared, args.page, requests=args.requests)
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"{result['page']}: {result['ms_per_request']} ms per request in-process, "
        f"of which SQL {result['sql_ms_per_request']} ms; rendering templates (with the "
        f"queries they run lazily) {result['template_ms_per_request']} ms"
    )
    print(f"  Python (all but SQL): {result['python_ms_per_request']} ms. Slowest statements:")
    for query in result["slowest_queries"]:
        print(f"  {query['ms_per_request']:7.2f} ms  {query['sql']}")
    print("  Functions with the most own time:")
    for entry in result["top_functions"]:
        print(
            f"  {entry['own_ms_per_request']:7.2f} ms  {entry['calls_per_request']:8.1f} calls  "
            f"{entry['function']}"
        )


if __name__ == "__main__":
    main()
