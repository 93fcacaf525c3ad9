"""Every main page with realistic data (the real bank, two months of practice, a mentor and an
assignment with a feedback thread): no serious accessibility problem in light or dark colours.

With SCREENSHOTS=1 (`make screenshots`) the same walk saves the README's screenshots to
docs/screenshots/, desktop and phone.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from questions.models import Track
from tests.e2e.axe import check_accessibility
from tests.e2e.demo_data import build_history, load_bank, mentoring_story
from tests.e2e.screens import PHONE, shoot
from tests.factories import EditorFactory, MentorFactory, UserFactory

pytestmark = pytest.mark.e2e


def start(page, *, mode: str, count: int, kinds: tuple[str, ...] = ()) -> None:
    page.goto("/practice/")
    page.get_by_label(mode, exact=False).first.check()
    for kind in kinds:
        page.get_by_label(kind, exact=True).check()
    page.get_by_label("Number of questions").fill(str(count))
    page.get_by_role("button", name="Start practice").click()
    expect(page).to_have_url(re.compile(r"/practice/\d+/$"))
    # The keyboard shortcuts come with prep.js (deferred): wait for it before pressing keys.
    page.wait_for_load_state("load")


def test_every_main_page_with_real_data_is_accessible_in_light_and_dark(
    new_context, log_in, live_server
):
    load_bank()
    candidate = UserFactory(
        username="alex",
        first_name="Alex",
        target_track=Track.objects.get(slug="backend-web"),
        interview_date=timezone.localdate() + timedelta(days=24),
    )
    mentor = MentorFactory(username="sam", first_name="Sam")
    build_history(candidate)
    assignment = mentoring_story(mentor=mentor, candidate=candidate)

    page = new_context().new_page()
    page.goto("/")
    shoot(page, "landing", dark=True)

    page.goto("/accounts/signup/")
    page.get_by_label("Username").fill("robin")
    page.get_by_label("Email").fill("robin@example.com")
    page.get_by_label("Password:", exact=True).fill("a long and unusual passphrase")
    page.get_by_label("Password confirmation").fill("a long and unusual passphrase")
    check_accessibility(page, "sign-up form")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    check_accessibility(page, "check your email")
    shoot(page, "check-email")

    log_in(page.context, candidate)
    page.goto("/dashboard/")
    expect(page.get_by_role("heading", name="Your dashboard")).to_be_visible()
    check_accessibility(page, "dashboard with two months of history")
    shoot(page, "dashboard", dark=True)

    page.goto("/practice/")
    check_accessibility(page, "practice start")
    shoot(page, "practice-start")

    start(page, mode="Study", count=5, kinds=("Concept", "Coding"))
    page.keyboard.press("Space")
    expect(page.get_by_role("heading", name="Model answer")).to_be_visible()
    check_accessibility(page, "study card, answer shown")
    shoot(page, "study-card", dark=True)
    for grade in "3423":
        page.keyboard.press(grade)
        expect(page.locator("#session-card .reveal-form")).to_be_visible()
        page.keyboard.press("Space")
        expect(page.get_by_role("heading", name="Model answer")).to_be_visible()
    page.keyboard.press("1")
    expect(page).to_have_url(re.compile(r"/summary/$"))
    check_accessibility(page, "study summary")
    shoot(page, "summary")

    # A coding card: the editor, then the examples run in the browser (the starter fails them).
    start(page, mode="Study", count=1, kinds=("Coding",))
    status = page.locator("#session-card [data-runner-status]")
    expect(status).to_have_text("Python is ready.", timeout=60_000)
    page.get_by_role("button", name=re.compile("^Run examples")).click()
    expect(page.locator("#session-card .test-results h3")).to_contain_text("Examples:")
    check_accessibility(page, "coding card with the examples' results")
    shoot(page, "code-card", dark=True, at="#session-card label[for='id_response']")

    # Multiple choice only: a predict-the-output card would take typing, not the key "2".
    start(page, mode="Quiz", count=3, kinds=("Multiple choice",))
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    expect(page.locator(".verdict")).to_be_visible()
    check_accessibility(page, "quiz result")
    shoot(page, "quiz-result")

    start(page, mode="Mock interview", count=4)
    expect(page.get_by_role("timer")).to_be_visible()
    check_accessibility(page, "mock interview")
    shoot(page, "mock-interview")

    page.goto("/questions/")
    check_accessibility(page, "question bank")
    shoot(page, "questions")
    page.get_by_label("Search").fill("prefetch_related")
    expect(page.locator("#question-results")).to_contain_text("match")
    page.goto("/questions/select-related-vs-prefetch-related/")
    check_accessibility(page, "question page")
    shoot(page, "question", dark=True)

    for url, label in [
        ("/sets/", "public question sets"),
        ("/bookmarks/", "bookmarks and notes"),
        ("/accounts/profile/", "profile"),
    ]:
        page.goto(url)
        check_accessibility(page, label)

    page.goto("/assignments/")
    expect(page.locator(".assignment-card").first).to_be_visible()
    check_accessibility(page, "assignments")
    shoot(page, "assignments")

    # The assigned session's summary, with the mentor's feedback thread on an answer.
    page.goto(f"/practice/{assignment.sessions.get().pk}/summary/")
    expect(page.locator(".thread-comments").first).to_be_visible()
    check_accessibility(page, "assignment summary with feedback")
    shoot(page, "feedback", at=".summary-item:has(.thread-comments)")

    page.goto("/lab/n-plus-one/")
    check_accessibility(page, "ORM lab")
    shoot(page, "orm-lab")

    mentor_page = new_context().new_page()
    log_in(mentor_page.context, mentor)
    mentor_page.goto("/mentor/")
    check_accessibility(mentor_page, "mentor home")
    shoot(mentor_page, "mentor")
    mentor_page.goto(f"/mentor/mentees/{candidate.pk}/")
    expect(mentor_page.locator(".thread-comments").first).to_be_visible()
    check_accessibility(mentor_page, "mentee page")
    shoot(mentor_page, "mentee", at="#assignments-title")
    mentor_page.goto(f"/mentor/sets/{assignment.question_set_id}/search/?q=django")
    check_accessibility(mentor_page, "set builder")
    shoot(mentor_page, "set-builder")
    mentor_page.goto("/mentor/sets/")
    check_accessibility(mentor_page, "the mentor's question sets")
    mentor_page.goto("/mentor/assign/")
    check_accessibility(mentor_page, "assign a set")
    first_answer = assignment.sessions.get().items.order_by("position").first()
    mentor_page.goto(f"/feedback/{first_answer.pk}/")
    check_accessibility(mentor_page, "a feedback thread")

    # On a phone: wide tables, charts and code scroll sideways and must do so by keyboard too.
    # (Colours were checked above; the layout is what changes.)
    summary = candidate.practice_sessions.filter(finished_at__isnull=False).first()
    for user, urls in [
        (
            candidate,
            [
                "/",
                "/practice/",
                f"/practice/{summary.pk}/summary/",
                "/questions/",
                "/questions/select-related-vs-prefetch-related/",
                "/assignments/",
                "/lab/n-plus-one/",
            ],
        ),
        (mentor, ["/mentor/", f"/mentor/mentees/{candidate.pk}/", "/mentor/assign/"]),
    ]:
        phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
        log_in(phone.context, user)
        for url in urls:
            phone.goto(url)
            check_accessibility(phone, f"{url} on a phone", schemes=("light",))

    editor_page = new_context().new_page()
    log_in(editor_page.context, EditorFactory(username="edie"))
    editor_page.goto("/admin/questions/question/")
    expect(editor_page.locator("#result_list")).to_be_visible()
    editor_page.locator("#toggle-nav-sidebar").click()  # room for the list in the picture
    shoot(editor_page, "admin-questions")
