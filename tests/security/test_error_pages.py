"""Our own 400, 403, 404 and 500 pages, in the site's look, served with DEBUG off."""

import pytest
from django.template.loader import render_to_string
from django.test import Client

pytestmark = pytest.mark.urls("tests.security.urls")


@pytest.fixture
def quiet_client(db):
    """A client that returns the error page instead of re-raising the view's exception."""
    return Client(raise_request_exception=False)


def test_an_unknown_address_gets_our_404_page(client, db):
    response = client.get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "We can't find that page" in html
    assert 'class="site-header"' in html  # base.html's layout
    assert "Log in" in html  # a visitor is offered the log-in page


def test_a_signed_in_user_sees_their_own_navigation_on_the_404_page(candidate_client, candidate):
    response = candidate_client.get("/no-such-page/")

    assert response.status_code == 404
    assert candidate.username in response.content.decode()


def test_a_forbidden_action_gets_our_403_page(candidate_client):
    response = candidate_client.get("/test-errors/denied/")

    assert response.status_code == 403
    assert "You can't do that here" in response.content.decode()


def test_a_form_without_its_csrf_token_gets_our_403_page_and_changes_nothing(candidate):
    client = Client(enforce_csrf_checks=True)
    client.force_login(candidate)

    response = client.post("/accounts/profile/", {"first_name": "Mallory", "email": "m@x.test"})

    candidate.refresh_from_db()
    assert response.status_code == 403
    assert "That form had expired" in response.content.decode()
    assert 'class="site-header"' in response.content.decode()
    assert candidate.first_name != "Mallory"


def test_a_suspicious_request_gets_our_400_page(client, db):
    response = client.get("/test-errors/suspicious/")

    assert response.status_code == 400
    assert "We couldn't understand that request" in response.content.decode()


def test_a_request_for_a_host_we_do_not_serve_gets_our_400_page(client, db):
    response = client.get("/", HTTP_HOST="evil.example.net")

    assert response.status_code == 400
    assert "We couldn't understand that request" in response.content.decode()


def test_a_bug_gets_our_500_page_without_details(quiet_client):
    response = quiet_client.get("/test-errors/broken/")

    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert "a bug" not in html and "Traceback" not in html
    assert 'class="site-header"' in html


def test_the_500_page_renders_without_a_request_or_the_database():
    # No db fixture: pytest-django makes any database access here an error.
    html = render_to_string("500.html")

    assert "Something went wrong on our side" in html
    assert "css/prep.css" in html


def test_error_pages_carry_the_content_security_policy(quiet_client):
    for path in ["/no-such-page/", "/test-errors/broken/", "/test-errors/suspicious/"]:
        response = quiet_client.get(path)
        assert "script-src 'self'" in response.headers["Content-Security-Policy"], path
