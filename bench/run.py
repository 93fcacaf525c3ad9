"""`make bench`: Prep's main pages under load, at two data scales, against /healthz.

It builds one database per scale (small: 1,000 questions / 100 users / 20,000 answers; large:
10,000 / 1,000 / 200,000) on PostgreSQL when a server answers on 127.0.0.1:5432, else on SQLite
(and says so): migrate, `manage.py seed_demo`, then bench/prepare.py picks the users and makes the
fixtures. It starts one gunicorn per scale (2 workers, DEBUG off) and drives every page with wrk
at each scale in turn, /healthz first and last as the floor; profiles the pages that miss their
budget; writes bench/results.md and bench/results.json and prints the table. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
WORK = BENCH / ".work"
PY = sys.executable
GUNICORN = str(Path(PY).parent / "gunicorn")
LUA = BENCH / "wrk" / "requests.lua"

SCALES = {
    "small": {"questions": 1_000, "users": 100, "answers": 20_000},
    "large": {"questions": 10_000, "users": 1_000, "answers": 200_000},
}
PG_SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
PG_DATABASE = "prep_bench"  # prep_bench_small, prep_bench_large
PG_MARKER = "Created by the Prep benchmark (bench/run.py); dropped and recreated by every run."
# The cache, as production has it (settings.py: sessions and unread counts in Redis): one Redis
# database per scale, emptied at the start of every run. BENCH_REDIS="" runs without Redis.
REDIS_SERVER = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")
REDIS_DATABASES = {"small": 14, "large": 15}
LARGE_OVER_SMALL = 0.85
WORKER_MEMORY_MB = 150


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- the database --------------------------------------------------------------------------------


def postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3):
            return True
    except Exception:
        return False


def redis_reachable() -> bool:
    if not REDIS_SERVER:
        return False
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_SERVER, socket_connect_timeout=3).ping())
    except Exception:
        return False


def empty_redis(url: str) -> str:
    """Empty the bench's own Redis database (nothing from an earlier run may be served)."""
    import redis

    redis.Redis.from_url(url).flushdb()
    return url


def recreate_postgres(name: str) -> str:
    """Drop (only if the bench made it) and create a bench database; its URL."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
        if row is not None:
            if row[0] != PG_MARKER:
                raise SystemExit(
                    f"A database named {name} exists that the bench did not create: "
                    "refusing to drop it. Rename it, or set BENCH_POSTGRES to another server."
                )
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
        conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{PG_MARKER}'")
    return f"{PG_SERVER}/{name}"


def drop_postgres(name: str) -> None:
    """Drop a bench database, only if the bench made it."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
        if row is not None and row[0] == PG_MARKER:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def recreate_sqlite(name: str) -> str:
    path = WORK / f"bench-{name}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


# --- processes -----------------------------------------------------------------------------------


def manage(env: dict, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}: see {WORK}/gunicorn.log")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url} within {seconds:.0f} s")


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after the last ')'.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == master:
            pids.append(int(entry.name))
    return pids


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM: the most resident memory the process has ever had."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    say("wrk is not installed: installing it from Debian's packages (apt-get)")
    apt = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=apt)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=apt)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk could not be installed: install it (apt-get install wrk) and rerun")
    return found


# --- load ----------------------------------------------------------------------------------------


def run_wrk(
    wrk: str, base_url: str, page: dict, *, seconds: int, threads: int, connections: int, tag: str
) -> dict:
    requests_file = WORK / f"{tag}-{page['key']}.tsv"
    requests_file.write_text(
        "".join(f"{r['method']}\t{r['path']}\t{r['body']}\n" for r in page["requests"])
    )
    env = {
        **os.environ,
        "BENCH_REQUESTS": str(requests_file),
        "BENCH_COOKIE": page.get("cookie", ""),
        "BENCH_CSRF": page.get("csrf", ""),
        "BENCH_HTMX": "1" if page["htmx"] else "0",
        "BENCH_THREADS": str(threads),
    }
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        base_url,
    ]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            result = json.loads(line.removeprefix("BENCH_RESULT "))
            seconds_run = result["duration_us"] / 1e6
            result["rps"] = result["requests"] / seconds_run if seconds_run else 0.0
            for name in ("mean", "p50", "p95", "p99", "max"):
                result[f"{name}_ms"] = result.pop(f"{name}_us") / 1000
            return result
    raise SystemExit(f"wrk gave no result for {page['key']}:\n{done.stdout}\n{done.stderr}")


class Scale:
    """One scale's database, its prepared pages and its gunicorn."""

    def __init__(self, name: str, spec: dict, env: dict, on_postgres: bool, on_redis: bool):
        self.name = name
        self.spec = spec
        self.on_postgres = on_postgres
        self.database = f"{PG_DATABASE}_{name}"
        url = recreate_postgres(self.database) if on_postgres else recreate_sqlite(name)
        self.env = {**env, "DATABASE_URL": url}
        if on_redis:
            self.env["REDIS_URL"] = empty_redis(f"{REDIS_SERVER}/{REDIS_DATABASES[name]}")
        # The test client in prepare.py and profile_page.py talks to "testserver".
        self.prepare_env = {**self.env, "ALLOWED_HOSTS": "127.0.0.1,testserver"}
        self.prepared_file = WORK / f"{name}-prepared.json"
        self.gunicorn: subprocess.Popen | None = None
        self.base_url = ""
        self.healthz_runs: list[dict] = []
        self.pages: dict[str, dict] = {}
        self.memory: list[float] = []

    def build(self, args) -> None:
        spec = self.spec
        say(
            f"=== {self.name}: {spec['questions']:,} questions, {spec['users']:,} users, "
            f"{spec['answers']:,} answers ==="
        )
        self.migrate_s = manage(self.env, "migrate", "--noinput", "-v0")
        say(f"migrated in {self.migrate_s:.1f} s; seeding")
        self.seed_s = manage(
            self.env,
            "seed_demo",
            f"--questions={spec['questions']}",
            f"--users={spec['users']}",
            f"--answers={spec['answers']}",
            f"--seed={args.seed}",
        )
        say(f"seeded in {self.seed_s:.1f} s; preparing users and fixtures")
        subprocess.run(
            [
                PY,
                str(BENCH / "prepare.py"),
                "--out",
                str(self.prepared_file),
                f"--seed={args.seed}",
            ],
            cwd=ROOT,
            env=self.prepare_env,
            check=True,
        )
        self.prepared = json.loads(self.prepared_file.read_text())

    def start(self) -> None:
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        self.log = (WORK / f"gunicorn-{self.name}.log").open("w")
        self.gunicorn = subprocess.Popen(
            [
                GUNICORN,
                "prep.wsgi:application",
                "--no-control-socket",
                "--workers=2",
                f"--bind=127.0.0.1:{port}",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_until_up(f"{self.base_url}/healthz", self.gunicorn)

    def stop(self) -> None:
        if self.gunicorn is None:
            return
        self.memory = [m for m in map(peak_rss_mb, worker_pids(self.gunicorn.pid)) if m]
        self.gunicorn.send_signal(signal.SIGTERM)
        try:
            self.gunicorn.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.gunicorn.kill()
        self.log.close()
        self.gunicorn = None

    def page(self, key: str) -> dict | None:
        return next((p for p in self.prepared["pages"] if p["key"] == key), None)

    def measure(self, key: str, wrk: str, args) -> None:
        page = self.page(key)
        if page is None or not page.get("available"):
            return
        if key != "grade_post":  # warming up would spend fresh cards
            run_wrk(
                wrk,
                self.base_url,
                page,
                seconds=args.warmup,
                threads=args.threads,
                connections=args.connections,
                tag=f"{self.name}-warm",
            )
        result = run_wrk(
            wrk,
            self.base_url,
            page,
            seconds=args.seconds,
            threads=args.threads,
            connections=args.connections,
            tag=self.name,
        )
        say(
            f"{self.name:<5} {page['label']:<30} {result['rps']:8.1f} req/s  "
            f"p50 {result['p50_ms']:6.1f} ms  p99 {result['p99_ms']:6.1f} ms  "
            f"not-200: {result['not_200']}"
        )
        if key == "healthz":
            self.healthz_runs.append(result)
        else:
            self.pages[key] = {**_page_meta(page), **result}

    def finish(self, args, *, profile: bool) -> dict:
        pages = self.pages
        floor = self.page("healthz")
        healthz_rps = sum(r["rps"] for r in self.healthz_runs) / len(self.healthz_runs)
        pages["healthz"] = {
            **_page_meta(floor),
            **self.healthz_runs[0],
            "rps": healthz_rps,
            "rps_runs": [round(r["rps"], 1) for r in self.healthz_runs],
        }
        for page in pages.values():
            page["ratio"] = page["rps"] / healthz_rps if healthz_rps else None
            if page.get("budget") is not None:
                page["budget_met"] = page["ratio"] >= page["budget"]
        if profile:
            # While the database is still here: where does the time of each slow page go?
            for key, page in pages.items():
                if page.get("budget_met") is False:
                    page["profile"] = profile_page(self.prepared_file, key, self.prepare_env)
        for page in self.prepared["pages"]:
            if not page.get("available"):
                pages[page["key"]] = {
                    **_page_meta(page),
                    "note": page.get("note", "not available"),
                }
        prepared = self.prepared
        return {
            "database": "PostgreSQL" if self.on_postgres else "SQLite",
            "spec": self.spec,
            "counts": prepared["counts"],
            "users": prepared["users"],
            "answers_of_candidate": prepared["answers_of_candidate"],
            "grade_cards_prepared": prepared["grade_requests"],
            "migrate_seconds": round(self.migrate_s, 1),
            "seed_seconds": round(self.seed_s, 1),
            "worker_peak_rss_mb": [round(m, 1) for m in self.memory],
            "pages": pages,
            "hot_queries": prepared["hot_queries"],
        }

    def drop(self) -> None:
        if self.on_postgres:
            drop_postgres(self.database)


def profile_page(prepared_file: Path, key: str, env: dict) -> dict | None:
    say(f"profiling {key} (it misses its budget)")
    done = subprocess.run(
        [
            PY,
            str(BENCH / "profile_page.py"),
            "--prepared",
            str(prepared_file),
            "--page",
            key,
            "--requests",
            "20",
            "--json",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        say(f"profiling {key} failed: {done.stderr.strip()[-300:]}")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def _page_meta(page: dict) -> dict:
    meta = {k: page.get(k) for k in ("key", "label", "role", "htmx", "budget", "queries")}
    meta["available"] = bool(page.get("available"))
    meta["distinct_paths"] = len(page.get("requests", []))
    return meta


# --- the report ----------------------------------------------------------------------------------

PAGE_ORDER = [
    "healthz",
    "bank_list",
    "question_page",
    "practice_page",
    "card_swap",
    "grade_post",
    "dashboard",
    "mentee_page",
    "admin_list",
]


def met(flag: bool | None) -> str:
    return "—" if flag is None else ("met" if flag else "**not met**")


def report(results: dict) -> str:
    scales = results["scales"]
    names = list(scales)
    lines = [
        "# Benchmark results",
        "",
        f"Run {results['finished_at']} on {results['machine']['cpus']} CPUs "
        f"({results['machine']['python']}, {results['database']}, cache: "
        f"{results.get('cache', 'none')}), load average "
        f"{results['machine']['load_before']} before the run and "
        f"{results['machine']['load_after']} after. wrk {results['wrk']['threads']} threads, "
        f"{results['wrk']['connections']} connections, {results['wrk']['seconds']} s per page "
        f"after a {results['wrk']['warmup']} s warm-up; gunicorn 2 sync workers, DEBUG off.",
        "Ratios are the page's requests per second over /healthz's in the same run "
        "(the mean of the first and last /healthz runs).",
        "",
        "| Page | Scale | Req/s | p50 ms | p95 ms | p99 ms | Queries | ÷ /healthz | Budget | |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for key in PAGE_ORDER:
        for name in names:
            page = scales[name]["pages"].get(key)
            if page is None:
                continue
            if not page.get("available"):
                lines.append(
                    f"| {page['label']} | {name} | {page.get('note', 'not available')} "
                    "| | | | | | | |"
                )
                continue
            budget = f"≥ {page['budget']:.2f}" if page.get("budget") is not None else "floor"
            not_ok = f" ({page['not_200']} not 200)" if page.get("not_200") else ""
            lines.append(
                f"| {page['label']} | {name} | {page['rps']:.1f}{not_ok} | {page['p50_ms']:.1f} "
                f"| {page['p95_ms']:.1f} | {page['p99_ms']:.1f} | {page.get('queries', '')} "
                f"| {page['ratio']:.3f} | {budget} | {met(page.get('budget_met'))} |"
            )
    if {"small", "large"} <= set(names):
        lines += [
            "",
            f"## Large over small (budget ≥ {LARGE_OVER_SMALL})",
            "",
            "| Page | Small req/s | Large req/s | Large/small | Queries small → large | |",
            "|---|---:|---:|---:|---|---|",
        ]
        for key in PAGE_ORDER:
            small = scales["small"]["pages"].get(key, {})
            large = scales["large"]["pages"].get(key, {})
            if not (small.get("available") and large.get("available")):
                continue
            ratio = large["rps"] / small["rps"] if small["rps"] else 0
            lines.append(
                f"| {large['label']} | {small['rps']:.1f} | {large['rps']:.1f} | {ratio:.2f} "
                f"| {small.get('queries')} → {large.get('queries')} "
                f"| {met(ratio >= LARGE_OVER_SMALL)} |"
            )
    lines += ["", f"## Worker memory (budget < {WORKER_MEMORY_MB} MB peak RSS)", ""]
    for name in names:
        rss = scales[name]["worker_peak_rss_mb"]
        peak = max(rss) if rss else None
        lines.append(
            f"- {name}: peak RSS of the gunicorn workers "
            f"{', '.join(f'{m:.1f}' for m in rss)} MB: "
            f"{met(None if peak is None else peak < WORKER_MEMORY_MB)}"
        )
    profiled = [
        (name, scales[name]["pages"][key])
        for name in names
        for key in PAGE_ORDER
        if scales[name]["pages"].get(key, {}).get("profile")
    ]
    if profiled:
        lines += [
            "",
            "## Where the time goes (pages that miss their budget)",
            "",
            "In-process, one request at a time (bench/profile_page.py), milliseconds per "
            "request: SQL as timed around each statement; Python is everything else; the "
            "slowest statement; the functions with the most own time (cProfile). Run "
            "`bench/run.py --keep-db` and bench/profile_page.py for the whole picture.",
            "",
        ]
        for name, page in profiled:
            profile = page["profile"]
            top = "; ".join(
                f"`{f['function']}` {f['own_ms_per_request']} ms"
                for f in profile["top_functions"][:4]
            )
            slowest = profile.get("slowest_queries", [{}])[0]
            lines.append(
                f"- {page['label']} ({name}): {profile['ms_per_request']} ms: SQL "
                f"{profile['sql_ms_per_request']} ms, Python "
                f"{profile.get('python_ms_per_request')} ms (templates, with the queries they "
                f"run, {profile['template_ms_per_request']} ms). Slowest statement "
                f"{slowest.get('ms_per_request')} ms: `{slowest.get('sql', '')[:140]}…`. "
                f"Most own time: {top}."
            )
    lines += ["", "## Data", ""]
    for name in names:
        scale = scales[name]
        counts = scale["counts"]
        lines.append(
            f"- {name}: {counts['questions']:,} questions, {counts['users']:,} users, "
            f"{counts['answers']:,} answers, {counts['review_cards']:,} review cards; seeded in "
            f"{scale['seed_seconds']} s ({scale['database']}), migrated in "
            f"{scale['migrate_seconds']} s. Pages viewed as {scale['users']['candidate']} "
            f"({scale['answers_of_candidate']:,} answers), {scale['users']['practiser']} "
            f"(practice pages), {scale['users']['mentor']} and {scale['users']['editor']}. "
            f"Grade POSTs: {scale['pages'].get('grade_post', {}).get('sent', 0):,} sent over "
            f"{scale['grade_cards_prepared']:,} fresh cards."
        )
    hot = results["scales"].get("large", results["scales"][names[-1]])["hot_queries"]
    if hot:
        lines += [
            "",
            "## Hot queries at the large scale (EXPLAIN ANALYZE, PostgreSQL)",
            "",
            "| Query | Indexes used | Sequential scans | ms |",
            "|---|---|---|---:|",
        ]
        for query in hot:
            lines.append(
                f"| {query['query']} | {', '.join(query.get('indexes', [])) or '**none**'} "
                f"| {', '.join(query.get('seq_scans', [])) or '—'} "
                f"| {query.get('execution_ms') if query.get('execution_ms') is not None else ''} |"
            )
        lines.append("")
        lines.append("The full plans are in results.json (`hot_queries`).")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description="Prep's benchmark (see bench/README.md).")
    parser.add_argument("--scales", default="small,large", help="comma-separated: small,large")
    parser.add_argument("--seconds", type=int, default=10, help="wrk run per page (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up per page (default 2)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--no-profile",
        dest="profile",
        action="store_false",
        help="do not profile the pages that miss their budget",
    )
    parser.add_argument("--sqlite", action="store_true", help="use SQLite even if PostgreSQL runs")
    parser.add_argument("--keep-db", action="store_true", help="keep the bench database after")
    parser.add_argument("--out", default=str(BENCH), help="folder for results.md/json")
    args = parser.parse_args()
    names = [n.strip() for n in args.scales.split(",") if n.strip()]
    unknown = set(names) - set(SCALES)
    if unknown:
        raise SystemExit(f"Unknown scale(s): {', '.join(sorted(unknown))}")

    started = time.perf_counter()
    WORK.mkdir(parents=True, exist_ok=True)
    wrk = ensure_wrk()
    on_postgres = not args.sqlite and postgres_reachable()
    if on_postgres:
        say(f"PostgreSQL answers at {PG_SERVER}: benchmarking on {PG_DATABASE}_<scale>")
    else:
        say(
            "PostgreSQL is not reachable (or --sqlite): benchmarking on SQLite instead; "
            "the figures are not comparable with PostgreSQL ones"
        )
    on_redis = redis_reachable()
    say(
        f"Redis answers at {REDIS_SERVER}: sessions and unread counts in the cache, as in "
        "production"
        if on_redis
        else "no Redis (BENCH_REDIS): sessions and unread counts from the database"
    )
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DEBUG_TOOLBAR", "REDIS_URL"}},
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "prep.settings",
        "CONN_MAX_AGE": "600",
    }
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    say("collecting static files")
    manage({**env, "DATABASE_URL": "sqlite:///:memory:"}, "collectstatic", "--noinput", "-v0")

    results = {
        "database": "PostgreSQL" if on_postgres else "SQLite",
        "cache": "Redis" if on_redis else "none (per-process memory)",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_before": load_before,
        },
        "wrk": {
            "threads": args.threads,
            "connections": args.connections,
            "seconds": args.seconds,
            "warmup": args.warmup,
        },
        "scales": {},
    }
    scales: list[Scale] = []
    try:
        for name in names:
            scale = Scale(name, SCALES[name], env, on_postgres, on_redis)
            scales.append(scale)
            scale.build(args)
        say("starting gunicorn for every scale; each page is measured at every scale in turn")
        for scale in scales:
            scale.start()
        order = ["healthz", *[k for k in PAGE_ORDER if k != "healthz"], "healthz"]
        for key in order:
            for scale in scales:
                scale.measure(key, wrk, args)
        for scale in scales:
            scale.stop()
        for scale in scales:
            results["scales"][scale.name] = scale.finish(
                args, profile=args.profile and scale.name == names[-1]
            )
    finally:
        for scale in scales:
            scale.stop()
            if not args.keep_db:
                scale.drop()
    results["finished_at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    results["machine"]["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    results["total_seconds"] = round(time.perf_counter() - started, 1)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    table = report(results)
    (out / "results.md").write_text(table)
    print()
    print(table)
    say(f"done in {results['total_seconds']:.0f} s: {out / 'results.md'}, {out / 'results.json'}")


if __name__ == "__main__":
    main()
