"""The privacy screens in the admin (namespace "privacy")."""

from django.urls import path

from privacy import admin_views

urlpatterns = [
    path("erase/<int:pk>/", admin_views.EraseView.as_view(), name="erase"),
    path("retention/", admin_views.RetentionView.as_view(), name="retention"),
]
