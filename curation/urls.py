from django.urls import path

from curation import views

app_name = "curation"

urlpatterns = [
    path("questions/<slug:slug>/report/", views.report, name="report"),
]
