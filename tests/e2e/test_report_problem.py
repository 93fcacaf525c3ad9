"""Report a problem in a real browser: by keyboard alone, with htmx (the form swaps in its thanks
in place, the card stays) and without JavaScript (the form posts and comes back); no serious
accessibility problem with the form open."""

import re

import pytest
from playwright.sync_api import expect

from curation.models import ProblemReport
from tests.e2e.axe import check_accessibility
from tests.factories import QuestionFactory, UserFactory

pytestmark = pytest.mark.e2e


def test_a_card_is_reported_by_keyboard_and_the_card_stays(page, log_in):
    question = QuestionFactory(title="Report me", answer="The model answer.")
    candidate = UserFactory(username="kim")
    log_in(page.context, candidate)
    page.goto("/practice/")
    page.get_by_label("Number of questions").fill("1")
    page.get_by_label("Number of questions").press("Enter")
    expect(page).to_have_url(re.compile(r"/practice/\d+/$"))
    page.wait_for_load_state("load")

    summary = page.locator("#session-card details.report-problem summary")
    summary.focus()
    page.keyboard.press("Enter")
    check_accessibility(page, "study card with Report a problem open")
    page.keyboard.press("Tab")  # the first problem
    page.keyboard.press("ArrowDown")  # the second: "It is unclear"
    page.keyboard.press("Tab")
    page.keyboard.type("Which generator does it mean?")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # e-mail me
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    status = page.locator("#session-card details.report-problem [role=status]")
    expect(status).to_have_text("Thank you: an editor will look at it.")
    # Only the form was swapped: the card is still there, still unanswered.
    expect(page.locator("#session-card .reveal-form")).to_be_visible()
    report = ProblemReport.objects.get()
    assert (report.question, report.reporter) == (question, candidate)
    assert (report.problem, report.comment, report.wants_email) == (
        "unclear",
        "Which generator does it mean?",
        True,
    )


def test_without_javascript_the_form_posts_and_comes_back(new_context, log_in):
    question = QuestionFactory(title="No script here")
    context = new_context(java_script_enabled=False)
    log_in(context, UserFactory(username="noscript"))
    page = context.new_page()
    page.goto(question.get_absolute_url())

    page.get_by_text("Report a problem").click()
    page.get_by_label("A typo").check()
    page.get_by_role("button", name="Send the report").click()

    expect(page).to_have_url(re.compile(re.escape(question.get_absolute_url()) + "$"))
    expect(page.get_by_role("status").first).to_contain_text("an editor will look at it")
    assert ProblemReport.objects.get().problem == "typo"
