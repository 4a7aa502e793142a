"""Review queue of probable duplicates (namespace "duplicates")."""

from django.urls import path

from imports import export_views, review_views

urlpatterns = [
    path("", review_views.IndexView.as_view(), name="index"),
    path("<int:pk>/", review_views.PairView.as_view(), name="pair"),
    path("<int:pk>/merge/", review_views.MergeView.as_view(), name="merge"),
    path("<int:pk>/distinct/", review_views.DistinctView.as_view(), name="distinct"),
    path(
        "export.<slug:file_format>",
        export_views.ReviewQueueExportView.as_view(),
        name="export",
    ),
    path("undo/<int:log_id>/", review_views.UndoView.as_view(), name="undo"),
]
