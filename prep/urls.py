from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from prep import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("privacy.urls")),
    path("", include("questions.urls")),
    path("", include("practice.urls")),
    path("", include("mentoring.urls")),
    path("", include("curation.urls")),
    path("lab/", include("lab.urls")),
    path("runner/", include("runner.urls")),
]

# The 500 page, or the 503 page when the error is a database outage (prep.views.server_error).
handler500 = "prep.views.server_error"

if settings.DEBUG and "debug_toolbar" in settings.INSTALLED_APPS:
    urlpatterns += [path("__debug__/", include("debug_toolbar.urls"))]
