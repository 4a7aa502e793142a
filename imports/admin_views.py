"""The import screens of the back office: upload a spreadsheet, look at what the import would
do (the check), confirm it, follow it, download the rows set aside; and the templates to fill.

Every screen needs the permission `imports.run_import` (others get a 403). Those who hold it
work as a team: each of them may open, confirm and download every import, their own or a
colleague's (the list shows one's own by default, everyone's on request). Every write goes
through `imports.services`."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from imports import sample_files, services
from imports.forms import UploadForm
from imports.models import ImportBatch
from training.access import staff_scope
from training.admin_views import add_service_errors

S = ImportBatch.Status
RECENT = 50
# The preview lists this many row errors; all are counted, and all are in the rejected file.
ERRORS_SHOWN = 500


def url(name: str, *args) -> str:
    return reverse(f"imports:{name}", args=args)


def forbidden(request) -> HttpResponse:
    text = _("You do not have permission to import spreadsheets.")
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"detail": text}, status=403)
    return TemplateResponse(
        request,
        "imports/import_forbidden.html",
        {"page_title": _("Imports"), "header_title": _("Imports"), "message": text},
        status=403,
    )


class ImportPermission:
    """For holders of `imports.run_import`; a PermissionDenied (from here or a service)
    answers 403."""

    def dispatch(self, request, *args, **kwargs):
        try:
            # ANES only: imports write people and sessions of every county (training.access).
            if not request.user.has_perm(services.RUN_PERMISSION) or not (
                staff_scope(request.user).all
            ):
                raise PermissionDenied
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            return forbidden(request)


class ImportScreen(ImportPermission, WagtailAdminTemplateMixin, TemplateView):
    header_icon = "upload"

    def get_breadcrumbs_items(self):
        items = [*self.breadcrumbs_items, {"url": url("index"), "label": _("Imports")}]
        if self.get_page_title() != _("Imports"):
            items.append({"url": "", "label": self.get_page_title()})
        return items


def _recent(request):
    batches = ImportBatch.objects.select_related(
        "created_by", "training_session__course", "project"
    ).defer("preview", "result")
    everyone = request.GET.get("all") == "1"
    if not everyone:
        batches = batches.filter(created_by=request.user)
    return everyone, batches.order_by("-created_at", "-pk")[:RECENT]


class IndexView(ImportScreen):
    """The recent imports and the upload form. POST: keep the file and check it."""

    template_name = "imports/import_index.html"
    page_title = gettext_lazy("Imports")

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        everyone, batches = _recent(self.request)
        context.update(
            {
                "form": form or UploadForm(),
                "batches": batches,
                "everyone": everyone,
                "templates": [
                    (kind, label, [(f, url("template", kind, f)) for f in sample_files.FORMATS])
                    for kind, label in ImportBatch.Kind.choices
                ],
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["upload"]
            try:
                batch = services.import_batch_create(
                    kind=form.cleaned_data["kind"],
                    data=upload.read(),
                    file_name=upload.name,
                    acting_user=request.user,
                    training_session=form.cleaned_data.get("training_session"),
                    project=form.cleaned_data.get("project"),
                    skip_invalid=form.cleaned_data.get("skip_invalid", False),
                    create_missing=form.cleaned_data.get("create_missing", False),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                services.import_batch_start_check(batch=batch)
                return redirect(url("batch", batch.pk))
        messages.error(request, _("The file was not uploaded: see the errors below."))
        return self.render_to_response(self.get_context_data(form=form), status=200)


class BatchScreen(ImportScreen):
    @cached_property
    def batch(self) -> ImportBatch:
        return get_object_or_404(
            ImportBatch.objects.select_related("created_by", "training_session__course", "project"),
            pk=self.kwargs["pk"],
        )


def progress_text(batch: ImportBatch, done: int, total: int) -> str:
    if batch.status in (S.UPLOADED, S.CHECKING):
        return _("Checking: %(done)s of %(total)s rows") % {"done": done, "total": total}
    return _("Importing: %(done)s of %(total)s rows") % {"done": done, "total": total}


def _counts(summary: dict) -> list[tuple[str, str, int]]:
    """(key, label, number) of what an import does, for the preview and the result."""
    labels = [
        ("rows", _("Rows read")),
        ("created", _("New persons")),
        ("matched", _("Persons already in the registry")),
        ("updated", _("Known persons with details added")),
        ("institutions_created", _("New institutions")),
        ("sessions_created", _("New sessions")),
        ("projects_created", _("New projects")),
        ("courses_created", _("New courses")),
        ("enrolments", _("Enrolments")),
        ("attendance_marks", _("Attendance marks")),
        ("eil_memberships", _("Local team (EIL) memberships")),
        ("review_candidates", _("Probable duplicates to review")),
        ("invalid_rows", _("Invalid rows")),
    ]
    return [(key, label, summary.get(key) or 0) for key, label in labels]


class BatchView(BatchScreen):
    """One import: its check under way (a progress bar, kept up to date by a script, or by
    reloading the page without JavaScript), what it would do, and once confirmed what it did."""

    template_name = "imports/import_batch.html"
    page_title = gettext_lazy("Import")

    def get_page_title(self):
        return str(self.batch)

    def get_page_subtitle(self):
        return self.batch.file_name

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = self.batch
        under_way = batch.status in (S.UPLOADED, S.CHECKING, S.RUNNING)
        done, total = services.import_progress(batch=batch) if under_way else (1, 1)
        preview = batch.preview or {}
        result = batch.result or {}
        summary = result if batch.status == S.DONE else preview
        errors = summary.get("errors") or []
        blocked = bool(preview.get("errors")) and not batch.skip_invalid
        context.update(
            {
                "batch": batch,
                "under_way": under_way,
                "progress_done": min(done, total),
                "progress_total": max(total, 1),
                "progress_text": progress_text(batch, done, total) if under_way else "",
                "status_url": url("status", batch.pk),
                "preview": preview,
                "result": result,
                "counts": _counts(summary) if summary else [],
                "errors": errors[:ERRORS_SHOWN],
                "errors_hidden": max(0, len(errors) - ERRORS_SHOWN),
                "candidates": summary.get("candidates") or [],
                "blocked": blocked,
                "confirm_url": url("confirm", batch.pk),
                "recheck_url": url("recheck", batch.pk),
                "rejected_url": url("rejected", batch.pk) if batch.rejected_file else "",
                "review_url": reverse("duplicates:index"),
                "index_url": url("index"),
            }
        )
        return context


class StatusView(ImportPermission, View):
    """What the batch page polls while a check or a run is under way."""

    def get(self, request, pk: int):
        batch = get_object_or_404(ImportBatch, pk=pk)
        done, total = services.import_progress(batch=batch)
        return JsonResponse(
            {
                "status": batch.status,
                "status_label": batch.get_status_display(),
                "done": min(done, total),
                "total": max(total, 1),
                "text": progress_text(batch, done, total),
            },
            headers={"Cache-Control": "no-store"},
        )


class ConfirmView(ImportPermission, View):
    """POST: import a checked batch for real."""

    def post(self, request, pk: int):
        batch = get_object_or_404(ImportBatch, pk=pk)
        try:
            batch = services.import_batch_start_run(batch=batch, acting_user=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            if batch.status == S.DONE:
                messages.success(request, _("The spreadsheet was imported."))
            elif batch.status == S.FAILED:
                messages.error(request, batch.error)
        return redirect(url("batch", batch.pk))


class RecheckView(ImportPermission, View):
    """POST: check a checked batch again with "skip invalid rows" switched on."""

    def post(self, request, pk: int):
        batch = get_object_or_404(ImportBatch, pk=pk)
        try:
            services.import_batch_skip_invalid(batch=batch, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(url("batch", batch.pk))


class RejectedView(ImportPermission, View):
    """The rows a run set aside, with their errors (from private storage)."""

    def get(self, request, pk: int):
        batch = get_object_or_404(ImportBatch, pk=pk)
        if not batch.rejected_file:
            raise Http404
        response = FileResponse(
            batch.rejected_file.open("rb"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = content_disposition_header(
            True, f"{_('rejected-rows')}-{batch.pk}.xlsx"
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class TemplateFileView(ImportPermission, View):
    """An import template to fill in: XLSX (with instructions) or CSV."""

    def get(self, request, kind: str, file_format: str):
        if kind not in sample_files.KINDS or file_format not in sample_files.FORMATS:
            raise Http404
        content, content_type, filename = sample_files.template_file(kind, file_format)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(True, filename)
        response["X-Content-Type-Options"] = "nosniff"
        return response
