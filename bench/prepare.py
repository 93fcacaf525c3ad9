"""The Django side of the benchmark: pick the users, make the fixtures, list the pages.

Run by bench/run.py against the freshly seeded bench database, with the same settings as the
gunicorn it measures (DEBUG off, bench_site.settings) and the same tree's code: the app is
imported from BENCH_APP_ROOT (the working tree, or the baseline commit's worktree), so one script
drives the same pages on both. It:

- picks an active candidate with a mentor (dashboard, bank, question pages), a second active
  candidate who practises (card page, card swap, grade POSTs), that mentor, and an editor;
- signs each in (a database session, as a log-in would leave it) and hands the cookie to wrk;
- creates open study sessions with enough unanswered cards that every grade POST of the run
  answers a fresh card;
- reverses each page by name (a page whose URL name does not exist yet is "not available"),
  the signed-in floor included (bench_site's own URL: served only with bench_site.settings);
- checks each page answers 200, and counts its queries once with the test client;
- on PostgreSQL, vacuums and gathers statistics (VACUUM ANALYZE, as autovacuum would) after
  the fixtures, and runs EXPLAIN ANALYZE on the hot queries and notes which indexes they use.

Writes one JSON file (--out) that run.py reads.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import string
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The tree whose app is measured (bench/run.py sets it); before this folder, whose runner.py
# would shadow the app's `runner` package.
APP_ROOT = Path(os.environ.get("BENCH_APP_ROOT") or ROOT).resolve()
sys.path.insert(0, str(APP_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prep.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Exists, OuterRef, Q  # noqa: E402
from django.db.models.functions import TruncDate  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

import prep  # noqa: E402
from accounts.models import Mentorship, User  # noqa: E402
from accounts.roles import EDITORS  # noqa: E402
from mentoring.models import Assignment, FeedbackComment  # noqa: E402
from practice.models import Mode, PracticeSession, ReviewCard, SessionItem  # noqa: E402
from questions.models import Question, Status, Topic  # noqa: E402

GRADE_SESSIONS = 60
CARDS_PER_SESSION = 100
QUESTION_PAGES = 200
# Answered by picking, not graded by the candidate: a grade POST on one is refused. As strings, so
# that a baseline commit without one of these kinds still runs.
QUIZ_KINDS = ("multiple_choice", "predict_output")
# The card page, the card swap and the grade POST whose queries are counted show concept
# questions at both scales: the kind decides a query or two (a coding card fetches its tests, an
# SQL card its dataset), so cards picked at random could differ between the scales and the query
# counts with them. The grade POSTs under load answer cards of every kind, in random order.
CARD_KIND = "concept"
# "Index Scan using x", "Index Only Scan Backward using x", "Bitmap Index Scan on x".
INDEX_SCAN = re.compile(r"(?:Index(?: Only)? Scan(?: Backward)? using|Bitmap Index Scan on) (\w+)")


def csrf_secret() -> str:
    """A CSRF cookie value as Django makes them; the same value is sent as X-CSRFToken."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(32))


def signed_in(user: User) -> tuple[Client, str]:
    client = Client()
    client.force_login(user, backend="accounts.backends.EmailOrUsernameBackend")
    return client, client.cookies[settings.SESSION_COOKIE_NAME].value


def reverse_or_none(name: str, *args, **kwargs) -> str | None:
    try:
        return reverse(name, args=args or None, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def answered_counts():
    return User.objects.filter(email__endswith="@seed.prep.invalid").annotate(
        answered=Count(
            "practice_sessions__items",
            filter=Q(practice_sessions__items__answered_at__isnull=False),
        )
    )


def active_candidate(*, mentored: bool, exclude: set[int], percentile: float = 0.9) -> User:
    """A candidate as active as the `percentile` one: a busy user, comparable at every scale."""
    candidates = answered_counts().filter(username__startswith="demo-candidate-")
    ids_with_mentor = set(Mentorship.objects.values_list("candidate_id", flat=True))
    rows = sorted(
        (u.answered, u.pk)
        for u in candidates
        if (u.pk in ids_with_mentor) == mentored and u.pk not in exclude
    )
    if not rows:
        raise SystemExit("The seeded data has no suitable candidate; seed more users.")
    answered, pk = rows[min(len(rows) - 1, int(len(rows) * percentile))]
    return User.objects.get(pk=pk)


def open_sessions(
    user: User,
    *,
    sessions: int,
    cards: int,
    rng: random.Random,
    first_cards: tuple[int, ...] = (),
    led: int = 0,
):
    """Study sessions started now, of published questions the candidate grades (not the quiz
    kinds, whose grade POST is refused), in random order; the first `led` sessions start with
    the questions `first_cards`."""
    pool = list(
        Question.objects.published().exclude(kind__in=QUIZ_KINDS).values_list("pk", flat=True)
    )
    cards = min(cards, len(pool))
    now = timezone.now()
    created = []
    for n in range(sessions):
        session = PracticeSession.objects.create(
            user=user,
            mode=Mode.STUDY,
            filters={"count": cards, "bench": True},
            started_at=now - timedelta(minutes=n),
            item_count=cards,
        )
        questions = rng.sample(pool, cards)
        if n < led:
            questions = [*first_cards, *(pk for pk in questions if pk not in first_cards)][:cards]
        SessionItem.objects.bulk_create(
            SessionItem(session=session, question_id=pk, position=position)
            for position, pk in enumerate(questions)
        )
        created.append(session)
    return created


def count_queries(client: Client, method: str, path: str, *, htmx: bool, data=None):
    headers = {"HX-Request": "true"} if htmx else {}
    call = client.post if method == "POST" else client.get
    with CaptureQueriesContext(connection) as captured:
        response = call(path, data=data, headers=headers)
    return response.status_code, len(captured.captured_queries)


def hot_queries(candidate: User, mentor: User) -> list[dict]:
    """EXPLAIN ANALYZE of the queries the busy pages run most, and the indexes they use."""
    if connection.vendor != "postgresql":
        return []
    now = timezone.now()
    session = PracticeSession.objects.filter(user=candidate).order_by("-started_at").first()
    topic = Topic.objects.order_by("position").first()
    queries = {
        "Bank filter (status, topic, difficulty)": Question.objects.published()
        .filter(topic=topic, difficulty="medium")
        .order_by("title")[:20],
        "Bank search (full text)": (
            Question.objects.published().search("decorators")[:20]
            if hasattr(Question.objects.published(), "search")
            else None
        ),
        "Due cards of a candidate": ReviewCard.objects.filter(user=candidate, due__lte=now)
        .select_related("question")
        .order_by("due")[:20],
        "Due count of a candidate": ReviewCard.objects.filter(user=candidate, due__lte=now).values(
            "due"
        ),
        "Recent sessions of a candidate": PracticeSession.objects.filter(user=candidate).order_by(
            "-started_at"
        )[:10],
        # The dashboard's queries (practice/stats.py), written out the same way.
        "Dashboard: answers per day over a year": SessionItem.objects.filter(
            session__user=candidate,
            answered_at__gte=now - timedelta(days=365),
            answered_at__lte=now,
        )
        .annotate(day=TruncDate("answered_at"))
        .values("day")
        .annotate(answers=Count("pk"))
        .order_by("day"),
        "Dashboard: due today": ReviewCard.objects.filter(
            user=candidate, question__status=Status.PUBLISHED, due__lte=now + timedelta(days=1)
        )
        .order_by()
        .values("pk"),
        "Dashboard: new questions available": Question.objects.published()
        .exclude(Exists(ReviewCard.objects.filter(user=candidate, question=OuterRef("pk"))))
        .order_by()  # as .count() runs it
        .values("pk"),
        "Dashboard: progress per topic": Question.objects.published()
        .values("topic_id", "topic__name", "topic__position")
        .annotate(
            total=Count("pk"),
            studied=Count(
                "pk",
                filter=Q(
                    Exists(ReviewCard.objects.filter(user=candidate, question=OuterRef("pk")))
                ),
            ),
        )
        .order_by("topic__position", "topic__name"),
        "Recent answers site-wide": SessionItem.objects.filter(
            answered_at__gte=now - timedelta(days=1)
        ).order_by("-answered_at")[:50],
        "Cards of one session": SessionItem.objects.filter(session=session).order_by("position"),
        "First unanswered card of a session": SessionItem.objects.filter(
            session=session, answered_at__isnull=True
        ).order_by("position")[:1],
        "Assignments of a candidate": Assignment.objects.filter(candidate=candidate).order_by(
            "due_at"
        ),
        "Assignments given by a mentor": Assignment.objects.filter(mentor=mentor).order_by(
            "due_at"
        ),
        "Mentees of a mentor": Mentorship.objects.filter(mentor=mentor),
        "Unread feedback for a candidate": FeedbackComment.objects.filter(
            item__session__user=candidate, read_at__isnull=True
        ).exclude(author=candidate),
        "Admin question list (newest first)": Question.objects.order_by("-pk")[:100],
    }
    results = []
    for label, queryset in queries.items():
        if queryset is None:
            continue
        try:
            plan = queryset.explain(analyze=True)
        except Exception as error:  # report, do not stop the bench
            results.append({"query": label, "plan": f"EXPLAIN failed: {error}", "indexes": []})
            continue
        indexes = sorted(set(INDEX_SCAN.findall(plan)))
        seq_scans = sorted(set(re.findall(r"Seq Scan on (\w+)", plan)))
        total = re.search(r"Execution Time: ([\d.]+) ms", plan)
        results.append(
            {
                "query": label,
                "indexes": indexes,
                "seq_scans": seq_scans,
                "execution_ms": float(total.group(1)) if total else None,
                "plan": plan,
            }
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    candidate = active_candidate(mentored=True, exclude=set())
    practiser = active_candidate(mentored=False, exclude={candidate.pk}, percentile=0.8)
    mentor = Mentorship.objects.filter(candidate=candidate).select_related("mentor").first().mentor
    editor = (
        User.objects.filter(
            groups__name=EDITORS, is_staff=True, email__endswith="@seed.prep.invalid"
        )
        .order_by("pk")
        .first()
    )
    clients = {}
    cookies = {}
    for role, user in {
        "candidate": candidate,
        "practiser": practiser,
        "mentor": mentor,
        "editor": editor,
    }.items():
        clients[role], cookies[role] = signed_in(user)

    # Fixtures for the practice pages: one session to look at, many to grade in.
    concepts = tuple(
        Question.objects.published()
        .filter(kind=CARD_KIND)
        .order_by("pk")
        .values_list("pk", flat=True)[:2]
    )
    # The card session (its first card) and the session of the counted grade POST (its first
    # card, graded, then the second, shown) start with concept questions.
    card_session, measure_session, *grade_sessions = open_sessions(
        practiser,
        sessions=GRADE_SESSIONS + 2,
        cards=CARDS_PER_SESSION,
        rng=rng,
        first_cards=concepts,
        led=2,
    )
    card_path = reverse_or_none("practice:session", card_session.pk)

    def grade_path(item: SessionItem) -> str | None:
        return reverse_or_none("practice:grade", item.session_id, item.pk)

    # Every session's cards in order, taken round-robin across sessions: consecutive POSTs
    # land on different sessions (no waiting on one session's row lock), each card once.
    per_session = [
        list(SessionItem.objects.filter(session=s).order_by("position")) for s in grade_sessions
    ]
    grade_requests = []
    for position in range(CARDS_PER_SESSION - 1):  # the last card would finish the session
        for items in per_session:
            if position < len(items):
                path = grade_path(items[position])
                if path:
                    grade_requests.append({"method": "POST", "path": path, "body": "rating=3"})

    if connection.vendor == "postgresql":
        # Vacuumed tables with fresh statistics after the fixtures' inserts, as autovacuum leaves
        # them in production (servers here may run with it off): the plans a live database gets,
        # index-only scans included (they need the visibility map that VACUUM sets).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    topic = Topic.objects.filter(questions__status=Status.PUBLISHED).order_by("position").first()
    bank_path = reverse_or_none("questions:list")
    # Drawn with the run's seed from the slugs in order, not by the database's random(): the
    # same questions on both sides of a comparison.
    published = list(Question.objects.published().order_by("slug").values_list("slug", flat=True))
    question_paths = [
        reverse_or_none("questions:detail", slug=slug)
        for slug in rng.sample(published, min(QUESTION_PAGES, len(published)))
    ]
    question_paths = [p for p in question_paths if p]
    mentee_path = reverse_or_none("mentoring:mentee", candidate_id=candidate.pk)

    floor_path = reverse_or_none("bench-signed-in")
    pages = [
        ("healthz", "/healthz (floor)", "anonymous", False, [reverse_or_none("healthz")]),
        ("floor_page", "Signed-in floor (page)", "candidate", False, [floor_path]),
        ("floor_htmx", "Signed-in floor (htmx)", "candidate", True, [floor_path]),
        (
            "bank_list",
            "Bank list, filtered",
            "candidate",
            False,
            [f"{bank_path}?topic={topic.slug}&difficulty=medium"] if bank_path else [None],
        ),
        ("question_page", "Question page", "candidate", False, question_paths or [None]),
        ("practice_page", "Practice card page", "practiser", False, [card_path]),
        ("card_swap", "Card swap (htmx fragment)", "practiser", True, [card_path]),
        ("grade_post", "Grade POST (htmx, next card)", "practiser", True, None),
        ("dashboard", "Dashboard", "candidate", False, [reverse_or_none("practice:dashboard")]),
        ("mentee_page", "Mentor's mentee page", "mentor", False, [mentee_path]),
        (
            "admin_list",
            "Admin question list",
            "editor",
            False,
            [reverse_or_none("admin:questions_question_changelist")],
        ),
    ]
    out_pages = []
    csrf = csrf_secret()
    for key, label, role, htmx, paths in pages:
        page = {"key": key, "label": label, "role": role, "htmx": htmx}
        if key == "grade_post":
            requests = grade_requests
            measure_items = list(
                SessionItem.objects.filter(session=measure_session).order_by("position")[:2]
            )
            probe = grade_path(measure_items[0]) if measure_items else None
        else:
            requests = [{"method": "GET", "path": p, "body": ""} for p in paths if p]
            probe = requests[0]["path"] if requests else None
        if not requests or probe is None:
            page.update(available=False, note="not available: the page does not exist yet")
            out_pages.append(page)
            continue
        client = clients.get(role) or Client()
        method = "POST" if key == "grade_post" else "GET"
        data = {"rating": "3"} if method == "POST" else None
        if method == "GET":
            count_queries(client, method, probe, htmx=htmx)  # warm: first-use caches
        status, queries = count_queries(client, method, probe, htmx=htmx, data=data)
        page.update(
            available=status == 200,
            status=status,
            queries=queries,
            requests=requests,
            cookie=(
                f"{settings.SESSION_COOKIE_NAME}={cookies[role]}; "
                f"{settings.CSRF_COOKIE_NAME}={csrf}"
                if role in cookies
                else ""
            ),
            csrf=csrf,
        )
        if status != 200:
            page["note"] = f"not available: answered {status} to the bench's user"
        out_pages.append(page)

    result = {
        # Where the app came from: bench/run.py checks that it is the tree it measures.
        "app_root": str(Path(prep.__file__).resolve().parent.parent),
        "database": connection.vendor,
        "users": {
            "candidate": candidate.username,
            "practiser": practiser.username,
            "mentor": mentor.username,
            "editor": editor.username,
        },
        "answers_of_candidate": SessionItem.objects.filter(
            session__user=candidate, answered_at__isnull=False
        ).count(),
        "counts": {
            "questions": Question.objects.count(),
            "users": User.objects.count(),
            "answers": SessionItem.objects.filter(answered_at__isnull=False).count(),
            "review_cards": ReviewCard.objects.count(),
        },
        "grade_requests": len(grade_requests),
        "pages": out_pages,
        "hot_queries": hot_queries(candidate, mentor),
    }
    Path(args.out).write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
