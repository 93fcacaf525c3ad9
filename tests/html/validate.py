"""HTML validity: the site's pages through the Nu Html Checker (vnu.jar), errors only.

Renders pages with Django's test client in a throwaway test database, writes them to a temporary
folder and runs `java -jar vnu.jar --errors-only` over it; any error fails (exit status 1).

- Every HTML page of the URL catalogue (tests/site/catalogue.py), as the persona who uses it, in
  the test world of tests/site/world.py: the admin's pages included.
- The main pages with the real bank and two months of practice (tests/e2e/demo_data.py), in the
  states the screenshot walk shows: a study card with its answer, a quiz result, a mock interview
  and its scoring, a coding card with its results, summaries, the mentor's pages.
- Every published question of the bank with its answer shown (editors' Markdown, sanitised).

It needs Java and the checker's jar, not Node: `make validate-html` fetches the pinned jar with
npm when it is missing (in .cache/), and .ci/run installs Java. VNU_JAR names the jar.

    .venv/bin/python -m tests.html.validate [--keep FOLDER]
"""

import argparse
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Pages whose markup is a third-party package's own templates, left out, and why.
THIRD_PARTY_PAGES: dict[str, str] = {}


def pages_of_the_catalogue(save) -> None:
    """Every GET page of the catalogue, as its persona, in the test world."""
    from django.db import transaction
    from django.test import Client

    from tests.site.catalogue import CATALOGUE
    from tests.site.world import World

    with transaction.atomic():
        world = World.build(rows=3)
        for name, entry in CATALOGUE.items():
            if "GET" not in entry.accepts or name in THIRD_PARTY_PAGES:
                continue
            client = Client()
            user = world.user(entry.persona)
            if user is not None:
                client.force_login(user)
            # Followed: the password reset link moves its token into the session first.
            response = client.get(entry.url(world), entry.query(world), follow=True)
            save(f"world {name}", response)
        transaction.set_rollback(True)


def main_pages_with_real_data(save) -> None:
    """The screenshot walk's pages and states, and every published question with its answer."""
    from django.test import Client
    from django.utils import timezone

    from practice import services
    from practice.models import Mode
    from questions.models import Kind, Question, Track
    from tests.e2e.demo_data import build_history, load_bank, mentoring_story
    from tests.factories import MentorFactory, UserFactory

    load_bank()
    candidate = UserFactory(
        username="alex",
        target_track=Track.objects.get(slug="backend-web"),
        interview_date=timezone.localdate() + timedelta(days=24),
    )
    mentor = MentorFactory(username="sam")
    build_history(candidate)
    assignment = mentoring_story(mentor=mentor, candidate=candidate)
    published = Question.objects.published()

    def start(mode: str, kind: str, **extra):
        questions = list(published.filter(kind=kind).order_by("slug")[:2])
        session = services.start_session_with_questions(
            user=candidate, mode=mode, questions=questions, **extra
        )
        item = session.items.order_by("position").first()
        item.session = session
        return session, item

    study, item = start(Mode.STUDY, Kind.CONCEPT)
    item.reveal(response="With a generator.")
    quiz, quiz_item = start(Mode.QUIZ, Kind.MULTIPLE_CHOICE)
    quiz_open, _ = start(Mode.QUIZ, Kind.MULTIPLE_CHOICE)
    wrong = quiz_item.question.choices.filter(is_correct=False).first()
    quiz_item.record_choices(choice_ids=[wrong.pk])
    mock, _ = start(Mode.MOCK, Kind.CONCEPT, time_limit_minutes=30)
    scoring, _ = start(Mode.MOCK, Kind.CONCEPT, time_limit_minutes=30)
    scoring.finish()
    code, code_item = start(Mode.STUDY, Kind.CODING)
    results = [
        {"name": test.name, "status": "fail", "message": "AssertionError", "output": "3\n"}
        for test in code_item.question.tests.all()
    ]
    code_item.record_submission(code="def solve():\n    return 3\n", results=results)
    finished = candidate.practice_sessions.filter(finished_at__isnull=False).first()
    assigned = assignment.sessions.get()
    answer = assigned.items.order_by("position").first()

    as_candidate = Client()
    as_candidate.force_login(candidate)
    for label, url in [
        ("dashboard", "/dashboard/"),
        ("practice start", "/practice/"),
        ("study card with its answer", f"/practice/{study.pk}/"),
        ("quiz card", f"/practice/{quiz_open.pk}/"),
        ("quiz result", f"/practice/{quiz.pk}/?item={quiz_item.pk}"),
        ("mock interview", f"/practice/{mock.pk}/"),
        ("mock scoring", f"/practice/{scoring.pk}/"),
        ("coding card with results", f"/practice/{code.pk}/"),
        ("summary", f"/practice/{finished.pk}/summary/"),
        ("summary with feedback", f"/practice/{assigned.pk}/summary/"),
        ("question bank", "/questions/"),
        ("question bank search", "/questions/?q=prefetch_related&difficulty=medium"),
        ("sets", "/sets/"),
        ("bookmarks", "/bookmarks/"),
        ("profile", "/accounts/profile/"),
        ("assignments", "/assignments/"),
        ("ORM lab", "/lab/n-plus-one/"),
        ("not found", "/no-such-page/"),
    ]:
        save(label, as_candidate.get(url), expected=404 if label == "not found" else 200)
    for question in published.order_by("slug"):
        save(f"question {question.slug}", as_candidate.get(f"/questions/{question.slug}/?answer=1"))

    as_mentor = Client()
    as_mentor.force_login(mentor)
    for label, url in [
        ("mentor home", "/mentor/"),
        ("mentee", f"/mentor/mentees/{candidate.pk}/"),
        ("set builder", f"/mentor/sets/{assignment.question_set_id}/search/?q=django"),
        ("mentor's sets", "/mentor/sets/"),
        ("assign", "/mentor/assign/"),
        ("feedback thread", f"/feedback/{answer.pk}/"),
    ]:
        save(label, as_mentor.get(url))

    visitor = Client()
    for label, url in [("landing", "/"), ("visitor's 404", "/no-such-page/")]:
        save(label, visitor.get(url), expected=404 if "404" in label else 200)


def render_pages(folder: Path) -> list[str]:
    """Write every page to `folder`; the problems met on the way (a page that did not answer
    as expected)."""
    import django
    from django.db import connection
    from django.test.utils import setup_test_environment

    django.setup()
    setup_test_environment()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 404 pages rendered here
    problems: list[str] = []
    names: set[str] = set()

    def save(label: str, response, *, expected: int = 200) -> None:
        if not response.get("Content-Type", "").startswith("text/html"):
            return
        if response.status_code != expected:
            problems.append(f"{label}: {response.status_code}, expected {expected}")
            return
        name = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        assert name not in names, f"two pages named {name}"
        names.add(name)
        (folder / f"{name}.html").write_bytes(response.content)

    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        pages_of_the_catalogue(save)
        main_pages_with_real_data(save)
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="write the pages here and keep them")
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    # The pages only: the test database is SQLite in memory, whatever DATABASE_URL says.
    os.environ.pop("DATABASE_URL", None)
    jar = Path(os.environ.get("VNU_JAR", ""))
    if not jar.is_file() or shutil.which("java") is None:
        print(f"Needs Java and {jar}: run `make validate-html`.", file=sys.stderr)
        return 2

    folder = options.keep or Path(tempfile.mkdtemp(prefix="prep-html-"))
    folder.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    try:
        problems = render_pages(folder)
        count = len(list(folder.glob("*.html")))
        print(f"Rendered {count} pages in {time.monotonic() - started:.0f} s; validating.")
        checked = subprocess.run(
            ["java", "-jar", str(jar), "--errors-only", "--format", "text", str(folder)],
            capture_output=True,
            text=True,
        )
        report = (checked.stdout + checked.stderr).strip()
        if report:
            print(report.replace(f"file:{folder}/", ""))
        if problems:
            print("Pages that did not render:\n" + "\n".join(problems))
        failed = checked.returncode != 0 or bool(problems)
        print(
            f"HTML validation: {count} pages, "
            f"{'errors found' if failed else 'no errors'} ({time.monotonic() - started:.0f} s)."
        )
        return 1 if failed else 0
    finally:
        if not options.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
