"""The evaluation admin's URLs (namespace "evaluation_admin", under /admin/evaluation/)."""

from django.urls import path

from evaluation import admin_views as v

urlpatterns = [
    path("session/<int:pk>/", v.SessionEvaluationView.as_view(), name="session"),
    path(
        "session/<int:pk>/update-versions/",
        v.UpdateVersionsView.as_view(),
        name="update_versions",
    ),
    path("session/<int:pk>/qr/<str:purpose>/", v.RoomQrView.as_view(), name="qr"),
    path(
        "session/<int:pk>/qr/<str:purpose>/status/",
        v.RoomQrStatusView.as_view(),
        name="qr_status",
    ),
]
