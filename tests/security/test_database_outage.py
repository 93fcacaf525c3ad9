"""A database outage answers a clean 503 page with Retry-After, never the 500 page."""

import logging

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import InterfaceError, OperationalError
from django.template.loader import render_to_string
from django.test import Client

from tests.factories import PASSWORD

pytestmark = pytest.mark.urls("tests.security.urls")


@pytest.fixture
def quiet_client(db):
    return Client(raise_request_exception=False)


def assert_clean_503(response):
    html = response.content.decode()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "Prep is back in a moment" in html
    assert "Traceback" not in html and "Connection refused" not in html


def test_a_view_that_loses_the_database_answers_503_and_logs_it(quiet_client, caplog):
    with caplog.at_level(logging.ERROR, logger="prep.database"):
        response = quiet_client.get("/test-errors/database-down/")

    assert_clean_503(response)
    assert "database unavailable, answered 503: GET /test-errors/database-down/" in caplog.text
    assert "OperationalError" in caplog.text


def test_a_signed_in_page_answers_503_when_the_session_cannot_be_read(
    candidate, quiet_client, monkeypatch
):
    quiet_client.force_login(candidate)

    def unreachable(self):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(SessionStore, "load", unreachable)

    assert_clean_503(quiet_client.get("/accounts/profile/"))


def test_a_dead_connection_reused_answers_503_too(candidate, quiet_client, monkeypatch):
    quiet_client.force_login(candidate)

    def closed(self):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr(SessionStore, "load", closed)

    assert_clean_503(quiet_client.get("/accounts/profile/"))


def test_an_outage_outside_a_view_answers_503_through_the_error_handler(
    candidate, quiet_client, monkeypatch
):
    """Logging in saves the session in SessionMiddleware, after the view has returned."""
    quiet_client.get("/accounts/login/")

    def unreachable(self, must_create=False):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(SessionStore, "save", unreachable)
    response = quiet_client.post(
        "/accounts/login/", {"username": candidate.username, "password": PASSWORD}
    )

    assert_clean_503(response)


def test_other_database_errors_are_still_bugs_and_get_the_500_page(quiet_client):
    response = quiet_client.get("/test-errors/duplicate/")

    assert response.status_code == 500
    assert "Retry-After" not in response.headers


def test_the_503_page_renders_without_a_request_or_the_database():
    # No db fixture: pytest-django makes any database access here an error.
    html = render_to_string("503.html")

    assert "Prep is back in a moment" in html


def test_the_health_check_still_answers_503_json(client, db, monkeypatch):
    class UnreachableDatabase:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("prep.views.connection", UnreachableDatabase())

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
