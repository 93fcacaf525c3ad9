from django.urls import path

from runner import views

app_name = "runner"

urlpatterns = [
    path("worker.js", views.worker_script, name="worker"),
]
