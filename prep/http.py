from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from accounts.models import User


class HtmxHttpRequest(HttpRequest):
    """An HttpRequest as our middleware leaves it: typed for views and editors."""

    htmx: HtmxDetails
    user: User | AnonymousUser


class AuthedHttpRequest(HtmxHttpRequest):
    """A request behind @login_required."""

    user: User
