from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.middleware import HtmxDetails

from accounts.models import User


class HtmxHttpRequest(HttpRequest):
    """An HttpRequest as our middleware leaves it: typed for views and editors."""

    htmx: HtmxDetails
    user: User | AnonymousUser


class AuthedHttpRequest(HtmxHttpRequest):
    """A request behind @login_required."""

    user: User


def is_safe_next_url(request: HttpRequest, url: str) -> bool:
    """Whether `url` (a `next` parameter) is a path on this site to send the visitor on to:
    not another host or scheme, and not a bare word such as "1", which redirect() would take for
    the name of a URL pattern (a 500)."""
    return url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
