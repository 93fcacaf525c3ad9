"""A pytest plugin for mutation runs only (mutation/run.py loads it with -p): the test database
is built once per run instead of once per mutant.

mutmut runs a pytest session for every mutant, and pytest-django builds the in-memory SQLite
test database from the migrations in each: about as long as the tests themselves. Here the first
session (mutmut's coverage run) builds it in a file, mutation-test-db.sqlite3 in mutants/, and
keeps it; every later session (one per mutant, perhaps two at once) copies that file and runs on
its own copy, with pytest-django's --reuse-db. Tests still roll back after themselves, and none
of the mutated modules' tests flush the database (no transaction=True test among them).
"""

import os
import shutil
from pathlib import Path

import pytest

TEMPLATE = "mutation-test-db.sqlite3"


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    from django.db import connections

    template = Path.cwd() / TEMPLATE
    if template.exists():
        name = template.with_name(f"mutation-test-db-{os.getpid()}.sqlite3")
        for suffix in ("", "-wal"):  # the write-ahead log too, if the first session left one
            if Path(f"{template}{suffix}").exists():
                shutil.copyfile(f"{template}{suffix}", f"{name}{suffix}")
        config._mutation_db_copy = name
    else:
        name = template
    connections["default"].settings_dict.setdefault("TEST", {})["NAME"] = str(name)
    config.option.reuse_db = True
    config.option.create_db = False


def pytest_unconfigure(config):
    copy = getattr(config, "_mutation_db_copy", None)
    if copy is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
