"""The bank's SQL questions (questions/bank/*.yaml with datasets.yaml), checked with CPython's
sqlite3 through runner/browser/sql.py, the file the browser runs them with: every dataset builds
with both row sets, every reference query runs on both and returns at least one row, and every
starter query (when there is one) does not pass, as a candidate would submit it. Read straight
from the files, without the database, so that each question is its own test."""

import sqlite3

import pytest
import yaml

from questions.bank_files import BANK_DIR, bank_files
from questions.datasets import DATASETS_FILE
from questions.models import DEFAULT_TIME_LIMIT, Kind
from runner.browser import sql

pytestmark = pytest.mark.bank_code

# The SQLite in the candidate's browser (Pyodide 314's): a reference query must not need a newer
# one (RIGHT and FULL OUTER JOIN need 3.39, for instance).
BROWSER_SQLITE = (3, 39, 0)


def _load(path):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return None  # test_starter_bank's test_the_bank_loads reports it


def _datasets() -> dict[str, dict]:
    path = BANK_DIR / DATASETS_FILE
    data = _load(path) if path.is_file() else None
    if not isinstance(data, dict) or not isinstance(data.get("datasets"), list):
        return {}
    return {d["slug"]: d for d in data["datasets"] if isinstance(d, dict) and d.get("slug")}


def _sql_questions() -> list[dict]:
    questions = []
    for path in bank_files(BANK_DIR):
        data = _load(path)
        if isinstance(data, dict) and isinstance(data.get("questions"), list):
            questions += [
                q for q in data["questions"] if isinstance(q, dict) and q.get("kind") == Kind.SQL
            ]
    return questions


DATASETS = _datasets()
QUESTIONS = _sql_questions()


def _params(items, key="slug"):
    return [pytest.param(item, id=item.get(key, "?")) for item in items] or [
        pytest.param(None, marks=pytest.mark.skip(reason="no SQL question in the bank yet"))
    ]


def _checks(question: dict) -> tuple[dict, list[dict]]:
    dataset = DATASETS[question["dataset"]]
    checks = []
    for name, key in (("The visible rows", "rows"), ("The hidden rows", "hidden_rows")):
        result = sql.result_of(
            dataset["schema"],
            dataset[key],
            question["solution_code"],
            time_limit=DEFAULT_TIME_LIMIT,
        )
        checks.append(
            {
                "name": name,
                "rows": dataset[key],
                "expected": {"columns": result["columns"], "rows": result["rows"]},
            }
        )
    return dataset, checks


def test_this_pythons_sqlite_is_at_least_the_browsers():
    assert sqlite3.sqlite_version_info >= BROWSER_SQLITE


@pytest.mark.parametrize("dataset", _params(list(DATASETS.values())))
def test_each_dataset_builds_with_both_row_sets(dataset):
    problems = sql.dataset_problems(
        dataset["schema"], dataset["rows"], dataset["hidden_rows"], time_limit=DEFAULT_TIME_LIMIT
    )

    assert not problems, problems


@pytest.mark.parametrize("question", _params(QUESTIONS))
def test_each_reference_query_returns_rows_on_both_row_sets(question):
    assert question.get("dataset") in DATASETS, f"unknown dataset {question.get('dataset')!r}"
    dataset = DATASETS[question["dataset"]]

    problems = sql.reference_problems(
        question["solution_code"],
        dataset["schema"],
        dataset["rows"],
        dataset["hidden_rows"],
        time_limit=question.get("time_limit", DEFAULT_TIME_LIMIT),
    )

    assert not problems, problems


@pytest.mark.parametrize("question", _params([q for q in QUESTIONS if q.get("starter_code")]))
def test_each_starter_query_does_not_pass(question):
    dataset, checks = _checks(question)

    report = sql.run_checks(
        question["starter_code"],
        dataset["schema"],
        checks,
        ordered=bool(question.get("ordered_rows")),
        time_limit=question.get("time_limit", DEFAULT_TIME_LIMIT),
    )

    assert report["status"] != "pass", "the starter query already returns the expected rows"


@pytest.mark.parametrize("question", _params(QUESTIONS))
def test_each_reference_query_passes_its_own_checks_as_the_browser_compares_them(question):
    dataset, checks = _checks(question)

    report = sql.run_checks(
        question["solution_code"],
        dataset["schema"],
        checks,
        ordered=bool(question.get("ordered_rows")),
        time_limit=question.get("time_limit", DEFAULT_TIME_LIMIT),
    )

    assert report["status"] == "pass", report
