import os
import subprocess
import sys
from pathlib import Path

from django.db.utils import OperationalError

ROOT = Path(__file__).resolve().parent.parent


def test_visitors_see_the_landing_page(client, db):
    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Walk into your Python interview ready" in html
    assert 'href="#main"' in html  # skip link
    assert "htmx.min.js" in html
    assert "X-CSRFToken" not in html  # no form posts from it: no token, and no cookie


def test_signed_in_pages_send_the_csrf_token_with_htmx_requests(client, candidate):
    client.force_login(candidate)

    html = client.get("/questions/").content.decode()

    assert 'data-hx-headers=\'{"X-CSRFToken": "' in html


def test_healthz_answers_200_when_the_database_does(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_does_not(client, db, monkeypatch):
    class UnreachableDatabase:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("prep.views.connection", UnreachableDatabase())

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def run_django_check(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "prep.settings"
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_settings_refuse_to_start_without_a_secret_key_when_debug_is_off():
    result = run_django_check(DEBUG="false")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_settings_refuse_the_insecure_development_key_when_debug_is_off():
    result = run_django_check(DEBUG="false", SECRET_KEY="django-insecure-" + "x" * 50)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_settings_start_in_development_without_a_secret_key():
    result = run_django_check(DEBUG="true")

    assert result.returncode == 0, result.stderr
