"""Personas shared by every test: a candidate, another candidate, a mentor and an editor."""

import pytest

from tests.factories import EditorFactory, MentorFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (throttle counters live there)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def candidate(db):
    return UserFactory(username="casey", email="casey@example.com")


@pytest.fixture
def other_candidate(db):
    return UserFactory(username="olivia", email="olivia@example.com")


@pytest.fixture
def mentor(db):
    return MentorFactory(username="morgan", email="morgan@example.com")


@pytest.fixture
def editor(db):
    return EditorFactory(username="edie", email="edie@example.com")


@pytest.fixture
def candidate_client(client, candidate):
    client.force_login(candidate)
    return client


@pytest.fixture
def mentor_client(client, mentor):
    client.force_login(mentor)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def htmx_headers():
    """Headers htmx sends with its requests (django-htmx reads HX-Request)."""
    return {"HX-Request": "true"}


@pytest.fixture
def mentorship(mentor, candidate):
    """The mentor mentors the candidate (but not other_candidate)."""
    from tests.factories import MentorshipFactory

    return MentorshipFactory(mentor=mentor, candidate=candidate)


@pytest.fixture
def bystander(db):
    """Builds Bea, another candidate in the middle of everything (tests/bystander.py):
    `bea = bystander(questions)` over the questions the test is about to touch, then
    `bea.assert_untouched()` after each write."""
    from tests.bystander import build_bystander

    return build_bystander


@pytest.fixture
def task_queue(db, settings):
    """Tasks go to the database queue as in production, instead of running at once:
    `task_queue.run()` runs what is ready, `task_queue.tasks()` lists them (tests/queue.py)."""
    from tests.queue import TaskQueue

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return TaskQueue()
