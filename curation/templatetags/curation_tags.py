from django import template

from curation.forms import ReportForm

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
