"""The runner's snapshot of Python (runner/worker.js, "Snapshots"), in real Chromium: the first
card page takes it before any code runs, the next page starts from it, the candidate's code leaves
nothing in it, and a snapshot changed in the browser's Cache Storage is not used."""

import pytest
from playwright.sync_api import expect

from tests.e2e.test_runner import (
    RIGHT_SOLUTION,
    paste_code,
    runner_status,
    study_session_on,
    wait_for_python,
)
from tests.factories import coding_question

pytestmark = pytest.mark.e2e

EXAMPLES_PASS = "Examples: 2 of 2 tests passed."
# Flips one byte in the middle of every stored snapshot, as code running in the worker could.
TAMPER = """async () => {
  const cache = await caches.open("prep-runner-snapshots");
  const requests = await cache.keys();
  for (const request of requests) {
    const bytes = new Uint8Array(await (await cache.match(request)).arrayBuffer());
    bytes[bytes.length >> 1] ^= 0xff;
    await cache.put(request, new Response(bytes));
  }
  return requests.length;
}"""


def started_from_snapshot(card):
    """The card's runner block, whose data-restored says whether Python came from the snapshot."""
    return card.locator("[data-code-runner]")


def run_examples(page, card, code: str) -> None:
    paste_code(page, card, code)
    page.keyboard.press("ControlOrMeta+Enter")
    expect(runner_status(card)).to_have_text(EXAMPLES_PASS, timeout=10_000)


def test_the_next_page_starts_from_the_snapshot_without_what_the_last_code_left(page, log_in):
    study_session_on(page, log_in, coding_question(title="Add"))
    card = page.locator("#session-card")
    wait_for_python(card)
    expect(started_from_snapshot(card)).to_have_attribute("data-restored", "false")
    run_examples(page, card, "import builtins\nbuiltins.LEFT_BEHIND = 1\n" + RIGHT_SOLUTION)

    page.reload()
    wait_for_python(card)

    expect(started_from_snapshot(card)).to_have_attribute("data-restored", "true")
    # The snapshot was taken before the first page ran any code: nothing of it is here.
    clean = "import builtins\nassert not hasattr(builtins, 'LEFT_BEHIND')\n"
    run_examples(page, card, clean + RIGHT_SOLUTION)


def test_a_snapshot_changed_in_the_browsers_storage_is_not_used(page, log_in):
    study_session_on(page, log_in, coding_question(title="Add"))
    card = page.locator("#session-card")
    wait_for_python(card)
    assert page.evaluate(TAMPER) == 1

    page.reload()
    wait_for_python(card)

    # Its digest is not the one the page was told: Python starts as usual, and works.
    expect(started_from_snapshot(card)).to_have_attribute("data-restored", "false")
    run_examples(page, card, RIGHT_SOLUTION)
    # That start took a fresh snapshot, which the next page uses.
    page.reload()
    wait_for_python(card)
    expect(started_from_snapshot(card)).to_have_attribute("data-restored", "true")
