"""Report a problem: one POST, from the form on every question card, result and question page.

Without JavaScript the form posts and the browser goes back where it was (post/redirect/get),
or, when the form is refused, to a page with the form and its message. With htmx the form's
own fragment comes back in place, with the thanks or the message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from curation import services
from curation.forms import ReportForm
from curation.throttling import REPORT_LIMIT, count_report, reports_are_throttled
from prep.http import AuthedHttpRequest, safe_next_url

THANKS = "Thank you: an editor will look at it."
MERGED = "Added to your earlier report on this question: an editor will look at it."
THROTTLED = (
    f"You have sent {REPORT_LIMIT} reports in the last hour: please wait a little before "
    "sending another. What you wrote is still here."
)


@login_required
@require_POST
def report(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    question = get_object_or_404(services.reportable_questions(request.user), slug=slug)
    next_url = safe_next_url(request)
    form = ReportForm(request.POST)
    if reports_are_throttled(request.user):
        form.is_valid()
        form.add_error(None, THROTTLED)
        status = 429
    elif form.is_valid():
        count_report(request.user)
        _report, merged = services.report_problem(
            user=request.user,
            question=question,
            problem=form.cleaned_data["problem"],
            comment=form.cleaned_data["comment"],
            wants_email=form.cleaned_data["wants_email"],
        )
        thanks = MERGED if merged else THANKS
        if not request.htmx:
            messages.success(request, thanks)
            return redirect(next_url or question.get_absolute_url())
        return render(
            request,
            "curation/_report_form.html",
            {
                "question": question,
                "report_form": ReportForm(),
                "report_status": thanks,
                "report_open": True,
                "next": next_url,
            },
        )
    else:
        status = 400  # the form's own message says what to change
    context = {"question": question, "report_form": form, "report_open": True, "next": next_url}
    if request.htmx:
        # htmx swaps only 2xx answers: the refused form comes back as a 200, with its message.
        return render(request, "curation/_report_form.html", context)
    return render(request, "curation/report.html", context, status=status)
