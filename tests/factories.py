"""factory-boy factories for every model the tests build."""

from datetime import timedelta

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Mentorship, User
from accounts.roles import EDITORS, MENTORS
from questions.models import (
    Choice,
    Difficulty,
    Kind,
    Question,
    QuestionSet,
    QuestionSetItem,
    Status,
    Tag,
    Topic,
    Track,
    Visibility,
)

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)


class EditorFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        obj.groups.add(Group.objects.get(name=EDITORS))


class MentorFactory(UserFactory):
    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        obj.groups.add(Group.objects.get(name=MENTORS))


class MentorshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mentorship

    mentor = factory.SubFactory(MentorFactory)
    candidate = factory.SubFactory(UserFactory)


class TrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Track
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"track-{n}")
    name = factory.LazyAttribute(lambda t: t.slug.replace("-", " ").title())


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"topic-{n}")
    name = factory.LazyAttribute(lambda t: t.slug.replace("-", " ").title())
    position = factory.Sequence(int)


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"tag-{n}")
    name = factory.LazyAttribute(lambda t: t.slug)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Question number {n}")
    slug = factory.Sequence(lambda n: f"question-{n}")
    kind = Kind.CONCEPT
    difficulty = Difficulty.MEDIUM
    status = Status.PUBLISHED
    topic = factory.SubFactory(TopicFactory)
    prompt = factory.LazyAttribute(lambda q: f"Explain **{q.title}**.")
    answer = "A strong answer names the idea, gives an example and the trade-off."
    key_points = "Names the idea\nGives an example\nStates the trade-off"
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def tracks(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.tracks.set(extracted)

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.tags.set(extracted)


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory, kind=Kind.MULTIPLE_CHOICE)
    text = factory.Sequence(lambda n: f"Option {n}")
    is_correct = False
    explanation = "Because of the reason given here."
    position = factory.Sequence(int)


def multiple_choice_question(*, correct: int = 1, wrong: int = 2, **kwargs) -> Question:
    """A published multiple-choice question with `correct` right and `wrong` wrong choices."""
    question = QuestionFactory(
        kind=Kind.MULTIPLE_CHOICE, multi_select=kwargs.pop("multi_select", correct > 1), **kwargs
    )
    for position in range(correct + wrong):
        ChoiceFactory(question=question, is_correct=position < correct, position=position)
    return question


class QuestionSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuestionSet

    title = factory.Sequence(lambda n: f"Question set {n}")
    slug = factory.Sequence(lambda n: f"question-set-{n}")
    visibility = Visibility.PUBLIC


class QuestionSetItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuestionSetItem

    question_set = factory.SubFactory(QuestionSetFactory)
    question = factory.SubFactory(QuestionFactory)
    position = factory.Sequence(int)


# --- practice -----------------------------------------------------------------------------------


class PracticeSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "practice.PracticeSession"

    user = factory.SubFactory(UserFactory)
    mode = "study"


class SessionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "practice.SessionItem"

    session = factory.SubFactory(PracticeSessionFactory)
    question = factory.SubFactory(QuestionFactory)
    position = factory.Sequence(int)


class ReviewCardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "practice.ReviewCard"

    user = factory.SubFactory(UserFactory)
    question = factory.SubFactory(QuestionFactory)


class BookmarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "practice.Bookmark"

    user = factory.SubFactory(UserFactory)
    question = factory.SubFactory(QuestionFactory)


class NoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "practice.Note"

    user = factory.SubFactory(UserFactory)
    question = factory.SubFactory(QuestionFactory)
    body = "Remember the trade-off."


# --- mentoring ----------------------------------------------------------------------------------


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "mentoring.Assignment"

    mentor = factory.SubFactory(MentorFactory)
    candidate = factory.SubFactory(UserFactory)
    question_set = factory.SubFactory(QuestionSetFactory, visibility=Visibility.PRIVATE)
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    note = "Work through these before Friday."


class FeedbackCommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "mentoring.FeedbackComment"

    item = factory.SubFactory(SessionItemFactory)
    author = factory.SubFactory(MentorFactory)
    body = "Good start; say more about the trade-off."


# --- curation -----------------------------------------------------------------------------------


class ProblemReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "curation.ProblemReport"

    question = factory.SubFactory(QuestionFactory)
    reporter = factory.SubFactory(UserFactory)
    problem = "unclear"


class QuestionStatisticsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "curation.QuestionStatistics"

    question = factory.SubFactory(QuestionFactory)
    computed_at = factory.LazyFunction(timezone.now)


# --- code tests (the in-browser runner) ---------------------------------------------------------


class CodeTestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "questions.CodeTest"

    question = factory.SubFactory(QuestionFactory, kind=Kind.CODING)
    name = factory.Sequence(lambda n: f"test number {n}")
    code = "assert True"
    is_hidden = False
    position = factory.Sequence(int)


ADD_STARTER = "def add(a: int, b: int) -> int:\n    pass\n"
ADD_SOLUTION = "def add(a: int, b: int) -> int:\n    return a + b\n"


def coding_question(*, visible: int = 2, hidden: int = 3, **kwargs) -> Question:
    """A published coding question ("write add(a, b)") with `visible` example tests and
    `hidden` ones, in that order. ADD_SOLUTION passes them all and ADD_STARTER fails them all;
    test i checks add(i, 1) and is named "adds <i> and 1"."""
    kwargs.setdefault("starter_code", ADD_STARTER)
    kwargs.setdefault("solution_code", ADD_SOLUTION)
    question = QuestionFactory(kind=kwargs.pop("kind", Kind.CODING), **kwargs)
    for position in range(visible + hidden):
        CodeTestFactory(
            question=question,
            name=f"adds {position} and 1",
            code=f"assert add({position}, 1) == {position + 1}",
            is_hidden=position >= visible,
            position=position,
        )
    return question


BOOK_COUNT_STARTER = (
    "def book_count():\n    return sum(author.books.count() for author in Author.objects.all())\n"
)
BOOK_COUNT_SOLUTION = "def book_count():\n    return Book.objects.count()\n"


def orm_exercise(**kwargs) -> Question:
    """A published ORM exercise ("count the books") with a visible test of its result and a
    visible query budget test (runner/browser/orm.py's helpers), then a hidden one."""
    kwargs.setdefault("title", "Count the books")
    kwargs.setdefault("starter_code", BOOK_COUNT_STARTER)
    kwargs.setdefault("solution_code", BOOK_COUNT_SOLUTION)
    question = QuestionFactory(kind=Kind.ORM, **kwargs)
    tests = [
        ("returns the number of books", "assert book_count() == 20", False),
        (
            "runs at most 1 query",
            "with queries() as captured:\n    book_count()\nassert_at_most(captured, 1)",
            False,
        ),
        (
            "counts a new book",
            "Book.objects.filter(pk=1).delete()\nassert book_count() == 19",
            True,
        ),
    ]
    for position, (name, code, hidden) in enumerate(tests):
        CodeTestFactory(
            question=question, name=name, code=code, is_hidden=hidden, position=position
        )
    return question


SHOP_SCHEMA = (
    "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT);\n"
    "CREATE TABLE orders (\n"
    "    id INTEGER PRIMARY KEY,\n"
    "    customer_id INTEGER NOT NULL REFERENCES customers (id),\n"
    "    total REAL NOT NULL\n"
    ");"
)
SHOP_ROWS = (
    "INSERT INTO customers VALUES (1, 'Ada', 'Leeds'), (2, 'Ben', NULL), (3, 'Cy', 'York');\n"
    "INSERT INTO orders VALUES (1, 1, 10.5), (2, 1, 4.5), (3, 2, 20);"
)
SHOP_HIDDEN_ROWS = (
    "INSERT INTO customers VALUES (1, 'Dee', 'Hull'), (2, 'Eve', 'Hull'), (3, 'Fay', NULL);\n"
    "INSERT INTO orders VALUES (1, 2, 1), (2, 2, 2.25);"
)
# Each customer's name and number of orders, those without orders included: Ada 2, Ben 1, Cy 0
# on the visible rows; Dee 0, Eve 2, Fay 0 on the hidden ones.
ORDERS_PER_CUSTOMER = (
    "SELECT c.name, COUNT(o.id) AS orders\n"
    "FROM customers AS c\n"
    "LEFT JOIN orders AS o ON o.customer_id = c.id\n"
    "GROUP BY c.id"
)
# The usual slip: an inner join loses the customers without orders (Cy; Dee and Fay).
ORDERS_PER_CUSTOMER_INNER = ORDERS_PER_CUSTOMER.replace("LEFT JOIN", "JOIN")


class DatasetFactory(factory.django.DjangoModelFactory):
    """A shop: three customers (one without orders) and three orders; other rows, hidden."""

    class Meta:
        model = "questions.Dataset"
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"shop-{n}")
    title = factory.Sequence(lambda n: f"Shop orders {n}")
    description = "`customers` (id, name, city) and their `orders` (id, customer_id, total)."
    schema = SHOP_SCHEMA
    rows = SHOP_ROWS
    hidden_rows = SHOP_HIDDEN_ROWS


def sql_question(**kwargs) -> Question:
    """A published SQL question on a shop dataset: orders per customer (a LEFT JOIN)."""
    kwargs.setdefault("title", "Orders per customer")
    kwargs.setdefault("dataset", DatasetFactory())
    kwargs.setdefault("starter_code", "-- Each customer's name and number of orders\nSELECT")
    kwargs.setdefault("solution_code", ORDERS_PER_CUSTOMER)
    return QuestionFactory(kind=Kind.SQL, **kwargs)


# --- predict the output and debugging ------------------------------------------------------------

SHARED_LIST_SNIPPET = "a = [1]\nb = a\nb += [2]\nprint(a)\nprint({}['k'])\n"
SHARED_LIST_OUTPUT = "[1, 2]\nKeyError: 'k'"


def predict_output_question(**kwargs) -> Question:
    """A published "what does this print?" question: SHARED_LIST_SNIPPET prints
    SHARED_LIST_OUTPUT (a list changed through a second name, then a KeyError)."""
    kwargs.setdefault("title", "Two names, one list")
    kwargs.setdefault("snippet", SHARED_LIST_SNIPPET)
    kwargs.setdefault("expected_output", SHARED_LIST_OUTPUT)
    kwargs.setdefault("answer", "Both names point at **the same list**; then the lookup raises.")
    return QuestionFactory(kind=Kind.PREDICT_OUTPUT, **kwargs)


def debugging_exercise(**kwargs) -> Question:
    """A published debugging exercise: the starter code of coding_question() with a bug (it
    subtracts), which fails every test; ADD_SOLUTION fixes it."""
    kwargs.setdefault("title", "Fix the adder")
    kwargs.setdefault("starter_code", "def add(a: int, b: int) -> int:\n    return a - b\n")
    return coding_question(kind=Kind.DEBUGGING, **kwargs)
