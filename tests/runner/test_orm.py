"""The ORM exercises' runtime (runner/browser/orm.py) under CPython with the server's Django.

It configures Django itself, so every run happens in a fresh interpreter (the harness's CI entry
point, `python harness.py < job.json`), never in this process, whose Django is the project's."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from runner.browser import harness, orm

HARNESS = Path(harness.__file__)
TIMEOUT_SECONDS = 120

BOOK_ROWS_N_PLUS_ONE = """
def book_rows():
    return [(book.title, book.author.name) for book in Book.objects.order_by("title")]
"""
BOOK_ROWS_JOINED = """
def book_rows():
    books = Book.objects.select_related("author").order_by("title")
    return [(book.title, book.author.name) for book in books]
"""
WITHIN_ONE_QUERY = """
with queries() as captured:
    rows = book_rows()
assert len(rows) == 20
assert_at_most(captured, 1)
"""


def run_django(code: str, *tests: str, python_options: tuple[str, ...] = ()) -> dict:
    """The harness's report for `code` against tests named "t1", "t2", ... with these bodies,
    run with runtime="django" in a fresh interpreter."""
    job = {
        "code": code,
        "tests": [{"name": f"t{number}", "code": body} for number, body in enumerate(tests, 1)],
        "runtime": "django",
    }
    completed = subprocess.run(
        [sys.executable, "-I", *python_options, str(HARNESS)],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout)


def results_of(code: str, *tests: str) -> list[dict]:
    return run_django(code, *tests)["results"]


def assert_all_pass(results: list[dict]) -> None:
    failing = {r["name"]: r["message"] for r in results if r["status"] != "pass"}
    assert not failing, failing


# --- the database --------------------------------------------------------------------------------


def test_each_test_starts_from_the_same_freshly_seeded_database():
    counts = "\n".join(
        f"assert {name}.objects.count() == {count}, {name!r}"
        for name, count in orm.SEED_COUNTS.items()
    )
    messy = """
Book.objects.filter(year__lt=2015).delete()
Author.objects.create(name="Someone New", country="GB")
assert Tag.objects.create(name="new").pk == 7
"""
    again = counts + "\nassert Tag.objects.create(name='new').pk == 7  # the ids start over too"

    results = results_of("", counts, messy, again)

    assert_all_pass(results)


def test_a_test_that_leaves_a_transaction_open_leaks_nothing_into_the_next():
    leaves_it_open = """
from django.db import transaction
transaction.set_autocommit(False)
Book.objects.all().delete()
assert Book.objects.count() == 0
"""
    results = results_of("", leaves_it_open, "assert Book.objects.count() == 20")

    assert_all_pass(results)


def test_the_seeded_rows_have_the_shape_the_exercises_rely_on():
    shape = """
from django.db.models import Count
books_per_author = sorted(
    (a.book_count for a in Author.objects.annotate(book_count=Count("books"))), reverse=True
)
assert books_per_author == [5, 4, 3, 3, 2, 2, 1, 0]
assert Book.objects.filter(tags=None).count() == 2
assert Book.objects.filter(reviews=None).count() == 3
assert Customer.objects.filter(orders=None).count() == 1
assert Order.objects.filter(status="refunded").count() == 4
assert [t.name for t in Tag.objects.order_by("pk")] != sorted(t.name for t in Tag.objects.all())
"""
    assert_all_pass(results_of("", shape))


def test_the_candidates_code_uses_the_models_without_importing_them_or_with_an_import():
    code = """
from exercise.models import Book as ImportedBook

def titles():
    return list(ImportedBook.objects.order_by("title").values_list("title", flat=True)[:2])

def same_model():
    return ImportedBook is Book
"""
    test = """
assert titles() == ["A Kitchen in Winter", "Bread and Stone"]
assert same_model()
"""
    assert_all_pass(results_of(code, test))


# --- queries() and assert_at_most() --------------------------------------------------------------


def test_queries_records_each_query_with_its_parameters_as_djangos_capture_does():
    test = """
with queries() as captured:
    list(Book.objects.filter(title="Tidewater"))
    Author.objects.get(pk=2)
assert len(captured) == 2
assert captured[0]["sql"].endswith(\"\"\"WHERE "exercise_book"."title" = 'Tidewater'\"\"\")
assert captured[1]["template"].endswith('WHERE "exercise_author"."id" = %s LIMIT 21')
assert captured[1]["params"] == (2,)
assert float(captured[0]["time"]) >= 0
assert str(captured).startswith("2 queries:\\n1. SELECT")
"""
    assert_all_pass(results_of("", test))


def test_assert_at_most_passes_within_the_budget_and_prints_every_query_numbered():
    (result,) = results_of(BOOK_ROWS_JOINED, WITHIN_ONE_QUERY)

    assert result["status"] == "pass"
    lines = result["output"].splitlines()
    assert lines[0] == "1 query:"
    assert lines[1].startswith('1. SELECT "exercise_book"."id"')
    assert 'INNER JOIN "exercise_author"' in lines[1]


def test_assert_at_most_fails_naming_the_repeated_query_its_table_and_the_loop():
    (result,) = results_of(BOOK_ROWS_N_PLUS_ONE, WITHIN_ONE_QUERY)

    assert result["status"] == "fail"
    assert result["message"] == (
        "21 queries (budget 1): 20 of them are the same query on exercise_author: "
        "look at a loop that reads each book's author"
    )
    lines = result["output"].splitlines()
    assert lines[0] == "21 queries:"
    assert lines[21].startswith("21. SELECT") and lines[21].endswith("LIMIT 21")
    assert len(lines) == 22


# Loops that run a query per row, and where assert_at_most says the repeated query comes from.
LOOPS = {
    "[[t.name for t in b.tags.all()] for b in Book.objects.all()]": (
        "20 of them are the same query on exercise_tag: look at a loop that reads each book's tags"
    ),
    "[list(t.books.all()) for t in Tag.objects.all()]": (
        "6 of them are the same query on exercise_book: look at a loop that reads each tag's books"
    ),
    "[list(b.reviews.all()) for b in Book.objects.all()]": (
        "20 of them are the same query on exercise_review: "
        "look at a loop that reads each book's reviews"
    ),
    "[a.books.count() for a in Author.objects.all()]": (
        "8 of them are the same query on exercise_book: "
        "look at a loop that counts each author's books"
    ),
    "[c.orders.exists() for c in Customer.objects.all()]": (
        "10 of them are the same query on exercise_order: "
        "look at a loop that checks whether each customer has orders"
    ),
    "[o.save() for o in Order.objects.all()]": (
        "30 of them are the same query on exercise_order: "
        "look at a loop that saves each order one at a time"
    ),
    "[Tag.objects.create(name=f'tag {n}') for n in range(3)]": (
        "3 of them are the same query on exercise_tag: "
        "look at a loop that creates each tag one at a time"
    ),
}


def test_assert_at_most_says_where_each_kind_of_repeated_query_comes_from():
    tests = [
        f"with queries() as captured:\n    {loop}\nassert_at_most(captured, 1)" for loop in LOOPS
    ]

    results = results_of("", *tests)

    assert [r["status"] for r in results] == ["fail"] * len(LOOPS)
    assert [r["message"].split(": ", 1)[1] for r in results] == list(LOOPS.values())


def test_a_hint_replaces_the_guess_and_distinct_queries_are_only_counted():
    hinted = """
with queries() as captured:
    [b.author.name for b in Book.objects.all()]
assert_at_most(captured, 2, hint="look at the loop over book.author")
"""
    distinct = """
with queries() as captured:
    Book.objects.count()
    Author.objects.count()
    Tag.objects.count()
assert_at_most(captured, 2)
"""
    hinted_result, distinct_result = results_of("", hinted, distinct)

    assert hinted_result["message"] == (
        "21 queries (budget 2): 20 of them are the same query on exercise_author: "
        "look at the loop over book.author"
    )
    assert distinct_result["message"] == "3 queries (budget 2)"


# --- explain() -----------------------------------------------------------------------------------


def test_explain_prints_the_plan_of_a_queryset_or_of_a_captured_query_without_counting_it():
    test = """
with queries() as captured:
    list(Order.objects.filter(created_at__year=2025))
    plan = explain(captured[0])
    explain(Book.objects.select_related("author").order_by("title"))
assert len(captured) == 1
assert plan.startswith("QUERY PLAN\\n")
"""
    (result,) = results_of("", test)

    assert result["status"] == "pass", result["message"]
    output = result["output"]
    assert output.count("QUERY PLAN") == 2
    assert "SEARCH exercise_order USING INDEX" in output
    assert "SCAN exercise_book" in output
    assert "SEARCH exercise_author USING INTEGER PRIMARY KEY" in output


def test_explain_says_so_for_a_queryset_that_can_match_nothing():
    (result,) = results_of("", "explain(Book.objects.filter(pk__in=[]))")

    assert result["status"] == "pass"
    assert result["output"].startswith("No query: the queryset is empty")


# --- exercises that write ------------------------------------------------------------------------


def test_a_write_exercise_is_checked_by_the_rows_it_leaves_and_its_queries():
    one_update = """
from django.db.models import F

def raise_prices(publisher_name):
    Book.objects.filter(publisher__name=publisher_name).update(price=F("price") + 1)
"""
    save_loop = """
def raise_prices(publisher_name):
    for book in Book.objects.filter(publisher__name=publisher_name):
        book.price += 1
        book.save()
"""
    test = """
from decimal import Decimal
with queries() as captured:
    raise_prices("Northlight")
prices = list(Book.objects.filter(publisher_id=3).order_by("pk").values_list("price", flat=True))
assert prices == [Decimal(p) for p in ["23.00", "14.40", "16.00", "20.90", "13.00"]]
assert Book.objects.get(title="Tidewater").price == Decimal("12.50")  # another publisher's
assert_at_most(captured, 1)
"""
    (fast,) = results_of(one_update, test)
    (slow,) = results_of(save_loop, test)

    assert fast["status"] == "pass", fast["message"]
    assert slow["status"] == "fail"
    assert slow["message"].startswith("6 queries (budget 1): 5 of them are the same query on")
    assert slow["message"].endswith("look at a loop that saves each book one at a time")


# --- the runtime in the harness ------------------------------------------------------------------


def test_every_test_is_not_run_when_django_cannot_start():
    # -S: no site-packages, so no Django.
    report = run_django("x = 1", "assert x == 1", "assert True", python_options=("-S",))

    assert report["status"] == "error"
    assert report["message"].startswith("Django could not start: ModuleNotFoundError")
    assert [(r["status"], r["message"]) for r in report["results"]] == [
        ("error", "Not run: Django could not start."),
        ("error", "Not run: Django could not start."),
    ]


def test_a_run_without_the_runtime_has_no_models():
    (result,) = harness.run_tests("", [{"name": "t", "code": "Book"}])["results"]

    assert result["status"] == "error"
    assert "NameError: name 'Book' is not defined" in result["message"]


def test_an_unknown_runtime_is_refused():
    with pytest.raises(ValueError, match="unknown runtime 'flask'"):
        harness.run_tests("", [], runtime="flask")


def test_it_refuses_to_configure_django_where_the_project_has_configured_it():
    # This process runs the project's tests: its Django is configured with the project's
    # settings, which the exercises must never replace.
    with pytest.raises(RuntimeError, match="already configured"):
        orm.setup()


# --- the plain helpers ---------------------------------------------------------------------------


def test_as_run_fills_in_each_parameter_as_sql_shows_it():
    template = "SELECT * FROM t WHERE a = %s AND b = %s AND c IS %s AND d = %s AND e = %s"

    shown = orm.as_run(template, ("O'Brien", 3, None, True, b"\x01"))

    assert shown == (
        "SELECT * FROM t WHERE a = 'O''Brien' AND b = 3 AND c IS NULL AND d = 1 AND e = X'01'"
    )
    assert orm.as_run("SELECT 1", None) == "SELECT 1"


def test_plan_tree_draws_the_steps_as_the_sqlite_shell_does():
    rows = [(2, 0, 0, "SCAN book"), (5, 0, 0, "CORRELATED SCALAR SUBQUERY 1"), (9, 5, 0, "SCAN r")]

    assert orm.plan_tree(rows) == (
        "QUERY PLAN\n|--SCAN book\n`--CORRELATED SCALAR SUBQUERY 1\n   `--SCAN r"
    )
