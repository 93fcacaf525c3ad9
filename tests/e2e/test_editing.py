"""An editor writes a multiple-choice question in the admin, publishes it, and finds it on the
candidates' side with the search box; an editor downloads questions as bank files and imports
them back, by keyboard."""

import io
import re
import zipfile

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, EditorFactory, QuestionFactory, TopicFactory, TrackFactory

pytestmark = pytest.mark.e2e


def test_an_editor_creates_publishes_and_finds_a_multiple_choice_question(page):
    TopicFactory(slug="concurrency", name="Concurrency")
    TrackFactory(slug="backend-web", name="Backend web")
    QuestionFactory(title="An unrelated published question")
    EditorFactory(username="edie")

    # Log in to the admin.
    page.goto("/admin/")
    page.get_by_label("Username").fill("edie")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="The question bank")).to_be_visible()

    # Write the question, as a draft, with four choices.
    page.get_by_role("link", name="Questions", exact=True).click()
    page.get_by_role("link", name="Add question").click()
    # Typed key by key: the admin fills in the slug as the title is typed.
    page.get_by_label("Title").press_sequentially("Which primitive limits concurrent coroutines?")
    expect(page.get_by_label("Slug")).to_have_value("which-primitive-limits-concurrent-coroutines")
    page.get_by_label("Kind").select_option(label="Multiple choice")
    page.get_by_label("Difficulty").select_option(label="Medium")
    page.get_by_label("Status").select_option(label="Draft")
    # The topic is an autocomplete (select2): open it, type, pick.
    page.locator(".field-topic .select2-selection").click()
    page.locator(".select2-dropdown .select2-search__field").fill("Concur")
    page.get_by_role("option", name="Concurrency").click()
    page.get_by_label("Backend web").check()
    page.get_by_label("Prompt").fill(
        "An `asyncio` crawler must never have more than ten requests in flight. "
        "Which primitive do you reach for?"
    )
    page.get_by_label("Answer").fill("`asyncio.Semaphore(10)`, acquired with `async with`.")
    page.get_by_label("Key points").fill(
        "Names asyncio.Semaphore\nUses async with\nKnows a Lock would allow only one"
    )
    choices = [
        ("asyncio.Semaphore", True, "It counts: at most N holders at once."),
        ("asyncio.Lock", False, "A lock admits one holder, not ten."),
        ("asyncio.Event", False, "An event signals; it does not limit."),
        ("threading.Semaphore", False, "It would block the event loop."),
    ]
    for number, (text, correct, explanation) in enumerate(choices):
        page.locator(f"#id_choices-{number}-text").fill(text)
        page.locator(f"#id_choices-{number}-explanation").fill(explanation)
        if correct:
            page.locator(f"#id_choices-{number}-is_correct").check()
        page.locator(f"#id_choices-{number}-position").fill(str(number))
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    # Not on the candidates' side while it is a draft.
    candidates = page.context.new_page()
    candidates.goto("/questions/?q=semaphore")
    expect(candidates.locator("#question-results")).to_contain_text("0 questions")

    # Publish it with the bulk action.
    page.get_by_role("row", name=re.compile("Which primitive limits")).get_by_role(
        "checkbox"
    ).check()
    page.get_by_label("Action:").select_option(label="Publish the selected questions")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("1 question published.")

    # A candidate-side search finds it, and its page shows the choices.
    candidates.goto("/questions/")
    candidates.get_by_label("Search").fill("concurrent coroutines")
    results = candidates.locator("#question-results")
    expect(results).to_contain_text("1 question")
    results.get_by_role("link", name="Which primitive limits concurrent coroutines?").click()
    expect(candidates.get_by_role("heading", level=1)).to_have_text(
        "Which primitive limits concurrent coroutines?"
    )
    expect(candidates.locator(".bank-choice")).to_have_count(4)


def test_an_editor_downloads_questions_as_bank_files_and_imports_them_back(page, tmp_path):
    track = TrackFactory(slug="backend-web", name="Backend web")
    topic = TopicFactory(slug="fundamentals", name="Fundamentals")
    QuestionFactory(slug="list-vs-tuple", title="Lists versus tuples", topic=topic, tracks=[track])
    EditorFactory(username="edie")
    page.goto("/admin/")
    page.get_by_label("Username").fill("edie")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Questions", exact=True).click()

    # Download the question with the list's action.
    page.get_by_role("row", name=re.compile("Lists versus tuples")).get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(
        label="Download the selected questions as bank files"
    )
    with page.expect_download() as download:
        page.get_by_role("button", name="Go").click()
    with zipfile.ZipFile(download.value.path()) as archive:
        files = {name: archive.read(name).decode() for name in archive.namelist()}
    assert sorted(files) == ["fundamentals.yaml", "tracks.yaml"]

    # Edit the title in the file, and import it back with the keyboard only.
    files["fundamentals.yaml"] = files["fundamentals.yaml"].replace(
        "title: Lists versus tuples", "title: Lists and tuples"
    )
    edited = tmp_path / "questions.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    edited.write_bytes(buffer.getvalue())
    page.get_by_role("link", name="Import bank files").focus()
    page.keyboard.press("Enter")
    page.get_by_label("Bank file").set_input_files(edited)
    page.get_by_label("Bank file").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Check the file")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="What importing questions.zip will do")).to_be_visible()
    expect(page.locator("#content-main")).to_contain_text(
        "0 questions created, 1 updated, 0 already as the file says"
    )
    expect(page.locator("#content-main")).to_contain_text("Lists and tuples")
    page.get_by_role("button", name="Import these questions").focus()
    page.keyboard.press("Enter")

    expect(page.locator(".messagelist")).to_contain_text(
        "Imported: 0 created, 1 updated, 0 unchanged."
    )
    expect(page.get_by_role("link", name="Lists and tuples")).to_be_visible()
