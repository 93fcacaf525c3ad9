"""One world per test module: built once, inside a transaction that each test nests in.

Every test still runs in its own savepoint (pytest-django's `db`), rolled back afterwards, so a
test that deletes a set or posts a grade leaves the world as it found it for the next one.
"""

import pytest
from django.db import transaction

from tests.site.world import World


@pytest.fixture(scope="module")
def module_world(request, django_db_setup, django_db_blocker):
    rows = getattr(request.module, "WORLD_ROWS", 1)
    with django_db_blocker.unblock(), transaction.atomic():
        world = World.build(rows=rows)
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def world(module_world, db):
    """The module's world; rows a test adds with add_rows() go with its savepoint."""
    rows = module_world.rows
    yield module_world
    module_world.rows = rows
