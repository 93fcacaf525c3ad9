"""A visitor finds the landing page, signs up and logs in, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import check_accessibility
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.e2e


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
