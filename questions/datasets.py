"""The bank's datasets (questions/bank/datasets.yaml) and its SQL questions' reference queries:
read and check them, load them, write them back. questions/bank_files.py calls these; the
format is in questions/bank/README.md ("SQL queries").

Every check runs SQL the way the candidate's browser does (runner/browser/sql.py, with CPython's
sqlite3 here): a dataset's schema and both its row sets must build a database, and each SQL
question's reference query must run on both row sets and return at least one row.
"""

import re
from dataclasses import dataclass

from questions.models import DEFAULT_TIME_LIMIT, Dataset, Question
from runner.browser import sql

DATASETS_FILE = "datasets.yaml"
DATASETS_KEYS = {"datasets"}
DATASET_KEYS = ("slug", "title", "description", "schema", "rows", "hidden_rows")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TITLE_MAX = Dataset._meta.get_field("title").max_length
SLUG_MAX = Dataset._meta.get_field("slug").max_length


@dataclass(frozen=True)
class DatasetData:
    slug: str
    title: str
    description: str
    schema: str
    rows: str
    hidden_rows: str
    broken: bool = False  # its schema or rows fail (reported once, on the dataset)


def read_datasets(path, data, check) -> list[DatasetData]:
    """The datasets of datasets.yaml (already parsed), each checked; problems go to `check`
    (questions.bank_files._Checker)."""
    if data is None:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("datasets"), list):
        check.add(path.name, "must be a mapping with a 'datasets' list.")
        return []
    check.unknown_keys(path.name, data, DATASETS_KEYS)
    datasets = []
    seen: set[str] = set()
    for index, item in enumerate(data["datasets"], 1):
        where = f"{path.name}, dataset {index}"
        if not isinstance(item, dict):
            check.add(where, "must be a mapping with " + ", ".join(DATASET_KEYS) + ".")
            continue
        slug = check.string(where, item, "slug", max_length=SLUG_MAX)
        if slug and not SLUG_RE.match(slug):
            check.add(where, f"slug '{slug}' is not lowercase-with-dashes.")
        if slug:
            where = f"{path.name}, dataset '{slug}'"
            if slug in seen:
                check.add(where, "duplicate slug.")
            seen.add(slug)
        check.unknown_keys(where, item, DATASET_KEYS)
        title = check.string(where, item, "title", max_length=TITLE_MAX)
        description = check.string(where, item, "description")
        schema = check.string(where, item, "schema")
        rows = check.string(where, item, "rows")
        hidden_rows = check.string(where, item, "hidden_rows")
        problems = []
        if schema and rows and hidden_rows:
            problems = sql.dataset_problems(
                schema, rows, hidden_rows, time_limit=DEFAULT_TIME_LIMIT
            )
        for part, problem in problems:
            check.add(where, f"'{part}': {problem}.")
        broken = bool(problems) or not (schema and rows and hidden_rows)
        datasets.append(
            DatasetData(slug, title, description, schema, rows, hidden_rows, broken=broken)
        )
    return datasets


def read_sql_keys(where: str, item: dict, question, check) -> None:
    """An SQL question's own keys onto `question` (bank_files.QuestionData): a dataset's slug
    and ordered_rows; it needs a reference query too. Other kinds have neither key."""
    question.dataset = check.string(where, item, "dataset", required=False)
    ordered = item.get("ordered_rows", False)
    if not isinstance(ordered, bool):
        check.add(where, "'ordered_rows' must be true or false.")
        ordered = False
    question.ordered_rows = ordered
    if question.kind != "sql":
        for key in ("dataset", "ordered_rows"):
            if key in item:
                check.add(where, f"has '{key}' but is not an sql question.")
        return
    missing = [key for key in ("dataset", "solution_code") if not getattr(question, key).strip()]
    if missing:
        check.add(where, f"is an sql question without {' and '.join(missing)}.")


def check_sql_questions(topics, datasets: list[DatasetData], check) -> None:
    """Every SQL question names a dataset of the files or the database, and its reference query
    runs on both of its row sets (problems go to `check`)."""
    by_slug = {dataset.slug: dataset for dataset in datasets if dataset.slug}
    wanted = {q.dataset for topic in topics for q in topic.questions if q.dataset}
    stored = {
        dataset.slug: dataset for dataset in Dataset.objects.filter(slug__in=wanted - set(by_slug))
    }
    for topic in topics:
        for question in topic.questions:
            if question.kind != "sql" or not question.dataset:
                continue
            where = f"{topic.file_name}, question '{question.slug}'"
            dataset = by_slug.get(question.dataset) or stored.get(question.dataset)
            if dataset is None:
                check.add(
                    where,
                    f"unknown dataset '{question.dataset}' (add it to {DATASETS_FILE}).",
                )
                continue
            if not question.solution_code.strip() or getattr(dataset, "broken", False):
                continue  # reported where the question or the dataset is read
            for problem in sql.reference_problems(
                question.solution_code,
                dataset.schema,
                dataset.rows,
                dataset.hidden_rows,
                time_limit=DEFAULT_TIME_LIMIT,
            ):
                check.add(where, problem)


def dataset_values(data: DatasetData) -> dict:
    return {
        "title": data.title,
        "description": data.description,
        "schema": data.schema,
        "rows": data.rows,
        "hidden_rows": data.hidden_rows,
    }


def datasets_file_content() -> dict | None:
    """datasets.yaml as export_bank writes it, or None when there is no dataset."""
    datasets = [
        {
            "slug": dataset.slug,
            "title": dataset.title,
            "description": dataset.description.rstrip(),
            "schema": dataset.schema.rstrip(),
            "rows": dataset.rows.rstrip(),
            "hidden_rows": dataset.hidden_rows.rstrip(),
        }
        for dataset in Dataset.objects.order_by("pk")
    ]
    return {"datasets": datasets} if datasets else None


def sql_question_keys(question: Question) -> dict:
    """The keys an SQL question adds to its entry in a topic file."""
    return {
        "dataset": question.dataset.slug if question.dataset else "",
        "ordered_rows": question.ordered_rows,
    }
