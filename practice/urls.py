from django.urls import path

from practice import views

app_name = "practice"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("practice/", views.start, name="start"),
    path("practice/<int:pk>/", views.session_page, name="session"),
    path("practice/<int:pk>/items/<int:item_pk>/reveal/", views.reveal, name="reveal"),
    path("practice/<int:pk>/items/<int:item_pk>/grade/", views.grade, name="grade"),
    path("practice/<int:pk>/items/<int:item_pk>/check/", views.check, name="check"),
    path("practice/<int:pk>/items/<int:item_pk>/answer/", views.mock_answer, name="mock_answer"),
    path("practice/<int:pk>/items/<int:item_pk>/submit/", views.submit_code, name="submit_code"),
    path("practice/<int:pk>/assess/", views.assess, name="assess"),
    path("practice/<int:pk>/finish/", views.finish, name="finish"),
    path("practice/<int:pk>/summary/", views.summary, name="summary"),
    path("practice/<int:pk>/mistakes/", views.practise_mistakes, name="practise_mistakes"),
    path("questions/<slug:slug>/practise/", views.practise_question, name="practise_question"),
    path("questions/<slug:slug>/bookmark/", views.bookmark, name="bookmark"),
    path("questions/<slug:slug>/note/", views.note, name="note"),
    path("bookmarks/", views.bookmarks, name="bookmarks"),
    path("bookmarks/practise/", views.practise_bookmarks, name="practise_bookmarks"),
]
