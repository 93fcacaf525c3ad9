"""Who is asking, and how often: the client address and the sign-up throttle.

django-axes throttles log-ins. Sign-up needs its own brake: with instant sign-up the form has to
say when an address is already taken, so the one defence against someone probing which
addresses have accounts is to make probing slow. Every rejected sign-up counts against the
client's address; after SIGNUP_ATTEMPT_LIMIT in an hour the form is refused outright.
"""

import ipaddress

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

SIGNUP_ATTEMPT_LIMIT = 10
SIGNUP_WINDOW_SECONDS = 60 * 60


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the
    outermost trusted proxy saw (counted from the right of X-Forwarded-For, the only part a
    client cannot forge). None when unknown (force_login in tests has no address).

    django-axes uses this too (AXES_CLIENT_IP_CALLABLE): behind a proxy, REMOTE_ADDR is the
    proxy, and five failures from anyone would lock everyone out.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies and _is_ip(forwarded[-proxies]):
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _signup_key(request: HttpRequest) -> str:
    return f"signup-rejections:{client_ip(request) or 'unknown'}"


def signup_is_throttled(request: HttpRequest) -> bool:
    return cache.get(_signup_key(request), 0) >= SIGNUP_ATTEMPT_LIMIT


def record_rejected_signup(request: HttpRequest) -> None:
    """Count one rejected sign-up; the hour starts at the first one."""
    key = _signup_key(request)
    if not cache.add(key, 1, timeout=SIGNUP_WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=SIGNUP_WINDOW_SECONDS)
