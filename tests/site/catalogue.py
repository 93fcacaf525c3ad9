"""The URL catalogue: every URL pattern of the project, how to call it and as whom.

Both site-wide tests read it: the permission matrix (every pattern x every persona) and the query
budgets (every page at two data sizes). tests/site/test_permission_matrix.py checks that it names
exactly the patterns the URL resolver has, so a new URL fails the tests until it has an entry
here (and a row in the matrix, and a budget when it is a page).

An entry says which methods the view accepts, which persona uses it (the one a page is measured
as, and the one the 405 checks use), how to build its URL from the test world
(tests/site/world.py) and, for a view that takes a POST, a valid POST body.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import User
from tests.factories import PASSWORD
from tests.site.world import SEARCH_TERM, World

Kwargs = Callable[[World], dict]
Body = Callable[[World, User | None], dict]


@dataclass(frozen=True)
class Entry:
    name: str
    # The methods the view answers (anything else is a 405): "GET", "POST" or "GET POST".
    methods: str = "GET"
    # Who uses it: pages are measured as this persona; the 405 checks are made as them.
    persona: str = "candidate"
    kwargs: Kwargs = field(default=lambda world: {})
    # GET parameters the page is opened with.
    query: Kwargs = field(default=lambda world: {})
    # A valid POST body (given the world and the user posting), or None to test GET only.
    post: Body | None = None

    @property
    def accepts(self) -> frozenset[str]:
        return frozenset(self.methods.split())

    @property
    def requests(self) -> list[str]:
        """The methods the matrix tests: GET when the view answers GET, POST when it has a
        body to send."""
        methods = ["GET"] if "GET" in self.accepts else []
        if self.post is not None:
            methods.append("POST")
        return methods

    def url(self, world: World) -> str:
        return reverse(self.name, kwargs=self.kwargs(world))


def _pk(attribute: str, key: str = "pk") -> Kwargs:
    return lambda world: {key: getattr(world, attribute).pk}


def _slug(attribute: str) -> Kwargs:
    return lambda world: {"slug": getattr(world, attribute).slug}


def _session_item(session: str, item: str) -> Kwargs:
    return lambda world: {"pk": getattr(world, session).pk, "item_pk": getattr(world, item).pk}


def _nothing(world: World, user: User | None) -> dict:
    return {}


def _profile(world: World, user: User | None) -> dict:
    email = user.email if user is not None else "nobody@example.com"
    return {
        "first_name": "Renamed",
        "last_name": "",
        "email": email,
        "target_track": "",
        "interview_date": "",
        "daily_goal": 12,
        "desired_retention": 0.9,
        "daily_review_limit": 100,
        "time_zone": "UTC",
    }


def _assignment(world: World, user: User | None) -> dict:
    due = timezone.localtime() + timedelta(days=5)
    return {
        "question_set": world.mentor_set.pk,
        "candidates": [world.candidate.pk],
        "due_at": due.strftime("%Y-%m-%dT%H:%M"),
        "mode": "study",
        "note": "Before Friday.",
    }


def _code_submission(world: World, user: User | None) -> dict:
    """Submit on the coding card: its code, and a passing result for each of its tests."""
    results = [
        {"name": test.name, "status": "pass", "message": "", "output": "", "duration_ms": 0.1}
        for test in world.code_item.question.tests.all()
    ]
    return {"code": "def add(a, b):\n    return a + b", "results": json.dumps(results)}


def _correct_choice(world: World, user: User | None) -> dict:
    return {"choices": world.question.choices.get(is_correct=True).pk}


ACCOUNTS = [
    Entry(
        "signup",
        "GET POST",
        persona="visitor",
        post=lambda world, user: {
            "username": "newcomer",
            "email": "newcomer@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    ),
    # The link in the confirmation email: a page with a button, which confirms and logs in.
    Entry(
        "confirm_signup",
        "GET POST",
        persona="visitor",
        kwargs=lambda world: world.confirm_signup_kwargs,
        post=_nothing,
    ),
    # "Send me a new link", offered by the log-in form to an unconfirmed account's owner.
    Entry(
        "resend_confirmation",
        "POST",
        persona="visitor",
        post=lambda world, user: {"token": world.resend_token},
    ),
    Entry("profile", "GET POST", post=_profile),
    Entry("export_data"),
    Entry("delete_account", "GET POST", post=lambda world, user: {"password": PASSWORD}),
    Entry(
        "login",
        "GET POST",
        persona="visitor",
        post=lambda world, user: {"username": "casey", "password": PASSWORD},
    ),
    Entry("logout", "POST", post=_nothing),
    # Django's own password views: GET only here (their forms are Django's, tested upstream).
    Entry("password_change", "GET POST"),
    Entry("password_change_done"),
    Entry("password_reset", "GET POST", persona="visitor"),
    Entry("password_reset_done", persona="visitor"),
    Entry(
        "password_reset_confirm",
        "GET POST",
        persona="visitor",
        kwargs=lambda world: world.password_reset_kwargs,
    ),
    Entry("password_reset_complete", persona="visitor"),
]

SITE = [
    Entry("home", persona="visitor"),
    Entry("healthz", persona="visitor"),
]

BANK = [
    Entry("questions:list"),
    Entry("questions:detail", kwargs=_slug("question")),
    Entry("questions:sets"),
    Entry("questions:set_detail", kwargs=_slug("public_set")),
]

PRACTICE = [
    Entry("practice:dashboard"),
    Entry(
        "practice:start",
        "GET POST",
        post=lambda world, user: {"mode": "study", "count": 1, "difficulty": ""},
    ),
    Entry("practice:session", kwargs=_pk("study_session")),
    Entry(
        "practice:reveal",
        "POST",
        kwargs=_session_item("study_session", "study_item"),
        post=lambda world, user: {"response": "Lazily."},
    ),
    Entry(
        "practice:grade",
        "POST",
        kwargs=_session_item("study_session", "study_item"),
        post=lambda world, user: {"rating": "3"},
    ),
    Entry(
        "practice:check",
        "POST",
        kwargs=_session_item("quiz_session", "quiz_item"),
        post=_correct_choice,
    ),
    Entry(
        "practice:mock_answer",
        "POST",
        kwargs=_session_item("mock_session", "mock_item"),
        post=lambda world, user: {"response": "I would add an index."},
    ),
    Entry(
        "practice:submit_code",
        "POST",
        kwargs=_session_item("code_session", "code_item"),
        post=_code_submission,
    ),
    Entry(
        "practice:assess",
        "POST",
        kwargs=_pk("assess_session"),
        post=lambda world, user: {f"covered-{world.assess_item.pk}": ["0", "2"]},
    ),
    Entry("practice:finish", "POST", kwargs=_pk("study_session"), post=_nothing),
    Entry("practice:summary", kwargs=_pk("assigned_session")),
    Entry("practice:practise_mistakes", "POST", kwargs=_pk("assigned_session"), post=_nothing),
    Entry("practice:practise_question", "POST", kwargs=_slug("concept"), post=_nothing),
    Entry(
        "practice:bookmark",
        "POST",
        kwargs=_slug("concept"),
        post=lambda world, user: {"bookmarked": "1"},
    ),
    Entry(
        "practice:note",
        "POST",
        kwargs=_slug("concept"),
        post=lambda world, user: {"body": "Remember yield from."},
    ),
    Entry("practice:bookmarks"),
    Entry("practice:practise_bookmarks", "POST", post=_nothing),
]

MENTORING = [
    Entry("mentoring:home", persona="mentor"),
    Entry("mentoring:mentee", persona="mentor", kwargs=_pk("candidate", "candidate_id")),
    Entry(
        "mentoring:sets",
        "GET POST",
        persona="mentor",
        post=lambda world, user: {"title": "Fresh set", "description": ""},
    ),
    Entry(
        "mentoring:set_detail",
        "GET POST",
        persona="mentor",
        kwargs=_pk("mentor_set"),
        post=lambda world, user: {"title": "Renamed set", "description": "New words."},
    ),
    Entry(
        "mentoring:set_search",
        persona="mentor",
        kwargs=_pk("mentor_set"),
        query=lambda world: {"q": SEARCH_TERM},
    ),
    Entry(
        "mentoring:set_add",
        "POST",
        persona="mentor",
        kwargs=_pk("mentor_set"),
        post=lambda world, user: {"question": world.question.pk},
    ),
    Entry(
        "mentoring:set_remove",
        "POST",
        persona="mentor",
        kwargs=lambda world: {"pk": world.mentor_set.pk, "item_pk": world.mentor_set_item.pk},
        post=_nothing,
    ),
    Entry(
        "mentoring:set_move",
        "POST",
        persona="mentor",
        kwargs=lambda world: {"pk": world.mentor_set.pk, "item_pk": world.mentor_set_item.pk},
        post=lambda world, user: {"direction": "down"},
    ),
    Entry("mentoring:set_delete", "POST", persona="mentor", kwargs=_pk("spare_set"), post=_nothing),
    Entry("mentoring:assign", "GET POST", persona="mentor", post=_assignment),
    Entry(
        "mentoring:withdraw",
        "POST",
        persona="mentor",
        kwargs=_pk("open_assignment"),
        post=_nothing,
    ),
    Entry(
        "mentoring:invite",
        "GET POST",
        kwargs=lambda world: {"token": world.invite_token},
        post=_nothing,
    ),
    Entry("mentoring:end_mentorship", "GET POST", kwargs=_pk("mentorship"), post=_nothing),
    Entry("mentoring:assignments"),
    Entry("mentoring:start", "POST", kwargs=_pk("open_assignment"), post=_nothing),
    Entry(
        "mentoring:thread",
        "GET POST",
        kwargs=_pk("thread_item", "item_pk"),
        post=lambda world, user: {"body": "Thanks, I will."},
    ),
]

# Report a problem: any signed-in user, on a published question (or one of their sessions').
CURATION = [
    Entry(
        "curation:report",
        "POST",
        kwargs=_slug("concept"),
        post=lambda world, user: {"problem": "typo", "comment": "A typo in the prompt."},
    ),
]

LAB = [Entry("lab:n_plus_one")]

# The Python runner's worker script: public, like a static file.
RUNNER = [Entry("runner:worker", "GET", persona="visitor")]

# The admin: a handful of representative pages (see ADMIN_PAGES below), as the editor. Django's
# admin views (and our preview, wrapped like them) answer any method: "GET POST" here.
_question = _pk("question", "object_id")
ADMIN = [
    Entry("admin:index", "GET POST", persona="editor"),
    Entry("admin:questions_question_changelist", "GET POST", persona="editor"),
    Entry("admin:questions_question_add", "GET POST", persona="editor"),
    Entry("admin:questions_question_change", "GET POST", persona="editor", kwargs=_question),
    Entry("admin:questions_question_history", "GET POST", persona="editor", kwargs=_question),
    Entry("admin:questions_question_preview", "GET POST", persona="editor", kwargs=_question),
    Entry("admin:questions_question_import", "GET POST", persona="editor"),
    Entry("admin:questions_topic_changelist", "GET POST", persona="editor"),
    Entry("admin:questions_track_changelist", "GET POST", persona="editor"),
    Entry("admin:questions_tag_changelist", "GET POST", persona="editor"),
    Entry("admin:questions_questionset_changelist", "GET POST", persona="editor"),
    # Curation: the Needs editing queue and its "Dealt with" (POST only), the problem reports
    # and their "Resolve" (POST only).
    Entry("admin:curation_needsediting_changelist", "GET POST", persona="editor"),
    Entry(
        "admin:curation_needsediting_dealt_with",
        "POST",
        persona="editor",
        kwargs=_question,
        post=lambda world, user: {"reason": "too_easy", "note": "A warm-up on purpose."},
    ),
    Entry("admin:curation_problemreport_changelist", "GET POST", persona="editor"),
    Entry("admin:curation_dealtwith_changelist", "GET POST", persona="editor"),
    Entry(
        "admin:curation_problemreport_resolve",
        "POST",
        persona="editor",
        kwargs=_pk("problem_report", "object_id"),
        post=lambda world, user: {"reply": "Reworded: which generator is now clear."},
    ),
    # Background tasks (every e-mail is one): their states, and "Retry the selected tasks now".
    Entry("admin:background_backgroundtask_changelist", "GET POST", persona="editor"),
]

CATALOGUE: dict[str, Entry] = {
    entry.name: entry
    for entry in [*SITE, *ACCOUNTS, *BANK, *PRACTICE, *MENTORING, *CURATION, *LAB, *RUNNER, *ADMIN]
}

# --- which patterns the catalogue must cover ----------------------------------------------------

# The admin has ~90 patterns: Django's add/change/delete/history views for every registered
# model, repeated per ModelAdmin. The catalogue takes the pages that run OUR admin code (the
# editors' question list with its filters, inlines, history, preview, import/export, and the
# annotated counts of topics, tracks, tags and sets) and excludes the rest of the admin by this
# rule: every other pattern under admin/ is Django's own CRUD, guarded by the same
# admin_view/has_permission as the pages here. Add a page to this set to bring it in.
ADMIN_PAGES = frozenset(entry.name for entry in ADMIN)


def exclusion_reason(route: str, name: str) -> str | None:
    """Why a pattern is left out of the catalogue, or None when it must be in it."""
    if route.startswith("admin/") and name not in ADMIN_PAGES:
        return "the rest of the admin (see ADMIN_PAGES)"
    if route.startswith(("__debug__/", "static/", "media/")):
        return "static files and the debug toolbar (development only)"
    return None


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name or ""


def project_patterns() -> list[tuple[str, str]]:
    """Every (route, name) the resolver has, the excluded ones left out."""
    return [
        (route, name)
        for route, name in _walk(get_resolver().url_patterns)
        if exclusion_reason(route, name) is None
    ]
