from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    # For the annotations only: prep, the layer every app builds on, imports no app at run time.
    from accounts.models import User


class HtmxHttpRequest(HttpRequest):
    """An HttpRequest as our middleware leaves it: typed for views and editors."""

    htmx: HtmxDetails
    user: User | AnonymousUser


class AuthedHttpRequest(HtmxHttpRequest):
    """A request behind @login_required."""

    user: User


def safe_next_url(request: HttpRequest, fallback: str = "") -> str:
    """The `next` parameter the request came with (POST, else GET) when it is a path on this
    site, else `fallback`. Refused: another host or scheme, and a bare word such as "1", which
    redirect() would take for the name of a URL pattern (a 500)."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    safe = url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if safe else fallback
