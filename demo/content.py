"""Text for `manage.py seed_demo`: plausible interview material, recombined.

Generated questions are built from a small number of distinct texts, so that each text is rendered
from Markdown once and reused (rendering ten thousand prompts one by one would dominate the run).
"""

TRACKS = [
    ("backend-web", "Backend web"),
    ("data-engineering", "Data engineering"),
    ("general-software-engineering", "General software engineering"),
]

# slug, name, position, subjects (noun phrases an interviewer asks about), tags
TOPICS = [
    (
        "fundamentals",
        "Python fundamentals",
        1,
        [
            "mutable default arguments",
            "list and tuple",
            "dictionary ordering",
            "iterators and generators",
            "decorators",
            "closures and late binding",
            "the data model (dunder methods)",
            "truthiness and None checks",
            "unpacking and starred assignment",
            "comprehensions",
            "scoping rules (LEGB)",
            "copy and deepcopy",
        ],
        ["data-structures", "immutability", "generators", "decorators", "closures", "iterators"],
    ),
    (
        "oop",
        "Object-oriented Python",
        2,
        [
            "the method resolution order",
            "dataclasses",
            "properties and descriptors",
            "abstract base classes",
            "composition over inheritance",
            "class and static methods",
            "__slots__",
            "protocols and duck typing",
            "metaclasses",
            "equality and hashing",
        ],
        ["inheritance", "dataclasses", "descriptors", "typing", "design"],
    ),
    (
        "standard-library",
        "The standard library",
        3,
        [
            "collections.Counter",
            "functools.lru_cache",
            "itertools.groupby",
            "pathlib",
            "contextlib.contextmanager",
            "logging configuration",
            "datetime and time zones",
            "the json module",
            "subprocess",
            "heapq",
        ],
        ["collections", "functools", "itertools", "logging", "datetime"],
    ),
    (
        "performance",
        "Performance and profiling",
        4,
        [
            "cProfile",
            "memory leaks",
            "big-O of built-in containers",
            "string concatenation in loops",
            "caching",
            "vectorisation",
            "tracemalloc",
            "a slow endpoint",
            "sets for membership tests",
            "generators for large files",
        ],
        ["performance", "profiling", "caching", "memory", "numpy"],
    ),
    (
        "concurrency",
        "Concurrency: threads, processes, asyncio",
        5,
        [
            "the GIL",
            "asyncio event loops",
            "thread pools",
            "race conditions",
            "multiprocessing",
            "blocking calls in async code",
            "locks and deadlocks",
            "asyncio.TaskGroup",
            "free-threaded Python",
            "back-pressure",
        ],
        ["gil", "asyncio", "threading", "multiprocessing", "locks"],
    ),
    (
        "testing",
        "Testing",
        6,
        [
            "pytest fixtures",
            "mocking",
            "property-based testing",
            "flaky tests",
            "test doubles",
            "coverage",
            "parametrised tests",
            "testing time-dependent code",
            "integration tests against a database",
            "test pyramids",
        ],
        ["pytest", "mocking", "fixtures", "hypothesis", "ci"],
    ),
    (
        "databases",
        "Databases and SQL",
        7,
        [
            "the N+1 query problem",
            "select_related and prefetch_related",
            "database indexes",
            "transactions and isolation levels",
            "migrations on a live table",
            "QuerySet.explain()",
            "connection pooling",
            "denormalisation",
            "SELECT FOR UPDATE",
            "pagination of large tables",
        ],
        ["orm", "sql", "indexes", "transactions", "postgresql"],
    ),
    (
        "web-frameworks",
        "Web frameworks and APIs",
        8,
        [
            "Django middleware",
            "CSRF protection",
            "REST API versioning",
            "authentication and sessions",
            "FastAPI dependency injection",
            "WSGI and ASGI",
            "background tasks",
            "rate limiting",
            "idempotent POST requests",
            "caching HTTP responses",
        ],
        ["django", "fastapi", "http", "security", "apis"],
    ),
    (
        "code-review",
        "Code review",
        9,
        [
            "a function with too many arguments",
            "swallowed exceptions",
            "a class that does too much",
            "magic numbers",
            "a missing test",
            "shared mutable state",
            "an unclear variable name",
            "a leaky abstraction",
        ],
        ["readability", "refactoring", "error-handling", "naming"],
    ),
    (
        "behavioural",
        "Behavioural",
        10,
        [
            "a production incident you handled",
            "a disagreement with a colleague",
            "a project that failed",
            "mentoring a junior developer",
            "a trade-off under a deadline",
            "feedback you received",
            "learning a new codebase",
            "pushing back on a requirement",
        ],
        ["communication", "teamwork", "ownership", "star-method"],
    ),
    (
        "data-pandas",
        "Data engineering and pandas",
        11,
        [
            "pandas groupby",
            "merging data frames",
            "missing values",
            "memory use of a data frame",
            "idempotent pipelines",
            "Parquet and CSV",
            "backfills",
            "time series resampling",
        ],
        ["pandas", "data-pipelines", "parquet", "etl", "airflow"],
    ),
    (
        "system-design",
        "System design",
        12,
        [
            "a URL shortener",
            "a job queue",
            "a rate limiter",
            "a news feed",
            "a file upload service",
            "a notification system",
            "a leaderboard",
            "an analytics pipeline",
        ],
        ["scalability", "caching", "queues", "databases", "trade-offs"],
    ),
]

# Which kinds each topic's questions take (weights follow the order of kinds in KIND_WEIGHTS).
KIND_WEIGHTS = {
    "concept": 34,
    "multiple_choice": 26,
    "coding": 10,
    "practical": 8,
    "system_design": 8,
    "behavioural": 7,
    "code_review": 7,
}
# Topics whose questions are of one kind only.
KIND_OF_TOPIC = {
    "behavioural": "behavioural",
    "system-design": "system_design",
    "code-review": "code_review",
}

TITLE_TEMPLATES = {
    "concept": [
        "Explain {s}",
        "How {s} works under the hood",
        "When would you reach for {s}?",
        "Common pitfalls with {s}",
        "Trade-offs of {s}",
        "{S} in a real codebase",
    ],
    "multiple_choice": [
        "Quick check: {s}",
        "Which statement about {s} is true?",
        "Spot the right answer: {s}",
        "Pick the correct claim about {s}",
    ],
    "coding": [
        "Write a function using {s}",
        "Implement a helper around {s}",
        "Coding exercise: {s}",
    ],
    "practical": [
        "Debug a bug involving {s}",
        "Extend this code that uses {s}",
        "Fix the failing test around {s}",
    ],
    "system_design": [
        "Design {s}",
        "Scale {s} to a million users",
        "Sketch the architecture of {s}",
    ],
    "behavioural": [
        "Tell me about {s}",
        "Describe {s}",
        "Walk me through {s}",
    ],
    "code_review": [
        "Review this pull request: {s}",
        "What would you change? {S}",
        "Code review: {s}",
    ],
}

SETTINGS = [
    "",
    " in a Django app",
    " in a data pipeline",
    " at scale",
    " for a junior colleague",
    " under load",
    " in Python 3.13",
    " in a legacy codebase",
]

PROMPTS = {
    "concept": [
        "An interviewer asks: **{s}**. What is it, and when does it matter? Give a short example "
        "from code you have written or reviewed.",
        "Walk me through {s}. Where have you seen it go wrong, and how would you spot the "
        "problem in a code review?",
        "Explain {s} to a colleague who knows Python but has never needed it.\n\n"
        "- What problem does it solve?\n- What does it cost?\n- What would you use instead?",
    ],
    "multiple_choice": [
        "Which of these statements about **{s}** is correct?",
        "A colleague makes four claims about {s}. Which one would you defend in a code review?",
    ],
    "coding": [
        "Write the function below. Show that you understand {s}, and talk through the "
        "complexity of your solution.\n\n```python\n{code}```",
        "Implement this helper. Use {s} where it helps and keep it readable; say which tests "
        "you would write first.\n\n```python\n{code}```",
    ],
    "practical": [
        "This code, part of a module built around {s}, has a failing test. Finish it so the "
        "test passes, and say how you would stop the bug from coming back.\n\n"
        "```python\n{code}```",
        "You inherit the stub below in a codebase that leans on {s}. Extend it without "
        "breaking its callers. What do you check first?\n\n```python\n{code}```",
    ],
    "system_design": [
        "Design {s}. Start from the requirements you would ask about, then sketch the "
        "components, the data model and how it scales.",
        "We need {s} for a product with a hundred thousand daily users. Where are the "
        "bottlenecks, and what would you build first?",
    ],
    "behavioural": [
        "Tell me about {s}. Use a concrete example: the situation, what you did, and the result.",
        "Describe {s}. What would you do differently now?",
    ],
    "code_review": [
        "Review this change ({s}):\n\n"
        "```python\ndef process(data, flag=False, mode=1, retries=3, verbose=False):\n"
        "    try:\n        return handle(data, flag, mode)\n    except Exception:\n"
        "        pass\n```\n\nWhat would you ask the author to change, and why?",
        "A pull request shows {s}. Write the review comments you would leave, most important "
        "first.",
    ],
}

ANSWERS = [
    "A strong answer starts with a one-sentence definition of **{s}**, then shows it in a few "
    "lines of code and names the trade-off.\n\n"
    "1. Say what it is and why it exists.\n2. Give a concrete example.\n"
    "3. Name the cost, and when you would not use it.\n\n"
    "A common weak answer recites a definition without an example; interviewers probe with "
    '"where have you used it?".',
    "Frame it around a real situation. With {s}, the key is to be specific: what you measured, "
    "what you changed and what happened next.\n\n"
    "```python\n# measure first\nimport time\nstarted = time.perf_counter()\nrun()\n"
    "print(time.perf_counter() - started)\n```\n\n"
    "Finish with what you would do differently: it shows judgement.",
    "Cover the happy path first, then the edge cases: empty input, very large input, and "
    "concurrent callers. For {s}, mention the standard library tool that already solves most "
    "of it, and the test you would write.\n\n"
    "> Trap: optimising before you know where the time goes.",
]

KEY_POINTS = [
    "Defines the idea in one sentence\nGives a concrete example\nNames the trade-off\n"
    "Says when not to use it",
    "Asks a clarifying question first\nMeasures before changing anything\n"
    "Explains the fix and its cost",
    "Covers the edge cases\nMentions a test\nKeeps the code readable\nStates the complexity",
    "Uses the STAR structure\nNames their own contribution\nDescribes the result with a number",
]

HINTS = [
    "",
    "Think about what happens the second time the function runs.",
    "Start from the data: how big is it, and how often does it change?\n"
    "What would a test that fails look like?",
]

CHOICES = [
    ("It is evaluated once, when the function is defined.", True),
    ("It runs in constant time whatever the input size.", False),
    ("It is only available from Python 3.13.", False),
    ("It makes the code thread-safe without locks.", False),
    ("It trades memory for speed.", True),
    ("It always copies the data it receives.", False),
    ("It keeps insertion order.", True),
    ("It raises `TypeError` for unhashable keys.", True),
    ("It is slower than an equivalent `for` loop in every case.", False),
    ("It releases the GIL while waiting on I/O.", True),
]

CHOICE_EXPLANATIONS = {
    True: "Right: this is the behaviour the documentation describes, and the one an interviewer "
    "wants to hear named.",
    False: "Not quite: this is a common misconception; try it in a REPL to see why.",
}

CODE = [
    (
        "def solve(items: list[int]) -> list[int]:\n    ...\n",
        "def solve(items: list[int]) -> list[int]:\n"
        "    seen: set[int] = set()\n    result = []\n    for item in items:\n"
        "        if item not in seen:\n            seen.add(item)\n"
        "            result.append(item)\n    return result\n",
        "assert solve([]) == []\nassert solve([3, 1, 3, 2, 1]) == [3, 1, 2]\n",
    ),
    (
        "def group_by_key(rows, key):\n    ...\n",
        "from collections import defaultdict\n\n\ndef group_by_key(rows, key):\n"
        "    groups = defaultdict(list)\n    for row in rows:\n"
        "        groups[row[key]].append(row)\n    return dict(groups)\n",
        'rows = [{"k": 1}, {"k": 2}, {"k": 1}]\n'
        'assert group_by_key(rows, "k") == {1: [rows[0], rows[2]], 2: [rows[1]]}\n',
    ),
    (
        "def moving_average(values, window):\n    ...\n",
        "from collections import deque\n\n\ndef moving_average(values, window):\n"
        "    buffer, total, out = deque(), 0, []\n    for value in values:\n"
        "        buffer.append(value)\n        total += value\n"
        "        if len(buffer) > window:\n            total -= buffer.popleft()\n"
        "        out.append(total / len(buffer))\n    return out\n",
        "assert moving_average([2, 4, 6], 2) == [2.0, 3.0, 5.0]\n",
    ),
]

RESPONSES = [
    "I would start by measuring, then explain the trade-off and give an example.",
    "It depends on the size of the data; for small inputs the simple version is fine.",
    "I used this in my last job to fix a slow report: we cached the lookups.",
    "Not sure; I think it copies the list, but I would check the documentation.",
]

FEEDBACK = [
    "Good structure. Say more about the trade-off: when would you not do this?",
    "Nice example. Could you name the complexity of your solution?",
    "This misses the edge case of empty input; what happens then?",
    "Thanks, that makes sense. I will practise the follow-up question too.",
    "Clear answer; next time lead with the one-sentence definition.",
]

NOTES = [
    "Remember the trade-off: memory for speed.",
    "Interviewer asked this at my last loop; practise the follow-up.",
    "Lead with an example next time.",
]
