"""Report a problem: on every card, result and question page, without JavaScript and with htmx;
throttled per candidate; a second report from the same candidate merges into the first."""

import pytest
from django.urls import reverse

from curation.models import Problem, ProblemReport
from curation.services import report_problem
from curation.throttling import REPORT_LIMIT
from curation.views import MERGED, THANKS
from practice.models import Mode
from practice.services import start_session_with_questions
from questions.models import Status
from tests.factories import QuestionFactory, multiple_choice_question


@pytest.fixture
def question(db):
    return QuestionFactory(title="Generators and laziness")


def _url(question):
    return reverse("curation:report", args=[question.slug])


def _report(client, question, **data):
    body = {"problem": Problem.TYPO, "comment": "“yeild” in the second line.", **data}
    return client.post(_url(question), body)


def test_the_question_page_has_the_form(candidate_client, question):
    html = candidate_client.get(question.get_absolute_url()).content.decode()
    assert "<summary>Report a problem</summary>" in html
    assert f'action="{_url(question)}"' in html
    assert 'name="wants_email"' in html and "E-mail me when it is dealt with" in html
    for problem in Problem:
        assert f'value="{problem.value}"' in html


def test_a_visitor_is_offered_to_log_in_and_gets_no_form(client, question):
    response = client.get(question.get_absolute_url())
    html = response.content.decode()
    assert "<summary>Report a problem</summary>" in html and "Log in</a> to report" in html
    assert f'action="{_url(question)}"' not in html


@pytest.mark.parametrize("kind", ["study", "quiz"])
def test_every_card_has_the_form_and_so_does_its_result(candidate_client, candidate, kind):
    question = multiple_choice_question() if kind == "quiz" else QuestionFactory()
    session = start_session_with_questions(
        user=candidate, mode=Mode.QUIZ if kind == "quiz" else Mode.STUDY, questions=[question]
    )
    page = reverse("practice:session", args=[session.pk])
    for headers in ({}, {"HX-Request": "true"}):
        html = candidate_client.get(page, headers=headers).content.decode()
        assert f'action="{_url(question)}"' in html
        assert f'name="next" value="{page}"' in html
    item = session.items.get()
    if kind == "quiz":
        right = question.choices.get(is_correct=True)
        candidate_client.post(
            reverse("practice:check", args=[session.pk, item.pk]), {"choices": right.pk}
        )
    else:
        candidate_client.post(
            reverse("practice:grade", args=[session.pk, item.pk]), {"rating": "3"}
        )
    result = candidate_client.get(page, {"item": item.pk}).content.decode()
    assert f'action="{_url(question)}"' in result
    summary = candidate_client.get(reverse("practice:summary", args=[session.pk])).content.decode()
    assert f'action="{_url(question)}"' in summary
    assert f'value="{reverse("practice:summary", args=[session.pk])}#item-{item.pk}"' in summary


def test_reporting_without_javascript_goes_back_with_thanks(candidate_client, candidate, question):
    response = _report(candidate_client, question, wants_email="on", next="/dashboard/")

    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    report = ProblemReport.objects.get()
    assert (report.question, report.reporter, report.problem) == (question, candidate, "typo")
    assert report.comment == "“yeild” in the second line." and report.wants_email
    assert report.is_open and report.times_reported == 1
    page = candidate_client.get("/dashboard/").content.decode()
    assert THANKS in page


def test_without_a_safe_next_it_goes_back_to_the_question(candidate_client, question):
    response = _report(candidate_client, question, next="https://evil.example/")
    assert response["Location"] == question.get_absolute_url()


def test_reporting_with_htmx_swaps_in_the_thanks(candidate_client, question, htmx_headers):
    response = candidate_client.post(
        _url(question), {"problem": "unclear", "comment": ""}, headers=htmx_headers
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith("<details") and " open>" in html
    assert f'role="status" aria-live="polite">{THANKS}</span>' in html
    assert "<html" not in html
    assert ProblemReport.objects.get().problem == Problem.UNCLEAR


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"problem": ""}, "Choose what is wrong."),
        ({"problem": "rude"}, "Choose one of the problems listed."),
        ({"comment": "x" * 2001}, "at most 2000 characters"),
    ],
)
def test_a_refused_report_comes_back_with_its_message_and_what_was_typed(
    candidate_client, question, htmx_headers, data, message
):
    body = {"problem": "typo", "comment": "Keep me", **data}
    page = candidate_client.post(_url(question), body)
    fragment = candidate_client.post(_url(question), body, headers=htmx_headers)

    assert page.status_code == 400 and fragment.status_code == 200
    for response in (page, fragment):
        html = response.content.decode()
        assert message in html
        assert (body["comment"] if len(body["comment"]) < 100 else "xxxx") in html
    assert "<h1>Report a problem with" in page.content.decode()
    assert not ProblemReport.objects.exists()


def test_a_second_report_merges_into_the_open_one(candidate_client, candidate, question):
    _report(candidate_client, question)
    response = _report(
        candidate_client, question, problem="wrong_answer", comment="And the key is B, not A."
    )
    _report(candidate_client, question, comment="And the key is B, not A.", wants_email="on")

    report = ProblemReport.objects.get()
    assert report.times_reported == 3 and report.wants_email
    assert report.problem == Problem.TYPO
    assert report.comment == (
        "“yeild” in the second line.\n\n"
        "Also reported as “The answer is wrong”. And the key is B, not A."
    )
    assert MERGED in candidate_client.get(response["Location"]).content.decode()


def test_reports_of_other_candidates_and_resolved_ones_stay_apart(
    candidate, other_candidate, question
):
    mine, _ = report_problem(user=candidate, question=question, problem="typo")
    theirs, merged = report_problem(user=other_candidate, question=question, problem="typo")
    assert not merged and mine != theirs
    ProblemReport.objects.filter(pk=mine.pk).update(resolved_at=mine.created_at)
    again, merged = report_problem(user=candidate, question=question, problem="outdated")
    assert not merged and again.pk not in (mine.pk, theirs.pk)


def test_reports_are_throttled_per_candidate(
    candidate_client, client, other_candidate, question, htmx_headers
):
    for n in range(REPORT_LIMIT):
        assert _report(candidate_client, question, comment=f"Problem {n}").status_code == 302

    refused = _report(candidate_client, question, comment="One too many")
    fragment = candidate_client.post(
        _url(question), {"problem": "typo", "comment": "One too many"}, headers=htmx_headers
    )

    assert refused.status_code == 429
    for response in (refused, fragment):
        html = response.content.decode()
        assert f"You have sent {REPORT_LIMIT} reports in the last hour" in html
        assert "One too many" in html
    assert ProblemReport.objects.get().times_reported == REPORT_LIMIT
    # Someone else is not held back.
    client.force_login(other_candidate)
    assert _report(client, question).status_code == 302


def test_a_draft_is_reportable_only_from_ones_own_session(
    candidate_client, candidate, other_candidate, question
):
    start_session_with_questions(user=candidate, mode=Mode.STUDY, questions=[question])
    question.status = Status.DRAFT
    question.save()

    assert _report(candidate_client, question).status_code == 302
    candidate_client.force_login(other_candidate)
    assert _report(candidate_client, question).status_code == 404
    assert ProblemReport.objects.count() == 1


def test_an_unknown_question_is_a_404(candidate_client):
    response = candidate_client.post("/questions/no-such-question/report/", {"problem": "typo"})
    assert response.status_code == 404


def test_reporting_needs_a_log_in_and_a_post(client, candidate, question):
    response = client.post(_url(question), {"problem": "typo"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(candidate)
    assert client.get(_url(question)).status_code == 405
    assert not ProblemReport.objects.exists()


def test_reporting_checks_the_csrf_token(candidate, question):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(candidate)
    assert _report(client, question).status_code == 403
    assert not ProblemReport.objects.exists()
