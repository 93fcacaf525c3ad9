"""At 390 pixels wide (a phone), no page scrolls sideways: long inline code wraps, Markdown
tables and code blocks scroll inside their own boxes, and the code card's editor and test
results stay within the card.

Every published question of the real bank is opened with its answer shown, then the main pages
with realistic data (tests/e2e/demo_data.py), in one browser context, one tab.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from practice import services
from practice.models import Mode, Rating
from questions.models import Kind, Question, Track
from tests.e2e.demo_data import build_history, load_bank, mentoring_story
from tests.e2e.screens import PHONE
from tests.factories import MentorFactory, UserFactory

pytestmark = pytest.mark.e2e

# How wide the document is against its window (less a vertical scroll bar, when the browser
# draws one), and the element reaching furthest out.
OVERFLOW = """() => {
  const root = document.documentElement;
  const limit = Math.min(window.innerWidth, root.clientWidth);
  let widest = null;
  for (const element of document.body.querySelectorAll("*")) {
    const right = element.getBoundingClientRect().right;
    if (right > limit + 1 && (!widest || right > widest.right)) {
      widest = {right, tag: element.tagName.toLowerCase(), cls: element.className.toString()};
    }
  }
  return {scrollWidth: root.scrollWidth, width: limit, widest};
}"""
LONG_LINE = "result = " + " + ".join(f"value_{n}" for n in range(30))


def note_overflow(page, where: str, problems: list[str]) -> None:
    """Note a problem when the page at its current state scrolls sideways."""
    measure = page.evaluate(OVERFLOW)
    if measure["scrollWidth"] > measure["width"]:
        widest = measure["widest"] or {}
        problems.append(
            f"{where}: {measure['scrollWidth']} px wide in a {measure['width']} px window "
            f"(widest: <{widest.get('tag')} class={widest.get('cls')!r}> to {widest.get('right')})"
        )


def open_and_check(page, url: str, problems: list[str], *, wait_for: str | None = None) -> None:
    page.goto(url, wait_until="domcontentloaded")
    if wait_for:
        expect(page.locator(wait_for).first).to_be_visible()
    note_overflow(page, url, problems)


# Another page's body in place of this one's, under the same stylesheet: far quicker than a
# navigation for the bank's hundreds of question pages (their scripts change no layout).
SWAP_IN = """async (url) => {
  const response = await fetch(url);
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  document.body.replaceWith(document.adoptNode(page.body));
  return response.status;
}"""


def swap_in_and_check(page, url: str, problems: list[str]) -> None:
    assert page.evaluate(SWAP_IN, url) == 200, url
    note_overflow(page, url, problems)


def code_session(candidate) -> tuple:
    """A study session on a coding question: its card shows the editor; a submission with long
    lines in its results shows on the summary."""
    question = (
        Question.objects.published()
        .filter(kind=Kind.CODING, runs_in_browser=True, tests__isnull=False)
        .distinct()
        .first()
    )
    session = services.start_session_with_questions(
        user=candidate, mode=Mode.STUDY, questions=[question]
    )
    item = session.items.get()
    item.session = session
    results = [
        {
            "name": test.name,
            "status": "fail",
            "message": f"AssertionError: expected {LONG_LINE} but got None",
            "output": LONG_LINE,
            "duration_ms": 1.5,
        }
        for test in question.tests.all()
    ]
    item.record_submission(code=f"def solve():\n    {LONG_LINE}\n", results=results)
    return session, item


def test_no_page_scrolls_sideways_on_a_phone(new_context, log_in):
    load_bank()
    candidate = UserFactory(
        username="alex",
        target_track=Track.objects.get(slug="backend-web"),
        interview_date=timezone.localdate() + timedelta(days=24),
    )
    mentor = MentorFactory(username="sam")
    build_history(candidate)
    assignment = mentoring_story(mentor=mentor, candidate=candidate)
    code, code_item = code_session(candidate)
    published = list(Question.objects.published().order_by("slug"))
    study = services.start_session_with_questions(
        user=candidate, mode=Mode.STUDY, questions=published[:3]
    )
    first = study.items.order_by("position").first()
    first.session = study
    first.reveal(response=LONG_LINE)
    problems: list[str] = []

    # Not is_mobile: a mobile browser widens its window to a page that is too wide, which would
    # hide the very overflow measured here.
    page = new_context(viewport=PHONE).new_page()
    for url in ["/", "/accounts/signup/", "/accounts/login/", "/accounts/password/reset/"]:
        open_and_check(page, url, problems)

    log_in(page.context, candidate)
    open_and_check(page, "/questions/", problems)
    for question in published:
        swap_in_and_check(page, f"/questions/{question.slug}/?answer=1", problems)
    summary = candidate.practice_sessions.filter(finished_at__isnull=False).first()
    for url in [
        "/dashboard/",
        "/practice/",
        f"/practice/{study.pk}/",
        f"/practice/{summary.pk}/summary/",
        f"/practice/{assignment.sessions.get().pk}/summary/",
        "/questions/",
        "/questions/?q=prefetch_related",
        "/sets/",
        "/bookmarks/",
        "/accounts/profile/",
        "/assignments/",
        "/lab/n-plus-one/",
        "/lab/n-plus-one/?rows=50&mode=tuned",
    ]:
        open_and_check(page, url, problems)
    # The code card: CodeMirror's editor, then the submitted results with their long lines.
    open_and_check(page, f"/practice/{code.pk}/", problems, wait_for=".cm-editor")
    page.locator("#session-card .test-results details").first.evaluate("d => d.open = true")
    note_overflow(page, "the code card with its results", problems)
    code_item.refresh_from_db()
    code_item.record_grade(rating=Rating.AGAIN)
    open_and_check(page, f"/practice/{code.pk}/summary/", problems)
    page.locator(".summary-item details").first.evaluate("d => d.open = true")
    note_overflow(page, "the summary with the submitted code", problems)

    log_in(page.context, mentor)
    for url in [
        "/mentor/",
        f"/mentor/mentees/{candidate.pk}/",
        "/mentor/sets/",
        f"/mentor/sets/{assignment.question_set_id}/search/?q=django",
        "/mentor/assign/",
        f"/feedback/{assignment.sessions.get().items.order_by('position').first().pk}/",
    ]:
        open_and_check(page, url, problems)

    assert not problems, "Pages that scroll sideways at 390 px:\n" + "\n".join(problems)
