"""Attendance: the per-day marks, the self check-in windows opened on the projector, and the
scanned sign-in sheets kept as evidence."""

import secrets

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sessions.models.schedule import Enrolment, SessionDay


class Attendance(models.Model):
    """A participant's attendance on one day of the session."""

    class Status(models.TextChoices):
        PRESENT = "present", _("present")
        PARTIAL = "partial", _("late or partial")
        ABSENT = "absent", _("absent")
        EXCUSED = "excused", _("excused absence")

    class Method(models.TextChoices):
        STAFF = "staff", _("marked by staff")
        SHEET = "sheet", _("signed sheet")
        QR = "qr", _("QR check-in")
        SELF = "self", _("self check-in")
        IMPORT = "import", _("import")

    enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.CASCADE,
        related_name="attendance",
        verbose_name=_("enrolment"),
    )
    day = models.ForeignKey(
        SessionDay, on_delete=models.PROTECT, related_name="attendance", verbose_name=_("day")
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    # For "late or partial" only: the minutes of the day the participant was there.
    minutes = models.PositiveIntegerField(_("minutes attended"), null=True, blank=True)
    method = models.CharField(
        _("method"), max_length=8, choices=Method.choices, default=Method.STAFF
    )
    marked_at = models.DateTimeField(_("marked"), auto_now=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked by"),
    )

    class Meta:
        ordering = ["day__starts_at", "pk"]
        verbose_name = _("attendance mark")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                "enrolment",
                "day",
                name="attendance_one_mark_per_day",
                violation_error_message=_("This day is already marked for this participant."),
            ),
            models.CheckConstraint(
                condition=Q(status="partial", minutes__gt=0)
                | (~Q(status="partial") & Q(minutes__isnull=True)),
                name="attendance_minutes_only_when_partial",
                violation_error_message=_(
                    "Give the minutes attended for a late or partial attendance, and only then."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.enrolment_id} / {self.day_id}: {self.status}"


# Short codes shown on the projector: no 0/O, 1/I/L, so that nobody misreads them.
CHECKIN_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CHECKIN_CODE_LENGTH = 6


def new_checkin_code() -> str:
    return "".join(secrets.choice(CHECKIN_CODE_ALPHABET) for _ in range(CHECKIN_CODE_LENGTH))


class CheckInWindow(models.Model):
    """A few minutes in which participants check themselves in for one day with the short
    code (or its QR) shown on the projector. Codes are never reused."""

    day = models.ForeignKey(
        SessionDay, on_delete=models.CASCADE, related_name="checkin_windows", verbose_name=_("day")
    )
    code = models.CharField(_("code"), max_length=12, unique=True, default=new_checkin_code)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("check-in window")
        verbose_name_plural = _("check-in windows")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")),
                name="checkin_window_closes_after_opening",
                violation_error_message=_("A check-in window must close after it opens."),
            ),
        ]

    def __str__(self):
        return f"{self.day_id}: {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


def evidence_storage():
    """Scanned sheets hold signatures: kept outside the public media folder and served only
    through the attendance screens."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT)


def evidence_path(instance, filename) -> str:
    return f"attendance/{instance.day.training_session_id}/{instance.day_id}/{filename}"


class AttendanceEvidence(models.Model):
    """A scanned signed sign-in sheet (PDF, JPEG or PNG) for one day."""

    class Kind(models.TextChoices):
        PDF = "application/pdf", "PDF"
        JPEG = "image/jpeg", "JPEG"
        PNG = "image/png", "PNG"

    day = models.ForeignKey(
        SessionDay, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("day")
    )
    file = models.FileField(_("file"), upload_to=evidence_path, storage=evidence_storage)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=32, choices=Kind.choices)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    class Meta:
        ordering = ["day__starts_at", "uploaded_at", "pk"]
        verbose_name = _("attendance evidence")
        verbose_name_plural = _("attendance evidence")
        constraints = [
            models.UniqueConstraint(
                "day",
                "sha256",
                name="evidence_unique_file_per_day",
                violation_error_message=_("This file has already been uploaded for this day."),
            ),
        ]

    def __str__(self):
        return self.original_name
