import logging
import sys

from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from prep.http import HtmxHttpRequest
from prep.middleware import OUTAGE_ERRORS, database_unavailable_response, log_outage

logger = logging.getLogger(__name__)


@require_safe
def home(request: HtmxHttpRequest) -> HttpResponse:
    """Visitors get the landing page; signed-in candidates go to their dashboard."""
    if request.user.is_authenticated:
        return redirect("practice:dashboard")
    return render(request, "prep/landing.html")


@never_cache
@require_safe
def healthz(request: HtmxHttpRequest) -> JsonResponse:
    """200 when the database answers a trivial query, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: the database did not answer")
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def server_error(request: HtmxHttpRequest) -> HttpResponse:
    """handler500: the 500 page, or the 503 page when the error is a database outage.

    DatabaseUnavailableMiddleware answers outages raised by views; this catches those raised
    elsewhere (middleware, saving the session). Django calls it while handling the exception, so
    sys.exc_info() holds it. Both pages render without the request: no user, no database.
    """
    exception = sys.exc_info()[1]
    if isinstance(exception, OUTAGE_ERRORS):
        log_outage(request, exception)
        return database_unavailable_response()
    return HttpResponse(render_to_string("500.html"), status=500)
