"""Security headers, read from real responses.

The tests run with DEBUG off (tests/settings.py imports the production settings), so the cookie
and HSTS settings here are the ones production gets; a subprocess confirms what prep/settings.py
computes from a production environment on its own.
"""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import PASSWORD, UserFactory
from tests.production import production_settings

ROOT = Path(__file__).resolve().parents[2]
UNSAFE_SOURCES = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*")


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/accounts/signup/", "/healthz"])
def test_every_response_carries_a_strict_content_security_policy(client, db, path):
    response = client.get(path)

    directives = csp_directives(response)
    # Scripts fall back to default-src when script-src is absent: both must be strict.
    for name in ("default-src", "script-src", "style-src"):
        assert directives[name] == ["'self'"], (name, directives[name])
    for name, sources in directives.items():
        for unsafe in UNSAFE_SOURCES:
            assert unsafe not in sources, f"{name} allows {unsafe}"
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]


def test_signed_in_pages_and_the_admin_carry_the_policy_too(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    for path in ["/accounts/profile/", "/admin/", "/admin/accounts/user/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"], path


def test_htmx_is_configured_to_need_neither_eval_nor_injected_styles(client, db):
    html = client.get("/").content.decode()

    match = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', html)
    assert match, "base.html must configure htmx through a meta tag"
    config = json.loads(match.group(1))
    assert config["includeIndicatorStyles"] is False
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/healthz"])
def test_responses_forbid_sniffing_framing_and_leaky_referrers(client, db, path):
    response = client.get(path)

    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/healthz", "/no-such-page/"])
def test_responses_deny_the_browser_features_no_page_uses(client, db, path):
    response = client.get(path)

    policy = dict(
        part.strip().split("=", 1) for part in response.headers["Permissions-Policy"].split(",")
    )
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert policy[feature] == "()", feature


@pytest.mark.parametrize("path", ["/", "/no-such-page/", "/questions/", "/healthz"])
def test_pages_without_a_form_set_no_csrf_cookie_for_visitors(client, db, path):
    response = client.get(path)

    assert settings.CSRF_COOKIE_NAME not in response.cookies, path


def test_signed_in_pages_carry_the_token_for_the_log_out_form_and_htmx(client, db):
    client.force_login(UserFactory())

    response = client.get("/questions/")

    assert settings.CSRF_COOKIE_NAME in response.cookies
    html = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in html and "X-CSRFToken" in html


def test_https_responses_carry_hsts_with_subdomains_and_preload(client, db):
    response = client.get("/", secure=True)

    hsts = response.headers["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts
    assert "includeSubDomains" in hsts
    assert "preload" in hsts


def test_plain_http_is_redirected_to_https_in_production(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/accounts/login/")

    assert response.status_code == 301
    assert response.headers["Location"] == "https://testserver/accounts/login/"


def test_the_health_check_is_not_redirected_so_load_balancers_can_probe_over_http(
    client, db, settings
):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200


def test_the_session_cookie_is_secure_and_http_only(client, db):
    user = UserFactory()
    client.get("/accounts/login/")

    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})

    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_the_csrf_cookie_is_secure(client, db):
    response = client.get("/accounts/login/")

    cookie = response.cookies[settings.CSRF_COOKIE_NAME]
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Lax"


def test_production_settings_turn_every_protection_on():
    """What prep/settings.py computes from a production environment, in a fresh process."""
    names = [
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_SECURE",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "X_FRAME_OPTIONS",
    ]

    values = production_settings(names)
    assert values == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "X_FRAME_OPTIONS": "DENY",
    }


# Markup the policy would block: inline <script> bodies (JSON data blocks are fine), <style>
# blocks, style="" attributes, on*="" handlers and htmx's hx-on (which evaluates code).
INLINE_CODE = re.compile(
    r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>"
    r"|<style\b|\sstyle=|\son[a-z]+=|\bhx-on\b|javascript:",
    re.IGNORECASE,
)


def test_no_template_contains_inline_scripts_styles_or_event_handlers():
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if INLINE_CODE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")

    assert not offenders, "the CSP blocks these:\n" + "\n".join(offenders)


def inline_attributes(html: str) -> dict[str, set[str]]:
    """The values of inline event handlers and style attributes in a page."""
    handlers = set(re.findall(r'\son[a-z]+="([^"]*)"', html))
    styles = set(re.findall(r'\sstyle="([^"]*)"', html))
    return {"script-src": handlers, "style-src": styles}


def test_third_party_admin_pages_may_run_exactly_their_own_inline_attributes(editor_client):
    from prep.middleware import csp_hash
    from tests.factories import QuestionFactory

    question = QuestionFactory()
    for path in [f"/admin/questions/question/{question.pk}/history/"]:
        response = editor_client.get(path)
        assert response.status_code == 200, path
        directives = csp_directives(response)
        for name, values in inline_attributes(response.content.decode()).items():
            for value in values:
                assert csp_hash(value) in directives[name], (path, name, value)
            if values:
                assert "'unsafe-hashes'" in directives[name]
        assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]


def test_other_admin_pages_allow_no_inline_attributes(editor_client):
    from tests.factories import QuestionFactory

    question = QuestionFactory()
    for path in [
        "/admin/",
        "/admin/questions/question/",
        f"/admin/questions/question/{question.pk}/change/",
        "/admin/questions/question/import/",
    ]:
        response = editor_client.get(path)
        assert response.status_code == 200, path
        assert "unsafe-hashes" not in response.headers["Content-Security-Policy"], path
        attributes = inline_attributes(response.content.decode())
        assert not any(attributes.values()), (path, attributes)
