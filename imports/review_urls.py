"""Review queue of probable duplicates (owned by the review UI)."""

from django.urls import path

from imports import review_views

urlpatterns = [
    path("", review_views.IndexView.as_view(), name="index"),
]
