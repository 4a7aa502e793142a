"""Import screens (owned by the imports admin UI)."""

from django.urls import path

from imports import admin_views

urlpatterns = [
    path("", admin_views.IndexView.as_view(), name="index"),
]
