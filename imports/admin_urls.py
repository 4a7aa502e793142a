"""Import screens: upload, check, confirm, follow, download (namespace `imports`)."""

from django.urls import path

from imports import admin_views, export_views

urlpatterns = [
    path("", admin_views.IndexView.as_view(), name="index"),
    path("<int:pk>/", admin_views.BatchView.as_view(), name="batch"),
    path("<int:pk>/status/", admin_views.StatusView.as_view(), name="status"),
    path("<int:pk>/confirm/", admin_views.ConfirmView.as_view(), name="confirm"),
    path("<int:pk>/recheck/", admin_views.RecheckView.as_view(), name="recheck"),
    path("<int:pk>/rejected.xlsx", admin_views.RejectedView.as_view(), name="rejected"),
    path(
        "roster/<int:pk>/export.<slug:file_format>",
        export_views.RosterExportView.as_view(),
        name="roster_export",
    ),
    path(
        "template/<slug:kind>.<slug:file_format>",
        admin_views.TemplateFileView.as_view(),
        name="template",
    ),
]
