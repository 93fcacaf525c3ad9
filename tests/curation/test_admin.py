"""The editors' side: the figures in the question list and on its change page, the Needs
editing queue, "Mark dealt with", and resolving a report with a reply the reporter is told."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from curation.analysis import MIN_ATTEMPTS, analyse
from curation.models import DealtWith, ProblemReport, QuestionStatistics, Reason
from curation.services import report_problem
from tests.curation.conftest import answered_session
from tests.factories import QuestionFactory

QUEUE = "/admin/curation/needsediting/"


@pytest.fixture
def easy_question(quiz_question, make_users):
    """Thirty candidates got it right at the first attempt, each picking the key."""
    key = quiz_question.choices.get(is_correct=True)
    for user in make_users(MIN_ATTEMPTS):
        answered_session(user, [(quiz_question, 1.0)])[0].selected_choices.set([key])
    analyse()
    return quiz_question


@pytest.fixture
def report(candidate, db):
    question = QuestionFactory(title="Reported question")
    found, _merged = report_problem(
        user=candidate, question=question, problem="wrong_answer", comment="The key is B."
    )
    return found


def _dealt_with_url(question):
    return reverse("admin:curation_needsediting_dealt_with", args=[question.pk])


def _resolve_url(report):
    return reverse("admin:curation_problemreport_resolve", args=[report.pk])


# --- the question list and change page ------------------------------------------------------------


def _column(client, name: str) -> int:
    """The index the admin's ?o= takes for the list column named `name`."""
    columns = client.get("/admin/questions/question/").context["cl"].list_display
    return [getattr(column, "__name__", column) for column in columns].index(name)


def test_the_question_list_shows_the_figures_and_sorts_by_them(
    editor_client, easy_question, make_users
):
    hard = QuestionFactory(title="Hard one")
    for user in make_users(2):
        answered_session(user, [(hard, 0.0)])
    analyse()
    html = editor_client.get("/admin/questions/question/").content.decode()
    for header in ("Attempts", "Facility", "Discrimination", "Efficiency", "Needs editing"):
        assert header in html
    row = re.search(r"<tr>.*?Which is right\?.*?</tr>", html, re.S).group()
    assert ">30<" in row and ">100%<" in row and "too easy, unpicked distractor" in row

    facility = _column(editor_client, "facility")
    rows = editor_client.get("/admin/questions/question/", {"o": str(facility)}).context["cl"]
    assert [q.title for q in rows.result_list][:2] == ["Hard one", "Which is right?"]
    rows = editor_client.get("/admin/questions/question/", {"o": f"-{facility}"}).context["cl"]
    assert rows.result_list[0].title == "Which is right?"


def test_the_list_costs_the_same_queries_with_more_questions_and_figures(
    editor_client, easy_question
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    facility = str(_column(editor_client, "facility"))
    with CaptureQueriesContext(connection) as few:
        editor_client.get("/admin/questions/question/", {"o": facility})
    for n in range(10):
        QuestionFactory(title=f"More {n}")
    analyse()
    editor_client.get("/admin/questions/question/")  # warms the process again
    with CaptureQueriesContext(connection) as many:
        editor_client.get("/admin/questions/question/", {"o": facility})
    assert len(few) == len(many)


def test_the_change_page_shows_the_analysis_its_chart_the_reasons_and_the_reports(
    editor_client, easy_question, candidate
):
    report_problem(user=candidate, question=easy_question, problem="typo", comment="Typo in A")
    html = editor_client.get(
        reverse("admin:questions_question_change", args=[easy_question.pk])
    ).content.decode()
    panel = html[html.index('id="item-analysis"') :]
    assert "<dt>First attempts</dt><dd>30</dd>" in panel
    assert "<dt>Facility</dt><dd>100%</dd>" in panel
    assert '<svg viewBox="0 0 ' in panel and "A (correct)" in panel
    assert "style=" not in panel and "<script" not in panel  # the Content-Security-Policy
    assert "<strong>Too easy</strong>" in panel and "Mark dealt with" in panel
    assert "Typo in A" in panel and "Resolve with this reply" in panel
    # The panel's forms are outside the question's own form.
    assert html.index('id="item-analysis"') > html.index(
        "</form>", html.index('id="question_form"')
    )


def test_a_question_not_analysed_yet_says_so(editor_client):
    question = QuestionFactory()
    html = editor_client.get(
        reverse("admin:questions_question_change", args=[question.pk])
    ).content.decode()
    assert "Not analysed yet" in html and "Nobody has reported a problem" in html


# --- the queue -----------------------------------------------------------------------------------


def test_the_queue_lists_the_questions_with_a_reason_or_an_open_report(
    editor_client, easy_question, report
):
    QuestionFactory(title="A fine question")
    html = editor_client.get(QUEUE).content.decode()
    assert "2 questions need editing" in html
    assert "Which is right?" in html and "Reported question" in html
    assert "A fine question" not in html
    assert "Facility 100% over 30 first attempts" in html
    assert "The key is B." in html and "Open problem reports (1)" in html
    # The reported question comes first (open reports, then reasons).
    assert html.index("Reported question") < html.index("Which is right?")


def test_the_queue_is_in_the_admin_index_for_editors(editor_client):
    html = editor_client.get("/admin/").content.decode()
    assert 'href="/admin/curation/needsediting/"' in html
    assert 'href="/admin/curation/problemreport/"' in html


@pytest.mark.parametrize("who", ["visitor", "candidate", "staff without the role"])
def test_only_editors_reach_the_queue(client, candidate, who):
    from tests.factories import UserFactory

    if who == "candidate":
        client.force_login(candidate)
    elif who == "staff without the role":
        client.force_login(UserFactory(is_staff=True))
    response = client.get(QUEUE)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_the_queue_costs_the_same_queries_with_more_entries(editor_client, easy_question, report):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    editor_client.get(QUEUE)
    with CaptureQueriesContext(connection) as few:
        editor_client.get(QUEUE)
    for n in range(5):
        other = QuestionFactory(title=f"Also reported {n}")
        report_problem(user=report.reporter, question=other, problem="typo")
    with CaptureQueriesContext(connection) as many:
        html = editor_client.get(QUEUE).content.decode()
    assert "7 questions need editing" in html
    assert len(few) == len(many)


# --- marking a reason dealt with ------------------------------------------------------------------


def test_marking_a_reason_dealt_with_takes_it_off_the_queue(editor_client, editor, easy_question):
    response = editor_client.post(
        _dealt_with_url(easy_question),
        {"reason": Reason.TOO_EASY, "note": "Meant as a warm-up.", "next": QUEUE},
    )
    assert response.status_code == 302 and response["Location"] == QUEUE
    mark = DealtWith.objects.get()
    assert (mark.question, mark.reason, mark.dealt_with_by) == (easy_question, "too_easy", editor)
    assert mark.note == "Meant as a warm-up."
    stats = QuestionStatistics.objects.get(question=easy_question)
    assert [r["code"] for r in stats.reasons] == [Reason.UNPICKED_DISTRACTOR]
    assert stats.reason_count == 1
    page = editor_client.get(QUEUE).content.decode()
    assert "is marked dealt with" in page and "Facility 100%" not in page
    # The next analysis leaves it out too: the question has not changed since.
    analyse()
    assert QuestionStatistics.objects.get(question=easy_question).reason_count == 1


def test_an_unknown_reason_marks_nothing(editor_client, easy_question):
    response = editor_client.post(_dealt_with_url(easy_question), {"reason": "boring"})
    assert response.status_code == 302
    assert "Nothing was marked" in editor_client.get(QUEUE).content.decode()
    assert not DealtWith.objects.exists()


def test_dealt_with_is_a_post_for_editors_on_a_real_question(
    editor_client, client, candidate, easy_question
):
    assert editor_client.get(_dealt_with_url(easy_question)).status_code == 405
    assert editor_client.post("/admin/curation/needsediting/987654/dealt-with/").status_code == 404
    assert editor_client.post("/admin/curation/needsediting/x1/dealt-with/").status_code == 404
    client.force_login(candidate)
    response = client.post(_dealt_with_url(easy_question), {"reason": Reason.TOO_EASY})
    assert response["Location"].startswith("/admin/login/")
    assert not DealtWith.objects.exists()


def test_dealt_with_checks_the_csrf_token(editor, easy_question):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post(_dealt_with_url(easy_question), {"reason": Reason.TOO_EASY})
    assert response.status_code == 403 and not DealtWith.objects.exists()


# --- resolving a report --------------------------------------------------------------------------


def test_resolving_a_report_with_a_reply_tells_the_reporter_on_the_dashboard(
    editor_client, editor, client, candidate, report
):
    change_page = reverse("admin:questions_question_change", args=[report.question_id])
    response = editor_client.post(
        _resolve_url(report), {"reply": "Fixed: the key is now B.", "next": change_page}
    )
    assert response.status_code == 302 and response["Location"] == change_page
    report.refresh_from_db()
    assert not report.is_open and report.resolved_by == editor
    assert report.reply == "Fixed: the key is now B."
    assert mail.outbox == []  # they did not ask for an e-mail
    assert "is resolved" in editor_client.get(change_page).content.decode()

    client.force_login(candidate)
    dashboard = client.get("/dashboard/").content.decode()
    assert "Your problem reports" in dashboard and "Fixed: the key is now B." in dashboard


def test_a_reporter_who_asked_gets_the_reply_by_email(editor_client, candidate, report):
    ProblemReport.objects.filter(pk=report.pk).update(wants_email=True)
    editor_client.post(_resolve_url(report), {"reply": "Fixed: the key is now B."})

    (message,) = mail.outbox
    assert message.to == [candidate.email]
    assert message.subject == "Your report on “Reported question” has an answer"
    assert "Fixed: the key is now B." in message.body
    assert f"http://testserver{report.question.get_absolute_url()}" in message.body
    assert "http://testserver/dashboard/" in message.body
    assert ProblemReport.objects.get(pk=report.pk).emailed_at is not None


def test_the_email_is_a_task_a_worker_sends(editor_client, report, task_queue):
    ProblemReport.objects.filter(pk=report.pk).update(wants_email=True)
    editor_client.post(_resolve_url(report), {"reply": "Fixed."})
    assert mail.outbox == []  # the request only queued it

    task_queue.run()

    (task,) = task_queue.tasks("email_report_reply")
    assert task.return_value == "sent" and len(mail.outbox) == 1
    task_queue.run()
    assert len(mail.outbox) == 1


def test_no_email_for_a_report_deleted_before_the_worker_runs(editor_client, report, task_queue):
    ProblemReport.objects.filter(pk=report.pk).update(wants_email=True)
    editor_client.post(_resolve_url(report), {"reply": "Fixed."})
    ProblemReport.objects.filter(pk=report.pk).delete()

    task_queue.run()

    (task,) = task_queue.tasks("email_report_reply")
    assert task.return_value == "not sent: the report was deleted" and mail.outbox == []


def test_a_resolved_report_stays_resolved(editor_client, report):
    editor_client.post(_resolve_url(report), {"reply": "First answer."})
    response = editor_client.post(_resolve_url(report), {"reply": "Second answer."}, follow=True)
    assert "already resolved" in response.content.decode()
    assert ProblemReport.objects.get(pk=report.pk).reply == "First answer."


@pytest.mark.parametrize("reply", ["", "   "])
def test_a_reply_is_needed(editor_client, report, reply):
    response = editor_client.post(_resolve_url(report), {"reply": reply}, follow=True)
    assert "Write a reply" in response.content.decode()
    assert ProblemReport.objects.get(pk=report.pk).is_open


def test_resolving_is_a_post_for_editors(editor_client, client, candidate, report):
    assert editor_client.get(_resolve_url(report)).status_code == 405
    assert editor_client.post("/admin/curation/problemreport/987654/resolve/").status_code == 404
    client.force_login(candidate)
    response = client.post(_resolve_url(report), {"reply": "I fixed it myself."})
    assert response["Location"].startswith("/admin/login/")
    assert ProblemReport.objects.get(pk=report.pk).is_open


def test_the_reports_list_is_read_only(editor_client, report):
    html = editor_client.get("/admin/curation/problemreport/").content.decode()
    assert "Reported question" in html and "Open" in html
    page = editor_client.get(
        reverse("admin:curation_problemreport_change", args=[report.pk])
    ).content.decode()
    assert "The key is B." in page and 'name="_save"' not in page
    assert editor_client.get("/admin/curation/problemreport/add/").status_code == 403


def test_the_dashboard_shows_open_reports_and_recent_replies_only(client, candidate, report):
    old = QuestionFactory(title="Long ago")
    done, _ = report_problem(user=candidate, question=old, problem="typo")
    ProblemReport.objects.filter(pk=done.pk).update(
        resolved_at=timezone.now() - timezone.timedelta(days=40), reply="Old news."
    )
    client.force_login(candidate)
    html = client.get("/dashboard/").content.decode()
    assert "Reported question" in html and "an editor will look at it" in html
    assert "Long ago" not in html
