"""The bank's datasets (questions/bank/datasets.yaml) and the SQL keys of its questions: read
them, write them back. questions/bank_files.py calls these; the format is in
questions/bank/README.md ("SQL queries").

Reading checks what a file can get wrong (keys, types, slugs); whether a dataset's schema and
rows build a database, and whether a question's reference query runs on both row sets, is the
models' to say (Dataset.clean, Question.sql_problems), when load_bank runs their full_clean().
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db.models import QuerySet

from questions.models import Dataset, Question

DATASETS_FILE = "datasets.yaml"
DATASETS_KEYS = {"datasets"}
DATASET_KEYS = ("slug", "title", "description", "schema", "rows", "hidden_rows")


@dataclass(frozen=True)
class DatasetData:
    slug: str
    title: str
    description: str
    schema: str
    rows: str
    hidden_rows: str


def read_datasets(path: Path, data: Any, check: Any) -> list[DatasetData]:
    """The datasets of datasets.yaml (already parsed); problems go to `check`
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
        slug = check.slug(where, item)
        if slug:
            where = f"{path.name}, dataset '{slug}'"
            if slug in seen:
                check.add(where, "duplicate slug.")
            seen.add(slug)
        check.unknown_keys(where, item, DATASET_KEYS)
        datasets.append(
            DatasetData(slug, *(check.string(where, item, key) for key in DATASET_KEYS[1:]))
        )
    return datasets


def read_sql_keys(where: str, item: dict, question: Any, check: Any) -> None:
    """An SQL question's own keys onto `question` (bank_files.QuestionData): a dataset's slug
    and ordered_rows."""
    question.dataset = check.string(where, item, "dataset", required=False)
    question.ordered_rows = check.boolean(where, item, "ordered_rows", False)


def dataset_values(data: DatasetData) -> dict:
    return {
        "title": data.title,
        "description": data.description,
        "schema": data.schema,
        "rows": data.rows,
        "hidden_rows": data.hidden_rows,
    }


def datasets_file_content(datasets: QuerySet[Dataset] | None = None) -> dict | None:
    """datasets.yaml as export_bank writes it (of these datasets, or all), or None when there
    is no dataset."""
    if datasets is None:
        datasets = Dataset.objects.all()
    content = [
        {
            "slug": dataset.slug,
            "title": dataset.title,
            "description": dataset.description.rstrip(),
            "schema": dataset.schema.rstrip(),
            "rows": dataset.rows.rstrip(),
            "hidden_rows": dataset.hidden_rows.rstrip(),
        }
        for dataset in datasets.order_by("pk")
    ]
    return {"datasets": content} if content else None


def sql_question_keys(question: Question) -> dict:
    """The keys an SQL question adds to its entry in a topic file."""
    return {
        "dataset": question.dataset.slug if question.dataset else "",
        "ordered_rows": question.ordered_rows,
    }
