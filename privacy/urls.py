from django.urls import path

from privacy import views

# Under /accounts/ beside the account's own pages (prep/urls.py); not namespaced, like them.
urlpatterns = [
    path("profile/export/", views.export_data, name="export_data"),
    path("delete/", views.delete_account_view, name="delete_account"),
]
