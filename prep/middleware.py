"""Site-wide middleware: a clean 503 while the database is unreachable."""

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger("prep.database")

# The errors a database outage raises: the server is down or restarting, the connection was cut
# (OperationalError), or a connection that died earlier is used again (InterfaceError). Errors
# about the data itself (IntegrityError, DataError) are bugs or bad input, not outages.
OUTAGE_ERRORS = (OperationalError, InterfaceError)

# How long a client (or a load balancer) should wait before trying again, in seconds.
RETRY_AFTER_SECONDS = 30


def database_unavailable_response() -> HttpResponse:
    """The 503 page. Rendered without the request: the user and session need the database."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def log_outage(request: HttpRequest, exception: BaseException) -> None:
    logger.error(
        "database unavailable, answered 503: %s %s: %s: %s",
        request.method,
        request.path,
        type(exception).__name__,
        str(exception).strip().splitlines()[0] if str(exception).strip() else "",
    )


class DatabaseUnavailableMiddleware:
    """Turn a database outage raised by a view into a 503 page with Retry-After.

    Without this, a restarting PostgreSQL shows visitors the 500 page ("an error in Prep") and
    mails the admins a traceback per request. Nothing is half-stored: every multi-row write runs
    under transaction.atomic, which the broken connection rolls back. CONN_HEALTH_CHECKS lets the
    next request reconnect on its own once the server is back. Outages raised outside a view
    (say, while saving the session) reach prep.views.server_error, which answers the same way.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """The 503 response for an outage; None lets every other error through."""
        if not isinstance(exception, OUTAGE_ERRORS):
            return None
        log_outage(request, exception)
        return database_unavailable_response()
