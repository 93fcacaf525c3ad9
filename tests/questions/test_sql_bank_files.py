"""load_bank and export_bank with SQL questions: datasets.yaml, the sql keys, and the checks
that run SQL (a dataset whose schema or rows fail, a reference query that fails or returns
nothing on either row set), each naming its file and question, with nothing written."""

from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError

from questions.bank_files import BankError, export_bank, load_bank, read_bank
from questions.models import Dataset, Kind, Question
from tests.factories import DatasetFactory, TopicFactory
from tests.questions.test_bank_files import TRACKS, run_load

pytestmark = pytest.mark.django_db

SCHEMA = (
    "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, total REAL);"
)
ROWS = (
    "INSERT INTO customers VALUES (1, 'Ada'), (2, 'Ben'), (3, 'Cy');\n"
    "INSERT INTO orders VALUES (1, 1, 10.5), (2, 1, 4.5), (3, 2, 20);"
)
HIDDEN_ROWS = (
    "INSERT INTO customers VALUES (1, 'Dee'), (2, 'Eve');\n"
    "INSERT INTO orders VALUES (1, 2, 1), (2, 2, 2);"
)
REFERENCE = (
    "SELECT c.name, COUNT(o.id) FROM customers c\n"
    "LEFT JOIN orders o ON o.customer_id = c.id\n"
    "GROUP BY c.id"
)


def block(text: str, indent: int) -> str:
    pad = " " * indent
    return "|\n" + "\n".join(pad + line for line in text.splitlines())


def datasets_file(*, schema=SCHEMA, rows=ROWS, hidden_rows=HIDDEN_ROWS, slug="shop") -> str:
    return f"""\
datasets:
  - slug: {slug}
    title: Shop orders
    description: |
      `customers` and their `orders`.
    schema: {block(schema, 6)}
    rows: {block(rows, 6)}
    hidden_rows: {block(hidden_rows, 6)}
"""


def sql_topic(*, reference=REFERENCE, extra="", dataset="shop", kind="sql") -> str:
    return f"""\
topic:
  slug: sql-queries
  name: SQL queries
  description: Write the query.
  position: 3
questions:
  - slug: orders-per-customer
    title: Orders per customer
    kind: {kind}
    difficulty: easy
    status: published
    tracks: [backend-web]
    tags: [sql, joins]
    prompt: Each customer's name and number of orders, customers without orders included.
    answer: A LEFT JOIN keeps the customers without orders; COUNT(o.id) counts them as 0.
    key_points:
      - LEFT JOIN keeps every customer
      - COUNT of a column skips NULLs
    dataset: {dataset}
    starter_code: |
      -- Your query
      SELECT
    solution_code: {block(reference, 6)}
{extra}"""


def write(directory: Path, **files: str | None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    contents = {"tracks": TRACKS, "datasets": datasets_file(), "sql-queries": sql_topic()}
    contents.update(files)
    for name, text in contents.items():
        if text is not None:
            (directory / f"{name}.yaml").write_text(text, encoding="utf-8")
    return directory


def problems_of(directory: Path) -> list[str]:
    with pytest.raises(BankError) as error:
        load_bank(read_bank(directory))
    return error.value.problems


# --- loading -------------------------------------------------------------------------------------


def test_it_loads_the_datasets_and_the_sql_questions(tmp_path):
    output = run_load(write(tmp_path))

    assert "Loaded 1 question in 1 topic: 1 created" in output
    dataset = Dataset.objects.get()
    assert (dataset.slug, dataset.title) == ("shop", "Shop orders")
    assert (
        dataset.description_html == "<p><code>customers</code> and their <code>orders</code>.</p>"
    )
    assert (dataset.schema, dataset.rows, dataset.hidden_rows) == (SCHEMA, ROWS, HIDDEN_ROWS)
    question = Question.objects.get(slug="orders-per-customer")
    assert question.kind == Kind.SQL and question.dataset == dataset
    assert question.ordered_rows is False and question.solution_code == REFERENCE
    assert question.starter_code == "-- Your query\nSELECT"


def test_a_second_load_changes_nothing_and_an_edit_updates_the_dataset(tmp_path):
    run_load(write(tmp_path))

    assert "0 created, 0 updated, 1 unchanged" in run_load(tmp_path)
    write(tmp_path, datasets=datasets_file(rows=ROWS + "\nINSERT INTO customers VALUES (4, 'Di');"))
    run_load(tmp_path)
    assert Dataset.objects.get().rows.endswith("(4, 'Di');")


def test_ordered_rows_and_a_time_limit_are_read(tmp_path):
    extra = "    ordered_rows: true\n    time_limit: 2\n"
    run_load(write(tmp_path, **{"sql-queries": sql_topic(extra=extra)}))

    question = Question.objects.get()
    assert question.ordered_rows is True and question.time_limit == 2


def test_a_question_may_name_a_dataset_already_in_the_database(tmp_path):
    DatasetFactory(slug="shop", schema=SCHEMA, rows=ROWS, hidden_rows=HIDDEN_ROWS)

    run_load(write(tmp_path, datasets=None))

    assert Question.objects.get().dataset.slug == "shop"


# --- what is refused -----------------------------------------------------------------------------


def test_a_reference_query_that_fails_on_a_row_set_names_the_file_the_question_and_the_set(
    tmp_path,
):
    # No hidden customer is a VIP: the reference returns nothing there.
    schema = SCHEMA.replace("name TEXT NOT NULL", "name TEXT NOT NULL, vip INTEGER")
    rows = ROWS.replace(
        "(1, 'Ada'), (2, 'Ben'), (3, 'Cy')", "(1, 'Ada', 1), (2, 'Ben', 0), (3, 'Cy', 0)"
    )
    hidden = HIDDEN_ROWS.replace("(1, 'Dee'), (2, 'Eve')", "(1, 'Dee', 0), (2, 'Eve', 0)")
    reference = "SELECT name FROM customers WHERE vip = 1"
    directory = write(
        tmp_path,
        datasets=datasets_file(schema=schema, rows=rows, hidden_rows=hidden),
        **{"sql-queries": sql_topic(reference=reference)},
    )

    assert problems_of(directory) == [
        "sql-queries.yaml, question 'orders-per-customer': 'solution_code': The reference query "
        "returns no row on the hidden rows: a query that returns nothing would pass."
    ]


def test_a_reference_query_with_an_error_is_refused_and_nothing_is_written(tmp_path):
    directory = write(tmp_path, **{"sql-queries": sql_topic(reference="SELECT nme FROM customers")})

    with pytest.raises(CommandError) as error:
        run_load(directory)

    message = str(error.value)
    assert (
        "sql-queries.yaml, question 'orders-per-customer': 'solution_code': The reference query "
        "fails on the visible rows: no such column: nme" in message
    )
    assert "fails on the hidden rows: no such column: nme" in message
    assert message.endswith("Nothing was loaded.")
    assert not Question.objects.exists() and not Dataset.objects.exists()


def test_a_reference_query_that_never_ends_is_stopped_and_refused(tmp_path):
    endless = (
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT COUNT(*) FROM n"
    )
    # The question's own limit, 1 s, rather than the default 5 s: the check waits it out twice.
    topic = sql_topic(reference=endless, extra="    time_limit: 1\n")
    directory = write(tmp_path, **{"sql-queries": topic})

    problems = problems_of(directory)

    assert len(problems) == 2
    assert "fails on the visible rows: Stopped at the time limit of 1 s" in problems[0]


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        (
            {"datasets": datasets_file(schema="CREATE TABLE customers (id INTEGER PRIMARY KEY;")},
            "datasets.yaml, dataset 'shop': 'schema': Line 1: near \";\": syntax error",
        ),
        (
            {"datasets": datasets_file(rows=ROWS + "\nINSERT INTO orderz VALUES (9, 1, 1);")},
            "datasets.yaml, dataset 'shop': 'rows': Line 3: no such table: orderz "
            "(in “INSERT INTO orderz VALUES (9, 1, 1);”)",
        ),
        (
            {"datasets": datasets_file(hidden_rows="INSERT INTO customers VALUES (1, NULL);")},
            "datasets.yaml, dataset 'shop': 'hidden_rows': Line 1: NOT NULL constraint failed: "
            "customers.name",
        ),
        (
            {"datasets": datasets_file(hidden_rows=ROWS)},
            "datasets.yaml, dataset 'shop': 'hidden_rows': The same as the visible rows",
        ),
        (
            {"datasets": datasets_file(slug="Shop")},
            "datasets.yaml, dataset 1: slug 'Shop' is not lowercase-with-dashes.",
        ),
        (
            {"datasets": datasets_file() + "    notes: hm\n"},
            "datasets.yaml, dataset 'shop': unknown key: notes.",
        ),
        (
            {"datasets": "datasets: {}\n"},
            "datasets.yaml: must be a mapping with a 'datasets' list.",
        ),
        (
            {"datasets": None},
            "sql-queries.yaml, question 'orders-per-customer': unknown dataset 'shop' (add it to "
            "datasets.yaml).",
        ),
        (
            {"sql-queries": sql_topic(dataset="''")},
            "sql-queries.yaml, question 'orders-per-customer': 'dataset': Choose the dataset the "
            "query runs against.",
        ),
        (
            {"sql-queries": sql_topic(extra="    ordered_rows: sometimes\n")},
            "sql-queries.yaml, question 'orders-per-customer': 'ordered_rows' must be true or "
            "false.",
        ),
        (
            {"sql-queries": sql_topic(kind="concept")},
            "sql-queries.yaml, question 'orders-per-customer': 'dataset': Only SQL questions have "
            "a dataset: clear it.",
        ),
        (
            {"sql-queries": sql_topic(extra="    tests: []\n")},
            "sql-queries.yaml, question 'orders-per-customer': has 'tests' but is not a coding",
        ),
    ],
    ids=[
        "schema fails",
        "rows fail",
        "hidden rows fail",
        "hidden rows are the visible ones",
        "bad slug",
        "unknown key",
        "no list",
        "unknown dataset",
        "no dataset",
        "ordered_rows not a boolean",
        "dataset on another kind",
        "tests on an sql question",
    ],
)
def test_a_bad_dataset_or_sql_question_is_refused_naming_where(tmp_path, files, problem):
    problems = problems_of(write(tmp_path, **files))

    # The first problem is this one (a broken dataset is not run again for its questions).
    assert problems[0].startswith(problem), problems
    assert not any("reference query" in p for p in problems), problems
    assert not Dataset.objects.exists()


def test_an_sql_question_without_a_reference_query_is_refused(tmp_path):
    topic = sql_topic().split("    solution_code:")[0]

    problems = problems_of(write(tmp_path, **{"sql-queries": topic}))

    assert problems == [
        "sql-queries.yaml, question 'orders-per-customer': 'solution_code': Write the reference "
        "query."
    ]


def test_a_dataset_and_the_query_it_breaks_may_change_together(tmp_path):
    run_load(write(tmp_path))
    renamed = SCHEMA.replace("name TEXT", "full_name TEXT")
    query = REFERENCE.replace("c.name", "c.full_name")

    run_load(
        write(
            tmp_path,
            datasets=datasets_file(schema=renamed),
            **{"sql-queries": sql_topic(reference=query)},
        )
    )

    assert Dataset.objects.get().schema == renamed
    assert Question.objects.get().solution_code == query


def test_a_dataset_change_that_breaks_a_question_not_in_the_files_is_refused(tmp_path):
    run_load(write(tmp_path))
    renamed = SCHEMA.replace("name TEXT", "full_name TEXT")
    write(tmp_path, datasets=datasets_file(schema=renamed))
    (tmp_path / "sql-queries.yaml").unlink()  # the question stays in the database only

    problems = problems_of(tmp_path)

    assert problems == [
        f"datasets.yaml, dataset 'shop': \u201cOrders per customer\u201d: the reference query "
        f"fails on the {rows} rows: no such column: c.name"
        for rows in ("visible", "hidden")
    ]
    assert Dataset.objects.get().schema == SCHEMA


# --- exporting -----------------------------------------------------------------------------------


def test_export_writes_the_datasets_and_the_sql_keys_and_loads_back_the_same(tmp_path):
    extra = "    ordered_rows: true\n    time_limit: 3\n"
    run_load(write(tmp_path / "in", **{"sql-queries": sql_topic(extra=extra)}))

    written = export_bank(tmp_path / "out")

    names = sorted(path.name for path in written)
    assert names == ["datasets.yaml", "sql-queries.yaml", "tracks.yaml"]
    datasets = yaml.safe_load((tmp_path / "out" / "datasets.yaml").read_text())
    datasets["datasets"][0] = {
        key: value.rstrip() for key, value in datasets["datasets"][0].items()
    }
    assert datasets == {
        "datasets": [
            {
                "slug": "shop",
                "title": "Shop orders",
                "description": "`customers` and their `orders`.",
                "schema": SCHEMA,
                "rows": ROWS,
                "hidden_rows": HIDDEN_ROWS,
            }
        ]
    }
    question = yaml.safe_load((tmp_path / "out" / "sql-queries.yaml").read_text())["questions"][0]
    assert list(question)[-5:] == [
        "dataset",
        "ordered_rows",
        "starter_code",
        "solution_code",
        "time_limit",
    ]
    assert question["dataset"] == "shop" and question["ordered_rows"] is True
    assert question["solution_code"].rstrip() == REFERENCE
    again = read_bank(tmp_path / "out")
    result = load_bank(again)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)


def test_export_writes_no_datasets_file_without_datasets(tmp_path):
    TopicFactory(slug="empty")

    written = export_bank(tmp_path)

    assert "datasets.yaml" not in [path.name for path in written]
