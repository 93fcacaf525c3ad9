"""What prep/settings.py keeps in the cache, with and without a shared one (REDIS_URL)."""

import pytest

from tests.production import production_settings


@pytest.mark.parametrize(
    ("redis_url", "expected"),
    [
        (
            None,
            {
                "cache": "django.core.cache.backends.locmem.LocMemCache",
                "sessions": "django.contrib.sessions.backends.db",
            },
        ),
        (
            "redis://127.0.0.1:6379/0",
            {
                "cache": "django.core.cache.backends.redis.RedisCache",
                "sessions": "django.contrib.sessions.backends.cached_db",
            },
        ),
    ],
)
def test_sessions_are_cached_only_in_a_shared_cache(redis_url, expected):
    extra = {"REDIS_URL": redis_url} if redis_url else {}
    found = production_settings(["CACHES", "SESSION_ENGINE"], **extra)
    assert {
        "cache": found["CACHES"]["default"]["BACKEND"],
        "sessions": found["SESSION_ENGINE"],
    } == expected
