"""Who is asking, and how often: the client address and the sign-up throttles.

django-axes throttles log-ins. Sign-up has brakes of its own. It no longer tells whether an
address is registered (every valid sign-up gets the same "Check your email" page), so there is
nothing to probe; but every valid sign-up sends an email, and sign-up must not become a way to
flood someone's inbox. Two counters, each over an hour that starts at its first count:

- per client: every sign-up POST that sends mail (and every "send the link again") counts; after
  SIGNUP_CLIENT_LIMIT the form is refused outright with a 429 page.
- per address: after SIGNUP_ADDRESS_LIMIT emails to one address, further sign-ups with it send
  nothing and change nothing, and still get the same "Check your email" page, so the limit
  tells nobody whether the address has an account.
"""

import hashlib
import ipaddress

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

SIGNUP_CLIENT_LIMIT = 10
SIGNUP_ADDRESS_LIMIT = 3
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


def _count(key: str) -> None:
    """Add one to a counter that lives for SIGNUP_WINDOW_SECONDS from its first count."""
    if not cache.add(key, 1, timeout=SIGNUP_WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=SIGNUP_WINDOW_SECONDS)


def _client_key(request: HttpRequest) -> str:
    return f"signup-mail:client:{client_ip(request) or 'unknown'}"


def _address_key(email: str) -> str:
    # Hashed: cache keys stay short and free of characters some backends refuse.
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return f"signup-mail:address:{digest}"


def signup_is_throttled(request: HttpRequest) -> bool:
    """Whether this client has had SIGNUP_CLIENT_LIMIT sign-up emails sent in the last hour."""
    return cache.get(_client_key(request), 0) >= SIGNUP_CLIENT_LIMIT


def record_signup_email(request: HttpRequest) -> None:
    """Count one sign-up POST that sends mail against the client."""
    _count(_client_key(request))


def take_address_allowance(email: str) -> bool:
    """Count one sign-up email to `email`; False, counting nothing, once the address has had
    SIGNUP_ADDRESS_LIMIT in the last hour (then nothing may be sent to it)."""
    key = _address_key(email)
    if cache.get(key, 0) >= SIGNUP_ADDRESS_LIMIT:
        return False
    _count(key)
    return True
