"""The report's downloads in the admin: the report (and any cross-table) as XLSX or CSV, and one
county's results as a one-page PDF. Both take the dashboard's parameters (reports.forms).

A refusal is a plain 403 (not Wagtail's redirect to the admin home), so that a download link
never lands the reader on an unrelated page; a county coordinator asking for another county's
PDF gets the same 403 as anyone without the right, whether or not that county has results.
Bad parameters send the reader back to the dashboard with the same parameters and a message."""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.defaults import permission_denied
from wagtail.admin import messages

from reports import exports
from reports.forms import ReportForm
from reports.pdf import county_report_pdf
from reports.selectors import participation_report, report_scope_for

FORMATS = ("xlsx", "csv")
PDF_CONTENT_TYPE = "application/pdf"


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _forbidden(request) -> HttpResponse:
    return permission_denied(request, PermissionDenied())


def _back_to_dashboard(request, message: str) -> HttpResponse:
    """The dashboard with the parameters the reader gave (but the file format), and why."""
    messages.error(request, message)
    params = [(k, v) for k, values in request.GET.lists() if k != "format" for v in values]
    url = reverse("reports:dashboard")
    return redirect(f"{url}?{urlencode(params)}" if params else url)


def _form_errors(form: ReportForm) -> str:
    parts = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        text = " ".join(str(e) for e in errors)
        parts.append(f"{field.label}: {text}" if field is not None else text)
    return _("The report could not be made: %(errors)s") % {"errors": " ".join(parts)}


class ReportExportView(View):
    """`?format=xlsx|csv` and the dashboard's parameters; the reader's scope applies."""

    def get(self, request):
        try:
            scope = report_scope_for(user=request.user)
        except PermissionDenied:
            return _forbidden(request)
        file_format = request.GET.get("format") or "xlsx"
        if file_format not in FORMATS:
            return _back_to_dashboard(request, _("Choose XLSX or CSV for the download."))
        form = ReportForm(request.GET)
        if not form.is_valid():
            return _back_to_dashboard(request, _form_errors(form))
        report = participation_report(filters=form.filters(), group_by=form.grouping(), scope=scope)
        filename = exports.export_filename(file_format)
        if file_format == "xlsx":
            return _download(exports.report_xlsx(report), exports.XLSX_CONTENT_TYPE, filename)
        # A byte-order mark, so that Excel reads the diacritics.
        data = ("\ufeff" + exports.report_csv(report)).encode("utf-8")
        return _download(data, exports.CSV_CONTENT_TYPE, filename)


class CountyReportPdfView(View):
    """`?person_county=CJ` and the dashboard's filters: the results of the people of one
    county. ANES may ask for any county; a county coordinator for their own."""

    def get(self, request):
        try:
            scope = report_scope_for(user=request.user)
        except PermissionDenied:
            return _forbidden(request)
        form = ReportForm(request.GET)
        if not form.is_valid():
            return _back_to_dashboard(request, _form_errors(form))
        county = form.cleaned_data.get("person_county")
        if county is None:
            return _back_to_dashboard(
                request, _("Choose the person's county for the county report.")
            )
        if not scope.is_all and county.pk not in scope.counties:
            return _forbidden(request)
        data = county_report_pdf(county=county, filters=form.filters(), scope=scope)
        filename = f"formativ-raport-{county.code}-{timezone.localdate().isoformat()}.pdf"
        return _download(data, PDF_CONTENT_TYPE, filename)
