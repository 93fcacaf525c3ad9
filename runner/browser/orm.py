"""The ORM exercises' runtime: real Django, a small exercise app and a fresh database per test.

The harness (harness.py, beside this file) loads this module for a run with runtime="django".
Like the harness it runs in two places: inside Pyodide in the candidate's browser (the worker
puts Django's archive from static/runner-django/ on the path and writes this file next to the
harness), and under CPython on CI, in a process of its own with the server's Django. It
configures Django itself (settings.configure), so it must never be imported where Django is
already configured: it refuses to run there rather than touch the project's settings.

What a test (and the candidate's code) finds in its namespace, besides what the harness gives:
- the models of the exercise app: Author, Publisher, Book, Tag, Review, Customer, Order
  (also importable: `from exercise.models import Book`), over an in-memory SQLite database
  seeded with the same rows before every test (SEED_COUNTS);
- queries(): `with queries() as captured:` records every query run inside the block, as
  Django's CaptureQueriesContext does: len(captured), captured[0]["sql"], print(captured);
- assert_at_most(captured, budget, hint=""): prints the numbered SQL of every captured query,
  then passes, or fails naming the query repeated most and where it comes from;
- explain(queryset_or_captured_query): prints (and returns) SQLite's EXPLAIN QUERY PLAN.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime
import io
import os
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from decimal import Decimal

APP_LABEL = "exercise"
MODEL_NAMES = ("Author", "Publisher", "Book", "Tag", "Review", "Customer", "Order")
HELPER_NAMES = ("queries", "assert_at_most", "explain")

# The app's models. They are written to exercise/models.py in a folder of their own, so that
# Django registers a real app and a candidate may import them as in a project. No model has a
# default ordering: a query that needs an order says so, as it should in real code.
MODELS_SOURCE = """\
from django.db import models


class Publisher(models.Model):
    name = models.CharField(max_length=100)
    city = models.CharField(max_length=100)

    def __str__(self):
        return self.name


class Author(models.Model):
    name = models.CharField(max_length=100)
    country = models.CharField(max_length=2)

    def __str__(self):
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    def __str__(self):
        return self.name


class Book(models.Model):
    title = models.CharField(max_length=200)
    author = models.ForeignKey(Author, models.CASCADE, related_name="books")
    publisher = models.ForeignKey(Publisher, models.CASCADE, related_name="books")
    tags = models.ManyToManyField(Tag, related_name="books", blank=True)
    year = models.PositiveSmallIntegerField()
    price = models.DecimalField(max_digits=6, decimal_places=2)

    def __str__(self):
        return self.title


class Review(models.Model):
    book = models.ForeignKey(Book, models.CASCADE, related_name="reviews")
    reviewer = models.CharField(max_length=100)
    rating = models.PositiveSmallIntegerField()

    def __str__(self):
        return f"{self.reviewer} on {self.book_id}: {self.rating}"


class Customer(models.Model):
    name = models.CharField(max_length=100)
    email = models.CharField(max_length=200)
    city = models.CharField(max_length=100)

    def __str__(self):
        return self.name


class Order(models.Model):
    customer = models.ForeignKey(Customer, models.CASCADE, related_name="orders")
    total = models.DecimalField(max_digits=8, decimal_places=2)
    status = models.CharField(max_length=10, default="paid")  # "paid" or "refunded"
    created_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"Order {self.pk}"
"""

# --- the seeded rows: the same before every test, no randomness ---------------------------------

PUBLISHERS = [  # (name, city); ids 1-4
    ("Lantern Press", "Leeds"),
    ("Quayside Books", "Bristol"),
    ("Northlight", "Glasgow"),
    ("Orchard & Vine", "Norwich"),
]
AUTHORS = [  # (name, country); ids 1-8; Hiro Tanaka has no books
    ("Ada Okafor", "NG"),
    ("Bruno Lindqvist", "SE"),
    ("Chen Wei", "CN"),
    ("Dolores Ibarra", "ES"),
    ("Emeka Nwosu", "NG"),
    ("Farah Haddad", "LB"),
    ("Greta Vogel", "DE"),
    ("Hiro Tanaka", "JP"),
]
# Ids 1-6, deliberately not in alphabetical order.
TAGS = ["mystery", "history", "science", "travel", "cooking", "poetry"]
# (title, author id, publisher id, year, price, tags in the order they were added); ids 1-20.
# Two books have no tags.
BOOKS = [
    ("The Salt Road", 1, 1, 2011, "14.99", ["travel", "history"]),
    ("Tidewater", 2, 2, 2015, "12.50", ["mystery"]),
    ("A Kitchen in Winter", 3, 3, 2019, "22.00", ["cooking"]),
    ("Glass Harbour", 1, 4, 2008, "9.99", ["mystery", "travel"]),
    ("Small Hours", 4, 1, 2021, "11.00", ["poetry"]),
    ("The Cartographer's Daughter", 5, 2, 2017, "16.75", ["history", "travel", "mystery"]),
    ("Orbit of Ash", 2, 3, 2013, "13.40", ["science"]),
    ("Bread and Stone", 6, 4, 2020, "18.00", ["cooking", "history"]),
    ("Lamps at Dusk", 1, 2, 2012, "8.50", []),
    ("The Quiet Engine", 7, 1, 2018, "24.00", ["science", "history"]),
    ("Paper Lanterns", 3, 4, 2010, "10.25", ["poetry", "travel"]),
    ("Under the Aurora", 4, 3, 2016, "15.00", ["travel", "science"]),
    ("The Ninth Letter", 2, 1, 2022, "17.20", ["mystery", "history"]),
    ("Spice Ledger", 5, 3, 2014, "19.90", ["cooking", "history"]),
    ("Moss and Granite", 1, 3, 2009, "12.00", ["poetry"]),
    ("Signal Fires", 6, 2, 2023, "21.50", ["history", "mystery"]),
    ("The Last Ferry", 2, 4, 2019, "9.00", ["mystery", "travel"]),
    ("Fieldnotes on Rain", 3, 1, 2007, "7.80", []),
    ("Counting Stars", 4, 2, 2024, "26.00", ["science", "poetry"]),
    ("Harbour Lights", 1, 1, 2006, "11.40", ["travel"]),
]
REVIEWERS = ["Ines", "Tomasz", "Priya", "Kwame", "Saoirse", "Mateo"]
CUSTOMERS = [  # (name, city); ids 1-10; the email follows from the name; Jonas Berg has no orders
    ("Amara Diallo", "Leeds"),
    ("Ben Carter", "York"),
    ("Chiara Russo", "Leeds"),
    ("Dev Patel", "Bristol"),
    ("Elin Sørensen", "York"),
    ("Fatima Zahra", "Glasgow"),
    ("Gus Moreno", "Bristol"),
    ("Hana Kobayashi", "Leeds"),
    ("Ivo Petrov", "Glasgow"),
    ("Jonas Berg", "Norwich"),
]
REVIEW_COUNT = 40
ORDER_COUNT = 30
FIRST_ORDER_AT = datetime.datetime(2025, 1, 6, 9, 0)
SEED_COUNTS = {
    "Author": len(AUTHORS),
    "Publisher": len(PUBLISHERS),
    "Book": len(BOOKS),
    "Tag": len(TAGS),
    "Review": REVIEW_COUNT,
    "Customer": len(CUSTOMERS),
    "Order": ORDER_COUNT,
}


def review_rows() -> list[tuple[int, str, int]]:
    """(book id, reviewer, rating) of each review: books 1-17 get them, 18-20 none."""
    return [
        ((number * 7) % 17 + 1, REVIEWERS[number % len(REVIEWERS)], (number * 3) % 5 + 1)
        for number in range(1, REVIEW_COUNT + 1)
    ]


def order_rows() -> list[tuple[int, Decimal, str, datetime.datetime]]:
    """(customer id, total, status, created_at) of each order: customers 1-9 have some."""
    rows = []
    for number in range(1, ORDER_COUNT + 1):
        total = Decimal(f"{(number * 37) % 200 + 5}.{(number * 13) % 100:02d}")
        status = "refunded" if number % 7 == 0 else "paid"
        created_at = FIRST_ORDER_AT + datetime.timedelta(
            days=(number * 5) % 90, hours=number % 8, minutes=(number * 11) % 60
        )
        rows.append(((number * 4) % 9 + 1, total, status, created_at))
    return rows


# --- starting Django -----------------------------------------------------------------------------

_state: dict = {}


def is_ready() -> bool:
    """Whether setup() has finished: Django configured, the template database seeded."""
    return "template" in _state


def setup() -> None:
    """Configure Django (once per process): the exercise app, an in-memory SQLite database,
    its tables and the seeded rows, kept as the template every test starts from.

    Raises RuntimeError where Django is already configured by someone else (the project's
    own process): the exercises never touch the project's settings or database.
    """
    if is_ready():
        return
    if sys.platform == "emscripten":
        # Pyodide runs Python inside the browser's event loop, which Django takes for async code
        # and then refuses ORM calls; nothing here runs concurrently.
        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    import django
    from django.conf import settings

    if _state.get("configured"):  # a first attempt failed after configuring: carry on
        django.setup()
        _create_and_seed()
        return
    if settings.configured:
        raise RuntimeError(
            "Django is already configured in this process: run the ORM exercises in a process "
            "of their own (python runner/browser/harness.py < job.json)."
        )
    folder = tempfile.mkdtemp(prefix="prep-exercise-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    package = os.path.join(folder, APP_LABEL)
    os.mkdir(package)
    with open(os.path.join(package, "__init__.py"), "w", encoding="utf-8"):
        pass
    with open(os.path.join(package, "models.py"), "w", encoding="utf-8") as models_file:
        models_file.write(MODELS_SOURCE)
    sys.path.insert(0, folder)
    settings.configure(
        DEBUG=False,
        SECRET_KEY="the-orm-exercises-have-no-secrets",
        INSTALLED_APPS=[APP_LABEL],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        # Naive datetimes: no time zone database is needed (the browser's Python has none).
        USE_TZ=False,
        TIME_ZONE="UTC",
        USE_I18N=False,
        LOGGING_CONFIG=None,
    )
    _state["configured"] = True
    django.setup()
    _create_and_seed()
    _warm_up()


def _models() -> dict:
    from django.apps import apps

    return {name: apps.get_model(APP_LABEL, name) for name in MODEL_NAMES}


def _create_and_seed() -> None:
    import sqlite3

    from django.db import connection

    models = _models()
    with connection.schema_editor() as editor:
        for model in models.values():
            editor.create_model(model)
    Author, Publisher, Book, Tag = (models[n] for n in ("Author", "Publisher", "Book", "Tag"))
    Publisher.objects.bulk_create(Publisher(name=n, city=c) for n, c in PUBLISHERS)
    Author.objects.bulk_create(Author(name=n, country=c) for n, c in AUTHORS)
    Tag.objects.bulk_create(Tag(name=name) for name in TAGS)
    Book.objects.bulk_create(
        Book(title=t, author_id=a, publisher_id=p, year=y, price=Decimal(price))
        for t, a, p, y, price, _tags in BOOKS
    )
    tag_ids = {name: number for number, name in enumerate(TAGS, 1)}
    Book.tags.through.objects.bulk_create(
        Book.tags.through(book_id=book_id, tag_id=tag_ids[name])
        for book_id, row in enumerate(BOOKS, 1)
        for name in row[5]
    )
    models["Review"].objects.bulk_create(
        models["Review"](book_id=b, reviewer=who, rating=r) for b, who, r in review_rows()
    )
    models["Customer"].objects.bulk_create(
        models["Customer"](name=n, city=c, email=n.split()[0].lower() + "@example.com")
        for n, c in CUSTOMERS
    )
    models["Order"].objects.bulk_create(
        models["Order"](customer_id=c, total=t, status=s, created_at=at)
        for c, t, s, at in order_rows()
    )
    # SQLite's own copy of the whole database, restored before each test (see fresh_database).
    template = sqlite3.connect(":memory:")
    connection.connection.backup(template)
    _state["template"] = template


def _warm_up() -> None:
    """Run the kinds of query the exercises run, once, so that the Django modules they need are
    imported while Python gets ready, not during the candidate's first run (in the browser, the
    worker's snapshot of Python then holds them too). The database is left as it was."""
    from django.db import transaction
    from django.db.models import Count, Exists, F, OuterRef, Prefetch, Subquery, Sum

    models = _models()
    Book, Author, Review = models["Book"], models["Author"], models["Review"]
    reviews = Review.objects.filter(book=OuterRef("pk"))
    with queries(), contextlib.redirect_stdout(io.StringIO()):  # explain() prints its plan
        list(
            Book.objects.select_related("author", "publisher")
            .prefetch_related("tags", Prefetch("reviews", Review.objects.all(), to_attr="all"))
            .annotate(n=Count("reviews"), rated=Exists(reviews))
            .annotate(first=Subquery(reviews.values("rating")[:1]))
            .order_by("pk")[:2]
        )
        list(Author.objects.values("name").annotate(total=Sum("books__price")))
        Book.objects.in_bulk([1])
        list(Book.objects.only("title").iterator(chunk_size=10))
        explain(Book.objects.filter(year__gt=2000))
        with transaction.atomic():
            Book.objects.filter(pk=1).update(price=F("price") + 1)
            transaction.set_rollback(True)


def fresh_database() -> None:
    """Put the database back as setup() left it: the same tables, rows and id counters."""
    from django.db import connection

    connection.ensure_connection()
    if not connection.in_atomic_block and not connection.get_autocommit():
        connection.set_autocommit(True)
    raw = connection.connection
    if raw.in_transaction:  # a test that left a transaction open
        raw.rollback()
    _state["template"].backup(raw)


def names_for_a_test() -> dict:
    """A fresh database, and the names a test's namespace gets: the models and the helpers."""
    setup()
    fresh_database()
    return {**_models(), "queries": queries, "assert_at_most": assert_at_most, "explain": explain}


# --- recording queries -------------------------------------------------------------------------

EXPLAIN_PREFIX = "EXPLAIN QUERY PLAN "


def _literal(value) -> str:
    """A parameter as SQL shows it (for reading, not for running)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    if isinstance(value, bytes):
        return "X'" + value.hex() + "'"
    return "'" + str(value).replace("'", "''") + "'"


def as_run(template: str, params) -> str:
    """The statement with its parameters filled in, as the database saw it."""
    if params is None:
        return template
    try:
        return template % tuple(_literal(value) for value in params)
    except (TypeError, ValueError):
        return f"{template} -- parameters: {params!r}"


class CapturedQueries:
    """The queries run inside `with queries() as captured:`, in order. Each is a dict:
    {"sql": the statement with its parameters, "time": seconds as text (as Django's
    CaptureQueriesContext gives), "template": the statement with %s, "params"}."""

    def __init__(self) -> None:
        self.captured_queries: list[dict] = []

    def __len__(self) -> int:
        return len(self.captured_queries)

    def __iter__(self):
        return iter(self.captured_queries)

    def __getitem__(self, index):
        return self.captured_queries[index]

    def __str__(self) -> str:
        count = len(self)
        lines = [f"{count} {'query' if count == 1 else 'queries'}" + (":" if count else ".")]
        width = len(str(count))
        lines += [f"{n:>{width}}. {q['sql']}" for n, q in enumerate(self.captured_queries, 1)]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<{len(self)} captured queries>"

    def _record(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if not sql.startswith(EXPLAIN_PREFIX):  # explain()'s own query is not the code's
                elapsed = time.perf_counter() - started
                shown = f"{sql} -- {len(params)} rows" if many else as_run(sql, params)
                self.captured_queries.append(
                    {"sql": shown, "time": f"{elapsed:.3f}", "template": sql, "params": params}
                )


@contextlib.contextmanager
def queries():
    """`with queries() as captured:` records every query the block runs."""
    from django.db import connection

    captured = CapturedQueries()
    with connection.execute_wrapper(captured._record):
        yield captured


# --- the budget and its message ------------------------------------------------------------------

_MAIN_TABLE = re.compile(r'\b(?:FROM|UPDATE|INTO)\s+"(\w+)"')
_FILTER = re.compile(r'WHERE\s+\(?"(\w+)"\."(\w+)"\s*(?:=|IN\b)')
# What QuerySet.exists() runs (Django passes the 1 as a parameter).
_EXISTS = re.compile(r'SELECT (?:1|%s) AS "a" ')


def main_table(template: str) -> str:
    match = _MAIN_TABLE.search(template)
    return match.group(1) if match else "?"


def _described(model) -> str:
    return str(model._meta.verbose_name)


def where_it_comes_from(template: str) -> str:
    """Where a query repeated once per row most likely comes from, read from its SQL and the
    exercise app's models: "look at a loop that reads each book's author"."""
    by_table = {model._meta.db_table: model for model in _models().values()}
    statement = template.lstrip().split(None, 1)[0].upper() if template.strip() else ""
    model = by_table.get(main_table(template))
    if statement in ("UPDATE", "INSERT", "DELETE") and model is not None:
        verb = {"UPDATE": "saves", "INSERT": "creates", "DELETE": "deletes"}[statement]
        return f"look at a loop that {verb} each {_described(model)} one at a time"
    match = _FILTER.search(template)
    if statement != "SELECT" or match is None:
        return "look for a loop that runs a query for each row"
    table, column = match.groups()
    if template.startswith("SELECT COUNT("):
        verb, phrase = "counts", "each {owner}'s {items}"
    elif _EXISTS.match(template):
        verb, phrase = "checks", "whether each {owner} has {items}"
    else:
        verb, phrase = "reads", "each {owner}'s {items}"

    def advice(owner, items) -> str:
        return f"look at a loop that {verb} " + phrase.format(owner=_described(owner), items=items)

    filtered = by_table.get(table)
    models = list(by_table.values())
    if filtered is not None and column == filtered._meta.pk.column:
        # One row by its id, once per row of another table: a foreign key followed in a loop.
        pointing = [
            field
            for other in models
            for field in other._meta.concrete_fields
            if field.many_to_one and field.related_model is filtered
        ]
        if len(pointing) == 1:
            return advice(pointing[0].model, pointing[0].name)
        return f"look at a loop that fetches one {_described(filtered)} for each row"
    for owner in models:
        for field in owner._meta.many_to_many:
            if field.remote_field.through._meta.db_table != table:
                continue
            if column == field.m2m_column_name():
                return advice(owner, field.name)
            return advice(field.related_model, field.remote_field.get_accessor_name())
    if filtered is not None:
        for field in filtered._meta.concrete_fields:
            if field.many_to_one and field.column == column:
                return advice(field.related_model, field.remote_field.get_accessor_name())
    return "look for a loop that runs a query for each row"


def assert_at_most(captured: CapturedQueries, budget: int, hint: str = "") -> None:
    """Print the numbered SQL of every captured query; fail if there are more than `budget`.

    The failure names the query repeated most (its table, how many times) and where such a
    query comes from ("look at a loop that reads each book's author"); `hint` replaces that
    last part when the test knows better.
    """
    print(captured)
    count = len(captured)
    if count <= budget:
        return
    message = f"{count} queries (budget {budget})"
    repeats = Counter(query["template"] for query in captured)
    template, times = repeats.most_common(1)[0] if repeats else ("", 0)
    if times > 1:
        message += f": {times} of them are the same query on {main_table(template)}"
        message += f": {hint or where_it_comes_from(template)}"
    elif hint:
        message += f": {hint}"
    raise AssertionError(message)


# --- query plans ---------------------------------------------------------------------------------


def plan_tree(rows) -> str:
    """EXPLAIN QUERY PLAN's rows (id, parent, _, detail) drawn as the sqlite3 shell draws them."""
    children: dict[int, list] = {}
    for node, parent, _unused, detail in rows:
        children.setdefault(parent, []).append((node, detail))
    lines = ["QUERY PLAN"]

    def draw(parent: int, indent: str) -> None:
        siblings = children.get(parent, [])
        for index, (node, detail) in enumerate(siblings):
            last = index == len(siblings) - 1
            lines.append(f"{indent}{'`--' if last else '|--'}{detail}")
            draw(node, indent + ("   " if last else "|  "))

    draw(0, "")
    return "\n".join(lines)


def explain(query) -> str:
    """Print and return SQLite's plan for a QuerySet, or for one captured query
    (`explain(captured[0])`). Its own query is not captured."""
    from django.core.exceptions import EmptyResultSet
    from django.db import connection

    if isinstance(query, dict) and "template" in query:
        template, params = query["template"], query["params"]
    elif hasattr(query, "query") and hasattr(query.query, "sql_with_params"):
        try:
            template, params = query.query.sql_with_params()
        except EmptyResultSet:
            text = "No query: the queryset is empty whatever the data (e.g. filter(pk__in=[]))."
            print(text)
            return text
    else:
        raise TypeError("explain() takes a QuerySet or a captured query (captured[0]).")
    with connection.cursor() as cursor:
        cursor.execute(EXPLAIN_PREFIX + template, params)
        text = plan_tree(cursor.fetchall())
    print(text)
    return text
