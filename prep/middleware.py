"""Site-wide middleware: a clean 503 while the database is unreachable; narrow CSP allowances
for third-party admin pages; a Permissions-Policy header."""

import base64
import hashlib
import logging
import re
from collections.abc import Callable

from django.conf import settings
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


def csp_hash(source: str) -> str:
    """The CSP source expression allowing exactly this inline code or style."""
    digest = hashlib.sha256(source.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


# Admin pages from third-party packages that carry inline attributes (the editors' admin is
# otherwise clean). Each is allowed by the hash of its exact text, on its own pages only, with
# 'unsafe-hashes' (the keyword that lets hashes cover attributes): nothing else inline runs there.
# - django-simple-history's history page: style="border-top: 0" on the paginator (cosmetic).
ADMIN_INLINE_ALLOWANCES = [
    (
        re.compile(r"^/admin/[a-z_]+/[a-z_]+/.+/history/$"),
        {"style-src": ["'unsafe-hashes'", csp_hash("border-top: 0")]},
    ),
]


class AdminCSPAllowancesMiddleware:
    """Widen the Content-Security-Policy on the few third-party admin pages that need it.

    django-csp's decorators do this for views we write; these views belong to packages, so the
    allowance is keyed on their paths instead. Listed after csp.middleware.CSPMiddleware, so that
    it marks the response before the policy is built.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        for pattern, allowance in ADMIN_INLINE_ALLOWANCES:
            if pattern.match(request.path_info):
                response._csp_update = allowance
                break
        return response


class PermissionsPolicyMiddleware:
    """Send settings.PERMISSIONS_POLICY as the Permissions-Policy header on every response.

    Django has no setting for it. The policy turns off the browser features no page of Prep uses
    (camera, microphone, geolocation, payment, USB and the like) for the page and anything it
    embeds, so that a script that got in could not ask for them either.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})"
            for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response
