from django import template
from django.utils import timezone

from accounts.models import User
from curation.forms import ReportForm
from curation.models import DASHBOARD_REPORTS, ProblemReport

register = template.Library()


@register.inclusion_tag("curation/_report_form.html", takes_context=True)
def report_problem(context, question, next_url: str = ""):
    """The "Report a problem" disclosure for one question: the form for a signed-in user, a
    log-in link for a visitor. No query. `next_url` is where the form leads back to without
    JavaScript (the page itself when not given)."""
    request = context.get("request")
    return {
        "question": question,
        "report_form": ReportForm(),
        "next": next_url or (request.get_full_path() if request is not None else ""),
        "csrf_token": context.get("csrf_token"),
        "user": getattr(request, "user", None),
    }


@register.inclusion_tag("curation/_dashboard_reports.html")
def dashboard_reports(user: User) -> dict:
    """The candidate's problem reports on their dashboard, open and lately answered (one
    query): the practice app's dashboard shows them without importing curation."""
    reports = ProblemReport.objects.for_dashboard(user, now=timezone.now())
    return {"problem_reports": list(reports[:DASHBOARD_REPORTS])}
