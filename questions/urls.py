from django.urls import path

from questions import views

app_name = "questions"

urlpatterns = [
    path("questions/", views.question_list, name="list"),
    path("questions/<slug:slug>/", views.question_detail, name="detail"),
    path("sets/", views.set_list, name="sets"),
    path("sets/<slug:slug>/", views.set_detail, name="set_detail"),
]
