from django.urls import path

from mentoring import views

app_name = "mentoring"

urlpatterns = [
    # The mentor's area
    path("mentor/", views.home, name="home"),
    path("mentor/mentees/<int:candidate_id>/", views.mentee, name="mentee"),
    path("mentor/sets/", views.sets, name="sets"),
    path("mentor/sets/<int:pk>/", views.set_detail, name="set_detail"),
    path("mentor/sets/<int:pk>/search/", views.set_search, name="set_search"),
    path("mentor/sets/<int:pk>/items/", views.set_add, name="set_add"),
    path("mentor/sets/<int:pk>/items/<int:item_pk>/remove/", views.set_remove, name="set_remove"),
    path("mentor/sets/<int:pk>/items/<int:item_pk>/move/", views.set_move, name="set_move"),
    path("mentor/sets/<int:pk>/delete/", views.set_delete, name="set_delete"),
    path("mentor/assign/", views.assign, name="assign"),
    path("mentor/assignments/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    # Connecting
    path("invite/<str:token>/", views.invite, name="invite"),
    path("mentorships/<int:pk>/end/", views.end_mentorship, name="end_mentorship"),
    # The candidate's side
    path("assignments/", views.assignments, name="assignments"),
    path("assignments/<int:pk>/start/", views.start, name="start"),
    # Feedback threads (both sides)
    path("feedback/<int:item_pk>/", views.thread, name="thread"),
]
