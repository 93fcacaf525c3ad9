"""A mentor and a candidate, each in their own browser: invite, accept, build a set, assign it,
complete it, comment on an answer, see the comment and answer it."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import check_accessibility
from tests.factories import MentorFactory, QuestionFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.e2e


def test_a_mentor_and_a_candidate_work_through_an_assignment_and_talk_about_an_answer(
    new_context, log_in
):
    topic = TopicFactory(slug="fundamentals", name="Fundamentals")
    for title in ("How do decorators work?", "Write a decorator that retries"):
        QuestionFactory(title=title, topic=topic, answer=f"Model answer: {title}")
    QuestionFactory(title="What is the GIL?", topic=topic)
    mentor = MentorFactory(username="morgan", first_name="Morgan")
    candidate = UserFactory(username="casey")
    mentor_page = new_context().new_page()
    log_in(mentor_page.context, mentor)
    candidate_page = new_context().new_page()
    log_in(candidate_page.context, candidate)

    # The mentor copies the invite link; the candidate opens it and accepts.
    mentor_page.goto("/mentor/")
    expect(mentor_page.get_by_text("No mentees yet")).to_be_visible()
    check_accessibility(mentor_page, "mentor home (no mentees)")
    invite_url = mentor_page.get_by_label("Your invite link").input_value()
    candidate_page.goto(invite_url)
    expect(candidate_page.get_by_text("invites you to be their mentee")).to_be_visible()
    check_accessibility(candidate_page, "invitation")
    candidate_page.get_by_role("button", name="Accept").click()
    expect(candidate_page).to_have_url(re.compile(r"/assignments/$"))
    expect(candidate_page.get_by_text("is now your mentor")).to_be_visible()
    expect(candidate_page.get_by_text("No assignments yet")).to_be_visible()
    check_accessibility(candidate_page, "assignments (none yet)")

    # The mentor builds a set from the bank's search, then assigns it.
    mentor_page.reload()
    expect(mentor_page.get_by_role("link", name="casey")).to_be_visible()
    mentor_page.get_by_role("navigation", name="Mentoring").get_by_role(
        "link", name="Question sets"
    ).click()
    mentor_page.get_by_label("Title").fill("Decorators, properly")
    mentor_page.get_by_role("button", name="Create set").click()
    expect(
        mentor_page.get_by_role("heading", name=re.compile("Questions in this set"))
    ).to_be_visible()
    mentor_page.get_by_label("Search the published bank").fill("decorator")
    results = mentor_page.locator("#search-results")
    expect(results).to_contain_text("2 results")
    results.get_by_role("button", name="Add “How do decorators work?”").click()
    set_items = mentor_page.locator("#set-items")
    expect(set_items).to_contain_text("1. How do decorators work?")
    results.get_by_role("button", name="Add “Write a decorator that retries”").click()
    expect(set_items).to_contain_text("2. Write a decorator that retries")
    check_accessibility(mentor_page, "set builder")

    mentor_page.get_by_role("link", name="Assign this set").click()
    expect(mentor_page.get_by_label("Question set")).to_have_value(re.compile(r"\d+"))
    mentor_page.get_by_label("casey").check()
    mentor_page.get_by_label("Due").fill("2030-05-31T18:00")
    check_accessibility(mentor_page, "assign a set")
    mentor_page.get_by_role("button", name="Assign", exact=True).click()
    expect(mentor_page.get_by_text("Assigned “Decorators, properly” to")).to_be_visible()

    # The candidate completes the assignment.
    candidate_page.get_by_role("link", name="Assignments").click()
    card = candidate_page.locator(".assignment-card")
    expect(card).to_contain_text("Decorators, properly")
    expect(card).to_contain_text("From Morgan")
    check_accessibility(candidate_page, "assignments (one to do)")
    card.get_by_role("button", name=re.compile("^Start")).click()
    for number, answer in enumerate(["They wrap a function.", "A loop with try and except."]):
        expect(candidate_page.locator("#session-card")).to_contain_text(
            f"Question {number + 1} of 2"
        )
        candidate_page.get_by_role("textbox", name="Your answer").fill(answer)
        candidate_page.get_by_role("button", name="Show answer").click()
        expect(candidate_page.get_by_role("heading", name="Model answer")).to_be_visible()
        candidate_page.get_by_role("button", name="Good").click()
    expect(candidate_page).to_have_url(re.compile(r"/practice/\d+/summary/$"))

    # The mentor reads the answers and comments on the first one.
    mentor_page.get_by_role("link", name="casey").first.click()
    expect(mentor_page.get_by_role("heading", name="casey", level=1)).to_be_visible()
    first_answer = mentor_page.locator(".answer").first
    expect(first_answer).to_contain_text("They wrap a function.")
    first_answer.get_by_label("Comment on this answer").fill("Say what functools.wraps is for.")
    first_answer.get_by_role("button", name="Send").click()
    expect(first_answer.locator(".thread-comments")).to_contain_text(
        "Say what functools.wraps is for."
    )
    check_accessibility(mentor_page, "mentee page with a comment")

    # The candidate sees there is feedback, reads it and replies.
    candidate_page.goto("/dashboard/")
    nav = candidate_page.get_by_role("navigation", name="Main")
    expect(
        nav.get_by_role("link", name=re.compile(r"Assignments 1 unread feedback"))
    ).to_be_visible()
    nav.get_by_role("link", name=re.compile("^Assignments")).click()
    candidate_page.get_by_role("link", name=re.compile("Results and feedback")).click()
    thread = candidate_page.locator(".thread").filter(has_text="Say what functools.wraps is for.")
    expect(thread).to_be_visible()
    thread.get_by_label("Reply to your mentor").fill("It keeps the name and the docstring.")
    thread.get_by_role("button", name="Send").click()
    expect(thread.locator(".thread-comments")).to_contain_text(
        "It keeps the name and the docstring."
    )
    check_accessibility(candidate_page, "summary with a feedback thread")

    # The reply reaches the mentor.
    mentor_page.goto("/mentor/")
    expect(mentor_page.get_by_text("1 new reply")).to_be_visible()
