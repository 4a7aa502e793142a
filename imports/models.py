"""One spreadsheet import: the uploaded file, what its preview found, what its run wrote."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _


def import_storage():
    """Imported lists hold personal data (CNPs among them): kept outside the public media
    folder, served only through the import screens."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT)


def import_path(instance, filename) -> str:
    return f"imports/{filename}"


class ImportBatch(models.Model):
    class Kind(models.TextChoices):
        REGISTRY = "registry", _("registry (persons)")
        ROSTER = "roster", _("session roster with attendance")
        PARTICIPATIONS = "participations", _("historical participations")

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("uploaded, not checked yet")
        CHECKING = "checking", _("checking")
        CHECKED = "checked", _("checked, awaiting confirmation")
        RUNNING = "running", _("importing")
        DONE = "done", _("imported")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.UPLOADED
    )
    file = models.FileField(_("file"), storage=import_storage, upload_to=import_path)
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(max_length=64, editable=False)
    training_session = models.ForeignKey(
        "training_sessions.TrainingSession",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("session"),
    )
    project = models.ForeignKey(
        "training.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("project"),
    )
    skip_invalid = models.BooleanField(_("skip invalid rows"), default=False)
    create_missing = models.BooleanField(_("create missing projects and courses"), default=False)
    # What the preview (dry run) and then the run found: the summary of `engine.Summary`.
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    result = models.JSONField(_("import result"), default=dict, blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)
    rejected_file = models.FileField(
        _("rejected rows"), storage=import_storage, upload_to=import_path, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded on"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        permissions = [("run_import", _("Can import spreadsheets"))]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status in (self.Status.CHECKED, self.Status.DONE):
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(100 * self.rows_done / self.rows_total))
