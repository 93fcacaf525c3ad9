"""Running "predict the output" snippets with CPython, each in a fresh process with a time limit.

The bank loader runs every snippet before it writes anything (a snippet that never ends, or
whose stored output is not what it prints, is a problem of the file), and CI runs them with
every CPython from 3.11 on. Both go through the harness the browser runs
(runner/browser/harness.py, run_snippet), so the output is captured the same way everywhere.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

HARNESS = Path(settings.BASE_DIR) / "runner" / "browser" / "harness.py"
# A snippet is a few lines that print at once: seconds mean an endless loop (or a machine so
# busy that the check is worth repeating).
SNIPPET_TIME_LIMIT = 5


@dataclass(frozen=True)
class SnippetRun:
    """What one run of a snippet gave. `output` is what the candidate must predict;
    `problem` says why there is none ("" when the snippet ran)."""

    output: str = ""
    problem: str = ""

    @property
    def ran(self) -> bool:
        return not self.problem


def run_snippet(
    code: str, *, python: str = sys.executable, timeout: float | None = None
) -> SnippetRun:
    """Run a snippet with `python` (an interpreter's path) in a fresh, isolated process.

    Never raises for what the snippet does: a snippet that does not compile, does not finish
    within `timeout` seconds (SNIPPET_TIME_LIMIT unless given) or breaks the process is a
    SnippetRun with a `problem`.
    """
    timeout = SNIPPET_TIME_LIMIT if timeout is None else timeout
    try:
        completed = subprocess.run(
            [python, "-I", "-X", "utf8", str(HARNESS)],
            input=json.dumps({"snippet": code}),
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return SnippetRun(problem=f"did not finish within {timeout:g} s (an endless loop?)")
    try:
        report = json.loads(completed.stdout)
    except ValueError:
        why = completed.stderr.strip().splitlines()[-1:] or [f"exit code {completed.returncode}"]
        return SnippetRun(problem=f"stopped Python itself ({why[0]})")
    if report["status"] != "pass":
        return SnippetRun(problem=f"does not compile: {report['message'].splitlines()[-1]}")
    return SnippetRun(output=report["output"])


def run_snippets(
    codes: Sequence[str], *, python: str = sys.executable, timeout: float | None = None
) -> list[SnippetRun]:
    """run_snippet for each, a few processes at a time; in the order given."""
    workers = max(1, min(4, os.cpu_count() or 1, len(codes)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda code: run_snippet(code, python=python, timeout=timeout), codes))
