"""The project's URLs plus views that fail on purpose, for the error-page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import IntegrityError, OperationalError
from django.urls import path

from prep.urls import handler500  # noqa: F401  (the project's error handler applies here too)
from prep.urls import urlpatterns as project_urlpatterns


def denied(request):
    raise PermissionDenied("no")


def suspicious(request):
    raise SuspiciousOperation("tampered")


def broken(request):
    raise RuntimeError("a bug")


def database_down(request):
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


def duplicate(request):
    raise IntegrityError("duplicate key value violates unique constraint")


urlpatterns = [
    path("test-errors/duplicate/", duplicate),
    path("test-errors/denied/", denied),
    path("test-errors/suspicious/", suspicious),
    path("test-errors/broken/", broken),
    path("test-errors/database-down/", database_down),
    *project_urlpatterns,
]
