"""The permission matrix: every URL of the project x every persona -> the answer it gets.

Objects in the URLs belong to the candidate (their sessions, answers, assignments from their
mentor, the feedback on those answers) or to the candidate's mentor (the mentor's sets); see
tests/site/world.py. The personas:

    visitor          nobody signed in
    candidate        casey, who owns the objects
    other_candidate  olivia, another candidate (with her own mentor)
    mentor           morgan, the candidate's mentor
    other_mentor     sam, a mentor who does not mentor the candidate
    editor           edie, staff in the Editors group

Another user's objects answer 404, never 200 and never a 403 that reveals they exist: where a
whole area is closed to a role (the mentor's pages to non-mentors), the 403 does not depend on
the object, which each 403 cell checks again with ids that do not exist. Every answer that
refuses (log in, 403, 404, 405, a refused form, a redirect away) must leave the database as it
was.
"""

from urllib.parse import quote

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.site.catalogue import CATALOGUE, project_patterns
from tests.site.world import PERSONAS

# What a persona gets:
OK = "200"  # the page (or, for a POST, a page that did the work)
FORM = "200 refused"  # the form again with an error; nothing stored
DONE = "302 done"  # a POST that did its work (the database changed) and redirects
AWAY = "302 away"  # sent elsewhere, nothing changed (say, a signed-in user from the sign-up)
LOGIN = "302 log in"  # to the log-in page, with ?next=
ADMIN = "302 admin log in"  # to the admin's log-in page (the admin's own way of refusing)
E403 = "403"
E404 = "404"
E405 = "405"

# The answers after which the database may have changed.
MAY_CHANGE = {OK, DONE}

# One row per request ("name" is its GET, "name POST" its POST), one column per persona.
# fmt: off
MATRIX = {
    #                                    visitor candidate other   mentor  o.mentor editor
    # --- the site
    "home":                             (OK,     AWAY,     AWAY,   AWAY,   AWAY,    AWAY),
    "healthz":                          (OK,     OK,       OK,     OK,     OK,      OK),
    # --- accounts (a signed-in user acts on their own account only)
    "signup":                           (OK,     AWAY,     AWAY,   AWAY,   AWAY,    AWAY),
    # a valid form gets the "Check your email" page (200), having made an unconfirmed account
    "signup POST":                      (OK,     AWAY,     AWAY,   AWAY,   AWAY,    AWAY),
    # the confirmation link is for whoever holds it: opening it changes nothing, the button
    # confirms the account and logs in as it (a signed-in user is switched to it)
    "confirm_signup":                   (OK,     OK,       OK,     OK,     OK,      OK),
    "confirm_signup POST":              (DONE,   DONE,     DONE,   DONE,   DONE,    DONE),
    # a new link for the unconfirmed account (the page says "Check your email"); a signed-in
    # user has nothing to confirm and is sent home
    "resend_confirmation POST":         (OK,     AWAY,     AWAY,   AWAY,   AWAY,    AWAY),
    "login":                            (OK,     AWAY,     AWAY,   AWAY,   AWAY,    AWAY),
    "login POST":                       (DONE,   AWAY,     AWAY,   AWAY,   AWAY,    AWAY),
    # ends the session (no row of ours changes) and goes home
    "logout POST":                      (AWAY,   AWAY,     AWAY,   AWAY,   AWAY,    AWAY),
    "profile":                          (LOGIN,  OK,       OK,     OK,     OK,      OK),
    "profile POST":                     (LOGIN,  DONE,     DONE,   DONE,   DONE,    DONE),
    "export_data":                      (LOGIN,  OK,       OK,     OK,     OK,      OK),
    "delete_account":                   (LOGIN,  OK,       OK,     OK,     OK,      OK),
    "delete_account POST":              (LOGIN,  DONE,     DONE,   DONE,   DONE,    DONE),
    "password_change":                  (LOGIN,  OK,       OK,     OK,     OK,      OK),
    "password_change_done":             (LOGIN,  OK,       OK,     OK,     OK,      OK),
    "password_reset":                   (OK,     OK,       OK,     OK,     OK,      OK),
    "password_reset_done":              (OK,     OK,       OK,     OK,     OK,      OK),
    # the candidate's valid link: checked, then the token moves into the session (Django's way)
    "password_reset_confirm":           (AWAY,   AWAY,     AWAY,   AWAY,   AWAY,    AWAY),
    "password_reset_complete":          (OK,     OK,       OK,     OK,     OK,      OK),
    # --- the bank: public
    "questions:list":                   (OK,     OK,       OK,     OK,     OK,      OK),
    "questions:detail":                 (OK,     OK,       OK,     OK,     OK,      OK),
    "questions:sets":                   (OK,     OK,       OK,     OK,     OK,      OK),
    "questions:set_detail":             (OK,     OK,       OK,     OK,     OK,      OK),
    # --- practice: the candidate's sessions are theirs alone (their mentor included)
    "practice:dashboard":               (LOGIN,  OK,       OK,     OK,     OK,      OK),
    "practice:start":                   (LOGIN,  OK,       OK,     OK,     OK,      OK),
    "practice:start POST":              (LOGIN,  DONE,     DONE,   DONE,   DONE,    DONE),
    "practice:session":                 (LOGIN,  OK,       E404,   E404,   E404,    E404),
    "practice:reveal POST":             (LOGIN,  DONE,     E404,   E404,   E404,    E404),
    "practice:grade POST":              (LOGIN,  DONE,     E404,   E404,   E404,    E404),
    "practice:check POST":              (LOGIN,  DONE,     E404,   E404,   E404,    E404),
    "practice:mock_answer POST":        (LOGIN,  DONE,     E404,   E404,   E404,    E404),
    "practice:submit_code POST":        (LOGIN,  DONE,     E404,   E404,   E404,    E404),
    "practice:assess POST":             (LOGIN,  DONE,     E404,   E404,   E404,    E404),
    "practice:finish POST":             (LOGIN,  DONE,     E404,   E404,   E404,    E404),
    "practice:summary":                 (LOGIN,  OK,       E404,   E404,   E404,    E404),
    "practice:practise_mistakes POST":  (LOGIN,  DONE,     E404,   E404,   E404,    E404),
    # a published question: anyone signed in may practise, bookmark and annotate it (their own)
    "practice:practise_question POST":  (LOGIN,  DONE,     DONE,   DONE,   DONE,    DONE),
    "practice:bookmark POST":           (LOGIN,  DONE,     DONE,   DONE,   DONE,    DONE),
    "practice:note POST":               (LOGIN,  DONE,     DONE,   DONE,   DONE,    DONE),
    "practice:bookmarks":               (LOGIN,  OK,       OK,     OK,     OK,      OK),
    # only the candidate has bookmarks: the others are sent back with "nothing to practise"
    "practice:practise_bookmarks POST": (LOGIN,  DONE,     AWAY,   AWAY,   AWAY,    AWAY),
    # --- the mentor's area: mentors only (403 for everyone else, whatever the id);
    # another mentor's mentee, set or assignment is a 404
    "mentoring:home":                   (LOGIN,  E403,     E403,   OK,     OK,      E403),
    "mentoring:mentee":                 (LOGIN,  E403,     E403,   OK,     E404,    E403),
    "mentoring:sets":                   (LOGIN,  E403,     E403,   OK,     OK,      E403),
    "mentoring:sets POST":              (LOGIN,  E403,     E403,   DONE,   DONE,    E403),
    "mentoring:set_detail":             (LOGIN,  E403,     E403,   OK,     E404,    E403),
    "mentoring:set_detail POST":        (LOGIN,  E403,     E403,   DONE,   E404,    E403),
    "mentoring:set_search":             (LOGIN,  E403,     E403,   OK,     E404,    E403),
    "mentoring:set_add POST":           (LOGIN,  E403,     E403,   DONE,   E404,    E403),
    "mentoring:set_remove POST":        (LOGIN,  E403,     E403,   DONE,   E404,    E403),
    "mentoring:set_move POST":          (LOGIN,  E403,     E403,   DONE,   E404,    E403),
    "mentoring:set_delete POST":        (LOGIN,  E403,     E403,   DONE,   E404,    E403),
    "mentoring:assign":                 (LOGIN,  E403,     E403,   OK,     OK,      E403),
    # another mentor cannot pick this mentor's set or mentee: the form refuses both
    "mentoring:assign POST":            (LOGIN,  E403,     E403,   DONE,   FORM,    E403),
    "mentoring:withdraw POST":          (LOGIN,  E403,     E403,   DONE,   E404,    E403),
    # --- connecting: an invite link is for whoever holds it; a mentorship for its two people
    "mentoring:invite":                 (LOGIN,  OK,       OK,     OK,     OK,      OK),
    "mentoring:invite POST":            (LOGIN,  DONE,     DONE,   DONE,   DONE,    DONE),
    "mentoring:end_mentorship":         (LOGIN,  OK,       E404,   OK,     E404,    E404),
    "mentoring:end_mentorship POST":    (LOGIN,  DONE,     E404,   DONE,   E404,    E404),
    # --- the candidate's assignments, and the feedback thread on an assigned answer
    "mentoring:assignments":            (LOGIN,  OK,       OK,     OK,     OK,      OK),
    "mentoring:start POST":             (LOGIN,  DONE,     E404,   E404,   E404,    E404),
    "mentoring:thread":                 (LOGIN,  OK,       E404,   OK,     E404,    E404),
    "mentoring:thread POST":            (LOGIN,  DONE,     E404,   DONE,   E404,    E404),
    # --- report a problem: anyone signed in, on a published question
    "curation:report POST":             (LOGIN,  DONE,     DONE,   DONE,   DONE,    DONE),
    # --- the ORM lab
    "lab:n_plus_one":                   (LOGIN,  OK,       OK,     OK,     OK,      OK),
    # --- the runner's worker script: public, like the static files it loads
    "runner:worker":                    (OK,     OK,       OK,     OK,     OK,      OK),
    # --- the admin: editors only; everyone else is shown the admin's log-in page
    "admin:index":                      (ADMIN,  ADMIN,    ADMIN,  ADMIN,  ADMIN,   OK),
    "admin:questions_question_changelist": (ADMIN, ADMIN,  ADMIN,  ADMIN,  ADMIN,   OK),
    "admin:questions_question_add":     (ADMIN,  ADMIN,    ADMIN,  ADMIN,  ADMIN,   OK),
    "admin:questions_question_change":  (ADMIN,  ADMIN,    ADMIN,  ADMIN,  ADMIN,   OK),
    "admin:questions_question_history": (ADMIN,  ADMIN,    ADMIN,  ADMIN,  ADMIN,   OK),
    "admin:questions_question_preview": (ADMIN,  ADMIN,    ADMIN,  ADMIN,  ADMIN,   OK),
    "admin:questions_question_import":  (ADMIN,  ADMIN,    ADMIN,  ADMIN,  ADMIN,   OK),
    "admin:questions_topic_changelist": (ADMIN,  ADMIN,    ADMIN,  ADMIN,  ADMIN,   OK),
    "admin:questions_track_changelist": (ADMIN,  ADMIN,    ADMIN,  ADMIN,  ADMIN,   OK),
    "admin:questions_tag_changelist":   (ADMIN,  ADMIN,    ADMIN,  ADMIN,  ADMIN,   OK),
    "admin:questions_questionset_changelist": (ADMIN, ADMIN, ADMIN, ADMIN, ADMIN,   OK),
    "admin:curation_needsediting_changelist": (ADMIN, ADMIN, ADMIN, ADMIN, ADMIN,   OK),
    "admin:curation_needsediting_dealt_with POST": (ADMIN, ADMIN, ADMIN, ADMIN, ADMIN, DONE),
    "admin:curation_problemreport_changelist": (ADMIN, ADMIN, ADMIN, ADMIN, ADMIN,  OK),
    "admin:curation_problemreport_resolve POST": (ADMIN, ADMIN, ADMIN, ADMIN, ADMIN, DONE),
    "admin:curation_dealtwith_changelist": (ADMIN, ADMIN,   ADMIN,  ADMIN,  ADMIN,   OK),
    "admin:background_backgroundtask_changelist": (ADMIN, ADMIN, ADMIN, ADMIN, ADMIN, OK),
}
# fmt: on

LOGIN_PREFIX = "/accounts/login/?next="
ADMIN_LOGIN_PREFIX = "/admin/login/?next="


def _requests() -> list[str]:
    return [
        name if method == "GET" else f"{name} POST"
        for name, entry in CATALOGUE.items()
        for method in entry.requests
    ]


# --- the catalogue and the matrix cover every URL -------------------------------------------------


def test_the_catalogue_names_every_url_pattern_of_the_project():
    patterns = project_patterns()
    unnamed = [route for route, name in patterns if not name]
    missing = [f"{name} ({route})" for route, name in patterns if name and name not in CATALOGUE]
    stale = sorted(set(CATALOGUE) - {name for _route, name in patterns})
    assert not unnamed, f"Give these URL patterns a name: {unnamed}"
    names = [name for _route, name in patterns if name]
    shared = sorted({name for name in names if names.count(name) > 1})
    assert not shared, f"Several URL patterns share these names; give each its own: {shared}"
    assert not missing, (
        f"URL patterns without a catalogue entry: {missing}. Add an Entry for each to "
        "tests/site/catalogue.py, a row to MATRIX in tests/site/test_permission_matrix.py and, "
        "for a page, a budget to BUDGETS in tests/site/test_query_budgets.py."
    )
    assert not stale, f"Catalogue entries for URL patterns that no longer exist: {stale}"


def test_every_catalogued_request_has_a_row_in_the_matrix():
    requests = _requests()
    missing = [request for request in requests if request not in MATRIX]
    assert not missing, f"Add rows to MATRIX in {__name__} for: {missing}"
    assert sorted(set(MATRIX) - set(requests)) == [], "MATRIX rows with no catalogue entry"
    assert all(len(row) == len(PERSONAS) for row in MATRIX.values())


# --- the matrix -----------------------------------------------------------------------------------


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every model of ours (history and many-to-many tables included), and who is
    in which group."""
    models = [
        model
        for label in ("accounts", "questions", "practice", "mentoring", "curation")
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    ] + [User.groups.through]
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for model in models
    }


def answer_of(response) -> str:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(LOGIN_PREFIX):
            return LOGIN
        if location.startswith(ADMIN_LOGIN_PREFIX):
            return ADMIN
        return "302"
    return str(response.status_code)


def expected_answer(expected: str) -> str:
    """What answer_of() says for a response that meets `expected`."""
    return {DONE: "302", AWAY: "302", FORM: OK}.get(expected, expected)


def _send(client: Client, method: str, url: str, entry, world, user):
    if method == "GET":
        return client.get(url, entry.query(world))
    return client.post(url, entry.post(world, user))


def _with_missing_ids(kwargs: dict) -> dict:
    """The same URL arguments, naming objects that do not exist."""
    return {
        key: 987654 if isinstance(value, int) else "no-such-thing" for key, value in kwargs.items()
    }


CELLS = [
    pytest.param(request, persona, id=f"{request} as {persona}")
    for request in _requests()
    if request in MATRIX
    for persona in PERSONAS
]


@pytest.mark.parametrize(("request_id", "persona"), CELLS)
def test_the_matrix(world, client, request_id, persona):
    name, _, method = request_id.partition(" ")
    method = method or "GET"
    entry = CATALOGUE[name]
    expected = MATRIX[request_id][PERSONAS.index(persona)]
    user = world.user(persona)
    if user is not None:
        client.force_login(user)
    url = entry.url(world)
    before = snapshot()

    response = _send(client, method, url, entry, world, user)

    assert answer_of(response) == expected_answer(expected), (
        f"{method} {url} as {persona}: expected {expected}, got {response.status_code} "
        f"{response.get('Location', '')}"
    )
    if expected == LOGIN:
        assert response["Location"] == f"{LOGIN_PREFIX}{_quoted(response.request)}"
    if expected not in MAY_CHANGE:
        assert snapshot() == before, f"{method} {url} as {persona} changed the database"
    if expected == DONE:
        assert snapshot() != before, f"{method} {url} as {persona} redirected, doing nothing"
    if expected == E403 and entry.kwargs(world):
        # The refusal is about the role, not the object: a missing object gets the same 403.
        missing = reverse(name, kwargs=_with_missing_ids(entry.kwargs(world)))
        assert _send(client, method, missing, entry, world, user).status_code == 403


def _quoted(request: dict) -> str:
    """The path and query the request asked for, as ?next= carries it."""
    query = request.get("QUERY_STRING", "")
    return quote(request["PATH_INFO"] + (f"?{query}" if query else ""), safe="/")


# --- methods a view does not take -----------------------------------------------------------------

WRONG_METHODS = [
    pytest.param(name, method, id=f"{method} {name}")
    for name, entry in CATALOGUE.items()
    for method in ("GET", "POST")
    if method not in entry.accepts
]


@pytest.mark.parametrize(("name", "method"), WRONG_METHODS)
def test_a_method_the_view_does_not_take_is_a_405(world, client, name, method):
    entry = CATALOGUE[name]
    user = world.user(entry.persona)
    if user is not None:
        client.force_login(user)
    before = snapshot()

    response = getattr(client, method.lower())(entry.url(world))

    assert response.status_code == 405
    assert snapshot() == before


# --- what is not published does not exist outside the admin ---------------------------------------

UNPUBLISHED = [
    # (URL name, method, the object's slug)
    ("questions:detail", "GET", "draft"),
    ("practice:practise_question", "POST", "draft"),
    ("practice:bookmark", "POST", "draft"),
    ("practice:note", "POST", "draft"),
    ("curation:report", "POST", "draft"),
    ("questions:set_detail", "GET", "mentor_set"),  # a mentor's private set
]


@pytest.mark.parametrize(
    ("name", "method", "attribute", "persona"),
    [
        pytest.param(*row, persona, id=f"{row[1]} {row[0]} {row[2]} as {persona}")
        for row in UNPUBLISHED
        for persona in PERSONAS
    ],
)
def test_drafts_and_private_sets_are_a_404_for_everyone(
    world, client, name, method, attribute, persona
):
    user = world.user(persona)
    if user is not None:
        client.force_login(user)
    url = reverse(name, kwargs={"slug": getattr(world, attribute).slug})
    before = snapshot()

    response = getattr(client, method.lower())(
        url, CATALOGUE[name].post(world, user) if method == "POST" else {}
    )

    expected = LOGIN if user is None and method == "POST" else E404
    assert answer_of(response) == expected
    assert snapshot() == before
