"""A visitor finds the landing page, signs up, confirms the address and logs in, in a real
browser."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.axe import check_accessibility
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.e2e


def confirmation_link(address: str) -> str:
    """The link in the latest confirmation email to `address`. The live server runs in this
    process, so its emails land in django.core.mail.outbox."""
    message = [message for message in mail.outbox if message.to == [address]][-1]
    return next(line for line in message.body.splitlines() if "/signup/confirm/" in line)


def test_the_landing_page_offers_sign_up_and_log_in(page):
    page.goto("/")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Python interview")
    expect(page.get_by_role("link", name="Start practising, free")).to_be_visible()
    check_accessibility(page, "landing")


def test_a_visitor_sees_clear_errors_when_sign_up_is_wrong(page):
    UserFactory(username="taken", email="taken@example.com")
    page.goto("/accounts/signup/")
    check_accessibility(page, "sign-up")

    page.get_by_label("Username").fill("taken")
    page.get_by_label("Email").fill("taken@example.com")
    page.get_by_label("Password:", exact=True).fill("short")
    page.get_by_label("Password confirmation").fill("different")
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    expect(page.locator(".errorlist").first).to_be_visible()
    check_accessibility(page, "sign-up with errors")


def test_a_member_logs_in_with_the_form(page):
    UserFactory(username="lee", email="lee@example.com")
    page.goto("/accounts/login/")
    check_accessibility(page, "log-in")

    page.get_by_label("Username").fill("lee@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")

    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_role("link", name="lee")).to_be_visible()


def test_a_visitor_signs_up_confirms_by_email_and_lands_on_the_dashboard(page):
    page.goto("/accounts/signup/")
    page.get_by_label("Username").fill("robin")
    page.get_by_label("Email").fill("robin@example.com")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(page.get_by_role("status")).to_contain_text("robin@example.com")
    check_accessibility(page, "check your email")
    assert [message.to for message in mail.outbox] == [["robin@example.com"]]

    page.goto(confirmation_link("robin@example.com"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your account")
    check_accessibility(page, "confirm your account")
    page.get_by_role("button", name="Confirm my account").click()

    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", name="Your dashboard")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Welcome to Prep, robin!")
    expect(page.get_by_role("link", name="robin")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    page.goto(confirmation_link("robin@example.com"))
    expect(page.get_by_role("heading", level=1)).to_have_text("This link no longer works")
    check_accessibility(page, "a used confirmation link")


def test_an_unconfirmed_account_is_offered_a_new_link_at_log_in(page):
    UserFactory(
        username="sasha", email="sasha@example.com", is_active=False, awaiting_confirmation=True
    )
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("sasha")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()

    expect(page.locator(".errorlist")).to_contain_text("waiting for you to confirm your address")
    check_accessibility(page, "log-in of an unconfirmed account")
    page.get_by_role("button", name="Send me a new link").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    page.goto(confirmation_link("sasha@example.com"))
    page.get_by_role("button", name="Confirm my account").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
