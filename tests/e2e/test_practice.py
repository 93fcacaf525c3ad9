"""A candidate practises in the browser: study with the keyboard, a quiz, a timed mock interview,
and the study flow again with JavaScript off."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from practice.models import PracticeSession
from questions.models import Kind
from tests.e2e.axe import check_accessibility
from tests.e2e.test_accounts import confirmation_link
from tests.factories import (
    PASSWORD,
    ChoiceFactory,
    QuestionFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.e2e


def concept_questions(count: int = 8) -> list:
    topics = [
        TopicFactory(slug="fundamentals", name="Fundamentals"),
        TopicFactory(slug="databases", name="Databases & SQL"),
    ]
    return [
        QuestionFactory(
            title=f"Concept question {n}",
            topic=topics[n % 2],
            answer=f"The model answer to concept question {n}.",
        )
        for n in range(count)
    ]


def quiz_question(title: str, *, topic) -> None:
    question = QuestionFactory(title=title, kind=Kind.MULTIPLE_CHOICE, topic=topic)
    ChoiceFactory(
        question=question,
        text=f"The right answer to {title}",
        is_correct=True,
        explanation=f"Right, because {title} is like that.",
        position=0,
    )
    ChoiceFactory(
        question=question,
        text=f"A wrong answer to {title}",
        is_correct=False,
        explanation=f"Wrong, because {title} is not like that.",
        position=1,
    )


def sign_up(page, username: str) -> None:
    """Sign up, open the link from the confirmation email and confirm: signed in."""
    page.goto("/")
    page.get_by_role("link", name="Start practising, free").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.com")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(f"{username}@example.com")
    page.goto(confirmation_link(f"{username}@example.com"))
    page.get_by_role("button", name="Confirm my account").click()


def start_session(page, *, mode: str, count: int, minutes: int | None = None) -> None:
    page.get_by_label(mode, exact=False).first.check()
    page.get_by_label("Number of questions").fill(str(count))
    if minutes is not None:
        page.get_by_label("Mock interview length (minutes)").fill(str(minutes))
    page.get_by_role("button", name="Start practice").click()
    expect(page).to_have_url(re.compile(r"/practice/\d+/$"))
    # The keyboard shortcuts come with prep.js (deferred): wait for it before pressing keys.
    page.wait_for_load_state("load")


def test_a_visitor_signs_up_and_studies_five_questions_with_the_keyboard(page):
    concept_questions()

    sign_up(page, "newcomer")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", name="Your dashboard")).to_be_visible()
    check_accessibility(page, "dashboard (new account)")

    page.get_by_role("link", name="Practise now").click()
    expect(page.get_by_role("heading", name="Practice", exact=True)).to_be_visible()
    check_accessibility(page, "practice start")
    start_session(page, mode="Study", count=5)

    card = page.locator("#session-card")
    for number, grade in enumerate("12343", start=1):
        expect(card).to_contain_text(f"Question {number} of 5")
        expect(card.get_by_role("heading", level=2)).to_contain_text("Concept question")
        page.keyboard.press("Space")
        expect(card.get_by_role("heading", name="Model answer")).to_be_visible()
        expect(card).to_contain_text("The model answer to concept question")
        if number == 1:
            check_accessibility(page, "study card with the answer shown")
        page.keyboard.press(grade)

    expect(page).to_have_url(re.compile(r"/practice/\d+/summary/$"))
    expect(page.get_by_role("heading", name="Study: summary")).to_be_visible()
    expect(page.locator(".summary-stats")).to_contain_text("5 answered")
    check_accessibility(page, "study summary")

    page.get_by_role("link", name="Dashboard").last.click()
    expect(page.locator(".dashboard-stats")).to_contain_text("5 / ")
    expect(page.get_by_role("heading", name="Recent sessions")).to_be_visible()
    expect(page.locator("#heatmap, .heatmap").first).to_be_visible()


def test_a_quiz_marks_a_wrong_and_a_right_answer_and_explains_them(page, log_in):
    topic = TopicFactory(slug="fundamentals", name="Fundamentals")
    quiz_question("Quiz question A", topic=topic)
    quiz_question("Quiz question B", topic=topic)
    log_in(page.context, UserFactory(username="quinn"))
    page.goto("/practice/")
    start_session(page, mode="Quiz", count=2)

    card = page.locator("#session-card")
    title = card.get_by_role("heading", level=2).inner_text()
    # A wrong answer, with the mouse; Enter on the chosen radio button sends the form.
    card.locator(".quiz-choice", has_text=f"A wrong answer to {title}").click()
    page.keyboard.press("Enter")
    expect(card).to_contain_text("Not quite")
    expect(card).to_contain_text(f"Wrong, because {title} is not like that.")
    expect(card).to_contain_text(f"Right, because {title} is like that.")
    check_accessibility(page, "quiz result (wrong)")

    page.keyboard.press("Space")
    expect(card).to_contain_text("Question 2 of 2")
    title = card.get_by_role("heading", level=2).inner_text()
    # The right answer, with the keyboard: its number picks it, Enter checks.
    choices = card.locator(".quiz-choice")
    expect(choices).to_have_count(2)
    number = 1 + choices.all_inner_texts().index(
        next(t for t in choices.all_inner_texts() if t.startswith("The right answer"))
    )
    page.keyboard.press(str(number))
    expect(card.get_by_label(re.compile("The right answer"))).to_be_checked()
    page.keyboard.press("Enter")
    expect(card).to_contain_text("Right: well done.")
    expect(card).to_contain_text(f"Right, because {title} is like that.")

    card.get_by_role("link", name="See your summary").click()
    expect(page.locator(".summary-stats")).to_contain_text("1 / 2")


def test_a_mock_interview_counts_down_refuses_a_late_answer_and_scores_itself(page, log_in):
    topic = TopicFactory(slug="fundamentals", name="Fundamentals")
    for n in range(2):
        QuestionFactory(
            title=f"Mock question {n}",
            topic=topic,
            key_points="Names the idea\nGives an example\nStates the trade-off",
        )
    candidate = UserFactory(username="mo")
    log_in(page.context, candidate)
    page.goto("/practice/")
    start_session(page, mode="Mock interview", count=2, minutes=5)

    card = page.locator("#session-card")
    clock = card.get_by_role("timer").locator("time")
    expect(clock).to_have_text(re.compile(r"^[45]:\d\d$"))
    first_reading = clock.inner_text()
    expect(clock).not_to_have_text(first_reading)  # it ticks
    check_accessibility(page, "mock interview question")

    card.get_by_label("Your answer").fill("An idea, an example and its trade-off.")
    card.get_by_role("button", name="Submit answer and continue").click()
    expect(card).to_contain_text("Question 2 of 2")

    # The limit passes: the session becomes a 1-minute interview that started 2 minutes ago.
    PracticeSession.objects.filter(user=candidate).update(
        time_limit_minutes=1, started_at=timezone.now() - timedelta(minutes=2)
    )
    card.get_by_label("Your answer").fill("Too late.")
    card.get_by_role("button", name="Submit answer and continue").click()
    expect(card).to_contain_text("Time is up: answers after the time limit are not accepted.")
    expect(card.get_by_role("heading", name="Score your interview")).to_be_visible()
    expect(card).to_contain_text("Not answered in time.")
    check_accessibility(page, "mock self-assessment")

    for point in ("Names the idea", "Gives an example", "States the trade-off"):
        card.get_by_label(point).check()
    card.get_by_role("button", name="Score my interview").click()

    expect(page).to_have_url(re.compile(r"/practice/\d+/summary/$"))
    # One answer with every key point, one not answered in time: half the interview.
    expect(page.locator(".summary-stats")).to_contain_text("50%")


def test_the_study_flow_works_with_javascript_off(new_context, log_in):
    concept_questions(5)
    context = new_context(java_script_enabled=False)
    log_in(context, UserFactory(username="nojs"))
    page = context.new_page()
    page.goto("/practice/")
    start_session(page, mode="Study", count=5)

    for number, grade in enumerate(["Again", "Hard", "Good", "Easy", "Good"], start=1):
        expect(page.locator("#session-card")).to_contain_text(f"Question {number} of 5")
        page.get_by_label("Your answer").fill(f"My answer number {number}.")
        page.get_by_role("button", name="Show answer").click()
        expect(page.get_by_role("heading", name="Model answer")).to_be_visible()
        expect(page.locator(".your-answer")).to_contain_text(f"My answer number {number}.")
        page.get_by_role("button", name=grade).click()

    expect(page).to_have_url(re.compile(r"/practice/\d+/summary/$"))
    expect(page.locator(".summary-stats")).to_contain_text("5 answered")
