"""Report exports (built next)."""

from django.views import View


class ReportExportView(View):
    pass


class CountyReportPdfView(View):
    pass
