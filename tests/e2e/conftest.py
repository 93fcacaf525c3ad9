"""Browser tests: Debian's Chromium, driven by Playwright (sync API), against Django's live server.

- Chromium is /usr/bin/chromium (or $E2E_CHROMIUM). Without it the tests are skipped with a
  visible reason, unless E2E_REQUIRED=true (CI, `make e2e`): then they fail.
- One browser per pytest(-xdist) worker; a fresh context (cookies, storage) per test.
- Every page a test opens is watched: a console error (a Content-Security-Policy refusal, a
  script error, a failed request for one of our files) fails the test at teardown.
- Playwright's sync API keeps an event loop running in this thread, so Django's ORM would refuse
  to run from the test body; DJANGO_ALLOW_ASYNC_UNSAFE lets the tests build their data.
"""

import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 860}
# Long enough for a slow CI machine, short enough that a missing element fails quickly.
TIMEOUT_MS = 15_000


def e2e_required() -> bool:
    return os.environ.get("E2E_REQUIRED", "").strip().lower() in {"1", "true", "yes", "on"}


def pytest_collection_modifyitems(config, items):
    """Without Chromium, skip the browser tests with one visible reason (or fail in CI). No
    test is ever retried: a browser test that fails once in ten runs is a bug to fix."""
    if CHROMIUM.exists() or e2e_required():
        return
    skip = pytest.mark.skip(
        reason=f"browser tests skipped: no Chromium at {CHROMIUM} (apt-get install chromium)"
    )
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"E2E_REQUIRED is set but there is no Chromium at {CHROMIUM}.")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _e2e_database(request):
    """Browser tests share the live server's database: they need transactional_db.

    Flushing between transactional tests also empties the tables that data migrations fill, so
    the role groups are put back before each test.
    """
    if "e2e" not in request.keywords:
        return
    request.getfixturevalue("transactional_db")
    from django.contrib.auth.models import Group, Permission

    from accounts.roles import EDITOR_PERMISSION_APPS, EDITOR_TASK_PERMISSIONS, EDITORS, MENTORS

    editors, _ = Group.objects.get_or_create(name=EDITORS)
    editors.permissions.set(
        Permission.objects.filter(content_type__app_label__in=EDITOR_PERMISSION_APPS)
        | Permission.objects.filter(
            content_type__app_label="background", codename__in=EDITOR_TASK_PERMISSIONS
        )
    )
    Group.objects.get_or_create(name=MENTORS)


class ConsoleProblems(list):
    """Console errors and uncaught exceptions seen on the pages of one test."""

    # Pages without a <link rel="icon"> of their own (the Django admin) make Chromium ask for
    # /favicon.ico, which the site does not serve.
    IGNORED_URLS = ("/favicon.ico",)

    def watch(self, page) -> None:
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.append(f"page error: {error} ({page.url})"))

    def _console(self, page, message) -> None:
        if message.type != "error":
            return
        source = (message.location or {}).get("url", "")
        if source.endswith(self.IGNORED_URLS):
            return
        self.append(f"console error: {message.text} (resource {source or '?'}, page {page.url})")


@pytest.fixture
def console_problems() -> ConsoleProblems:
    return ConsoleProblems()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_failed = report.failed
    return report


def _keep_evidence(request, contexts) -> None:
    """After a failure, save each open page's screenshot and HTML, and say where."""
    folder = Path(tempfile.gettempdir()) / "prep-e2e-failures"
    folder.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-120:]
    pages = [page for context in contexts for page in context.pages]
    for number, page in enumerate(pages, start=1):
        try:
            page.screenshot(path=folder / f"{name}-{number}.png", full_page=True)
            (folder / f"{name}-{number}.html").write_text(page.content(), encoding="utf-8")
        except Exception:  # a crashed page: keep what the others show
            continue
    print(f"\nBrowser evidence of the failure: {folder}/{name}-*.png and .html")


@pytest.fixture
def new_context(request, browser, live_server, console_problems) -> Iterator[Callable]:
    """Make a browser context on the live server; every page opened in it is watched."""
    contexts = []

    def make(**options):
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("page", console_problems.watch)
        contexts.append(context)
        return context

    yield make
    if getattr(request.node, "e2e_failed", False):
        _keep_evidence(request, contexts)
    for context in contexts:
        context.close()
    assert not console_problems, "The browser reported problems:\n" + "\n".join(console_problems)


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    page = context.new_page()
    # The active tab, as a person's would be (focus and keyboard behave as in a real window).
    page.bring_to_front()
    return page


@pytest.fixture
def log_in(live_server) -> Callable:
    """Sign a user in to a context through a session cookie (the log-in form has its own test)."""
    from django.conf import settings
    from django.test import Client

    def log_in(context, user) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": cookie.value,
                    "url": live_server.url,
                    "httpOnly": True,
                    "secure": settings.SESSION_COOKIE_SECURE,
                    "sameSite": "Lax",
                }
            ]
        )

    return log_in
