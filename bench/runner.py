"""`make bench-runner` (and the end of `make bench`): the in-browser Python runner, in headless
Chromium on this machine, against the app served as in production.

It builds a throwaway SQLite database in bench/.work/ (a candidate, a coding question with 10
tests, study sessions), collects the static files into a temporary STATIC_ROOT with the
production storage (compressed, hashed) and serves the app with gunicorn (2 workers, DEBUG off),
so that Pyodide's files come compressed and with their far-future cache headers. Then, N times:
Chromium with a fresh profile opens a coding card (cold: empty caches), runs the examples, opens
a second card (warm: files from the HTTP cache), runs the examples and submits the 10 tests; the
same 10 tests run under CPython in this process; and the renderer's peak memory is read with and
without the runner. Then another fresh profile opens an ORM exercise (issue 17: Django in the
browser) cold, a second one warm, and submits its reference; the same tests run with the server's
CPython and Django in a subprocess. Writes bench/runner-results.json, puts the table at the end of
bench/results.md ("## The Python runner (browser)") and prints it. See bench/README.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
# This file's folder comes first on sys.path, where this file would shadow the app's `runner`
# package: look in the project instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    PY,
    RESULTS_MD,
    WORK,
    descendants,
    free_port,
    manage,
    memory_mb,
    start_gunicorn,
    stop_process,
    write_section,
)

DATABASE = WORK / "runner.sqlite3"
STATIC_ROOT = WORK / "runner-static"
SETTINGS_DIR = WORK / "runner-settings"
SETTINGS_MODULE = "bench_runner_settings"
RESULTS_JSON = BENCH / "runner-results.json"
SECTION = "## The Python runner (browser)"

CHROMIUM = Path(os.environ.get("BENCH_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 860}
READY = "Python is ready."
ORM_READY = "Python and Django are ready."
READY_TIMEOUT_S = 90
CPYTHON_RUNS = 100  # per repeat
ORM_CPYTHON_RUNS = 30  # per repeat

# What a candidate should feel on this 2-core machine (issue 12), in milliseconds.
TARGETS_MS = {"cold_ready": 8000, "warm_ready": 1500, "submit": 300}
# Issue 17, for the ORM exercises (Django in the browser).
TARGETS_MS |= {"orm_warm_ready": 2000, "orm_submit": 500}

# The ORM exercise: a bank question (kind orm, runtime django), its reference submitted.
ORM_BANK_FILE = ROOT / "questions" / "bank" / "databases-sql.yaml"
ORM_SLUG = "orm-book-list-select-related"

# The exercise: a realistic function over lists, 3 visible tests and 7 hidden ones.
SOLUTION = '''def merge_intervals(intervals):
    """Merge overlapping [start, end] intervals; return them sorted by start."""
    merged = []
    for start, end in sorted(intervals):
        if start > end:
            raise ValueError(f"not an interval: [{start}, {end}]")
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged
'''
STARTER = "def merge_intervals(intervals):\n    ...\n"
TESTS = [
    ("an overlapping pair merges", "assert merge_intervals([[1, 3], [2, 6]]) == [[1, 6]]", False),
    ("no intervals", "assert merge_intervals([]) == []", False),
    (
        "apart intervals stay apart",
        "assert merge_intervals([[1, 2], [4, 5]]) == [[1, 2], [4, 5]]",
        False,
    ),
    ("one interval", "assert merge_intervals([[1, 3]]) == [[1, 3]]", True),
    ("touching ends merge", "assert merge_intervals([[1, 4], [4, 5]]) == [[1, 5]]", True),
    (
        "unsorted input",
        "assert merge_intervals([[8, 10], [1, 3], [2, 6], [15, 18]]) == "
        "[[1, 6], [8, 10], [15, 18]]",
        True,
    ),
    ("a nested interval", "assert merge_intervals([[1, 10], [2, 3], [4, 8]]) == [[1, 10]]", True),
    ("negative numbers", "assert merge_intervals([[-5, -1], [-2, 2]]) == [[-5, 2]]", True),
    (
        "a long chain, input untouched",
        "data = [[i, i + 2] for i in range(200)]\n"
        "copy = [list(pair) for pair in data]\n"
        "assert merge_intervals(data) == [[0, 201]]\n"
        "assert data == copy",
        True,
    ),
    (
        "a backwards interval is refused",
        "with raises(ValueError, match='not an interval'):\n    merge_intervals([[5, 1]])",
        True,
    ),
]
# The baseline's worker: no Python, it answers "load" with "failed" (the page says so).
BASELINE_WORKER = (
    'self.onmessage = () => self.postMessage({type: "failed", message: "the bench\'s baseline"});'
)
VISIBLE = sum(1 for *_, hidden in TESTS if not hidden)

# Timestamps taken inside the page (performance.now(): ms since the navigation started), so that
# neither Playwright's round trips nor its polling count: when the runner's status first says
# READY, when a Run/Submit button is clicked, and when each results heading first appears after
# that click (a MutationObserver callback runs right after the script that changed the DOM).
MARKS_SCRIPT = """
(() => {
  const marks = {
    ready: null, orm_ready: null, restored: null, failed: null, click: null, seen: {},
  };
  Object.defineProperty(window, "__prepBench", { value: marks });
  const look = () => {
    const now = performance.now();
    const status = document.querySelector("[data-runner-status]");
    if (status) {
      const text = status.textContent.trim();
      if (marks.ready === null && text === "READY") marks.ready = now;
      if (marks.orm_ready === null && text === "ORM_READY") marks.orm_ready = now;
      const block = status.closest("[data-code-runner]");
      if (marks.restored === null && block && block.dataset.restored) {
        marks.restored = block.dataset.restored === "true";
      }
      const failed = /^(Python|Django) could not start/.test(text);
      if (marks.failed === null && failed) marks.failed = now;
    }
    for (const heading of document.querySelectorAll(".test-results h3")) {
      const text = heading.textContent.trim();
      if (!(text in marks.seen)) marks.seen[text] = now;
    }
  };
  const all = { subtree: true, childList: true, characterData: true };
  new MutationObserver(look).observe(document, all);
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("[data-run], [data-submit]");
    if (!button) return;
    const kind = button.hasAttribute("data-submit") ? "submit" : "run";
    marks.click = { kind, at: performance.now() };
    marks.seen = {};
  }, true);
})();
""".replace("ORM_READY", ORM_READY).replace("READY", READY)


def say(message: str) -> None:
    print(f"[bench-runner {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- the app: database, static files, gunicorn ---------------------------------------------------


def app_environment() -> dict:
    """The environment of every Django process of the run (this one included)."""
    return {
        **{k: v for k, v in os.environ.items() if k not in {"DEBUG_TOOLBAR", "REDIS_URL"}},
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": f"sqlite:///{DATABASE}",
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "PYTHONPATH": os.pathsep.join([str(SETTINGS_DIR), str(ROOT)]),
        # Playwright's sync API runs an event loop in this thread; the ORM would refuse to run.
        "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
    }


def write_settings() -> None:
    """prep.settings with STATIC_ROOT in bench/.work/ (the app's own staticfiles/ is left alone)."""
    SETTINGS_DIR.mkdir(parents=True, exist_ok=True)
    (SETTINGS_DIR / f"{SETTINGS_MODULE}.py").write_text(
        '"""Written by bench/runner.py: production settings, static files in bench/.work/."""\n'
        "from prep.settings import *  # noqa: F403\n\n"
        f"STATIC_ROOT = {str(STATIC_ROOT)!r}\n"
    )


def orm_exercise() -> dict:
    """The ORM exercise from the bank file, as written there."""
    import yaml

    bank = yaml.safe_load(ORM_BANK_FILE.read_text(encoding="utf-8"))
    found = [q for q in bank["questions"] if q.get("slug") == ORM_SLUG]
    if not found or found[0].get("kind") != "orm":
        raise SystemExit(f"No ORM exercise {ORM_SLUG} in {ORM_BANK_FILE.relative_to(ROOT)}")
    return found[0]


def build_data(repeats: int) -> dict:
    """The candidate, the questions and the sessions, in this process (Django set up here)."""
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from accounts.models import User
    from practice import services
    from practice.models import SessionItem
    from questions.models import CodeTest, Difficulty, Kind, Question, Status, Topic

    candidate = User.objects.create_user(
        username="bench-runner", email="bench-runner@bench.invalid", password=None
    )
    topic = Topic.objects.create(slug="bench-runner", name="Bench runner")
    coding = Question.objects.create(
        title="Merge overlapping intervals",
        slug="bench-merge-intervals",
        kind=Kind.CODING,
        difficulty=Difficulty.MEDIUM,
        status=Status.PUBLISHED,
        topic=topic,
        prompt="Write `merge_intervals(intervals)`: merge the overlapping `[start, end]` "
        "intervals of a list and return them sorted by start. Refuse a backwards interval "
        "with `ValueError`.",
        answer="Sort by start, then extend the last merged interval or start a new one.",
        key_points="Sorts first\nExtends the last interval\nO(n log n)",
        starter_code=STARTER,
        solution_code=SOLUTION,
        published_at=timezone.now(),
    )
    for position, (name, code, hidden) in enumerate(TESTS):
        CodeTest.objects.create(
            question=coding, name=name, code=code, is_hidden=hidden, position=position
        )
    exercise = orm_exercise()
    orm = Question.objects.create(
        title=exercise["title"],
        slug=f"bench-{ORM_SLUG}",
        kind=Kind.ORM,
        difficulty=exercise["difficulty"],
        status=Status.PUBLISHED,
        topic=topic,
        prompt=exercise["prompt"],
        answer=exercise["answer"],
        key_points="\n".join(exercise.get("key_points", [])),
        starter_code=exercise["starter_code"],
        solution_code=exercise["solution_code"],
        published_at=timezone.now(),
    )
    if orm.runtime != "django":
        raise SystemExit(f"The ORM exercise's runtime is {orm.runtime!r}, not django")
    for position, test in enumerate(exercise["tests"]):
        CodeTest.objects.create(
            question=orm,
            name=test["name"],
            code=test["code"],
            is_hidden=bool(test.get("hidden")),
            position=position,
        )
    concept = Question.objects.create(
        title="What is a generator?",
        slug="bench-generator",
        kind=Kind.CONCEPT,
        status=Status.PUBLISHED,
        topic=topic,
        prompt="Explain what a generator is and when you would write one.",
        answer="A function that yields values lazily.",
        key_points="Lazy\nyield\nIterator protocol",
        published_at=timezone.now(),
    )

    def session(question) -> dict:
        made = services.start_session_with_questions(
            user=candidate, mode="study", questions=[question]
        )
        item = made.items.get()
        if question.solution_code:
            # The candidate's code is already in the editor (as a saved draft would be).
            SessionItem.objects.filter(pk=item.pk).update(response=question.solution_code)
        return {"session": made.pk, "item": item.pk, "path": f"/practice/{made.pk}/"}

    # Per repeat (plus one warm-up): a card opened cold, and a card opened warm and submitted;
    # the same for the ORM exercise, in a browser of its own.
    rounds = [
        {
            "cold": session(coding),
            "warm": session(coding),
            "orm_cold": session(orm),
            "orm_warm": session(orm),
        }
        for _ in range(repeats + 1)
    ]
    client = Client()
    client.force_login(candidate)
    return {
        "rounds": rounds,
        "concept": session(concept),
        "orm": {
            "code": exercise["solution_code"],
            "tests": [{"name": t["name"], "code": t["code"]} for t in exercise["tests"]],
        },
        "session_cookie": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "session_cookie_name": settings.SESSION_COOKIE_NAME,
        "csrf_cookie_name": settings.CSRF_COOKIE_NAME,
        # A CSRF secret of our own: Django keeps it (it only sets the cookie when there is none).
        "csrf_cookie": get_random_string(32),
    }


def remove_database() -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DATABASE}{suffix}").unlink(missing_ok=True)


def stored_results(item_pks: list[int]) -> dict[int, list[dict]]:
    """The per-test results each Submit stored (the harness's own durations, from Pyodide)."""
    from practice.models import SessionItem

    return dict(SessionItem.objects.filter(pk__in=item_pks).values_list("pk", "test_results"))


class Server:
    """gunicorn serving the app as in production (2 sync workers, DEBUG off)."""

    def __init__(self, env: dict):
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self) -> None:
        self.process = start_gunicorn(
            env=self.env, port=self.port, log_path=WORK / "gunicorn-runner.log"
        )

    def stop(self) -> None:
        stop_process(self.process)
        self.process = None


def served_files(base_url: str, pyodide_version: str) -> dict:
    """How the server answers for the runtime's files: encoding, size on the wire, caching."""
    files = {}
    for name in ("pyodide.asm.wasm", "python_stdlib.zip", "pyodide.asm.mjs", "pyodide.mjs"):
        url = f"{base_url}/static/pyodide/{pyodide_version}/{name}"
        request = urllib.request.Request(url, headers={"Accept-Encoding": "br, gzip"})
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
            files[name] = {
                "bytes_on_wire": len(body),
                "content_encoding": response.headers.get("Content-Encoding") or "identity",
                "cache_control": response.headers.get("Cache-Control"),
            }
    return files


# --- Chromium's processes and CPU time -----------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def is_renderer(pid: int) -> bool:
    try:
        return b"--type=renderer" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def cpu_ms(stat_path: Path) -> float:
    """utime + stime of a process or thread, in ms (10 ms steps)."""
    fields = stat_path.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / CLOCK_TICKS


def machine_busy_ms() -> float:
    """CPU time the whole machine has spent busy, summed over its CPUs (ms)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) * 1000 / CLOCK_TICKS


class CpuWindow:
    """The CPU time spent between start() and stop(): by this browser's processes (its page's
    renderer, the worker's thread in it), by this script and its children (gunicorn, Chromium)
    and by everything else on the machine (other people's work on a shared machine)."""

    def __init__(self, browser: Profile):
        self.browser = browser

    def snapshot(self) -> dict:
        threads, ours = {}, 0.0
        mine = set(self.browser.pids())
        for pid in [os.getpid(), *descendants(os.getpid())]:
            try:
                ours += cpu_ms(Path(f"/proc/{pid}/stat"))
                if pid not in mine:
                    continue
                renderer = is_renderer(pid)
                for task in Path(f"/proc/{pid}/task").iterdir():
                    comm = (task / "comm").read_text().strip()
                    threads[(pid, int(task.name))] = (renderer, comm, cpu_ms(task / "stat"))
            except OSError:  # it ended meanwhile
                continue
        return {
            "at": time.perf_counter(),
            "machine": machine_busy_ms(),
            "ours": ours,
            "threads": threads,
        }

    def start(self) -> None:
        self.first = self.snapshot()

    def stop(self) -> dict:
        last = self.snapshot()
        worker = renderer = browser = 0.0
        for key, (in_renderer, comm, used) in last["threads"].items():
            spent = used - self.first["threads"].get(key, (None, None, 0.0))[2]
            if spent <= 0:
                continue
            browser += spent
            if in_renderer:
                renderer += spent
                if comm.startswith("DedicatedWorker"):
                    worker += spent
        wall_ms = (last["at"] - self.first["at"]) * 1000
        others = (last["machine"] - self.first["machine"]) - (last["ours"] - self.first["ours"])
        return {
            "worker_thread_cpu_ms": worker,
            "renderer_cpu_ms": renderer,
            "chromium_cpu_ms": browser,
            "others_cores": max(0.0, others / wall_ms) if wall_ms else 0.0,
        }


# --- the browser ---------------------------------------------------------------------------------


class Profile:
    """Chromium with a fresh profile of its own (an empty folder): an empty HTTP cache and an
    empty V8 code cache, both on disk as in a candidate's browser. (A Playwright context from
    browser.new_context() is like a private window: it keeps no compiled WebAssembly, so every
    "warm" start there would compile Pyodide again, which a candidate's browser does not.)"""

    def __init__(self, playwright, name: str, base_url: str, data: dict, problems: list[str]):
        self.folder = WORK / "runner-profiles" / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.problems = problems
        self.before = set(descendants(os.getpid()))
        self.context = playwright.chromium.launch_persistent_context(
            str(self.folder),
            executable_path=str(CHROMIUM),
            args=LAUNCH_ARGS,
            base_url=base_url,
            viewport=VIEWPORT,
        )
        self.context.add_cookies(
            [
                {
                    "name": data["session_cookie_name"],
                    "value": data["session_cookie"],
                    "url": base_url,
                    "httpOnly": True,
                    "sameSite": "Lax",
                },
                # A CSRF secret of our own: Django keeps it (it sets the cookie only when there
                # is none), so the Submit's POST passes without a cookie from the server.
                {"name": data["csrf_cookie_name"], "value": data["csrf_cookie"], "url": base_url},
            ]
        )
        self.context.add_init_script(MARKS_SCRIPT)
        self.context.set_default_timeout(READY_TIMEOUT_S * 1000)
        self.context.on("page", self.watch)
        self.page = self.context.pages[0] if self.context.pages else self.context.new_page()
        self.watch(self.page)

    def watch(self, page) -> None:
        def console(message):
            if message.type == "error":
                self.problems.append(f"console error: {message.text} ({page.url})")

        page.on("console", console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def pids(self) -> list[int]:
        return [pid for pid in descendants(os.getpid()) if pid not in self.before]

    def renderer(self) -> int:
        """The page's renderer: this browser's largest (Chromium may keep a small spare)."""
        pids = [pid for pid in self.pids() if is_renderer(pid)]
        if not pids:
            raise SystemExit("No Chromium renderer process found under this script")
        return max(pids, key=lambda pid: memory_mb(pid, "VmRSS") or 0.0)

    def renderer_memory(self) -> dict:
        pid = self.renderer()
        return {"peak_mb": memory_mb(pid, "VmHWM") or 0.0, "now_mb": memory_mb(pid, "VmRSS") or 0.0}

    def close(self) -> None:
        """Close the browser and wait until its processes are gone, so none is counted later."""
        pids = self.pids()
        self.context.close()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in pids):
            time.sleep(0.05)
        shutil.rmtree(self.folder, ignore_errors=True)


def marks(page) -> dict:
    return page.evaluate("() => window.__prepBench")


def wait_for(page, expression: str, what: str, timeout_s: float = READY_TIMEOUT_S):
    """Poll the page (its own timestamps are what count, not when this loop sees them)."""
    deadline = time.monotonic() + timeout_s
    script = f"() => {{ const m = window.__prepBench; return [{expression}, m.failed]; }}"
    while time.monotonic() < deadline:
        try:
            value, failed = page.evaluate(script)
        except PlaywrightError:  # the navigation replaced the document meanwhile
            time.sleep(0.02)
            continue
        if value:
            return value
        if failed:
            status = page.locator("[data-runner-status]").first.text_content()
            raise SystemExit(f"The runner failed while waiting for {what}: {status}")
        time.sleep(0.02)
    raise SystemExit(f"Timed out after {timeout_s:.0f} s waiting for {what} on {page.url}")


def open_card(page, path: str, orm: bool = False) -> float:
    """Open a card page; ms from the navigation's start to the status saying READY (ORM_READY
    for an ORM exercise)."""
    page.goto(path, wait_until="commit")
    if orm:
        return wait_for(page, "m.orm_ready", f"“{ORM_READY}”")
    return wait_for(page, "m.ready", f"“{READY}”")


def restored(page) -> bool:
    """Whether the card's Python (with its runtime) started from the browser's snapshot."""
    return bool(page.evaluate("window.__prepBench.restored"))


def click_and_time(page, selector: str, heading: str, then: str | None = None) -> dict:
    """Click a runner button; ms from the click to `heading` (and to `then`) appearing."""
    page.locator(selector).click()
    wait_for(page, f"m.seen[{json.dumps(heading)}] !== undefined", heading, 30)
    if then:
        wait_for(page, f"m.seen[{json.dumps(then)}] !== undefined", then, 30)
    found = marks(page)
    timed = {"to_results_ms": found["seen"][heading] - found["click"]["at"]}
    if then:
        timed["to_stored_ms"] = found["seen"][then] - found["click"]["at"]
    return timed


def describe_requests(requests: list, origin_epoch_ms: float) -> list[dict]:
    """The requests of one page load: what was transferred and when (ms after navigation)."""
    described = []
    for request in requests:
        try:
            sizes = request.sizes()
            response = request.response()
        except PlaywrightError:  # the page went away before its size was read
            continue
        timing = request.timing
        start = timing["startTime"] - origin_epoch_ms
        end = start + timing["responseEnd"] if timing["responseEnd"] >= 0 else None
        described.append(
            {
                "url": request.url.split("://", 1)[-1].split("/", 1)[-1],
                "status": response.status if response else None,
                "encoding": (response.headers.get("content-encoding") if response else None)
                or "identity",
                # From the cache Chromium reports nothing transferred (Playwright: sizes < 0).
                "transferred": max(0, sizes["responseBodySize"] + sizes["responseHeadersSize"]),
                "body": max(0, sizes["responseBodySize"]),
                "start_ms": round(start, 1),
                "end_ms": round(end, 1) if end is not None else None,
            }
        )
    return described


def runtime_requests(described: list[dict]) -> list[dict]:
    """What the runner needs: its worker script, Pyodide's files, the harness."""
    return [
        r
        for r in described
        if "/pyodide/" in r["url"] or "runner/worker.js" in r["url"] or "harness" in r["url"]
    ]


def start_phases(described: list[dict], ready_ms: float) -> dict:
    """Where a start spends its time, from the worker's requests (ms after navigation): the
    page until it starts the worker; the worker's script and its download of the two large
    files; Pyodide's own start (importing pyodide.mjs, compiling and instantiating the
    WebAssembly, mounting the standard library, initialising CPython and Pyodide's modules)
    until it asks for the harness; the harness's import and the ready message."""

    def first(fragment: str) -> float | None:
        hits = [r["start_ms"] for r in described if fragment in r["url"]]
        return min(hits) if hits else None

    worker = first("runner/worker.js")
    # The worker's own download of the two large files: the first request of each.
    downloads = [
        min(
            (r for r in described if r["url"].endswith(name)),
            key=lambda r: r["start_ms"],
            default=None,
        )
        for name in ("pyodide.asm.wasm", "python_stdlib.zip")
    ]
    harness = first("runner/harness")
    if worker is None or harness is None or not all(d and d["end_ms"] for d in downloads):
        return {}
    downloaded = max(d["end_ms"] for d in downloads)
    return {
        "page_until_worker_ms": round(worker, 1),
        "worker_script_and_large_files_ms": round(downloaded - worker, 1),
        "pyodide_start_ms": round(harness - downloaded, 1),
        "harness_import_and_ready_ms": round(ready_ms - harness, 1),
    }


def one_round(playwright, number: int, base_url: str, data: dict, problems: list) -> dict:
    """One repeat: a fresh browser profile opens a card cold and runs the examples (its memory
    is read then); it opens a second card warm, runs the examples and submits; then two fresh
    profiles give the memory baselines."""
    cards = data["rounds"][number]
    out: dict = {}
    browser = Profile(playwright, f"round-{number}", base_url, data, problems)
    page = browser.page
    requests: list = []
    browser.context.on("requestfinished", lambda request: requests.append(request))
    cpu = CpuWindow(browser)

    # Cold: an empty HTTP cache and code cache.
    cpu.start()
    out["cold_ready_ms"] = open_card(page, cards["cold"]["path"])
    out["cold_cpu"] = cpu.stop()
    cold_requests = describe_requests(requests, page.evaluate("performance.timeOrigin"))
    runtime = runtime_requests(cold_requests)
    out["cold_bytes"] = sum(r["transferred"] for r in cold_requests)
    out["cold_runtime_bytes"] = sum(r["transferred"] for r in runtime)
    out["cold_runtime_requests"] = runtime
    out["cold_phases"] = start_phases(cold_requests, out["cold_ready_ms"])
    out["first_run"] = click_and_time(
        page, "[data-run]", f"Examples: {VISIBLE} of {VISIBLE} passed"
    )
    out["renderer_with_runner"] = browser.renderer_memory()

    # Warm: the same profile (its HTTP cache and code cache), another card.
    requests.clear()
    cpu.start()
    out["cold_restored"] = restored(page)
    out["warm_ready_ms"] = open_card(page, cards["warm"]["path"])
    out["warm_restored"] = restored(page)
    out["warm_cpu"] = cpu.stop()
    warm_requests = describe_requests(requests, page.evaluate("performance.timeOrigin"))
    out["warm_runtime_bytes"] = sum(r["transferred"] for r in runtime_requests(warm_requests))
    out["warm_phases"] = start_phases(warm_requests, out["warm_ready_ms"])
    out["run"] = click_and_time(page, "[data-run]", f"Examples: {VISIBLE} of {VISIBLE} passed")
    total = len(TESTS)
    out["submit"] = click_and_time(
        page,
        "[data-submit]",
        f"Submitted: {total} of {total} passed",
        then=f"Your submission: {total} of {total} passed",
    )
    out["submitted_item"] = cards["warm"]["item"]
    browser.close()

    # Baselines: the same card page with a worker that has no Python (the page, the editor,
    # a worker thread), and a card page without code.
    browser = Profile(playwright, f"round-{number}-no-python", base_url, data, problems)
    browser.context.route(
        "**/runner/worker.js",
        lambda route: route.fulfill(
            status=200, content_type="text/javascript", body=BASELINE_WORKER
        ),
    )
    browser.page.goto(cards["cold"]["path"])
    wait_for(browser.page, "m.failed", "the baseline worker's answer", 30)
    browser.page.locator(".cm-editor").first.wait_for()
    browser.page.wait_for_load_state("networkidle")
    out["renderer_without_python"] = browser.renderer_memory()
    browser.close()
    browser = Profile(playwright, f"round-{number}-no-code", base_url, data, problems)
    browser.page.goto(data["concept"]["path"])
    browser.page.wait_for_load_state("networkidle")
    out["renderer_without_code_card"] = browser.renderer_memory()
    browser.close()

    # The ORM exercise (issue 17): a fresh profile opens one cold (Pyodide and Django's archive
    # downloaded), then a second one warm (from the HTTP cache) and submits the reference.
    browser = Profile(playwright, f"round-{number}-orm", base_url, data, problems)
    page = browser.page
    requests.clear()
    browser.context.on("requestfinished", lambda request: requests.append(request))
    out["orm_cold_ready_ms"] = open_card(page, cards["orm_cold"]["path"], orm=True)
    cold_requests = describe_requests(requests, page.evaluate("performance.timeOrigin"))
    out["orm_cold_wheels_bytes"] = sum(
        r["transferred"] for r in cold_requests if "runner-django/" in r["url"]
    )
    out["orm_cold_restored"] = restored(page)
    out["orm_warm_ready_ms"] = open_card(page, cards["orm_warm"]["path"], orm=True)
    out["orm_warm_restored"] = restored(page)
    total = len(data["orm"]["tests"])
    out["orm_submit"] = click_and_time(
        page,
        "[data-submit]",
        f"Submitted: {total} of {total} passed",
        then=f"Your submission: {total} of {total} passed",
    )
    out["orm_submitted_item"] = cards["orm_warm"]["item"]
    browser.close()
    return out


# --- CPython -------------------------------------------------------------------------------------


def load_harness():
    spec = importlib.util.spec_from_file_location(
        "prep_harness", ROOT / "runner" / "browser" / "harness.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cpython_round(harness, tests: list[dict], runs: int) -> tuple[list[float], list[float]]:
    """`runs` timings (ms) of run_tests over the 10 tests, and the harness's own summed
    per-test durations of each."""
    wall, summed = [], []
    for _ in range(runs):
        started = time.perf_counter()
        report = harness.run_tests(SOLUTION, tests)
        wall.append((time.perf_counter() - started) * 1000)
        if report["status"] != "pass":
            raise SystemExit(f"The reference solution fails under CPython: {report}")
        summed.append(sum(r["duration_ms"] for r in report["results"]))
    return wall, summed


# The ORM exercise's tests under the server's CPython and Django: in a subprocess, since the ORM
# runtime configures Django itself (settings.configure) and this process has the app's settings.
# Django's setup and a warm-up are not timed; then each run_tests call is.
ORM_CPYTHON_PROGRAM = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
import harness
job = json.load(sys.stdin)
harness.prepare_runtime("django")
for _ in range(5):
    harness.run_tests(job["code"], job["tests"], runtime="django")
wall, summed = [], []
for _ in range(job["runs"]):
    started = time.perf_counter()
    report = harness.run_tests(job["code"], job["tests"], runtime="django")
    wall.append((time.perf_counter() - started) * 1000)
    if report["status"] != "pass":
        raise SystemExit(f"The ORM reference fails under CPython: {report}")
    summed.append(sum(r["duration_ms"] for r in report["results"]))
print(json.dumps([wall, summed]))
"""


def orm_cpython_round(orm: dict, runs: int) -> tuple[list[float], list[float]]:
    """`runs` timings (ms) of run_tests(runtime="django") over the ORM exercise's tests, in a
    fresh interpreter with the server's Django, and the harness's summed per-test durations."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "PYTHONPATH"}}
    completed = subprocess.run(
        [PY, "-I", "-X", "utf8", "-c", ORM_CPYTHON_PROGRAM, str(ROOT / "runner" / "browser")],
        input=json.dumps({**orm, "runs": runs}),
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"The ORM exercise under CPython failed: {completed.stderr[-2000:]}")
    wall, summed = json.loads(completed.stdout)
    return wall, summed


# --- the report ----------------------------------------------------------------------------------


def summary(values: list[float]) -> dict:
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "values": [round(v, 2) for v in values],
    }


def fmt_ms(ms: float) -> str:
    return f"{ms / 1000:.2f} s" if ms >= 1000 else f"{ms:.0f} ms"


def fmt_fine_ms(ms: float) -> str:
    return f"{ms:.1f} ms"


def fmt_ratio(value: float) -> str:
    return f"× {value:.0f}" if value >= 10 else f"× {value:.1f}"


def fmt_mb(value: float) -> str:
    return f"{value:.0f} MB" if value >= 10 else f"{value:.1f} MB"


def fmt_cores(value: float) -> str:
    return f"{value:.1f} of {os.cpu_count()}"


# The table's rows: label, measure, format.
ROWS = [
    ("Cold ready: a fresh profile opens a coding card → “Python is ready.”", "cold_ready", fmt_ms),
    ("Warm ready: a second card page, the files from the HTTP cache", "warm_ready", fmt_ms),
    (f"Submit, {len(TESTS)} tests, warm: click → the stored results shown", "submit", fmt_ms),
    ("… the tests run and shown in the browser (click → results)", "submit_in_browser", fmt_ms),
    ("… saving: the POST, the card rendered and swapped in", "submit_saving", fmt_ms),
    (f"Run the examples ({VISIBLE} tests), warm: click → results", "run", fmt_ms),
    (f"The first Run after a cold start ({VISIBLE} tests)", "first_run", fmt_ms),
    (
        f"The {len(TESTS)} tests inside Pyodide (the harness's durations, summed)",
        "pyodide_tests",
        fmt_fine_ms,
    ),
    (
        f"The {len(TESTS)} tests under CPython on this machine (run_tests, in process)",
        "cpython",
        fmt_fine_ms,
    ),
    ("**Ratio: Submit ÷ CPython**", "ratio_submit", fmt_ratio),
    ("Ratio: tests run in the browser (click → results) ÷ CPython", "ratio_in_browser", fmt_ratio),
    (
        "Ratio: inside Pyodide ÷ inside CPython (the harness's own durations)",
        "ratio_interpreter",
        fmt_ratio,
    ),
    (
        "Worker memory: the renderer's peak RSS with the runner − without Python",
        "worker_memory",
        fmt_mb,
    ),
    (
        "The renderer's peak RSS with the runner − a card page without code",
        "memory_vs_no_code",
        fmt_mb,
    ),
    ("The renderer's peak RSS with the runner (page, editor, worker)", "renderer_peak", fmt_mb),
    ("Downloaded on a cold load: the runner's files, as transferred", "cold_runtime_mb", fmt_mb),
    ("Downloaded on a cold load: the whole card page", "cold_mb", fmt_mb),
    ("Warm start: CPU time of the worker's thread (its critical path)", "warm_worker_cpu", fmt_ms),
    ("Warm start: CPU time of all of Chromium's processes", "warm_chromium_cpu", fmt_ms),
    ("Cold start: CPU time of the worker's thread", "cold_worker_cpu", fmt_ms),
    ("Cold start: CPU time of all of Chromium's processes", "cold_chromium_cpu", fmt_ms),
    ("Other programs' CPU use during the starts (cores)", "others_cores", fmt_cores),
]
ORM_TABLE = "### ORM exercise (Django in the browser)"
ORM_ROWS = [
    (
        f"Cold ready: a fresh profile opens an ORM exercise → “{ORM_READY}”",
        "orm_cold_ready",
        fmt_ms,
    ),
    ("Warm ready: a second ORM exercise, the files from the HTTP cache", "orm_warm_ready", fmt_ms),
    ("Submit, the reference, warm: click → the stored results shown", "orm_submit", fmt_ms),
    ("… the tests run and shown in the browser (click → results)", "orm_submit_in_browser", fmt_ms),
    ("… saving: the POST, the card rendered and swapped in", "orm_submit_saving", fmt_ms),
    (
        "The tests inside Pyodide and Django (the harness's durations, summed)",
        "orm_pyodide_tests",
        fmt_fine_ms,
    ),
    (
        "The tests under the server's CPython and Django (run_tests, a subprocess, after setup)",
        "orm_cpython",
        fmt_fine_ms,
    ),
    ("**Ratio: Submit ÷ CPython**", "orm_ratio_submit", fmt_ratio),
    (
        "Ratio: inside Pyodide ÷ inside CPython (the harness's own durations)",
        "orm_ratio_interpreter",
        fmt_ratio,
    ),
    ("Downloaded on a cold load: Django's archive, as transferred", "orm_cold_wheels_mb", fmt_mb),
]


def table(rows: list, measures: dict) -> list[str]:
    lines = ["| Measure | Median | Range | Target | |", "|---|---:|---:|---:|---|"]
    for label, key, fmt in rows:
        stats = measures[key]
        target = TARGETS_MS.get(key)
        verdict = "—"
        if target is not None:
            over = stats["median"] - target
            verdict = "met" if over <= 0 else f"**not met** (+{fmt(over)})"
        lines.append(
            f"| {label} | {fmt(stats['median'])} | {fmt(stats['min'])}–{fmt(stats['max'])} "
            f"| {'≤ ' + fmt(target) if target is not None else ''} | {verdict} |"
        )
    return lines


def report(results: dict) -> str:
    measures = results["measures"]
    machine = results["machine"]
    lines = [
        SECTION,
        "",
        f"Run {results['finished_at']} by `bench/runner.py` on {machine['cpus']} CPUs "
        f"({machine['chromium']} headless, Pyodide {results['pyodide_version']}, CPython "
        f"{machine['python']}); gunicorn 2 sync workers, DEBUG off, static files collected with "
        f"the production storage; load average {machine['load_before']} before the run and "
        f"{machine['load_after']} after. {results['repeats']} rounds, each in a fresh browser "
        f"profile, after one warm-up round; CPython: the median of {results['cpython_runs']} "
        "runs, taken between the rounds. Medians, with the range over the rounds.",
        "",
        *table(ROWS, measures),
        "",
    ]
    for name, phases in (
        ("warm", results.get("warm_phases")),
        ("cold", results.get("cold_phases")),
    ):
        if phases:
            lines += [
                f"Where a {name} start goes (medians, from the worker's requests): the page until "
                f"it starts the worker {phases['page_until_worker_ms']:.0f} ms; the worker's "
                f"script and its fetch of the two large files "
                f"{phases['worker_script_and_large_files_ms']:.0f} ms; Pyodide's own start "
                "(import pyodide.mjs, compile and instantiate the WebAssembly, mount the standard "
                f"library, initialise CPython and Pyodide's modules) "
                f"{phases['pyodide_start_ms']:.0f} ms; the harness's import, the snapshot (taken "
                "on a cold start) and the ready message "
                f"{phases['harness_import_and_ready_ms']:.0f} ms.",
                "",
            ]
    restored = measures["restored"]
    lines += [
        "Started from the browser's snapshot of Python (runner/worker.js, “Snapshots”), of "
        f"{results['repeats']} rounds: warm {restored['warm']}, cold {restored['cold']}; the ORM "
        f"exercise warm {restored['orm_warm']}, cold {restored['orm_cold']}.",
        "",
    ]
    served = results["served"]
    wasm, stdlib = served["pyodide.asm.wasm"], served["python_stdlib.zip"]
    lines.append(
        f"pyodide.asm.wasm is served {wasm['content_encoding']} "
        f"({wasm['bytes_on_wire'] / 1e6:.1f} MB on the wire) with `{wasm['cache_control']}`; "
        f"python_stdlib.zip {stdlib['content_encoding']} ({stdlib['bytes_on_wire'] / 1e6:.1f} MB). "
        "A warm start downloads "
        f"{measures['warm_runtime_mb']['median'] * 1000:.0f} KB of the runner's files (the "
        "worker's script, never cached). Everything is in bench/runner-results.json; how each "
        "figure is taken is in bench/README.md."
    )
    orm = results["orm"]
    lines += [
        "",
        ORM_TABLE,
        "",
        f"The bank's `{orm['slug']}` ({orm['tests']} tests, runtime django), its reference "
        "submitted, in another fresh profile each round: the first ORM exercise opened cold "
        "(Pyodide and Django's archive downloaded), then a second one warm. CPython: the same "
        f"tests with the server's Django {orm['server_django']}, the median of "
        f"{orm['cpython_runs']} runs in a subprocess, after Django's setup.",
        "",
        *table(ORM_ROWS, measures),
    ]
    if results.get("problems"):
        lines += ["", "Problems the browser reported: " + "; ".join(results["problems"][:5])]
    return "\n".join(lines) + "\n"


def summarise(
    rounds: list[dict],
    cpython_wall: list[float],
    cpython_summed: list[float],
    orm_wall: list[float],
    orm_summed: list[float],
    orm_tests: int,
) -> dict:
    stored = stored_results([r["submitted_item"] for r in rounds])
    pyodide_tests = []
    for measured in rounds:
        results = stored.get(measured["submitted_item"]) or []
        if len(results) != len(TESTS) or any(r["status"] != "pass" for r in results):
            raise SystemExit(f"A Submit did not store {len(TESTS)} passes: {results}")
        pyodide_tests.append(sum(r["duration_ms"] for r in results))
    cpython_ms = statistics.median(cpython_wall)
    cpython_tests_ms = statistics.median(cpython_summed)

    def each(get: Callable[[dict], float]) -> list[float]:
        return [get(r) for r in rounds]

    submit = each(lambda r: r["submit"]["to_stored_ms"])
    in_browser = each(lambda r: r["submit"]["to_results_ms"])
    with_runner = each(lambda r: r["renderer_with_runner"]["peak_mb"])
    measures = {
        "cold_ready": summary(each(lambda r: r["cold_ready_ms"])),
        "warm_ready": summary(each(lambda r: r["warm_ready_ms"])),
        "submit": summary(submit),
        "submit_in_browser": summary(in_browser),
        "submit_saving": summary([s - b for s, b in zip(submit, in_browser, strict=True)]),
        "run": summary(each(lambda r: r["run"]["to_results_ms"])),
        "first_run": summary(each(lambda r: r["first_run"]["to_results_ms"])),
        "pyodide_tests": summary(pyodide_tests),
        "cpython": {
            **summary(cpython_wall),
            "values": [],
            "runs": len(cpython_wall),
            "harness_durations_summed_median_ms": cpython_tests_ms,
        },
        "ratio_submit": summary([s / cpython_ms for s in submit]),
        "ratio_in_browser": summary([b / cpython_ms for b in in_browser]),
        "ratio_interpreter": summary([p / cpython_tests_ms for p in pyodide_tests]),
        "worker_memory": summary(
            [
                w - r["renderer_without_python"]["peak_mb"]
                for w, r in zip(with_runner, rounds, strict=True)
            ]
        ),
        "memory_vs_no_code": summary(
            [
                w - r["renderer_without_code_card"]["peak_mb"]
                for w, r in zip(with_runner, rounds, strict=True)
            ]
        ),
        "renderer_peak": summary(with_runner),
        "cold_runtime_mb": summary(each(lambda r: r["cold_runtime_bytes"] / 1e6)),
        "cold_mb": summary(each(lambda r: r["cold_bytes"] / 1e6)),
        "warm_runtime_mb": summary(each(lambda r: r["warm_runtime_bytes"] / 1e6)),
        "warm_worker_cpu": summary(each(lambda r: r["warm_cpu"]["worker_thread_cpu_ms"])),
        "warm_chromium_cpu": summary(each(lambda r: r["warm_cpu"]["chromium_cpu_ms"])),
        "cold_worker_cpu": summary(each(lambda r: r["cold_cpu"]["worker_thread_cpu_ms"])),
        "cold_chromium_cpu": summary(each(lambda r: r["cold_cpu"]["chromium_cpu_ms"])),
        "others_cores": summary(
            each(lambda r: r["cold_cpu"]["others_cores"])
            + each(lambda r: r["warm_cpu"]["others_cores"])
        ),
    }
    measures |= summarise_orm(rounds, orm_wall, orm_summed, orm_tests)
    measures["restored"] = {
        start: sum(bool(r[f"{start}_restored"]) for r in rounds)
        for start in ("cold", "warm", "orm_cold", "orm_warm")
    }
    for key, target in TARGETS_MS.items():
        measures[key]["target_ms"] = target
        measures[key]["met"] = measures[key]["median"] <= target
    return measures


def summarise_orm(
    rounds: list[dict], orm_wall: list[float], orm_summed: list[float], orm_tests: int
) -> dict:
    stored = stored_results([r["orm_submitted_item"] for r in rounds])
    pyodide_tests = []
    for measured in rounds:
        results = stored.get(measured["orm_submitted_item"]) or []
        if len(results) != orm_tests or any(r["status"] != "pass" for r in results):
            raise SystemExit(f"An ORM Submit did not store {orm_tests} passes: {results}")
        pyodide_tests.append(sum(r["duration_ms"] for r in results))
    cpython_ms = statistics.median(orm_wall)
    submit = [r["orm_submit"]["to_stored_ms"] for r in rounds]
    in_browser = [r["orm_submit"]["to_results_ms"] for r in rounds]
    return {
        "orm_cold_ready": summary([r["orm_cold_ready_ms"] for r in rounds]),
        "orm_warm_ready": summary([r["orm_warm_ready_ms"] for r in rounds]),
        "orm_submit": summary(submit),
        "orm_submit_in_browser": summary(in_browser),
        "orm_submit_saving": summary([s - b for s, b in zip(submit, in_browser, strict=True)]),
        "orm_pyodide_tests": summary(pyodide_tests),
        "orm_cpython": {
            **summary(orm_wall),
            "values": [],
            "runs": len(orm_wall),
            "harness_durations_summed_median_ms": statistics.median(orm_summed),
        },
        "orm_ratio_submit": summary([s / cpython_ms for s in submit]),
        "orm_ratio_interpreter": summary(
            [p / statistics.median(orm_summed) for p in pyodide_tests]
        ),
        "orm_cold_wheels_mb": summary([r["orm_cold_wheels_bytes"] / 1e6 for r in rounds]),
    }


def median_phases(rounds: list[dict], key: str) -> dict:
    found = [r[key] for r in rounds if r[key]]
    if not found:
        return {}
    return {name: statistics.median(p[name] for p in found) for name in found[0]}


# --- main ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description="The in-browser Python runner's figures.")
    parser.add_argument("--repeats", type=int, default=7, help="rounds of measures (default 7)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the database and static files in bench/.work/"
    )
    args = parser.parse_args()
    if args.repeats < 1:
        raise SystemExit("--repeats must be at least 1")
    if not CHROMIUM.exists():
        raise SystemExit(f"No Chromium at {CHROMIUM}: apt-get install chromium (or BENCH_CHROMIUM)")
    from runner.assets import PYODIDE_VERSION, pyodide_is_installed

    if not pyodide_is_installed():
        raise SystemExit("Pyodide is not in static/pyodide/: run `make pyodide` first")

    started = time.perf_counter()
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    WORK.mkdir(parents=True, exist_ok=True)
    remove_database()
    shutil.rmtree(STATIC_ROOT, ignore_errors=True)
    write_settings()
    env = app_environment()
    os.environ.update(env)
    sys.path.insert(0, str(SETTINGS_DIR))

    server = None
    problems: list[str] = []
    rounds: list[dict] = []
    cpython_wall: list[float] = []
    cpython_summed: list[float] = []
    orm_wall: list[float] = []
    orm_summed: list[float] = []
    try:
        say("migrating a throwaway SQLite database")
        manage(env, "migrate", "--noinput", "-v0")
        data = build_data(args.repeats)
        say(f"collecting static files into {STATIC_ROOT.relative_to(ROOT)} (compressed, hashed)")
        collect_s = manage(env, "collectstatic", "--noinput", "-v0")
        server = Server(env)
        server.start()
        say(f"gunicorn up at {server.url} (static files collected in {collect_s:.0f} s)")
        served = served_files(server.url, PYODIDE_VERSION)
        # The first requests of each worker import views and compile templates: not ours to time.
        cookie = f"{data['session_cookie_name']}={data['session_cookie']}"
        for _ in range(6):
            request = urllib.request.Request(
                server.url + data["rounds"][0]["cold"]["path"], headers={"Cookie": cookie}
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()

        import django

        django_version = django.get_version()
        harness = load_harness()
        tests = [{"name": name, "code": code} for name, code, _ in TESTS]
        cpython_round(harness, tests, 20)  # warm the harness up (imports, caches)
        with sync_playwright() as playwright:
            version = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
            chromium_version = version.version
            version.close()
            for number in range(args.repeats + 1):
                label = "warm-up" if number == 0 else f"{number}/{args.repeats}"
                measured = one_round(playwright, number, server.url, data, problems)
                wall, summed = cpython_round(harness, tests, CPYTHON_RUNS)
                wall_orm, summed_orm = orm_cpython_round(data["orm"], ORM_CPYTHON_RUNS)
                say(
                    f"round {label}: ready cold {fmt_ms(measured['cold_ready_ms'])}, warm "
                    f"{fmt_ms(measured['warm_ready_ms'])}"
                    f"{' from the snapshot' if measured['warm_restored'] else ''} (worker thread "
                    f"{measured['warm_cpu']['worker_thread_cpu_ms']:.0f} ms CPU, others "
                    f"{measured['warm_cpu']['others_cores']:.1f} cores); run "
                    f"{measured['run']['to_results_ms']:.0f} ms; submit "
                    f"{measured['submit']['to_stored_ms']:.0f} ms (in the browser "
                    f"{measured['submit']['to_results_ms']:.0f} ms); CPython "
                    f"{statistics.median(wall):.2f} ms; renderer peak "
                    f"{measured['renderer_with_runner']['peak_mb']:.0f} MB, "
                    f"{measured['renderer_without_python']['peak_mb']:.0f} MB without Python; "
                    f"ORM ready cold {fmt_ms(measured['orm_cold_ready_ms'])}, warm "
                    f"{fmt_ms(measured['orm_warm_ready_ms'])}"
                    f"{' from the snapshot' if measured['orm_warm_restored'] else ''}, submit "
                    f"{measured['orm_submit']['to_stored_ms']:.0f} ms, CPython "
                    f"{statistics.median(wall_orm):.1f} ms"
                )
                if number == 0:
                    continue
                rounds.append(measured)
                cpython_wall += wall
                cpython_summed += summed
                orm_wall += wall_orm
                orm_summed += summed_orm
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(WORK / "runner-profiles", ignore_errors=True)

    results = {
        "finished_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "chromium": f"Chromium {chromium_version}",
            "load_before": load_before,
            "load_after": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        },
        "pyodide_version": PYODIDE_VERSION,
        "repeats": args.repeats,
        "cpython_runs": len(cpython_wall),
        "targets_ms": TARGETS_MS,
        "measures": summarise(
            rounds, cpython_wall, cpython_summed, orm_wall, orm_summed, len(data["orm"]["tests"])
        ),
        "orm": {
            "slug": ORM_SLUG,
            "bank_file": str(ORM_BANK_FILE.relative_to(ROOT)),
            "tests": len(data["orm"]["tests"]),
            "server_django": django_version,
            "cpython_runs": len(orm_wall),
        },
        "warm_phases": median_phases(rounds, "warm_phases"),
        "cold_phases": median_phases(rounds, "cold_phases"),
        "served": served,
        "cold_runtime_requests": rounds[0]["cold_runtime_requests"],
        "rounds": [{k: v for k, v in r.items() if k != "cold_runtime_requests"} for r in rounds],
        "problems": problems,
        "collectstatic_seconds": round(collect_s, 1),
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    RESULTS_JSON.write_text(json.dumps(results, indent=2, default=str) + "\n")
    section = report(results)
    write_section(SECTION, section)
    print()
    print(section)
    if not args.keep:
        shutil.rmtree(STATIC_ROOT, ignore_errors=True)
        remove_database()
    say(f"done in {results['total_seconds']:.0f} s: {RESULTS_MD}, {RESULTS_JSON}")


if __name__ == "__main__":
    main()
