"""How often one candidate may report problems: REPORT_LIMIT reports an hour.

A counter in the cache per user, over an hour that starts at its first count, as the sign-up
throttles do (accounts/throttling.py). A report merged into an open one counts too: the limit
is on the reporting, whatever it stores.
"""

from django.core.cache import cache

REPORT_LIMIT = 10
REPORT_WINDOW_SECONDS = 60 * 60


def _key(user) -> str:
    return f"problem-reports:user:{user.pk}"


def reports_are_throttled(user) -> bool:
    """Whether the user has sent REPORT_LIMIT reports in the last hour."""
    return cache.get(_key(user), 0) >= REPORT_LIMIT


def count_report(user) -> None:
    key = _key(user)
    if not cache.add(key, 1, timeout=REPORT_WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=REPORT_WINDOW_SECONDS)
