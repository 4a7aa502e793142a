"""Certificates: what a certificate looks like (templates and their signatories), the
certificates issued, and the runs that issue them for a whole session."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from training.models import CertificateType

# The placeholders a template's body may use, and what each is replaced by.
PLACEHOLDERS = {
    "name": _("the holder's full name"),
    "course": _("the course title"),
    "session": _("the session title"),
    "dates": _("the session dates"),
    "hours": _("the course hours (a number)"),
    "duration": _("the course hours with their unit, e.g. “16 ore”"),
    "county": _("the county where the session was held"),
    "institution": _("the holder's institution"),
    "project": _("the project"),
}

DEFAULT_ISSUER = "Agenția Națională pentru Egalitatea de Șanse între Femei și Bărbați"


def certificate_storage():
    """Issued certificates carry names: kept outside the public media folder and served only
    to their holder, to staff, and (the PDF only) through the holder's own links."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT)


# Verification codes: 16 characters from an alphabet without look-alikes (0/O, 1/I/L),
# about 79 bits, so a code cannot be guessed; printed in groups of four.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 16


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class CertificateTemplate(ClusterableModel):
    """How certificates look: the one for a course wins over the one for its session's
    project, which wins over the default template; with none, the built-in layout is used."""

    class Language(models.TextChoices):
        RO = "ro", _("Romanian")
        EN = "en", _("English")

    name = models.CharField(_("name"), max_length=150)
    course = models.OneToOneField(
        "training.Course",
        verbose_name=_("course"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="certificate_template",
        help_text=_("Use this template for every certificate of this course."),
    )
    project = models.OneToOneField(
        "training.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="certificate_template",
        help_text=_("Use this template for the project's sessions whose course has none."),
    )
    is_default = models.BooleanField(
        _("default template"),
        default=False,
        help_text=_("Used when neither the course nor the project has a template."),
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.RO
    )
    title = models.CharField(
        _("title"),
        max_length=120,
        blank=True,
        help_text=_(
            "Leave empty for “Certificat de participare” or “Certificat de absolvire”, "
            "following the course's certificate type."
        ),
    )
    body = models.TextField(
        _("text"),
        blank=True,
        help_text=_(
            "Leave empty for the standard text. Placeholders: {name}, {course}, {session}, "
            "{dates}, {hours}, {duration}, {county}, {institution}, {project}."
        ),
    )
    issuer_name = models.CharField(_("issuer"), max_length=255, default=DEFAULT_ISSUER)
    logo_left = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo (left)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    logo_right = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo (right)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    background = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("background"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("An A4 landscape image (297 × 210 mm) drawn behind the text."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("certificate template")
        verbose_name_plural = _("certificate templates")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="certificates_one_default_template",
                violation_error_message=_("Another template is already the default one."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        from certificates.documents import placeholder_errors

        errors = placeholder_errors(self.body)
        if errors:
            raise ValidationError({"body": errors})


class CertificateSignatory(Orderable):
    template = ParentalKey(
        CertificateTemplate, on_delete=models.CASCADE, related_name="signatories"
    )
    name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role"), max_length=150)
    signature = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("signature image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta(Orderable.Meta):
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")

    def __str__(self):
        return f"{self.name} ({self.role})"


class Counter(models.Model):
    """Numbers handed out in order: serials per year ("serial-2026") and status list indices."""

    name = models.CharField(max_length=32, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.name}={self.value}"


class Certificate(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", _("valid")
        REVOKED = "revoked", _("revoked")
        SUPERSEDED = "superseded", _("superseded")

    serial = models.CharField(_("serial number"), max_length=32, unique=True)
    code = models.CharField(
        _("verification code"),
        max_length=CODE_LENGTH,
        unique=True,
        default=new_verification_code,
        editable=False,
    )
    enrolment = models.ForeignKey(
        "training_sessions.Enrolment",
        verbose_name=_("enrolment"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=CertificateType.choices)
    issued_at = models.DateTimeField(_("issued"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # What the certificate certifies, frozen at issue time (see certificates.documents).
    data = models.JSONField(_("certified data"))
    # The holder's name folded (no diacritics, any case, any order): what staff search by.
    holder_key = models.CharField(max_length=255, db_index=True, editable=False, default="")
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.VALID
    )
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("status changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    superseded_by = models.OneToOneField(
        "self",
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supersedes",
    )
    # The position of the certificate in the issuer's Bitstring Status List.
    status_index = models.PositiveIntegerField(_("status list index"), unique=True)
    pdf = models.FileField(_("PDF"), storage=certificate_storage, upload_to="certificates/")
    pdf_sha256 = models.CharField(max_length=64, editable=False)
    sealed = models.BooleanField(_("sealed"), default=False)
    credential = models.JSONField(_("Open Badges credential"))
    credential_jwt = models.TextField(_("Open Badges credential (VC-JWT)"))

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            # Re-running an issue finds the valid certificate and issues nothing twice.
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(status="valid"),
                name="certificates_one_valid_per_enrolment",
            ),
        ]
        permissions = [("revoke_certificate", "Can revoke and re-issue certificates")]

    def __str__(self):
        return self.serial

    @property
    def code_display(self) -> str:
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))


class IssueRun(models.Model):
    """One "issue the certificates of this session" action, worked through by a background
    task; its counters drive the progress bar."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    training_session = models.ForeignKey(
        "training_sessions.TrainingSession",
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="certificate_runs",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    total = models.PositiveIntegerField(_("to issue"), default=0)
    issued = models.PositiveIntegerField(_("issued"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate issue run")
        verbose_name_plural = _("certificate issue runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.training_session_id} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.issued / self.total) if self.total else 0


class IssuerKey(models.Model):
    """The public keys credentials were signed with, published at stable URLs; kept after a
    key is rotated so older credentials still verify."""

    kid = models.CharField(max_length=64, unique=True)
    public_key_multibase = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.kid
