"""Tasks that exist only for the tests of the queue and the worker.

Worker processes started by the tests import them too (they run with tests.background.settings),
so what they record goes to a file the test names, never to a shared place.
"""

import os
import time
from pathlib import Path

from django_tasks import task

# How long hold_until_released waits for its release file at most: a bound, not a timing.
HOLD_LIMIT_SECONDS = 60


@task()
def always_fails(*, message: str) -> None:
    raise RuntimeError(message)


@task(takes_context=True)
def fails_before_attempt(context, *, succeeds_at: int) -> str:
    """Raises until the worker runs it for the `succeeds_at`-th time."""
    if context.attempt < succeeds_at:
        raise ConnectionRefusedError(f"attempt {context.attempt}: not yet")
    return f"done at attempt {context.attempt}"


@task()
def returns_something_json_cannot_hold() -> object:
    return object()


def _note(log: str, line: str) -> None:
    with Path(log).open("a") as file:  # one short append per line: whole lines, in order
        file.write(f"{line}\n")


@task()
def record_run(*, log: str, number: int, hold: float = 0.0) -> int:
    """Write `number` and this process's id to `log`, then take `hold` seconds."""
    _note(log, f"{number} {os.getpid()}")
    time.sleep(hold)
    return number


@task()
def hold_until_released(*, log: str, release: str) -> str:
    """Note when it starts and in which process, wait until the file `release` exists, note
    that it finished."""
    _note(log, f"started {os.getpid()} {time.time():.3f}")
    deadline = time.monotonic() + HOLD_LIMIT_SECONDS
    while not Path(release).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    _note(log, f"finished {os.getpid()} {time.time():.3f}")
    return "released"
