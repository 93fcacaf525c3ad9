"""Test settings: the production settings file with test-only defaults.

prep/settings.py reads everything from the environment and refuses to start without a real
SECRET_KEY when DEBUG is off; tests run with DEBUG off (as production does) and supply one here.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-" + "x" * 40)
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from prep.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# No collectstatic before tests: serve static files straight from static/.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Whatever REDIS_URL says: sessions in the database.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# WhiteNoise serves from the finders in tests; there is no collected STATIC_ROOT.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The app stores no uploads, so MEDIA_URL is unset; but Django's live server (browser tests)
# serves MEDIA_ROOT at MEDIA_URL, and with both empty it answered any URL that names a file of
# the working directory with that file (/runner/worker.js became the raw source, without the
# view's configuration and policy). Give media a folder of its own, where nothing is.
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "tests" / "media-none"  # noqa: F405
# Tasks run at once, inside enqueue(), so a test sees their effect (mail.outbox) straight after
# the request. Tests of the queue itself switch to the database backend (task_queue fixture).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
