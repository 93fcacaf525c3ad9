"""Query budgets: every page of the project issues the same number of queries with 3 rows of
everything as with 30.

Each page is opened as the persona who uses it (tests/site/catalogue.py), in the world of
tests/site/world.py: first with 3 rows in every list it shows (questions, choices, tags,
follow-ups, history, sessions, answers, review cards, bookmarks, notes, assignments, comments,
mentees, sets), then with 30. A query that runs once per row shows up as a difference between
the two counts, and the failure prints both lists of queries.

Each budget below names its queries, in order. Counts are taken on a warm process (one request
first), as in production: per-process caches such as ContentType's are then full. A budget is
not a target to squeeze: the rule is that no page grows with its rows, and a change of budget
names its queries.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.site.catalogue import CATALOGUE
from tests.site.world import SEARCH_TERM

SMALL, LARGE = 3, 30
WORLD_ROWS = SMALL  # read by the module_world fixture (tests/site/conftest.py)

# Names used below: "session, user" are the session row and the signed-in user (every signed-in
# request); "roles" the user's role groups, their own query the first time a request asks (the
# navigation of every full page, or a view's is_editor/is_mentor check; fragments seldom ask);
# "unread" the navigation's unread-feedback count; "perms" the two permission queries of the
# admin (the user's own and their groups').
BUDGETS = {
    # --- the site
    "home": 0,  # a visitor: the landing page is static (signed-in users go to the dashboard)
    "healthz": 1,  # SELECT 1
    # --- accounts
    "signup": 0,  # a visitor: no query
    "confirm_signup": 1,  # a visitor: the account the link names
    "login": 0,
    "password_reset": 0,
    "password_reset_done": 0,
    "password_reset_complete": 0,
    # the user the link names; session; savepoint, the token saved into the session, release
    "password_reset_confirm": 5,
    # session, user, a fresh copy of the user for the form, unread, roles, tracks (the form's
    # choices), the user's mentors
    "profile": 7,
    "delete_account": 4,  # session, user, unread, roles
    "password_change": 4,  # session, user, unread, roles
    "password_change_done": 4,  # session, user, unread, roles
    # session, user (the profile is read from it), target track and role names (one query: the
    # file's own, a download has no navigation), sessions with sets, items with questions,
    # selected choices, the questions' choices (in the order shown), feedback received and
    # written (one query), review cards, notes, bookmarks, mentorships, assignments, own
    # question sets with their questions (one join), problem reports with their questions
    "export_data": 15,
    # --- the bank
    # the filter form's tracks, topics and tags (those of published questions), published count
    # (paginator), session, user, unread, roles, the page of questions with topics, their tags
    "questions:list": 10,
    # the question with its topic, its published follow-ups, its tags, its tracks, choices
    # (multiple choice only); session, user, unread, roles; the user's bookmark and note on it
    # (one query)
    "questions:detail": 10,
    # the same, filtered (search, difficulty, kind): the same ten
    "questions:list filtered": 10,
    # the results fragment: the filter form's tracks, topics and tags (it validates the filters),
    # count, session, user, the page of questions with topics, their tags (no unread count nor
    # roles: the navigation is not in the fragment)
    "questions:list filtered, htmx": 8,
    # the answer fragment: the question with its topic, follow-ups, tags, tracks, choices;
    # session, user (no navigation, so no roles)
    "questions:detail answer, htmx": 7,
    "questions:sets": 5,  # session, user, unread, roles, public sets with question counts
    # the set, its published items with questions and topics, their tags; session, user, unread,
    # roles
    "questions:set_detail": 7,
    # --- practice
    # session, user, the candidate's cards per topic (studied, learnt, due, leeches: also gives
    # "new"; with an interview date the cards themselves, which readiness needs too), the
    # published questions per topic (one grouped query), answers per day (heatmap, streak),
    # unread, roles, the open assignments (mentoring's tag), the candidate's problem reports
    # (open and lately answered: curation's tag), recent sessions, leeches (only when the cards
    # count some, as here)
    "practice:dashboard": 11,
    # session, user, unread, roles, tracks, topics (the form's choices), recent sessions
    "practice:start": 7,
    # session, user, the current item with its practice session, question and topic, unread,
    # roles (a multiple-choice question's choices would be one more)
    "practice:session": 5,
    # the card fragment: the same without the unread count and the roles (no navigation in it)
    "practice:session htmx": 3,
    # session, user, the practice session with its question set, items with questions and
    # topics, selected choices, questions' choices, feedback threads with authors, mark the
    # threads read (UPDATE), may the candidate reply (mentorship), unread, roles (totals and
    # per-topic results come from the loaded items)
    "practice:summary": 11,
    "practice:bookmarks": 6,  # session, user, unread, roles, bookmarks, notes (with questions)
    # --- mentoring
    # session, user, roles (the mentor check), mentees with last answer and open/overdue/unread
    # counts, the published questions per topic (one grouped query) and the mentees' cards
    # (mastery), pending assignments with progress, unread
    "mentoring:home": 8,
    # session, user, roles, the mentorship with candidate and last answer, assignments with
    # progress and unread counts, their sessions, answers with questions and topics, comments
    # with authors, the questions' tests ("Run it again"), their choices and the choices picked
    # (a quiz answer in the order the candidate saw), the published questions per topic (one
    # grouped query) and the candidate's cards (mastery), unread; and marking new replies read
    # when there are some (see CONDITIONAL_WRITES)
    "mentoring:mentee": 14,
    "mentoring:sets": 5,  # session, user, roles, unread, sets with question/assignment counts
    # session, user, roles, the set, its items with questions, unread
    "mentoring:set_detail": 6,
    # session, user, roles, the set, search results with topics, the set's items, unread
    "mentoring:set_search": 7,
    # the results fragment: session, user, roles (the mentor check), the set, the results, the
    # ids already in it
    "mentoring:set_search htmx": 6,
    # session, user, roles, has mentees?, has sets?, unread, the sets and the mentees (choices)
    "mentoring:assign": 8,
    # session, user, the inviting mentor, already mentored?, unread, roles
    "mentoring:invite": 6,
    # session, user, the mentorship with both users, unread, roles
    "mentoring:end_mentorship": 5,
    # session, user, assignments with progress and unread counts, unread, roles
    "mentoring:assignments": 5,
    # session, user, roles, the answer with question, session, assignment, mentor and set (and
    # whether the mentorship stands), comments with authors, the question's tests, mark read
    # (UPDATE), unread
    "mentoring:thread": 8,
    # --- the lab: its own queries, beside the two lists it measures on purpose
    "lab:n_plus_one": 5,  # session, user, explain() of the tuned query, unread, roles
    # --- the runner's worker script: a file and its policy, read without the session
    "runner:worker": 0,
    # --- the admin (as the editor)
    "admin:index": 6,  # session, user, roles (is_editor), perms, recent actions
    # session, user, roles, perms, the filters' topics, tracks and tags, the count, the total
    # ("M total": Django counts it even unfiltered), the page of questions with topics and
    # figures (newest change first, off the updated_at index); the updated-at filter is links
    "admin:questions_question_changelist": 11,
    # session, user, roles, perms, every track (the track checkboxes), the editors (the author
    # <select>)
    "admin:questions_question_add": 7,
    # session, user, roles, the question with its topic, perms, its tracks, tags, follow-ups
    # (form initial), the chosen topic, tags and follow-ups again (Django's autocomplete boxes
    # read what they show by id: one query each), choices (inline), tests (inline), the editors
    # (the author <select>), its problem reports with their reporters (the item-analysis panel;
    # its figures come with the question), every track (the track checkboxes)
    "admin:questions_question_change": 17,
    # session, user, roles, the question, perms, the count of versions (paginator), the
    # versions with their users, topics and authors, the tracks and the tags of every version
    # on the page (one query each, for the changes each version made)
    "admin:questions_question_history": 10,
    # session, user, roles, perms, the question with everything the page shows (as the question
    # page: follow-ups, tags, tracks, choices), unread
    "admin:questions_question_preview": 11,
    "admin:questions_question_import": 5,  # session, user, roles, perms
    # session, user, roles, perms, filtered count, total count, the page with question counts
    "admin:questions_topic_changelist": 8,
    "admin:questions_track_changelist": 8,
    "admin:questions_tag_changelist": 8,
    "admin:questions_questionset_changelist": 8,
    # session, user, roles, perms, the count, the page of questions with their topics and
    # figures (and their open reports counted), the page's open reports with their reporters
    "admin:curation_needsediting_changelist": 8,
    # session, user, roles, perms, the count, the page of reports with questions and reporters
    "admin:curation_problemreport_changelist": 7,
    # session, user, roles, perms, the count, the page of marks with questions and editors
    "admin:curation_dealtwith_changelist": 7,
    # session, user, roles, perms, the count, the page of tasks, the task filter's values (the
    # distinct task functions)
    "admin:background_backgroundtask_changelist": 8,
}

# Pages whose count grows with rows: bugs, reported to their owners. strict: the test fails
# when one is fixed, so that it comes off this list.
KNOWN_TO_GROW: dict[str, str] = {}

# Writes a page makes only when there is something to write, then once whatever the rows: the
# mentee page marks the replies it shows as new read, and skips the UPDATE when none is new (as on
# the request measured with 3 rows, the warm-up having read them). Not in the budget; the test
# checks there is at most one. case_id -> how the statement starts.
CONDITIONAL_WRITES = {"mentoring:mentee": 'UPDATE "mentoring_feedbackcomment"'}

# The busiest pages are measured a second way too: with filters, or as the htmx fragment the
# page swaps in (the bank's results, the answer, the practice card, the set builder's search).
# id -> (URL name, extra GET parameters, sent by htmx?)
VARIANTS = {
    "questions:list filtered": (
        "questions:list",
        {"q": SEARCH_TERM, "difficulty": "medium", "kind": "concept"},
        False,
    ),
    "questions:list filtered, htmx": (
        "questions:list",
        {"q": SEARCH_TERM, "difficulty": "medium", "kind": "concept"},
        True,
    ),
    "questions:detail answer, htmx": ("questions:detail", {"answer": "1"}, True),
    "practice:session htmx": ("practice:session", {}, True),
    "mentoring:set_search htmx": ("mentoring:set_search", {}, True),
}


def _case(case_id: str):
    reason = KNOWN_TO_GROW.get(case_id)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(case_id, id=case_id, marks=marks)


PAGES = [_case(name) for name, entry in CATALOGUE.items() if "GET" in entry.accepts] + [
    _case(case_id) for case_id in VARIANTS
]


def _sql(queries) -> str:
    return "\n".join(f"  {n}. {q['sql'][:160]}" for n, q in enumerate(queries, start=1))


def conditional_writes(name: str, captured) -> int:
    start = CONDITIONAL_WRITES.get(name)
    return sum(1 for query in captured if start and query["sql"].startswith(start))


def own_queries(name: str, response, captured) -> int:
    """The queries the page itself ran, but its CONDITIONAL_WRITES. The ORM lab runs the naive
    and the tuned list on purpose (that is its lesson, and it shows their counts); those are not
    the page's own."""
    if name == "lab:n_plus_one":
        comparison = response.context["comparison"]
        return len(captured) - comparison.naive.query_count - comparison.tuned.query_count
    return len(captured) - conditional_writes(name, captured)


@pytest.mark.parametrize("case_id", PAGES)
def test_the_page_issues_a_fixed_number_of_queries(world, client, case_id):
    name, extra, htmx = VARIANTS.get(case_id, (case_id, {}, False))
    entry = CATALOGUE[name]
    user = world.user(entry.persona)
    if user is not None:
        client.force_login(user)
    url, query = entry.url(world), {**entry.query(world), **extra}
    headers = {"HX-Request": "true"} if htmx else {}
    client.get(url, query, headers=headers)  # warm the process's caches

    with CaptureQueriesContext(connection) as small:
        small_response = client.get(url, query, headers=headers)
    world.add_rows(LARGE - SMALL)
    with CaptureQueriesContext(connection) as large:
        large_response = client.get(url, query, headers=headers)

    assert small_response.status_code == large_response.status_code
    assert small_response.status_code in (200, 302)
    few, many = own_queries(name, small_response, small), own_queries(name, large_response, large)
    assert conditional_writes(name, small) <= 1 and conditional_writes(name, large) <= 1
    assert few == many, (
        f"{case_id} ran {few} queries with {SMALL} rows and {many} with {LARGE}:\n"
        f"with {SMALL}:\n{_sql(small)}\nwith {LARGE}:\n{_sql(large)}"
    )
    assert case_id in BUDGETS, (
        f"{case_id} has no budget: add it to BUDGETS in {__name__} ({few} queries), naming them:"
        f"\n{_sql(small)}"
    )
    assert few == BUDGETS[case_id], (
        f"{case_id}: {few} queries, budget {BUDGETS[case_id]}\n{_sql(small)}"
    )
