"""What prep/settings.py keeps in the cache, with and without a shared one (REDIS_URL)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def production_settings(**env_extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "REDIS_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="prep.settings",
        SECRET_KEY="production-like-" + "k" * 50,
        ALLOWED_HOSTS="prep.example.com",
        **env_extra,
    )
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps({'cache': settings.CACHES['default']['BACKEND'], "
        "'sessions': settings.SESSION_ENGINE, "
        "'unread': settings.UNREAD_FEEDBACK_CACHE_SECONDS}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("redis_url", "expected"),
    [
        (
            None,
            {
                "cache": "django.core.cache.backends.locmem.LocMemCache",
                "sessions": "django.contrib.sessions.backends.db",
                "unread": 0,
            },
        ),
        (
            "redis://127.0.0.1:6379/0",
            {
                "cache": "django.core.cache.backends.redis.RedisCache",
                "sessions": "django.contrib.sessions.backends.cached_db",
                "unread": 300,
            },
        ),
    ],
)
def test_sessions_and_counts_are_cached_only_in_a_shared_cache(redis_url, expected):
    extra = {"REDIS_URL": redis_url} if redis_url else {}
    assert production_settings(**extra) == expected
