"""`make bench`: Prep's main pages under load, at two data scales, against Django's own floors.

It builds one database per scale (small: 1,000 questions / 100 users / 20,000 answers; large:
10,000 / 1,000 / 200,000) on PostgreSQL when a server answers on 127.0.0.1:5432, else on SQLite
(and says so): migrate, `manage.py seed_demo`, then bench/prepare.py picks the users and makes the
fixtures. It starts one gunicorn per scale (2 workers, DEBUG off, the benchmark's URLconf in
bench/site/) and drives every page with wrk at each scale in turn, the floors (/healthz and the
signed-in floor, as a page and as an htmx request) first and last; writes bench/results.md and
bench/results.json and prints the table.

With `--baseline REV` (`make bench BASELINE=REV`) it does all of that for the commit REV too, from
a worktree in bench/.work/ served by the same venv, and drives each page on the baseline and then
on the current tree straight away: the report gives each page's current ÷ baseline. Issue 15's
guards are judged from the run's ratios and reported as met or not met. See bench/README.md.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import report  # noqa: E402
from bench.common import (  # noqa: E402
    BENCH,
    PG_SERVER,
    PY,
    RESULTS_MD,
    WORK,
    child_pids,
    drop_postgres,
    free_port,
    manage,
    memory_mb,
    recreate_postgres,
    sections_starting,
    start_gunicorn,
    stop_process,
)

LUA = BENCH / "wrk" / "requests.lua"
# The benchmark's own Django site (production's settings, its URLconf with the signed-in floor),
# importable by every tree it serves: this folder goes on PYTHONPATH after the tree's own root.
SITE = BENCH / "site"
SETTINGS_MODULE = "bench_site.settings"

SCALES = {
    "small": {"questions": 1_000, "users": 100, "answers": 20_000},
    "large": {"questions": 10_000, "users": 1_000, "answers": 200_000},
}
# prep_bench_small, prep_bench_large; the baseline's prep_bench_base_small, prep_bench_base_large.
PG_DATABASE = {"current": "prep_bench", "baseline": "prep_bench_base"}
# The cache, as production has it (settings.py: sessions in Redis): one Redis database
# per tree and scale, emptied at the start of every run. BENCH_REDIS="" runs without.
REDIS_SERVER = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")
REDIS_DATABASES = {"current": {"small": 14, "large": 15}, "baseline": {"small": 12, "large": 13}}
# Sections of results.md that other scripts write (bench/runner.py, bench/analysis.py,
# bench/heatmap.py): kept when this script rewrites the top of the file.
OTHER_SECTIONS = (
    "## The Python runner (browser)",
    "## Item analysis",
    "## Dashboard heatmap",
    "## The filter menus' widget",
)


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- the trees: the working tree, and the baseline commit in a worktree ---------------------------


def git(*args: str, cwd: Path = ROOT) -> str:
    """git's output. Raises SystemExit with git's own message when it fails."""
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def shorten(subject: str, width: int = 90) -> str:
    """A commit's subject cut at a word before `width` characters."""
    return textwrap.shorten(subject, width, placeholder=" …")


def commit_of(rev: str) -> str:
    """The full hash of `rev`. Raises SystemExit when the repository has no such commit."""
    found = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if found.returncode != 0:
        raise SystemExit(f"No commit {rev!r} in this repository (git rev-parse)")
    return found.stdout.strip()


def one_venv_serves(rev: str, commit: str) -> list[str]:
    """Check that the venv, built from the working tree's pyproject.toml (and given by hand, at
    the pinned version, what only the commit needs), gives the commit the dependencies it pins;
    the packages only the venv has. Raises SystemExit when it does not."""
    venv = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pinned = tomllib.loads(git("show", f"{commit}:pyproject.toml"))["project"]["dependencies"]
    installed = {d.metadata["Name"]: d.version for d in importlib.metadata.distributions()}
    venv += [pin for pin in report.installed_too(pinned, installed) if pin not in venv]
    differences, extras = report.pin_differences(pinned, venv)
    if differences:
        raise SystemExit(
            f"{rev} ({commit[:12]}) pins other dependencies than the working tree, whose "
            f"pyproject.toml built the venv: {'; '.join(differences)}. One venv cannot serve "
            "both, so the comparison would not be of the code alone: stopping. Pick a commit "
            "with the same pins (git log -- pyproject.toml), or install what it alone pins, at "
            "that version, into the venv for the run."
        )
    return extras


@dataclass
class Tree:
    """Code to serve: the working tree, or a commit checked out in a worktree of bench/.work/."""

    side: str  # "current" or "baseline"
    root: Path
    commit: str | None  # None: the working tree, as it is
    description: str
    made_worktree: bool = False  # this run made the worktree, so it removes it

    @classmethod
    def working_tree(cls) -> Tree:
        head = git("rev-parse", "HEAD")
        changed = git("status", "--porcelain", "--untracked-files=no")
        subject = shorten(git("log", "-1", "--format=%s"))
        description = f"the working tree (HEAD `{head[:7]}` {subject}"
        description += ", with uncommitted changes)" if changed else ")"
        return cls("current", ROOT, None, description)

    @classmethod
    def at_commit(cls, side: str, rev: str, commit: str) -> Tree:
        """A detached worktree of `commit` in bench/.work/ (reused when one is already there)."""
        path = WORK / f"{side}-{commit[:12]}"
        made = False
        if path.exists():
            if git("rev-parse", "HEAD", cwd=path) != commit:
                raise SystemExit(f"{path} is not a worktree of {commit}: remove it and run again")
            say(f"reusing the worktree {path.relative_to(ROOT)} of {commit[:12]}")
        else:
            say(f"checking {rev} ({commit[:12]}) out into {path.relative_to(ROOT)}")
            git("worktree", "add", "--detach", "--quiet", str(path), commit)
            made = True
        subject = shorten(git("log", "-1", "--format=%s", commit))
        return cls(side, path, commit, f"`{commit[:7]}` {subject} (`{rev}`)", made)

    def env(self, base: dict) -> dict:
        return {
            **base,
            # The tree's own code first, then the benchmark's site (bench_site).
            "PYTHONPATH": os.pathsep.join([str(self.root), str(SITE)]),
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "BENCH_APP_ROOT": str(self.root),
        }

    def remove(self) -> None:
        if self.made_worktree:
            git("worktree", "remove", "--force", str(self.root))


# --- the database and the cache ------------------------------------------------------------------


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


def recreate_sqlite(name: str) -> str:
    path = WORK / f"bench-{name}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


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
    wrk: str,
    base_url: str,
    page: dict,
    *,
    seconds: int,
    threads: int,
    connections: int,
    tag: str,
    skip: int = 0,
) -> dict:
    """One wrk run of a page's requests, from the `skip`-th on (POSTs already sent)."""
    requests_file = WORK / f"{tag}-{page['key']}.tsv"
    requests_file.write_text(
        "".join(f"{r['method']}\t{r['path']}\t{r['body']}\n" for r in page["requests"][skip:])
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
    """One tree's database at one scale, its prepared pages and its gunicorn."""

    def __init__(
        self,
        tree: Tree,
        name: str,
        spec: dict,
        env: dict,
        on_postgres: bool,
        on_redis: bool,
        seeded_by: Tree | None = None,
    ):
        self.tree = tree
        # The tree whose migrations and seed_demo write the rows (see build()); then this
        # tree's own migrations bring the schema up to date.
        self.seeded_by = seeded_by or tree
        self.name = name
        self.spec = spec
        self.on_postgres = on_postgres
        self.tag = name if tree.side == "current" else f"{tree.side}-{name}"
        self.database = f"{PG_DATABASE[tree.side]}_{name}"
        url = recreate_postgres(self.database) if on_postgres else recreate_sqlite(self.tag)
        self.env = {**tree.env(env), "DATABASE_URL": url}
        self.seed_env = {**self.seeded_by.env(env), "DATABASE_URL": url}
        if on_redis:
            database = REDIS_DATABASES[tree.side][name]
            self.env["REDIS_URL"] = empty_redis(f"{REDIS_SERVER}/{database}")
        # The test client in prepare.py and profile_page.py talks to "testserver".
        self.prepare_env = {**self.env, "ALLOWED_HOSTS": "127.0.0.1,testserver"}
        self.prepared_file = WORK / f"{self.tag}-prepared.json"
        self.gunicorn: subprocess.Popen | None = None
        self.base_url = ""
        self.runs: dict[str, list[dict]] = {}
        self.posted: dict[str, int] = {}  # per page of POSTs: the requests already sent
        self.memory: list[float] = []

    def build(self, args: argparse.Namespace) -> None:
        spec = self.spec
        say(
            f"=== {self.tree.side}, {self.name}: {spec['questions']:,} questions, "
            f"{spec['users']:,} users, {spec['answers']:,} answers ==="
        )
        cwd, seeder = self.tree.root, self.seeded_by.root
        self.migrate_s = manage(self.seed_env, "migrate", "--noinput", "-v0", cwd=seeder)
        say(f"migrated in {self.migrate_s:.1f} s; seeding")
        self.seed_s = manage(
            self.seed_env,
            "seed_demo",
            f"--questions={spec['questions']}",
            f"--users={spec['users']}",
            f"--answers={spec['answers']}",
            f"--seed={args.seed}",
            cwd=seeder,
        )
        say(f"seeded in {self.seed_s:.1f} s")
        if self.seeded_by is not self.tree:
            # The rows of the baseline's seeder, brought up to this tree's schema by its own
            # migrations, as a production database is upgraded.
            self.migrate_s += manage(self.env, "migrate", "--noinput", "-v0", cwd=cwd)
            say(f"seeded by the {self.seeded_by.side} tree, then migrated by this one")
        say("preparing users and fixtures")
        # The working tree's prepare.py for every tree (the same pages on both), importing the
        # app of the tree it prepares (BENCH_APP_ROOT).
        subprocess.run(
            [
                PY,
                str(BENCH / "prepare.py"),
                "--out",
                str(self.prepared_file),
                f"--seed={args.seed}",
            ],
            cwd=cwd,
            env=self.prepare_env,
            check=True,
        )
        self.prepared = json.loads(self.prepared_file.read_text())
        if Path(self.prepared["app_root"]) != cwd.resolve():
            raise SystemExit(
                f"prepare.py imported the app from {self.prepared['app_root']}, not from "
                f"{cwd}: the {self.tree.side} tree would not be the one measured"
            )

    def start(self) -> None:
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        self.gunicorn = start_gunicorn(
            env=self.env, port=port, log_path=WORK / f"gunicorn-{self.tag}.log", cwd=self.tree.root
        )

    def stop(self) -> None:
        if self.gunicorn is None:
            return
        self.memory = [m for m in map(memory_mb, child_pids(self.gunicorn.pid)) if m]
        stop_process(self.gunicorn)
        self.gunicorn = None

    def page(self, key: str) -> dict | None:
        return next((p for p in self.prepared["pages"] if p["key"] == key), None)

    def measure(
        self, key: str, wrk: str, args: argparse.Namespace, *, seconds: int, warm: bool = True
    ) -> None:
        """Drive one page for `seconds`, after a warm-up unless `warm` is false. A page of POSTs
        is never warmed up and each run goes on from the requests the last one left: every POST
        answers a fresh card."""
        page = self.page(key)
        if page is None or not page.get("available"):
            return
        posts = any(r["method"] == "POST" for r in page["requests"])
        if warm and not posts and args.warmup:
            run_wrk(
                wrk,
                self.base_url,
                page,
                seconds=args.warmup,
                threads=args.threads,
                connections=args.connections,
                tag=f"{self.tag}-warm",
            )
        skip = self.posted.get(key, 0)
        if skip >= len(page["requests"]):
            skip = 0  # no fresh card left: the report shows more sent than prepared
        result = run_wrk(
            wrk,
            self.base_url,
            page,
            seconds=seconds,
            threads=args.threads,
            connections=args.connections,
            tag=self.tag,
            skip=skip,
        )
        if posts:
            # Each thread sends every n-th line: drop as many rounds as the busiest one sent.
            self.posted[key] = skip + result["most_sent_by_a_thread"] * args.threads
        say(
            f"{self.tree.side:<8} {self.name:<5} {page['label']:<30} {result['rps']:8.1f} req/s  "
            f"p50 {result['p50_ms']:6.1f} ms  p99 {result['p99_ms']:6.1f} ms  "
            f"not-200: {result['not_200']}"
        )
        self.runs.setdefault(key, []).append(result)

    def finish(self) -> dict:
        """The scale's figures: a page driven more than once (the floors, at the start and at
        the end; in baseline mode every page, in two halves) gets the mean of its runs'
        throughputs and latencies, and the sum of what they sent."""
        pages: dict[str, dict] = {}
        for page in self.prepared["pages"]:
            key = page["key"]
            runs = self.runs.get(key)
            if not runs:
                pages[key] = {**_page_meta(page), "note": page.get("note", "not available")}
                continue
            pages[key] = {
                **_page_meta(page),
                **runs[0],
                **{
                    name: sum(r[name] for r in runs) / len(runs)
                    for name in ("rps", "mean_ms", "p50_ms", "p95_ms", "p99_ms")
                },
                **{name: sum(r[name] for r in runs) for name in ("requests", "not_200", "sent")},
                "max_ms": max(r["max_ms"] for r in runs),
            }
            if not pages[key]["requests"]:
                pages[key]["note"] = "no request completed: give it more seconds"
            if len(runs) > 1:
                pages[key]["rps_runs"] = [round(r["rps"], 1) for r in runs]
        report.add_floor_ratios(pages)
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

    def profile(self, key: str) -> dict | None:
        return profile_page(self.prepared_file, key, self.prepare_env)

    def drop(self) -> None:
        if self.on_postgres:
            drop_postgres(self.database)


def profile_page(prepared_file: Path, key: str, env: dict) -> dict | None:
    say(f"profiling {key} (it fails a guard)")
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
    meta = {k: page.get(k) for k in ("key", "label", "role", "htmx", "queries")}
    meta["available"] = bool(page.get("available"))
    meta["distinct_paths"] = len(page.get("requests", []))
    return meta


# --- main ----------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Prep's benchmark (see bench/README.md).")
    parser.add_argument(
        "--baseline",
        metavar="REV",
        help="also serve this commit (a worktree in bench/.work/) and report current ÷ baseline",
    )
    parser.add_argument(
        "--current",
        metavar="REV",
        help="measure this commit as the current side instead of the working tree",
    )
    parser.add_argument(
        "--scales",
        default=os.environ.get("BENCH_SCALES") or "small,large",
        help="comma-separated: small,large (default: $BENCH_SCALES or both)",
    )
    parser.add_argument(
        "--seconds",
        type=int,
        default=int(os.environ.get("BENCH_SECONDS") or 10),
        help="wrk run per page (default: $BENCH_SECONDS or 10)",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=int(os.environ.get("BENCH_WARMUP") or 2),
        help="warm-up per page (default: $BENCH_WARMUP or 2)",
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--no-profile",
        dest="profile",
        action="store_false",
        help="do not profile the pages that fail a guard",
    )
    parser.add_argument("--sqlite", action="store_true", help="use SQLite even if PostgreSQL runs")
    parser.add_argument(
        "--keep-db", action="store_true", help="keep the bench databases (and worktrees) after"
    )
    parser.add_argument("--out", default=str(BENCH), help="folder for results.md/json")
    args = parser.parse_args()
    args.names = [n.strip() for n in args.scales.split(",") if n.strip()]
    unknown = set(args.names) - set(SCALES)
    if unknown or not args.names:
        parser.error(f"unknown scale(s): {', '.join(sorted(unknown)) or 'none given'}")
    if args.seconds < 1 or args.warmup < 0:
        parser.error("--seconds must be at least 1 and --warmup at least 0")
    return args


def stop_on_sigterm(signum: int, frame: object) -> None:
    """A run that is told to stop (kill, a CI timeout) still stops its servers, drops its
    databases and removes its worktrees: the `finally` blocks run."""
    raise SystemExit(128 + signum)


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    started = time.perf_counter()
    WORK.mkdir(parents=True, exist_ok=True)

    # The commits first: one the venv cannot serve stops the run before anything is built.
    extras: list[str] = []
    picked = {}
    for side, rev in (("current", args.current), ("baseline", args.baseline)):
        if rev:
            picked[side] = (rev, commit_of(rev))
            extras = one_venv_serves(*picked[side])
    trees: list[Tree] = []
    try:
        if "current" in picked:
            current = Tree.at_commit("current", *picked["current"])
        else:
            current = Tree.working_tree()
        trees.append(current)
        baseline = None
        if "baseline" in picked:
            baseline = Tree.at_commit("baseline", *picked["baseline"])
            trees.insert(0, baseline)  # each pair of runs starts with the baseline
        run(args, trees, current, baseline, extras, started)
    finally:
        if not args.keep_db:
            for tree in trees:
                tree.remove()


def run(
    args: argparse.Namespace,
    trees: list[Tree],
    current: Tree,
    baseline: Tree | None,
    extras: list[str],
    started: float,
) -> None:
    """Build, serve and drive every tree at every scale; write results.json and results.md."""
    names = args.names
    wrk = ensure_wrk()
    on_postgres = not args.sqlite and postgres_reachable()
    if on_postgres:
        say(f"PostgreSQL answers at {PG_SERVER}: benchmarking on prep_bench*_<scale>")
    else:
        say(
            "PostgreSQL is not reachable (or --sqlite): benchmarking on SQLite instead; "
            "the figures are not comparable with PostgreSQL ones"
        )
    on_redis = redis_reachable()
    say(
        f"Redis answers at {REDIS_SERVER}: sessions in the cache, as in production"
        if on_redis
        else "no Redis (BENCH_REDIS): sessions from the database"
    )
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in {"DEBUG_TOOLBAR", "REDIS_URL", "PYTHONPATH"}
        },
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "600",
    }
    # Baseline mode drives each page twice per tree (baseline, current, current, baseline), each
    # run half the time.
    half = max(2, args.seconds // 2) if baseline is not None else None
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    for tree in trees:
        say(f"collecting static files of the {tree.side} tree")
        manage(
            {**tree.env(env), "DATABASE_URL": "sqlite:///:memory:"},
            "collectstatic",
            "--noinput",
            "-v0",
            cwd=tree.root,
        )

    results: dict = {
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
            "halves": half,
        },
        "current": {"description": current.description, "commit": current.commit},
        "scales": {},
    }
    if baseline is not None:
        results["baseline"] = {
            "description": baseline.description,
            "commit": baseline.commit,
            "venv_extras": extras,
            "scales": {},
        }
    scales: dict[tuple[str, str], Scale] = {}
    try:
        for tree in trees:
            for name in names:
                # Both sides hold the same rows: the baseline's seeder writes the current
                # tree's database too (a later seeder draws its random numbers otherwise, and
                # the pages would show other rows: 41 answers on one side's mentee page, 27 on
                # the other's).
                scale = Scale(
                    tree, name, SCALES[name], env, on_postgres, on_redis, seeded_by=baseline
                )
                scales[tree.side, name] = scale
                scale.build(args)
        say("starting gunicorn for every tree and scale; each page is driven on each in turn")
        for scale in scales.values():
            scale.start()
        order = [*report.FLOORS, *report.PAGE_ORDER[len(report.FLOORS) :], *report.FLOORS[::-1]]
        for key in order:
            for name in names:
                if baseline is None:
                    scales["current", name].measure(key, wrk, args, seconds=args.seconds)
                    continue
                # Half the time each, so that a load that rises or falls steadily over the
                # four runs weighs on both sides alike.
                base, current_scale = scales["baseline", name], scales["current", name]
                base.measure(key, wrk, args, seconds=half)
                current_scale.measure(key, wrk, args, seconds=half)
                current_scale.measure(key, wrk, args, seconds=half, warm=False)
                base.measure(key, wrk, args, seconds=half, warm=False)
        for scale in scales.values():
            scale.stop()
        for (side, name), scale in scales.items():
            target = results if side == "current" else results["baseline"]
            target["scales"][name] = scale.finish()
        if baseline is not None:
            results["comparison"] = report.compare(results["scales"], results["baseline"]["scales"])
        results["guards"] = report.guards(results)
        if args.profile:
            # While the databases are still here: where does the time of a failing page go?
            last = names[-1]
            failing = {
                key for guard in results["guards"] for key, name in guard["failing"] if name == last
            }
            for key in sorted(failing, key=report.PAGE_ORDER.index):
                page = results["scales"][last]["pages"][key]
                page["profile"] = scales["current", last].profile(key)
    finally:
        for scale in scales.values():
            scale.stop()
            if not args.keep_db:
                scale.drop()
    results["finished_at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    results["machine"]["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    results["total_seconds"] = round(time.perf_counter() - started, 1)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    table = report.render(results)
    markdown = out / RESULTS_MD.name
    others = sections_starting(markdown.read_text(), OTHER_SECTIONS) if markdown.exists() else ""
    markdown.write_text(table + ("\n" + others if others else ""))
    print()
    print(table)
    say(f"done in {results['total_seconds']:.0f} s: {markdown}, {out / 'results.json'}")


if __name__ == "__main__":
    main()
