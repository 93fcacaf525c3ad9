"""What the benchmark scripts share: gunicorn, ports, processes, and results.md's sections.

bench/run.py (the pages), bench/runner.py (the runner in the browser) and bench/soak.py (the soak
run) each serve the app with gunicorn on 127.0.0.1 and wait for /healthz before they start; the
first two also write their own section of bench/results.md. Nothing here imports Django.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
WORK = BENCH / ".work"
RESULTS_MD = BENCH / "results.md"
PY = sys.executable
GUNICORN = str(Path(PY).parent / "gunicorn")
HOST = "127.0.0.1"


class ServerError(RuntimeError):
    """gunicorn exited, or did not answer /healthz in time (the message ends with its log)."""


# --- processes -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def manage(env: dict, *args: str, cwd: Path = ROOT) -> float:
    """Run `manage.py` of the tree at `cwd`; the seconds it took. Raises CalledProcessError."""
    started = time.perf_counter()
    subprocess.run([PY, "manage.py", *args], cwd=cwd, env=env, check=True)
    return time.perf_counter() - started


def _log_tail(log_path: Path) -> str:
    try:
        return log_path.read_text(errors="replace")[-3000:]
    except OSError:
        return ""


def wait_until_up(
    url: str, process: subprocess.Popen, log_path: Path, *, seconds: float = 60
) -> None:
    """Wait until `url` answers 200. Raises ServerError if the process exits or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(
                f"gunicorn exited with {process.returncode} ({log_path}):\n{_log_tail(log_path)}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise ServerError(
        f"gunicorn did not answer {url} within {seconds:.0f} s ({log_path}):\n{_log_tail(log_path)}"
    )


def start_gunicorn(
    *,
    env: dict,
    port: int,
    log_path: Path,
    cwd: Path = ROOT,
    workers: int = 2,
    extra: Iterable[str] = (),
) -> subprocess.Popen:
    """gunicorn serving the tree at `cwd` on 127.0.0.1:`port` as in production (sync workers
    unless `extra` says otherwise, no control socket), once it answers /healthz.
    Raises ServerError when it does not come up."""
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                GUNICORN,
                "prep.wsgi:application",
                "--no-control-socket",
                f"--workers={workers}",
                f"--bind={HOST}:{port}",
                "--log-level=warning",
                *extra,
            ],
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(f"http://{HOST}:{port}/healthz", process, log_path)
    except ServerError:
        stop_process(process)
        raise
    return process


def stop_process(process: subprocess.Popen | None, *, timeout: float = 30) -> None:
    """SIGTERM (gunicorn's master stops its workers gracefully), then SIGKILL after `timeout`."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _children_by_parent() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def child_pids(parent: int) -> list[int]:
    """The processes whose parent is `parent` (a gunicorn master's workers)."""
    return _children_by_parent().get(parent, [])


def descendants(root: int) -> list[int]:
    """Every process under `root`, at any depth."""
    children = _children_by_parent()
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def memory_mb(pid: int, field: str = "VmHWM") -> float | None:
    """A memory figure of /proc/<pid>/status in MB: VmHWM (the most resident memory the process
    has ever had) or VmRSS. None when the process is gone or has no such line."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# --- results.md: one file, a part per script ----------------------------------------------------
#
# bench/run.py writes the top of the file (its title and its own "## " sections); each other
# script owns one "## " section, found by the start of its heading, that it replaces in place.


def split_sections(text: str) -> list[str]:
    """`text` cut before each level-2 heading ("## ..."): the part above the first one, then one
    string per section (a "### " heading stays inside its section)."""
    parts: list[str] = []
    current: list[str] = []
    for line in text.splitlines(keepends=True):
        if line.startswith("## ") and current:
            parts.append("".join(current))
            current = []
        current.append(line)
    if current:
        parts.append("".join(current))
    return parts


def replace_section(text: str, heading: str, section: str) -> str:
    """`text` with the section whose heading starts with `heading` replaced by `section` (at the
    end when there is none); the sections before and after it are kept."""
    parts = split_sections(text)
    section = section.rstrip("\n") + "\n"
    for index, part in enumerate(parts):
        if part.startswith(heading):
            parts[index] = section + ("\n" if index < len(parts) - 1 else "")
            return "".join(parts)
    if not text.strip():
        return section
    return text.rstrip("\n") + "\n\n" + section


def sections_starting(text: str, headings: Iterable[str]) -> str:
    """The sections of `text` whose heading starts with one of `headings`, in their order."""
    headings = tuple(headings)
    kept = [part.rstrip("\n") + "\n" for part in split_sections(text) if part.startswith(headings)]
    return "\n".join(kept)


def write_section(heading: str, section: str, path: Path = RESULTS_MD) -> None:
    """Put `section` in results.md in place of the earlier one of that heading (or at the end)."""
    text = path.read_text() if path.exists() else ""
    path.write_text(replace_section(text, heading, section))


# --- PostgreSQL databases the benchmark makes ------------------------------------------------

PG_SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
# Written on every database the benchmark creates: it drops only databases that carry it.
PG_MARKER = "Created by the Prep benchmark (bench/); dropped and recreated by every run."


def _made_by_the_bench(conn: Any, name: str) -> bool | None:  # a psycopg connection
    """True when the database exists and the bench made it, False when someone else did, None
    when there is none."""
    row = conn.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        [name],
    ).fetchone()
    return None if row is None else row[0] == PG_MARKER


def recreate_postgres(name: str) -> str:
    """Drop (only if the bench made it) and create a bench database; its URL."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        ours = _made_by_the_bench(conn, name)
        if ours is False:
            raise SystemExit(
                f"A database named {name} exists that the bench did not create: "
                "refusing to drop it. Rename it, or set BENCH_POSTGRES to another server."
            )
        if ours:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
        conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{PG_MARKER}'")
    return f"{PG_SERVER}/{name}"


def drop_postgres(name: str) -> None:
    """Drop a bench database, only if the bench made it."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        if _made_by_the_bench(conn, name):
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
