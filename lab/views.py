from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from lab.forms import RowsForm
from lab.orm import MAX_ROWS, ROW_CHOICES, VISIBLE_ROWS, compare, plan_label
from prep.http import AuthedHttpRequest

# "Now fix it yourself" starts a study session of up to this many ORM exercises.
ORM_EXERCISES_PER_SESSION = 5


@login_required
@require_safe
@vary_on_headers("HX-Request")
def n_plus_one(request: AuthedHttpRequest) -> HttpResponse:
    """The same list built naively and tuned, side by side, with the queries each one ran."""
    # No ?rows= at all is the first visit: the default, without an error message.
    form = RowsForm(request.GET if "rows" in request.GET else None)
    comparison = compare(form.rows_to_show)
    context = {
        "form": form,
        "comparison": comparison,
        "row_choices": ROW_CHOICES,
        "max_rows": MAX_ROWS,
        "visible_rows": VISIBLE_ROWS,
        "plan_label": plan_label(),
        "orm_exercise_count": ORM_EXERCISES_PER_SESSION,
    }
    # A history restore (back button) needs the whole page, not the fragment.
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "lab/_comparison.html", context)
    return render(request, "lab/n_plus_one.html", context)
