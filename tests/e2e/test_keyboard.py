"""Every action is reachable with the Tab key, and the focused element always shows a ring."""

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from questions.models import Kind
from tests.factories import ChoiceFactory, QuestionFactory, UserFactory

pytestmark = pytest.mark.e2e

FOCUSED = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  return {
    name: (element.getAttribute("aria-label") || element.innerText || element.value || element.id
           || element.tagName).trim().replace(/\\s+/g, " ").slice(0, 60),
    tag: element.tagName,
    focusVisible: element.matches(":focus-visible"),
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth),
    outlineColor: style.outlineColor,
  };
}"""


def wait_for_focus(page, selector: str) -> None:
    """Wait until the element is the document's active element. (Playwright's to_be_focused
    also wants the browser window to hold the system focus, which a busy headless run can take
    away from a page for reasons that have nothing to do with the page.)"""
    try:
        page.wait_for_function(
            "selector => document.activeElement === document.querySelector(selector)",
            arg=selector,
        )
    except PlaywrightTimeoutError:
        active = page.evaluate("(document.activeElement || document.body).outerHTML.slice(0, 200)")
        raise AssertionError(f"{selector} never took the focus; it is on: {active}") from None


def focused(page) -> dict | None:
    return page.evaluate(FOCUSED)


def assert_ring(element: dict) -> None:
    assert element["focusVisible"], f"{element['name']} has focus but not :focus-visible"
    assert element["outlineStyle"] != "none" and element["outlineWidth"] >= 2, (
        f"{element['tag']} {element['name']!r} shows no focus ring: "
        f"outline {element['outlineStyle']} {element['outlineWidth']}px"
    )


def tab_through(page, *, limit: int = 60) -> list[dict]:
    """Press Tab until the focus leaves the page or comes back round; the elements visited."""
    visited: list[dict] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        element = focused(page)
        if element is None or (visited and element == visited[0]):
            break
        assert_ring(element)
        visited.append(element)
    return visited


def tab_to(page, name: str | re.Pattern, *, limit: int = 40) -> dict:
    """Press Tab until the element called `name` has the focus; fail if it never does."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        element = focused(page)
        if element is None:
            continue
        seen.append(element["name"])
        matches = re.search(name, element["name"]) if isinstance(name, re.Pattern) else None
        if element["name"] == name or matches:
            assert_ring(element)
            return element
    raise AssertionError(f"Tab never reached {name!r}; it visited: {seen}")


def test_every_link_on_the_landing_page_is_reached_with_tab_and_shows_a_ring(page):
    page.goto("/")

    visited = [element["name"] for element in tab_through(page)]

    assert visited[0] == "Skip to content"
    assert visited[1].endswith("Prep")  # the brand link home
    for name in ("Questions", "Log in", "Sign up", "Start practising, free", "Status"):
        assert name in visited, f"{name!r} is not reachable with Tab: {visited}"


def test_the_skip_link_moves_the_focus_to_the_main_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    wait_for_focus(page, "main")


def test_a_study_card_is_used_with_tab_and_enter_alone(page, log_in):
    for n in range(2):
        QuestionFactory(title=f"Keyboard question {n}", answer="The keyboard model answer.")
    log_in(page.context, UserFactory(username="kim"))
    page.goto("/practice/")
    page.get_by_label("Number of questions").fill("2")
    page.get_by_label("Number of questions").press("Enter")
    expect(page).to_have_url(re.compile(r"/practice/\d+/$"))
    # The keyboard shortcuts come with prep.js (deferred): wait for it before pressing keys.
    page.wait_for_load_state("load")

    tab_to(page, re.compile(r"^Show answer"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Model answer")).to_be_visible()

    tab_to(page, re.compile(r"^Good"))
    page.keyboard.press("Enter")
    expect(page.locator("#session-card")).to_contain_text("Question 2 of 2")
    # After the swap the focus is on the new card's heading, not lost at the top of the page.
    wait_for_focus(page, "#card-title")


def test_the_number_keys_pick_the_choices_in_the_order_on_screen(page, log_in, settings):
    # A seed whose shuffle is not the bank's order (checked below): key 1 must then pick the
    # first choice on screen, not the first one in the bank.
    settings.PRACTICE_DRAW_SEED = 4
    question = QuestionFactory(title="Keyboard quiz", kind=Kind.MULTIPLE_CHOICE)
    bank_order = ["Choice Alpha", "Choice Bravo", "Choice Charlie", "Choice Delta"]
    for position, text in enumerate(bank_order):
        ChoiceFactory(question=question, text=text, is_correct=position == 0, position=position)
    log_in(page.context, UserFactory(username="kai"))
    page.goto("/practice/")
    page.get_by_label("Quiz").first.check()
    page.get_by_label("Number of questions").fill("1")
    page.get_by_label("Number of questions").press("Enter")
    expect(page).to_have_url(re.compile(r"/practice/\d+/$"))
    page.wait_for_load_state("load")

    card = page.locator("#session-card")
    on_screen = [
        text.strip() for text in card.locator(".quiz-choice .choice-text").all_inner_texts()
    ]
    assert sorted(on_screen) == sorted(bank_order)
    assert on_screen != bank_order
    for key, text in enumerate(on_screen, start=1):
        page.keyboard.press(str(key))
        expect(card.get_by_role("radio", name=text)).to_be_checked()

    page.keyboard.press(str(1 + on_screen.index("Choice Alpha")))
    page.keyboard.press("Enter")
    expect(card).to_contain_text("Right: well done.")
    # The result lists the choices in the same order, and so does the summary.
    expect(card.locator(".quiz-result .choice-text")).to_have_text(on_screen)
    card.get_by_role("link", name="See your summary").click()
    page.get_by_text("Question, your answer and the model answer").click()
    expect(page.locator(".summary-item .quiz-result .choice-text")).to_have_text(on_screen)
