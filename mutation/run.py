"""`make mutation`: mutation testing (mutmut, pinned in pyproject.toml) of the code that grades,
schedules, draws and decides who may see what.

mutmut changes the code one small edit at a time (a mutant) and runs the tests that cover the
changed function; a mutant that no test notices "survives". Each target below is one module (or
the named functions of one), with the tests that cover it, in a workspace of its own under
mutation/.work/<target>/ (symlinks to the apps, a generated setup.cfg for mutmut, and mutmut's
mutants/ copy, made afresh on every run so that it never runs stale code or stale coverage).

Mutants that cannot change behaviour are listed in mutation/equivalent.txt with a reason each,
and left out of the score. The score is killed / (all - equivalent); a timeout counts as killed.

    python mutation/run.py                    # every target
    python mutation/run.py scheduling draw    # some of them
    python mutation/run.py --workers 2        # mutmut's --max-children (default 1)
    python mutation/run.py --list             # the targets

Exit status: 0 when every target reaches TARGET_SCORE, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "mutation"
WORK = HERE / ".work"
EQUIVALENT = HERE / "equivalent.txt"
TARGET_SCORE = 0.95

# The apps the tests import (every folder with an apps.py, so a new app is never missed);
# mutmut copies them into mutants/ and mutates only the target file.
PACKAGES = sorted(path.parent.name for path in ROOT.glob("*/apps.py"))
# settings.BASE_DIR is mutants/ when the tests run there. manage.py too: pytest-django puts the
# folder of the nearest manage.py above the tests on sys.path, and without one in mutants/ it
# finds the project's own (mutation/.work is inside it) and the tests import the unmutated code.
ALSO_COPY = ["templates", "manage.py"]
# mutation/db_plugin.py, as a module the tests' pytest can load (-p): one test database a run.
DB_PLUGIN = "mutation_db"


@dataclass(frozen=True)
class Target:
    path: str  # the module to mutate
    tests: tuple[str, ...]
    functions: tuple[str, ...] = ()  # empty: the whole module

    @property
    def module(self) -> str:
        return self.path.removesuffix(".py").replace("/", ".")

    @property
    def patterns(self) -> list[str]:
        """mutmut's names for the target's mutants (functions: x_<name>__mutmut_<n>)."""
        if not self.functions:
            return [f"{self.module}.*"]
        return [f"{self.module}.x_{name}__mutmut_*" for name in self.functions]


PRACTICE_WRITES = (
    "tests/practice/test_bystanders.py",
    "tests/practice/test_mock_assessment.py",
    "tests/practice/test_answer_bookkeeping.py",
    "tests/practice/test_study.py",
    "tests/practice/test_quiz.py",
    "tests/practice/test_mock.py",
    "tests/practice/test_code_submissions.py",
    "tests/practice/test_services.py",
    "tests/practice/test_summary.py",
)
PERMISSION_MATRIX = "tests/site/test_permission_matrix.py"
QUERY_BUDGETS = "tests/site/test_query_budgets.py"  # what the helpers load with the row

TARGETS = {
    "scheduling": Target(
        "practice/scheduling.py",
        tests=(
            "tests/practice/test_scheduling.py",
            "tests/practice/test_defaults.py",
            "tests/practice/test_mock_assessment.py",
            "tests/practice/test_study.py",
        ),
    ),
    "draw": Target(
        "practice/draw.py",
        tests=(
            "tests/practice/test_draw.py",
            "tests/practice/test_choice_order.py",
            "tests/practice/test_defaults.py",
            "tests/practice/test_start.py",
        ),
    ),
    # Recording answers (the runner's Submit included), finishing sessions, and the card a
    # session shows: methods of PracticeSession and SessionItem.
    "models": Target(
        "practice/models.py",
        tests=(
            *PRACTICE_WRITES,
            "tests/practice/test_predict_output.py",
            "tests/practice/test_sql_cards.py",
            "tests/practice/test_orm_exercises.py",
            "tests/practice/test_debugging.py",
            "tests/practice/test_choice_order.py",
            "tests/practice/test_dashboard.py",
            "tests/practice/test_card_at.py",
        ),
    ),
    # The runner's result recording: what a browser may post on Submit.
    "results": Target(
        "runner/results.py",
        tests=(
            "tests/runner/test_results.py",
            "tests/runner/test_query_results.py",
            "tests/runner/test_sql.py",
            "tests/practice/test_submitted_results_limits.py",
            "tests/practice/test_code_submissions.py",
            "tests/practice/test_sql_cards.py",
            "tests/practice/test_orm_exercises.py",
        ),
    ),
    # Ownership: another user's session or item is a 404.
    "practice-views": Target(
        "practice/views.py",
        tests=(*PRACTICE_WRITES, PERMISSION_MATRIX, QUERY_BUDGETS),
        functions=("_get_session_for", "_items_of", "_get_item_for", "_session_and_current_item"),
    ),
    # Who may see a mentee, a set, a thread. (Not mentor_required: it runs once, when the views
    # are decorated at import, before mutmut's workers fork, so its mutants can never run; the
    # check itself is in its inner wrapper, which mutmut does not mutate. Nor the decorated
    # views themselves, which mutmut skips: tests/site/test_permission_matrix.py covers them.)
    "mentoring-views": Target(
        "mentoring/views.py",
        tests=(
            "tests/mentoring/test_invite_and_thread_rules.py",
            "tests/mentoring/test_feedback.py",
            "tests/mentoring/test_mentor_pages.py",
            "tests/mentoring/test_sets.py",
            PERMISSION_MATRIX,
            QUERY_BUDGETS,
        ),
        functions=(
            "_get_mentorship_for",
            "_get_set_for",
            "_get_thread_item_for",
            "_get_item_for",
        ),
    ),
    # Invites, and the feedback threads' reading and writing.
    "mentoring-services": Target(
        "mentoring/services.py",
        tests=(
            "tests/mentoring/test_invite_and_thread_rules.py",
            "tests/mentoring/test_invites.py",
            "tests/mentoring/test_feedback.py",
            "tests/mentoring/test_loop.py",
            "tests/mentoring/test_unread_counts.py",
        ),
        functions=(
            "make_invite_token",
            "invite_expires_at",
            "mentor_from_invite",
            "invite_problem",
            "accept_invite",
            "feedback_for_summary",
            "post_comment",
        ),
    ),
    # Who sees which comments and which are unread, who may read a mentee's assignments: the
    # mentoring querysets.
    "mentoring-models": Target(
        "mentoring/models.py",
        tests=(
            "tests/mentoring/test_invite_and_thread_rules.py",
            "tests/mentoring/test_feedback.py",
            "tests/mentoring/test_unread_counts.py",
            "tests/mentoring/test_mentor_pages.py",
            "tests/mentoring/test_assignments.py",
            "tests/mentoring/test_assignment_order.py",
            "tests/mentoring/test_loop.py",
            PERMISSION_MATRIX,
        ),
    ),
}


# --- equivalent mutants --------------------------------------------------------------------------


@dataclass(frozen=True)
class Equivalent:
    """A listed mutant: its name, its mutated code (to notice when the numbering has moved on)
    and why it cannot change behaviour."""

    name: str
    code: str
    reason: str


def read_equivalents() -> dict[str, Equivalent]:
    """mutation/equivalent.txt: `name | mutated code | reason`, one a line; # starts a comment."""
    listed = {}
    for number, line in enumerate(EQUIVALENT.read_text().splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _, rest = line.partition(" | ")
        code, _, reason = rest.rpartition(" | ")
        if not (name and code and reason):
            sys.exit(f"{EQUIVALENT}:{number}: expected `name | mutated code | reason`")
        listed[name.strip()] = Equivalent(name.strip(), code.strip(), reason.strip())
    return listed


# --- running mutmut ------------------------------------------------------------------------------


def _setup_cfg(target: Target) -> str:
    def lines(values) -> str:
        return "".join(f"\n    {value}" for value in values)

    return (
        "# Written by mutation/run.py for each run.\n"
        "[mutmut]\n"
        f"source_paths ={lines(PACKAGES)}\n"
        f"only_mutate ={lines([target.path])}\n"
        f"also_copy ={lines([*ALSO_COPY, f'{DB_PLUGIN}.py'])}\n"
        f"pytest_add_cli_args ={lines(['-p', DB_PLUGIN])}\n"
        f"pytest_add_cli_args_test_selection ={lines(target.tests)}\n"
        "use_git_change_detection = false\n"
    )


def prepare(name: str, target: Target) -> Path:
    """A fresh workspace: links to the project's files, and mutmut's settings."""
    workspace = WORK / name
    if workspace.exists():
        shutil.rmtree(workspace)
    workspace.mkdir(parents=True)
    for entry in [*PACKAGES, *ALSO_COPY, "tests", "pyproject.toml"]:
        (workspace / entry).symlink_to(ROOT / entry)
    (workspace / f"{DB_PLUGIN}.py").symlink_to(HERE / "db_plugin.py")
    (workspace / "setup.cfg").write_text(_setup_cfg(target))
    return workspace


def mutmut(workspace: Path, *args: str, log=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # pyproject.toml's pytest settings name it
    return subprocess.run(
        [sys.executable, "-m", "mutmut", *args],
        cwd=workspace,
        env=env,
        stdout=log or subprocess.PIPE,
        stderr=subprocess.STDOUT if log else subprocess.PIPE,
        text=True,
        check=False,
    )


STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", None: "not run"}
TIMEOUTS = {36, -24, 24, 152, 255}


def status_of(exit_code: int | None) -> str:
    if exit_code in TIMEOUTS:
        return "timeout"
    return STATUS.get(exit_code, f"suspicious (exit {exit_code})")


def mutated_code(workspace: Path, mutant: str) -> str:
    """The mutant's changed line(s), from `mutmut show`."""
    shown = mutmut(workspace, "show", mutant).stdout
    lines = shown.splitlines()
    added = [line[1:].strip() for line in lines if line[:1] == "+" and line[:3] != "+++"]
    if added:
        return " ⏎ ".join(added)
    removed = [line[1:].strip() for line in lines if line[:1] == "-" and line[:3] != "---"]
    return "deleted: " + " ⏎ ".join(removed)


@dataclass
class Outcome:
    name: str
    total: int = 0
    killed: int = 0
    equivalent: int = 0
    survivors: tuple[tuple[str, str, str], ...] = ()  # (mutant, status, mutated code)
    stale: tuple[str, ...] = ()
    seconds: float = 0.0
    error: str = ""

    @property
    def counted(self) -> int:
        return self.total - self.equivalent

    @property
    def score(self) -> float:
        return self.killed / self.counted if self.counted else 1.0


def run_target(name: str, target: Target, *, workers: int, equivalents) -> Outcome:
    started = time.monotonic()
    workspace = prepare(name, target)
    log_path = workspace / "mutmut.log"
    with log_path.open("w") as log:
        result = mutmut(workspace, "run", "--max-children", str(workers), *target.patterns, log=log)
    outcome = Outcome(name, seconds=time.monotonic() - started)
    meta = workspace / "mutants" / f"{target.path}.meta"
    if result.returncode != 0 or not meta.exists():
        outcome.error = f"mutmut failed (exit {result.returncode}): see {log_path}"
        return outcome
    codes = json.loads(meta.read_text())["exit_code_by_key"]
    prefixes = tuple(pattern.removesuffix("*") for pattern in target.patterns)
    survivors, stale = [], []
    for mutant, exit_code in sorted(codes.items(), key=lambda kv: _natural(kv[0])):
        if not mutant.startswith(prefixes):
            continue
        outcome.total += 1
        status = status_of(exit_code)
        listed = equivalents.get(mutant)
        if status in ("killed", "timeout"):
            outcome.killed += 1
            if listed:
                stale.append(f"{mutant} is listed as equivalent but a test kills it: unlist it")
            continue
        code = mutated_code(workspace, mutant)
        if listed and listed.code == code:
            outcome.equivalent += 1
            continue
        if listed:
            stale.append(f"{mutant} is listed as `{listed.code}` but is now `{code}`")
        survivors.append((mutant, status, code))
    outcome.survivors = tuple(survivors)
    outcome.stale = tuple(stale)
    return outcome


def _natural(name: str):
    head, _, number = name.rpartition("_")
    return (head, int(number) if number.isdigit() else 0)


def report(outcomes: list[Outcome]) -> bool:
    print()
    print(f"{'target':<20} {'mutants':>8} {'equiv.':>7} {'killed':>7} {'score':>7} {'time':>7}")
    total = counted = killed = 0
    ok = True
    for outcome in outcomes:
        if outcome.error:
            print(f"{outcome.name:<20} {outcome.error}")
            ok = False
            continue
        total += outcome.total
        counted += outcome.counted
        killed += outcome.killed
        ok &= outcome.score >= TARGET_SCORE
        print(
            f"{outcome.name:<20} {outcome.total:>8} {outcome.equivalent:>7} {outcome.killed:>7} "
            f"{outcome.score:>7.1%} {outcome.seconds / 60:>6.1f}m"
        )
    if counted:
        print(
            f"{'all':<20} {total:>8} {total - counted:>7} {killed:>7} {killed / counted:>7.1%} "
            f"{sum(o.seconds for o in outcomes) / 60:>6.1f}m"
        )
    for outcome in outcomes:
        for mutant, status, code in outcome.survivors:
            print(f"  {status}: {mutant}: {code}")
        for line in outcome.stale:
            print(f"  stale in equivalent.txt: {line}")
    print(f"\nTarget: {TARGET_SCORE:.0%} of the non-equivalent mutants killed in every target.")
    print("Inspect one: cd mutation/.work/<target> && ../../../.venv/bin/mutmut show <mutant>")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="*", help=f"some of: {', '.join(TARGETS)}")
    parser.add_argument("--workers", type=int, default=1, help="mutmut's --max-children")
    parser.add_argument("--list", action="store_true", help="list the targets and stop")
    args = parser.parse_args()
    if args.list:
        for name, target in TARGETS.items():
            what = ", ".join(target.functions) if target.functions else "the whole module"
            print(f"{name}: {target.path} ({what})")
        return 0
    unknown = set(args.targets) - set(TARGETS)
    if unknown:
        parser.error(f"unknown target(s): {', '.join(sorted(unknown))}")
    equivalents = read_equivalents()
    outcomes = []
    for name in args.targets or TARGETS:
        print(f"mutation: {name} ({TARGETS[name].path}) ...", flush=True)
        outcome = run_target(name, TARGETS[name], workers=args.workers, equivalents=equivalents)
        outcomes.append(outcome)
        print(
            f"  {outcome.killed}/{outcome.counted} killed in {outcome.seconds / 60:.1f} min"
            if not outcome.error
            else f"  {outcome.error}",
            flush=True,
        )
    return 0 if report(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
