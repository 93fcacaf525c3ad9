"""The product's URLs, with the signed-in floor in front of them."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("__bench__/signed-in", views.signed_in, name="bench-signed-in"),
    path("", include("prep.urls")),
]

# As prep.urls has it: a handler is read from the root URLconf only.
handler500 = "prep.views.server_error"
