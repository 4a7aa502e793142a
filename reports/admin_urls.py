from django.urls import path

from reports import admin_views, evaluation_views, export_views

urlpatterns = [
    path("", admin_views.DashboardView.as_view(), name="dashboard"),
    path("export/", export_views.ReportExportView.as_view(), name="export"),
    path("county.pdf", export_views.CountyReportPdfView.as_view(), name="county_pdf"),
    path("evaluation/", evaluation_views.EvaluationView.as_view(), name="evaluation"),
    path(
        "evaluation/export/",
        evaluation_views.EvaluationExportView.as_view(),
        name="evaluation_export",
    ),
]
