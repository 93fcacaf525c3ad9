"""When an htmx request fails (the database is down, the network is gone), the page says so."""

import pytest
from django.template.loader import render_to_string
from playwright.sync_api import expect

from practice.models import PracticeSession
from tests.factories import QuestionFactory, SessionItemFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.e2e


def test_a_failed_answer_says_what_happened_and_the_retry_works(
    context, page, log_in, console_problems
):
    candidate = UserFactory(username="casey")
    topic = TopicFactory(slug="fundamentals", name="Fundamentals")
    session = PracticeSession.objects.create(user=candidate, mode="study", item_count=2)
    for position in (1, 2):
        SessionItemFactory(
            session=session, question=QuestionFactory(topic=topic), position=position
        )
    log_in(context, candidate)
    page.goto(f"/practice/{session.pk}/")
    outage_page = render_to_string("503.html")

    # The database is down: the server answers the 503 page.
    page.route(
        "**/reveal/",
        lambda route: route.fulfill(
            status=503, body=outage_page, headers={"Retry-After": "30"}, content_type="text/html"
        ),
    )
    page.get_by_role("button", name="Show answer").click()
    alert = page.locator("#request-failure")
    expect(alert).to_have_attribute("role", "alert")
    expect(alert).to_contain_text("can't reach its database right now, so nothing was saved")
    expect(page.get_by_role("button", name="Show answer")).to_be_enabled()

    # The network is gone.
    page.unroute("**/reveal/")
    page.route("**/reveal/", lambda route: route.abort())
    page.get_by_role("button", name="Show answer").click()
    expect(alert).to_contain_text("We couldn't reach Prep")

    # Back again: the same click works and the message goes.
    page.unroute("**/reveal/")
    page.get_by_role("button", name="Show answer").click()
    expect(page.get_by_role("button", name="Good")).to_be_visible()
    expect(page.locator("#request-failure")).to_have_count(0)

    # The browser and htmx log the two failures we caused; nothing else may appear.
    expected = (
        "status of 503",
        "net::ERR_FAILED",
        "Response Status Error Code 503",
        "htmx:sendError",
        "htmx:afterRequest",
    )
    console_problems[:] = [p for p in console_problems if not any(e in p for e in expected)]
