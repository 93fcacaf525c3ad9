"""The runner's worker script (runner/views.py) and the site-wide policy of pages that start it.

A worker obeys the Content-Security-Policy of its own script's response, so the view gives it a
policy of its own: Pyodide's folder, the harness's, and the folder of Django's archive for the ORM
exercises, nothing else (code typed into the editor cannot reach Prep's URLs with the
candidate's cookies)."""

import json
import re

import pytest
from django.conf import settings
from django.urls import reverse

from practice.models import Mode
from practice.services import start_session_with_questions
from prep.settings import cache_pyodide_forever
from runner import views
from runner.assets import DJANGO_ARCHIVE, DJANGO_URL_PATH, PYODIDE_DIR, PYODIDE_VERSION
from runner.browser import harness, orm
from tests.factories import QuestionFactory, coding_question

WORKER_URL = "/runner/worker.js"
PYODIDE_PATH = f"{settings.STATIC_URL}pyodide/{PYODIDE_VERSION}/"
DJANGO_PATH = f"{settings.STATIC_URL}{DJANGO_URL_PATH}"


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def csp_headers(response) -> list[str]:
    return [name for name in response.headers if "content-security-policy" in name.lower()]


def config_of(response) -> dict:
    first_line = response.content.decode().split("\n", 1)[0]
    match = re.fullmatch(r"const CONFIG = (\{.*\});", first_line)
    assert match, first_line
    return json.loads(match.group(1))


def test_the_worker_is_served_at_its_url():
    assert reverse("runner:worker") == WORKER_URL


def test_it_serves_the_worker_as_javascript_without_signing_in(client, db):
    response = client.get(WORKER_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    source = response.content.decode()
    assert "self.postMessage" in source and "loadPyodide" in source


def test_the_worker_has_a_policy_of_its_own_that_reaches_only_pyodide_and_the_harness(client, db):
    response = client.get(WORKER_URL)

    pyodide = f"http://testserver{PYODIDE_PATH}"
    assert directives(response["Content-Security-Policy"]) == {
        "default-src": ["'none'"],
        "script-src": [pyodide, "'wasm-unsafe-eval'"],
        "connect-src": [
            pyodide,
            f"http://testserver{settings.STATIC_URL}runner/",
            f"http://testserver{DJANGO_PATH}",
        ],
    }


def test_the_workers_policy_is_the_only_one_on_its_response(client, db):
    response = client.get(WORKER_URL)

    assert csp_headers(response) == ["Content-Security-Policy"]
    policy = response["Content-Security-Policy"]
    # Nothing of the site's policy: no 'self' (the page's origin, cookies and all), no nonce.
    for site_only in ("'self'", "nonce-", "frame-ancestors", "worker-src", "style-src"):
        assert site_only not in policy
    for unsafe in ("'unsafe-eval'", "'unsafe-inline'", "*"):
        assert unsafe not in policy.split()


def test_the_workers_urls_are_absolute_with_the_requests_host_and_scheme(client, db, settings):
    settings.ALLOWED_HOSTS = ["prep.example", "testserver"]

    response = client.get(WORKER_URL, secure=True, headers={"host": "prep.example"})

    pyodide = f"https://prep.example{PYODIDE_PATH}"
    harness_url = f"https://prep.example{settings.STATIC_URL}runner/harness.py"
    config = config_of(response)
    assert (config["pyodideUrl"], config["harnessUrl"]) == (pyodide, harness_url)
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"][0] == pyodide
    assert policy["connect-src"] == [
        pyodide,
        f"https://prep.example{settings.STATIC_URL}runner/",
        f"https://prep.example{DJANGO_PATH}",
    ]
    assert config["django"]["ormUrl"] == f"https://prep.example{settings.STATIC_URL}runner/orm.py"
    assert config["django"]["archive"]["url"].startswith(f"https://prep.example{DJANGO_PATH}")


def test_config_comes_first_with_the_urls_and_the_sizes_of_the_large_files(client, db):
    response = client.get(WORKER_URL)

    config = config_of(response)
    assert config["pyodideUrl"] == f"http://testserver{PYODIDE_PATH}"
    assert config["harnessUrl"] == f"http://testserver{settings.STATIC_URL}runner/harness.py"
    expected = {
        name: (PYODIDE_DIR / name).stat().st_size if (PYODIDE_DIR / name).is_file() else 0
        for name in ("pyodide.asm.wasm", "python_stdlib.zip")
    }
    assert config["sizes"] == expected
    # The worker's own source follows, unchanged.
    source = (settings.BASE_DIR / "runner" / "worker.js").read_text()
    assert response.content.decode().split("\n", 1)[1] == source


def test_config_names_djangos_archive_and_orm_py_for_the_orm_exercises(client, db):
    config = config_of(client.get(WORKER_URL))

    assert config["django"] == {
        "archive": {
            "url": f"http://testserver{DJANGO_PATH}site-packages.zip",
            "size": DJANGO_ARCHIVE.stat().st_size if DJANGO_ARCHIVE.is_file() else 0,
        },
        "ormUrl": f"http://testserver{settings.STATIC_URL}runner/orm.py",
    }


def test_config_names_the_snapshots_after_what_they_are_made_of(client, db, tmp_path, monkeypatch):
    key = config_of(client.get(WORKER_URL))["snapshotKey"]
    assert re.fullmatch(r"[0-9a-f]{16}", key)
    assert config_of(client.get(WORKER_URL))["snapshotKey"] == key

    # Another harness (or orm.py, sql.py): another key, so no browser starts from an old snapshot.
    for path in views.BROWSER_DIR.glob("*.py"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "harness.py").write_text("# changed\n" + (tmp_path / "harness.py").read_text())
    monkeypatch.setattr(views, "BROWSER_DIR", tmp_path)

    assert config_of(client.get(WORKER_URL))["snapshotKey"] != key


def test_orm_py_is_served_beside_the_harness_as_the_file_ci_imports(client, db):
    response = client.get(f"{settings.STATIC_URL}runner/orm.py")

    assert response.status_code == 200
    served = b"".join(response.streaming_content) if response.streaming else response.content
    with open(orm.__file__, "rb") as source:
        assert served == source.read()


@pytest.mark.parametrize(
    ("url", "cached_forever"),
    [
        (f"{DJANGO_PATH}site-packages.zip", True),
        (f"{PYODIDE_PATH}pyodide.asm.wasm", True),
        (f"{settings.STATIC_URL}runner/orm.py", False),  # changes with a deployment
        (f"{settings.STATIC_URL}js/runner.js", False),
    ],
)
def test_djangos_archive_is_cached_for_a_year_like_pyodide(url, cached_forever):
    headers = {}

    cache_pyodide_forever(headers, path="", url=url)

    expected = {"Cache-Control": "public, max-age=31536000, immutable"} if cached_forever else {}
    assert headers == expected


def test_the_harness_the_worker_fetches_is_the_file_ci_imports(client, db):
    response = client.get(f"{settings.STATIC_URL}runner/harness.py")

    assert response.status_code == 200
    served = b"".join(response.streaming_content) if response.streaming else response.content
    with open(harness.__file__, "rb") as source:
        assert served == source.read()


def test_the_worker_is_asked_for_again_on_each_page_load(client, db):
    assert client.get(WORKER_URL)["Cache-Control"] == "no-cache"


def test_head_works_and_other_methods_are_refused(client, db):
    head = client.head(WORKER_URL)

    assert head.status_code == 200
    assert head["Content-Type"] == "text/javascript; charset=utf-8"
    assert head["Content-Security-Policy"].startswith("default-src 'none'")
    assert client.post(WORKER_URL).status_code == 405
    assert client.put(WORKER_URL).status_code == 405


# --- the site-wide policy of the pages --------------------------------------------------------


@pytest.fixture
def coding_session(candidate):
    question = coding_question()
    return start_session_with_questions(user=candidate, mode=Mode.STUDY, questions=[question])


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/healthz"])
def test_every_page_may_start_a_worker_of_its_own_origin_only(client, db, path):
    policy = directives(client.get(path)["Content-Security-Policy"])

    assert policy["worker-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]  # no nonce where no code card needs one


def test_signed_in_pages_without_a_code_card_have_no_style_nonce(candidate_client):
    question = QuestionFactory()
    for path in [reverse("practice:dashboard"), question.get_absolute_url()]:
        response = candidate_client.get(path)
        assert response.status_code == 200, path
        policy = directives(response["Content-Security-Policy"])
        assert policy["style-src"] == ["'self'"], path
        assert policy["worker-src"] == ["'self'"], path


def test_the_practice_page_gives_the_editor_a_style_nonce_and_nothing_looser(
    candidate_client, coding_session
):
    url = reverse("practice:session", args=[coding_session.pk])

    first, second = candidate_client.get(url), candidate_client.get(url)

    nonces = []
    for response in (first, second):
        policy = directives(response["Content-Security-Policy"])
        match = re.search(r'<meta name="csp-nonce" content="([^"]+)">', response.content.decode())
        assert match
        nonces.append(match.group(1))
        assert policy["style-src"] == ["'self'", f"'nonce-{match.group(1)}'"]
        assert policy["script-src"] == ["'self'"]
        assert policy["worker-src"] == ["'self'"]
        for unsafe in ("'unsafe-inline'", "'unsafe-eval'", "'wasm-unsafe-eval'"):
            assert unsafe not in response["Content-Security-Policy"]
    assert nonces[0] != nonces[1]  # a fresh nonce for each response
