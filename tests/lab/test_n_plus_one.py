import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import QuestionFactory
from tests.lab.bulk import make_questions

pytestmark = pytest.mark.django_db

URL = "/lab/n-plus-one/"


def counts(response) -> tuple[int, int]:
    comparison = response.context["comparison"]
    return comparison.naive.query_count, comparison.tuned.query_count


def test_it_sends_visitors_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_shows_both_lists_side_by_side(candidate_client):
    make_questions(3)

    response = candidate_client.get(URL)

    assert response.status_code == 200
    assert "lab/n_plus_one.html" in [t.name for t in response.templates]
    content = response.content.decode()
    assert "<h1>ORM lab: the N+1 query problem</h1>" in content
    assert 'id="lab-run-naive"' in content and 'id="lab-run-tuned"' in content
    assert "Plan of the main query" in content
    assert "Question number" in content  # the rows themselves
    # 1 list query + 4 per row (topic, author, tags, choice count) against 2.
    assert counts(response) == (1 + 4 * 3, 2)


def test_the_naive_count_grows_with_rows_and_the_tuned_one_stays_flat(candidate_client):
    make_questions(120)

    ten = candidate_client.get(URL, {"rows": 10})
    hundred = candidate_client.get(URL, {"rows": 100})

    assert counts(ten) == (41, 2)
    assert counts(hundred) == (401, 2)
    assert "… and 398 more." in hundred.content.decode()


def test_both_lists_hold_the_same_rows(candidate_client):
    make_questions(25)

    response = candidate_client.get(URL, {"rows": 100})

    comparison = response.context["comparison"]
    assert comparison.naive.rows == comparison.tuned.rows
    assert len(comparison.tuned.rows) == 25
    assert comparison.tuned.rows[0].choice_count == 2
    assert len(comparison.tuned.rows[0].tags) == 2
    # All 25 are loaded, only 20 are shown.
    assert "Showing the first 20 of 25 rows" in response.content.decode()


def test_it_leaves_drafts_out(candidate_client):
    make_questions(2)
    QuestionFactory(status="draft", title="A draft nobody sees")

    response = candidate_client.get(URL)

    assert "A draft nobody sees" not in response.content.decode()
    assert response.context["comparison"].row_count == 2


def test_htmx_gets_the_fragment_only(candidate_client, htmx_headers):
    make_questions(2)

    response = candidate_client.get(URL, {"rows": 100}, headers=htmx_headers)

    assert response.status_code == 200
    assert [t.name for t in response.templates] == ["lab/_comparison.html"]
    assert b"<html" not in response.content
    assert b'id="lab-run-tuned"' in response.content
    assert response["Vary"].count("HX-Request") == 1


def test_a_history_restore_gets_the_whole_page(candidate_client):
    response = candidate_client.get(
        URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )

    assert b"<html" in response.content


@pytest.mark.parametrize("value", ["7", "abc", "1000", "", "-10"])
def test_a_bad_rows_value_gets_a_message_and_the_default(candidate_client, value):
    make_questions(15)

    response = candidate_client.get(URL, {"rows": value})

    assert response.status_code == 200
    assert "Choose 10, 100 or 500 rows; showing 10 instead." in response.content.decode()
    assert response.context["comparison"].row_count == 10


def test_a_bad_rows_value_gets_the_message_over_htmx_too(candidate_client, htmx_headers):
    response = candidate_client.get(URL, {"rows": "9999"}, headers=htmx_headers)

    assert response.status_code == 200
    assert b'role="alert"' in response.content


def test_an_empty_bank_says_how_to_fill_it(candidate_client):
    response = candidate_client.get(URL)

    assert response.status_code == 200
    assert b"No published questions yet" in response.content


def test_it_refuses_post(candidate_client):
    assert candidate_client.post(URL).status_code == 405


def page_overhead(client, rows: int) -> int:
    """Queries the page runs besides the ones it measures (and shows) on purpose."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"rows": rows})
    naive, tuned = counts(response)
    explain = 1
    return len(captured.captured_queries) - naive - tuned - explain


def test_the_page_runs_a_fixed_number_of_queries_besides_the_lesson(candidate_client):
    make_questions(12)
    few = page_overhead(candidate_client, 10)
    make_questions(150)
    many = page_overhead(candidate_client, 100)

    # The lesson runs 1 + 4N naive queries by design (capped at 500 rows); everything else
    # (session, user, the navigation's role groups and unread counts) stays flat and small.
    assert few == many
    assert few <= 6
