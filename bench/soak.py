#!/usr/bin/env python
"""Soak and fault run: simulated candidates practising against gunicorn on a throwaway PostgreSQL.

    make soak                       # 50 candidates, 60 s soak, then 40 s with a database restart
    .venv/bin/python bench/soak.py --users 20 --duration 20 --fault-duration 20

What it does, all on 127.0.0.1 and bounded in time and requests:
1. initdb a PostgreSQL cluster in a temporary folder, on a free port of its own, run as the
   `postgres` OS user (through runuser when we are root). The machine's shared server is never
   touched.
2. migrate, load the starter bank (manage.py load_bank), create the candidates.
3. start gunicorn (DEBUG off, a generated SECRET_KEY, no TLS redirect, no control socket).
   Beside it, two task workers (manage.py run_worker) and a real SMTP server (aiosmtpd) on
   loopback, where the app sends its e-mail.
4. Soak: every candidate logs in and runs the study flow (start a session, type an answer and
   reveal the model answer, grade it, next card, summary, again) with CSRF tokens, as a browser
   without JavaScript does. Meanwhile newcomers sign up and candidates ask for password resets,
   each e-mail a task; the SMTP server goes down for a while in the middle. Every response is
   checked: errors must be 0. Every grade the server acknowledged (302) is looked up in the
   database afterwards: lost writes must be 0.
5. Fault: the same again while PostgreSQL is stopped (pg_ctl stop -m fast), held down for a few
   seconds and started again, with gunicorn and the task workers left running. Requests during
   the outage must get the clean 503 page; outside it, no errors; the app must recover on its
   own (CONN_HEALTH_CHECKS); no answer may be half-stored.
6. E-mail: once the queue has drained, every sign-up and reset the server acknowledged must have
   reached the SMTP server: tasks queued, sent, retried and failed are counted, and lost must
   be 0.
7. Writes the report to bench/soak-results.md and prints it. Exits 1 if a check failed.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import platform
import pwd
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import HOST, free_port, start_gunicorn, stop_process  # noqa: E402

PYTHON = sys.executable
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
# HOST (bench/common.py) is 127.0.0.1: loopback only, for the database and the application alike.
PASSWORD = "soak-candidate-passphrase"
CLEAN_503_MARK = "Prep is back in a moment"
RESULTS = ROOT / "bench" / "soak-results.md"

# E-mail: the retry delays and the lease the soak's app runs with (seconds), and the task workers.
RETRY_DELAYS = (2, 4, 8, 16, 32)
LEASE_SECONDS = 20
TASK_WORKERS = 2
# Visitors whose requests send e-mail, beside the candidates: how many at once, and the share of
# their requests that are sign-ups (the rest are password resets). A sign-up hashes a password
# (PBKDF2, a second of CPU on this machine), so they are the fewer.
NEWCOMERS = 2
SIGN_UP_SHARE = 0.3
SIGN_UP_PASSWORD = "soak-newcomer-passphrase"

# Hard limits, whatever the command line says.
MAX_USERS = 200
MAX_SECONDS = 600
MAX_REQUESTS = 500_000


# --- the throwaway PostgreSQL cluster -------------------------------------------------------------


def as_postgres(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a PostgreSQL program as the postgres OS user (root may not run the server)."""
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)


class Cluster:
    """A PostgreSQL cluster in a temporary folder, on its own port, for this run only."""

    def __init__(self, workdir: Path) -> None:
        self.dir = workdir / "pg"
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self.port = free_port()
        if self.port == 5432:  # never the shared server's port
            self.port = free_port()

    def init(self) -> None:
        self.dir.mkdir()
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.dir, account.pw_uid, account.pw_gid)
        as_postgres(
            [str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust"]
            + ["-E", "UTF8", "--locale=C", "--no-sync"]
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses={HOST} -c max_connections=100"
        as_postgres(
            [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w"]
            + ["-o", options, "start"]
        )

    def stop(self, mode: str = "fast") -> None:
        as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"])

    def create_database(self, name: str) -> None:
        as_postgres([str(PG_BIN / "createdb"), "-h", HOST, "-p", str(self.port), name])

    def url(self, name: str) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/{name}"


# --- Django and gunicorn --------------------------------------------------------------------------


class App:
    """The project, configured as in production, against the throwaway database."""

    def __init__(
        self, workdir: Path, database_url: str, *, workers: int, threads: int, mail_port: int
    ) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.workers = workers
        self.threads = threads
        self.log = workdir / "gunicorn.log"
        self.process: subprocess.Popen | None = None
        # Production settings; only STATIC_ROOT moves into the temporary folder, so that
        # collectstatic leaves the working tree alone.
        # Retries come after seconds rather than minutes, so that what the mail outage delays
        # is delivered within the run.
        (workdir / "soak_settings.py").write_text(
            "from prep.settings import *  # noqa: F403\n"
            f"STATIC_ROOT = {str(workdir / 'static')!r}\n"
            f"TASKS_RETRY_DELAYS = {RETRY_DELAYS!r}\n"
        )
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "soak_settings",
            "PYTHONPATH": f"{workdir}{os.pathsep}{ROOT}",
            "DATABASE_URL": database_url,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": HOST,
            "CONN_MAX_AGE": "60",
            "LOG_LEVEL": "WARNING",
            # E-mail to the local SMTP server, in plain text on loopback.
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": HOST,
            "EMAIL_PORT": str(mail_port),
            "EMAIL_USE_TLS": "false",
            # A task whose worker lost the database while recording it is run again this soon.
            "TASKS_LEASE_SECONDS": str(LEASE_SECONDS),
            # Newcomers sign up from addresses of their own (X-Forwarded-For, as behind one
            # proxy), so that the per-client sign-up limit does not refuse them.
            "TRUSTED_PROXY_COUNT": "1",
        }
        self.task_workers: list[subprocess.Popen] = []

    def manage(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def prepare(self, users: int) -> None:
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        self.manage("load_bank", "-v0")
        # One password hash for every candidate: hashing 50 times would take a minute.
        self.manage(
            "shell",
            stdin=(
                "from django.contrib.auth.hashers import make_password\n"
                "from accounts.models import User\n"
                f"hashed = make_password({PASSWORD!r})\n"
                "User.objects.bulk_create([User(username=f'soak{n:03}', "
                "email=f'soak{n:03}@soak.invalid', password=hashed) "
                f"for n in range({users})])\n"
            ),
        )

    def start(self) -> None:
        """Raises ServerError (a RuntimeError) when gunicorn does not come up."""
        self.process = start_gunicorn(
            env=self.env,
            port=self.port,
            log_path=self.log,
            workers=self.workers,
            extra=["--worker-class=gthread", f"--threads={self.threads}"]
            + ["--timeout=30", "--graceful-timeout=5"],
        )

    def start_task_workers(self, count: int) -> None:
        for number in range(count):
            with (self.workdir / f"task-worker-{number}.log").open("w") as log:
                self.task_workers.append(
                    subprocess.Popen(
                        [PYTHON, "manage.py", "run_worker", "--no-reload", "--interval", "0.5"]
                        + ["--worker-id", f"soak-{number}"],
                        cwd=ROOT,
                        env={**self.env, "LOG_LEVEL": "INFO"},
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )

    def task_workers_alive(self) -> int:
        return sum(1 for worker in self.task_workers if worker.poll() is None)

    def stop(self) -> None:
        for worker in self.task_workers:  # SIGTERM: each finishes its task in hand, then exits
            if worker.poll() is None:
                worker.terminate()
        for worker in self.task_workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        stop_process(self.process, timeout=15)


def get_status(port: int, path: str) -> int:
    connection = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


# --- the simulated candidates ---------------------------------------------------------------------


@dataclass
class Record:
    """One request and what came back."""

    kind: str
    started: float
    ended: float
    status: int  # 0: no response (connection refused, reset, timeout)
    ok: bool  # the answer the flow expected
    clean_503: bool = False
    note: str = ""


@dataclass
class Run:
    """Everything one phase saw."""

    name: str
    started: float
    records: list[Record] = field(default_factory=list)
    acknowledged: dict[int, int] = field(default_factory=dict)  # item id -> rating
    budget: int = MAX_REQUESTS
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, record: Record) -> bool:
        """Keep the record; False once the request budget is spent."""
        with self.lock:
            self.records.append(record)
            return len(self.records) < self.budget


class Unexpected(Exception):
    """The server answered something the flow did not expect (recorded already)."""


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REVEAL = re.compile(r'action="(/practice/\d+/items/(\d+)/reveal/)"')
GRADE = re.compile(r'action="(/practice/\d+/items/(\d+)/grade/)"')
SESSION_URL = re.compile(r"^/practice/(\d+)/$")
STALE_CONNECTION = (
    http.client.RemoteDisconnected,
    ConnectionResetError,
    BrokenPipeError,
    ConnectionRefusedError,
)
# The study flow reveals and grades; multiple-choice questions are checked instead, so the
# candidates ask for every other kind.
STUDY_KINDS = ["concept", "coding", "practical", "system_design", "behavioural", "code_review"]


class Browser:
    """A cookie-keeping HTTP/1.1 client, like a browser with JavaScript off."""

    def __init__(self, port: int, run: Run) -> None:
        self.port = port
        self.run = run
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def request(
        self,
        kind: str,
        method: str,
        path: str,
        form: dict | None = None,
        *,
        expect: tuple,
        extra_headers: dict | None = None,
    ) -> tuple[int, str, str]:
        """(status, Location, body); raises Unexpected when the status is not in `expect`."""
        headers = {"Host": HOST, **(extra_headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.monotonic()
        status, location, text = 0, "", ""
        for attempt in (1, 2):
            reused = self.connection is not None
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                status = response.status
                location = response.getheader("Location", "")
                self.keep_cookies(response.headers.get_all("Set-Cookie") or [])
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                break
            except STALE_CONNECTION:
                # The server closed an idle keep-alive connection before reading this request:
                # send it again on a new one, as browsers do.
                self.close()
                if reused and attempt == 1:
                    continue
                text = "connection refused or reset"
            except (OSError, http.client.HTTPException) as error:
                self.close()
                text = type(error).__name__
                break
        ended = time.monotonic()
        ok = status in expect
        record = Record(
            kind,
            started - self.run.started,
            ended - self.run.started,
            status,
            ok,
            clean_503=status == 503 and CLEAN_503_MARK in text,
            note="" if ok else f"{method} {path} -> {status} {text[:80]!r}",
        )
        if not self.run.add(record):
            raise BudgetSpent
        if not ok:
            raise Unexpected(record.note)
        return status, location, text

    def keep_cookies(self, headers: list[str]) -> None:
        for header in headers:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in header.lower() or value in ("", '""'):
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class BudgetSpent(Exception):
    pass


def token_from(html: str) -> str:
    match = CSRF.search(html)
    if not match:
        raise Unexpected("no CSRF token in the page")
    return match.group(1)


class Candidate:
    """One simulated candidate: logs in once, then studies until the phase ends."""

    def __init__(self, number: int, port: int, seed: int) -> None:
        self.username = f"soak{number:03}"
        self.port = port
        self.rng = random.Random(seed)
        self.browser: Browser | None = None
        self.logged_in = False
        self.session_path = ""

    def think(self, mean: float) -> None:
        if mean > 0:
            time.sleep(self.rng.uniform(0, 2 * mean))

    def play(self, run: Run, deadline: float, think: float) -> None:
        """Run the flow until the deadline; after any unexpected answer, wait and pick up from
        the page the server shows (as a person would reload)."""
        if self.browser is None:
            self.browser = Browser(self.port, run)
        self.browser.run = run
        while time.monotonic() < deadline:
            try:
                if not self.logged_in:
                    self.log_in()
                self.step(run, think)
            except Unexpected:
                time.sleep(0.5)
            except BudgetSpent:
                return
        self.browser.close()

    def log_in(self) -> None:
        b = self.browser
        _, _, page = b.request("login page", "GET", "/accounts/login/", expect=(200,))
        form = {"csrfmiddlewaretoken": token_from(page), "username": self.username}
        status, location, _ = b.request(
            "log in", "POST", "/accounts/login/", {**form, "password": PASSWORD}, expect=(302,)
        )
        if "/accounts/login/" in location:
            raise Unexpected("log-in refused")
        self.logged_in = True

    def step(self, run: Run, think: float) -> None:
        b = self.browser
        if not self.session_path:
            _, _, page = b.request("start page", "GET", "/practice/", expect=(200,))
            form = {
                "csrfmiddlewaretoken": token_from(page),
                "mode": "study",
                "count": "5",
                "kinds": STUDY_KINDS,
            }
            _, location, _ = b.request("start session", "POST", "/practice/", form, expect=(302,))
            if not SESSION_URL.match(location):
                raise Unexpected(f"start led to {location}")
            self.session_path = location
        _, _, page = b.request("session page", "GET", self.session_path, expect=(200,))
        self.think(think)
        token = CSRF.search(page)
        if (match := REVEAL.search(page)) and token:
            answer = f"Soak answer by {self.username}: " + "words " * self.rng.randint(5, 60)
            form = {"csrfmiddlewaretoken": token.group(1), "response": answer}
            b.request("reveal", "POST", match.group(1), form, expect=(302,))
        elif (match := GRADE.search(page)) and token:
            rating = self.rng.choice((1, 2, 3, 3, 3, 4))
            form = {"csrfmiddlewaretoken": token.group(1), "rating": str(rating)}
            _, location, _ = b.request("grade", "POST", match.group(1), form, expect=(302,))
            with run.lock:
                run.acknowledged[int(match.group(2))] = rating
            if "/summary/" in location:
                b.request("summary", "GET", location, expect=(200,))
                self.session_path = ""
        else:  # finished (or a card this flow does not answer): start another session
            self.session_path = ""
        if self.rng.random() < 0.05:
            b.request("dashboard", "GET", "/dashboard/", expect=(200,))


def log_in_all(run: Run, candidates: list[Candidate], *, at_once: int) -> None:
    """Log every candidate in, a few at a time.

    A log-in is deliberately slow (PBKDF2 with Django's 1,000,000 iterations), so fifty at the
    same instant on a small machine is a test of the password hasher, not of the practice flow.
    """
    for candidate in candidates:
        candidate.browser = Browser(candidate.port, run)

    def log_in(candidate: Candidate) -> None:
        with contextlib.suppress(Unexpected, BudgetSpent):
            candidate.log_in()

    with ThreadPoolExecutor(max_workers=at_once) as pool:
        list(pool.map(log_in, candidates))


def run_phase(
    run: Run,
    candidates: list[Candidate],
    *,
    seconds: float,
    think: float,
    during=(),
) -> None:
    """Run the candidates until the deadline, and each callable of `during` (given the deadline)
    beside them."""
    deadline = time.monotonic() + seconds
    with ThreadPoolExecutor(max_workers=len(candidates) + len(during)) as pool:
        futures = [pool.submit(c.play, run, deadline, think) for c in candidates]
        futures += [pool.submit(job, deadline) for job in during]
        for future in futures:
            future.result()


# --- e-mail: the SMTP server, and the visitors whose requests send mail -------------------------


class MailSink:
    """A real SMTP server (aiosmtpd) on loopback that counts what it receives per recipient, and
    that the soak stops and starts again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.controller = None
        self.down_at: float | None = None
        self.up_at: float | None = None

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's handler
        with self.lock:
            self.received.update(address.lower() for address in envelope.rcpt_tos)
        return "250 Message accepted for delivery"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        # server_hostname: without it, aiosmtpd asks DNS for this machine's name.
        self.controller = Controller(
            self, hostname=HOST, port=self.port, server_hostname="localhost"
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@dataclass
class Mail:
    """The e-mails the app owes: one per sign-up and per password reset it acknowledged."""

    expected: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def owe(self, address: str) -> None:
        with self.lock:
            self.expected[address.lower()] += 1


class Newcomer:
    """Visitors who sign up (each a new address, from an address of their own) and candidates who
    forgot their password, one request pair every `pace` seconds: every acknowledged one owes
    an e-mail."""

    def __init__(self, port: int, users: int, number: int) -> None:
        self.port = port
        self.users = users
        self.number = number
        self.rng = random.Random(10_000 + number)
        self.count = 0

    def play(self, run: Run, deadline: float, pace: float, mail: Mail, tag: str) -> None:
        browser = Browser(self.port, run)
        while time.monotonic() < deadline:
            self.count += 1
            # Documentation and benchmarking ranges: a header only, no traffic goes there.
            client = f"198.18.{self.number}.{self.count % 250 + 1}"
            forwarded = {"X-Forwarded-For": client}
            try:
                if self.rng.random() < SIGN_UP_SHARE:
                    self.sign_up(browser, mail, forwarded, f"{tag}{self.number}-{self.count:04}")
                else:
                    self.reset(browser, mail, forwarded)
            except Unexpected:
                pass
            except BudgetSpent:
                return
            time.sleep(self.rng.uniform(0, 2 * pace))
        browser.close()

    def sign_up(self, b: Browser, mail: Mail, forwarded: dict, name: str) -> None:
        _, _, page = b.request(
            "sign-up page", "GET", "/accounts/signup/", expect=(200,), extra_headers=forwarded
        )
        address = f"{name}@newcomer.invalid"
        form = {
            "csrfmiddlewaretoken": token_from(page),
            "username": name,
            "email": address,
            "password1": SIGN_UP_PASSWORD,
            "password2": SIGN_UP_PASSWORD,
        }
        _, _, text = b.request(
            "sign up", "POST", "/accounts/signup/", form, expect=(200,), extra_headers=forwarded
        )
        if "Check your email" not in text:
            raise Unexpected("sign-up did not end on Check your email")
        mail.owe(address)

    def reset(self, b: Browser, mail: Mail, forwarded: dict) -> None:
        path = "/accounts/password/reset/"
        _, _, page = b.request("reset page", "GET", path, expect=(200,), extra_headers=forwarded)
        address = f"soak{self.rng.randrange(self.users):03}@soak.invalid"
        form = {"csrfmiddlewaretoken": token_from(page), "email": address}
        _, location, _ = b.request(
            "password reset", "POST", path, form, expect=(302,), extra_headers=forwarded
        )
        if not location.endswith("/accounts/password/reset/sent/"):
            raise Unexpected(f"password reset led to {location}")
        mail.owe(address)


def drain_queue(database_url: str, *, seconds: float) -> float:
    """Wait until no task is waiting or running (retries included); return how long it took."""
    import psycopg

    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as db:
                pending = db.execute(
                    "SELECT count(*) FROM django_tasks_database_dbtaskresult"
                    " WHERE status IN ('READY', 'RUNNING')"
                ).fetchone()[0]
        except psycopg.OperationalError:
            pending = 1
        if not pending:
            break
        time.sleep(1)
    return time.monotonic() - started


def mail_checks(database_url: str, mail: Mail, sink: MailSink) -> dict[str, int]:
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as db:
        rows = db.execute(
            "SELECT task_path, status, jsonb_array_length(worker_ids)"
            " FROM django_tasks_database_dbtaskresult"
        ).fetchall()
    received = sink.received
    expected = mail.expected
    kinds = Counter(path.rsplit(".", 1)[-1] for path, _status, _attempts in rows)
    return {
        "tasks queued": len(rows),
        **{f"tasks queued: {kind}": count for kind, count in sorted(kinds.items())},
        "e-mails owed (acknowledged sign-ups and resets)": sum(expected.values()),
        "e-mails received by the SMTP server": sum(received.values()),
        "tasks retried (more than one attempt)": sum(1 for *_, n in rows if n > 1),
        "attempts in all": sum(n for *_, n in rows),
        "tasks failed": sum(1 for _path, status, _n in rows if status == "FAILED"),
        "tasks still waiting or running": sum(
            1 for _path, status, _n in rows if status in ("READY", "RUNNING")
        ),
        "lost": sum(max(0, n - received[address]) for address, n in expected.items()),
        "sent twice (at least once)": sum(
            max(0, received[address] - n) for address, n in expected.items()
        ),
        "sent for requests whose answer never came back": sum(
            n for address, n in received.items() if address not in expected
        ),
    }


def mail_report(soak: Run, sink: MailSink, result: dict[str, int], *, drained_in: float) -> list:
    signups = [r for r in soak.records if r.kind == "sign up" and r.ok]
    down_at, up_at = sink.down_at or 0.0, sink.up_at or 0.0
    while_down = [r for r in signups if down_at <= r.started <= up_at]
    while_up = [r for r in signups if r not in while_down]

    def median_ms(records: list[Record]) -> str:
        if not records:
            return "none"
        return f"{statistics.median((r.ended - r.started) * 1000 for r in records):.0f} ms"

    return [
        "## E-mail through the task queue",
        "",
        f"- SMTP server stopped at {down_at:.1f} s of the soak run, started again at "
        f"{up_at:.1f} s; the task workers retried after {', '.join(map(str, RETRY_DELAYS))} s "
        f"(production: 1 min, 5 min, 30 min, 2 h, 12 h); lease {LEASE_SECONDS} s",
        f"- Sign-up (median) with the SMTP server up: {median_ms(while_up)} "
        f"({len(while_up)} sign-ups); started while it was down: {median_ms(while_down)} "
        f"({len(while_down)})",
        f"- The queue drained {drained_in:.0f} s after the last request",
        *[
            f"- {name[0].upper()}{name[1:]}: "
            + (f"**{value}**" if name in ("lost", "tasks failed") else f"{value}")
            for name, value in result.items()
        ],
    ]


# --- checks against the database ------------------------------------------------------------------


def database_checks(database_url: str, acknowledged: dict[int, int]) -> dict[str, int]:
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as connection:
        rows = connection.execute(
            "SELECT id, rating FROM practice_sessionitem WHERE id = ANY(%s)"
            " AND answered_at IS NOT NULL",
            [list(acknowledged)],
        ).fetchall()
        stored = dict(rows)
        lost = sum(1 for pk, rating in acknowledged.items() if stored.get(pk) != rating)
        one = lambda sql: connection.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "answers acknowledged": len(acknowledged),
            "acknowledged answers stored as sent": len(acknowledged) - lost,
            "lost writes": lost,
            "answers stored in all": one(
                "SELECT count(*) FROM practice_sessionitem WHERE answered_at IS NOT NULL"
            ),
            # Half-stored answers: a study answer without its grade or score ...
            "half-stored: answered items without rating or score": one(
                "SELECT count(*) FROM practice_sessionitem i"
                " JOIN practice_practicesession s ON s.id = i.session_id"
                " WHERE s.mode = 'study' AND i.answered_at IS NOT NULL"
                " AND (i.rating IS NULL OR i.score IS NULL OR i.revealed_at IS NULL)"
            ),
            # ... a session whose answered_count disagrees with its answered items ...
            "half-stored: sessions whose answered_count is off": one(
                "SELECT count(*) FROM practice_practicesession s WHERE s.answered_count <>"
                " (SELECT count(*) FROM practice_sessionitem i"
                "  WHERE i.session_id = s.id AND i.answered_at IS NOT NULL)"
            ),
            # ... a finished study session with unanswered items, or an unfinished full one ...
            "half-stored: sessions finished out of step": one(
                "SELECT count(*) FROM practice_practicesession s WHERE s.mode = 'study' AND"
                " ((s.finished_at IS NULL) = (s.answered_count >= s.item_count))"
            ),
            # ... or a review card whose repetitions differ from the answers given.
            "half-stored: review cards out of step with answers": one(
                "SELECT count(*) FROM practice_reviewcard c WHERE c.reps <>"
                " (SELECT count(*) FROM practice_sessionitem i"
                "  JOIN practice_practicesession s ON s.id = i.session_id"
                "  WHERE s.user_id = c.user_id AND i.question_id = c.question_id"
                "  AND i.answered_at IS NOT NULL)"
            ),
        }


# --- the report -----------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def latency_table(records: list[Record]) -> list[str]:
    by_kind: dict[str, list[float]] = defaultdict(list)
    for record in records:
        if record.ok:
            by_kind[record.kind].append((record.ended - record.started) * 1000)
    lines = [
        "| request | count | median ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind, values in sorted(by_kind.items(), key=lambda kv: -len(kv[1])):
        lines.append(
            f"| {kind} | {len(values)} | {statistics.median(values):.0f} | "
            f"{percentile(values, 0.95):.0f} | {percentile(values, 0.99):.0f} | "
            f"{max(values):.0f} |"
        )
    return lines


def describe_errors(records: list[Record]) -> list[str]:
    notes = Counter(record.note for record in records)
    return [f"    - {count} × {note}" for note, count in notes.most_common(8)]


@dataclass
class Outage:
    down_at: float = 0.0
    up_at: float = 0.0
    first_503_at: float | None = None
    recovered_at: float | None = None
    grace: float = 3.0

    def covers(self, record: Record) -> bool:
        return record.ended >= self.down_at and record.started <= self.up_at + self.grace


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60, help="soak seconds")
    parser.add_argument("--fault-duration", type=float, default=40, help="fault-run seconds")
    parser.add_argument("--outage", type=float, default=5, help="seconds the database is down")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (2-4)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--logins-at-once", type=int, default=4, help="concurrent log-ins")
    parser.add_argument("--think", type=float, default=0.1, help="mean think time, seconds")
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--no-fault", action="store_true", help="skip the fault run")
    parser.add_argument(
        "--mail-outage", type=float, default=15, help="seconds the SMTP server is down"
    )
    parser.add_argument(
        "--mail-pace", type=float, default=0.5, help="mean seconds between sign-ups or resets"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    users = max(1, min(args.users, MAX_USERS))
    duration = max(1.0, min(args.duration, MAX_SECONDS))
    fault_duration = max(10.0, min(args.fault_duration, MAX_SECONDS))
    workers = max(1, min(args.workers, 8))
    budget = max(100, min(args.max_requests, MAX_REQUESTS))
    if not (PG_BIN / "initdb").exists():
        print(f"PostgreSQL programs not found in {PG_BIN} (set PG_BIN)", file=sys.stderr)
        return 2

    workdir = Path(tempfile.mkdtemp(prefix="prep-soak-"))
    os.chmod(workdir, 0o755)  # the postgres user must reach its folder inside
    cluster = Cluster(workdir)
    app: App | None = None
    sink = MailSink()
    mail = Mail()
    lines: list[str] = []
    failed: list[str] = []
    say = lambda text: print(text, flush=True)  # noqa: E731
    try:
        say(f"soak: PostgreSQL cluster in {cluster.dir}, port {cluster.port}")
        cluster.init()
        cluster.start()
        cluster.create_database("prep_soak")
        database_url = cluster.url("prep_soak")
        app = App(workdir, database_url, workers=workers, threads=args.threads, mail_port=sink.port)
        say("soak: migrate, collectstatic, load_bank, candidates ...")
        app.prepare(users)
        sink.start()
        app.start()
        app.start_task_workers(TASK_WORKERS)
        say(
            f"soak: gunicorn on {HOST}:{app.port} ({workers} workers × {args.threads} threads), "
            f"{TASK_WORKERS} task workers, an SMTP server on {HOST}:{sink.port}"
        )
        newcomers = [Newcomer(app.port, users, number) for number in range(NEWCOMERS)]
        candidates = [Candidate(n, app.port, seed=n) for n in range(users)]

        # --- logging in ---
        say(f"soak: {users} candidates log in, {args.logins_at_once} at a time ...")
        logins = Run("log-in", time.monotonic(), budget=budget)
        log_in_all(logins, candidates, at_once=args.logins_at_once)
        logins_elapsed = time.monotonic() - logins.started
        login_errors = [r for r in logins.records if not r.ok]
        if login_errors or not all(c.logged_in for c in candidates):
            failed.append(f"{len(login_errors)} errors while logging in")

        # --- the soak ---
        mail_outage = min(args.mail_outage, duration / 2)
        say(
            f"soak: {users} candidates for {duration:.0f} s, newcomers signing up and asking for "
            f"password resets; the SMTP server goes down at {duration / 3:.0f} s for "
            f"{mail_outage:.0f} s ..."
        )
        soak = Run("soak", time.monotonic(), budget=budget)

        def break_the_mail_server(deadline: float) -> None:
            time.sleep(duration / 3)
            sink.down_at = time.monotonic() - soak.started
            sink.stop()
            time.sleep(mail_outage)
            sink.start()
            sink.up_at = time.monotonic() - soak.started

        def newcomers_in(run: Run, tag: str) -> list:
            return [
                lambda deadline, n=n: n.play(run, deadline, args.mail_pace, mail, tag)
                for n in newcomers
            ]

        run_phase(
            soak,
            candidates,
            seconds=duration,
            think=args.think,
            during=[*newcomers_in(soak, "new"), break_the_mail_server],
        )
        soak_elapsed = time.monotonic() - soak.started
        soak_checks = database_checks(database_url, soak.acknowledged)
        soak_errors = [r for r in soak.records if not r.ok]
        if soak_errors:
            failed.append(f"{len(soak_errors)} errors in the soak run")
        if soak_checks["lost writes"]:
            failed.append(f"{soak_checks['lost writes']} lost writes in the soak run")

        # --- the fault run ---
        fault = Run("fault", time.monotonic(), budget=budget)
        outage = Outage()
        fault_checks: dict[str, int] = {}
        if not args.no_fault:
            say(
                f"soak: fault run, {fault_duration:.0f} s; PostgreSQL goes down at "
                f"{fault_duration / 3:.0f} s for {args.outage:.0f} s ..."
            )
            health: list[tuple[float, int]] = []

            def break_the_database(deadline: float) -> None:
                time.sleep(fault_duration / 3)
                outage.down_at = time.monotonic() - fault.started
                cluster.stop("fast")
                time.sleep(args.outage)
                cluster.start()
                outage.up_at = time.monotonic() - fault.started
                end = time.monotonic() + 5
                while time.monotonic() < end:  # how /healthz sees the way back
                    try:
                        status = get_status(app.port, "/healthz")
                    except OSError:
                        status = 0
                    health.append((time.monotonic() - fault.started, status))
                    time.sleep(0.1)

            run_phase(
                fault,
                candidates,
                seconds=fault_duration,
                think=args.think,
                during=[break_the_database, *newcomers_in(fault, "late")],
            )
            everything = {**soak.acknowledged, **fault.acknowledged}
            fault_checks = database_checks(database_url, everything)
            during = [r for r in fault.records if outage.covers(r)]
            outside = [r for r in fault.records if not outage.covers(r)]
            unclean = [r for r in during if not r.ok and not r.clean_503]
            outside_errors = [r for r in outside if not r.ok]
            clean = [r for r in during if r.clean_503]
            outage.first_503_at = min((r.ended for r in clean), default=None)
            after = [r for r in fault.records if r.started >= outage.up_at and r.ok]
            outage.recovered_at = min((r.ended for r in after), default=None)
            if unclean:
                failed.append(f"{len(unclean)} requests during the outage were not a clean 503")
            if outside_errors:
                failed.append(f"{len(outside_errors)} errors outside the outage")
            if outage.recovered_at is None:
                failed.append("the app did not recover after the database came back")
            for name, value in fault_checks.items():
                if (name.startswith("half-stored") or name == "lost writes") and value:
                    failed.append(f"{name}: {value}")
            if app.process.poll() is not None:
                failed.append("gunicorn died during the fault run")

        # --- e-mail: let the workers finish the queue, then count ---
        say("soak: waiting for the task queue to drain ...")
        drained_in = drain_queue(database_url, seconds=max(120, 4 * sum(RETRY_DELAYS)))
        mail_result = mail_checks(database_url, mail, sink)
        workers_alive = app.task_workers_alive()
        for name in ("lost", "tasks failed", "tasks still waiting or running"):
            if mail_result[name]:
                failed.append(f"e-mail: {name}: {mail_result[name]}")
        if workers_alive != TASK_WORKERS:
            failed.append(f"{TASK_WORKERS - workers_alive} task workers died")

        # --- the report ---
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        requests = len(soak.records)
        lines += [
            "# Soak and fault run",
            "",
            f"Run {now} by `make soak` (bench/soak.py) on this machine: "
            f"{os.cpu_count()} CPUs, Python {platform.python_version()}, PostgreSQL 15 "
            f"(throwaway cluster on 127.0.0.1:{cluster.port}), gunicorn {workers} workers × "
            f"{args.threads} threads (gthread), DEBUG off. Everything on loopback.",
            "",
            f"Each of {users} candidates logs in once (before the timed runs), then loops: "
            "start a 5-question study session, and for each card type an answer and reveal the "
            "model answer, grade it (Again/Hard/Good/Easy), and see the summary at the end; now "
            "and then the dashboard. "
            f"Forms carry their CSRF token; think time averages {args.think * 1000:.0f} ms. "
            f"Meanwhile {NEWCOMERS} visitors sign up (each time with a new address) or ask for "
            "a candidate's password reset, each about once every "
            f"{args.mail_pace:.1f} s plus the time the server takes; each of these queues an "
            f"e-mail, which {TASK_WORKERS} task workers (`manage.py run_worker`) send to a real "
            "SMTP server on loopback (aiosmtpd).",
            "",
            "## Logging in",
            "",
            f"- {users} candidates, {args.logins_at_once} at a time: {len(logins.records)} "
            f"requests in {logins_elapsed:.1f} s, errors: **{len(login_errors)}**",
            *describe_errors(login_errors),
            "",
            *latency_table(logins.records),
            "",
            "## Soak",
            "",
            f"- Duration: {soak_elapsed:.1f} s, {users} candidates",
            f"- Requests: {requests} ({requests / soak_elapsed:.0f} per second)",
            f"- Errors: **{len(soak_errors)}**",
            *describe_errors(soak_errors),
            f"- Answers acknowledged by the server: {soak_checks['answers acknowledged']}",
            f"- Acknowledged answers found stored as sent: "
            f"{soak_checks['acknowledged answers stored as sent']}",
            f"- Lost writes: **{soak_checks['lost writes']}**",
            "",
            *latency_table(soak.records),
            "",
        ]
        if not args.no_fault:
            fault_requests = len(fault.records)
            statuses = Counter(r.status for r in during)
            health_down = [t for t, s in health if s != 200]
            lines += [
                "## Fault: PostgreSQL stopped and started again mid-run",
                "",
                f"- Duration: {time.monotonic() - fault.started:.1f} s, {fault_requests} requests",
                f"- PostgreSQL stopped (`pg_ctl stop -m fast`) at {outage.down_at:.1f} s, held "
                f"down {args.outage:.0f} s, back (`pg_ctl start`) at {outage.up_at:.1f} s; "
                "gunicorn was not restarted",
                f"- Requests overlapping the outage (+{outage.grace:.0f} s): {len(during)}; by "
                "status: "
                + ", ".join(f"{s or 'no response'}: {n}" for s, n in sorted(statuses.items())),
                f"- Clean 503 pages (with Retry-After) during the outage: {len(clean)}",
                f"- Other errors during the outage: **{len(unclean)}**",
                *describe_errors(unclean),
                f"- Errors outside the outage: **{len(outside_errors)}**",
                *describe_errors(outside_errors),
                "- First successful request after the database came back: "
                + (
                    f"{outage.recovered_at - outage.up_at:.2f} s after it was up"
                    if outage.recovered_at is not None
                    else "none (did not recover)"
                ),
                "- /healthz after the restart: "
                + (
                    f"{len(health_down)} of {len(health)} polls not 200" if health else "not polled"
                ),
                f"- Answers acknowledged (both runs): {fault_checks['answers acknowledged']}; "
                f"lost writes: **{fault_checks['lost writes']}**",
                f"- Answers stored in all: {fault_checks['answers stored in all']} (answers "
                "stored but not acknowledged are those whose response the outage cut off)",
                *[
                    f"- {name[len('half-stored: ') :].capitalize()}: **{value}**"
                    for name, value in fault_checks.items()
                    if name.startswith("half-stored")
                ],
                "",
                *latency_table(fault.records),
                "",
            ]
        lines += mail_report(soak, sink, mail_result, drained_in=drained_in)
        lines += [
            f"- Task workers still running at the end (they were never restarted): "
            f"{workers_alive} of {TASK_WORKERS}",
            "",
        ]
        lines += ["## Verdict", ""]
        lines += [f"- FAILED: {reason}" for reason in failed] or [
            "- Passed: no errors outside the outage, clean 503 pages during it, recovery "
            "without restarting gunicorn, no lost or half-stored answers, and every e-mail "
            "delivered: none lost, none failed."
        ]
        report = "\n".join(lines) + "\n"
        args.output.write_text(report)
        print(report)
        return 1 if failed else 0
    finally:
        if app is not None:
            app.stop()
        sink.stop()
        with contextlib.suppress(subprocess.CalledProcessError, FileNotFoundError):
            cluster.stop("fast")
        if args.keep:
            print(f"soak: kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
