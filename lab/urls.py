from django.urls import path

from lab import views

app_name = "lab"

urlpatterns = [
    path("n-plus-one/", views.n_plus_one, name="n_plus_one"),
]
