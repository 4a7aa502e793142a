"""What people were told about their data and what they agreed to: versioned privacy notices
and the consent records that point at the exact version a person accepted."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PrivacyNotice(models.Model):
    """One version of the privacy notice. A published version is never edited: a change is a
    new version, so that every consent record keeps pointing at the text that was accepted."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    title_ro = models.CharField(_("title (Romanian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    body_ro = models.TextField(_("text (Romanian)"))
    body_en = models.TextField(_("text (English)"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")

    def __str__(self):
        return f"{self.title_ro} (v{self.version})"


class ConsentRecord(models.Model):
    """One act of agreeing (or withdrawing): who, to what version, for which purpose, when
    and where. Records are only ever added, never changed."""

    class Purpose(models.TextChoices):
        PRIVACY_NOTICE = "notice", _("read and accepted the privacy notice")
        CONTACT = "contact", _("agrees to be contacted about future trainings")

    class Context(models.TextChoices):
        SIGNUP = "signup", _("account sign-up")
        REGISTRATION = "registration", _("registration for a session")
        PROFILE = "profile", _("profile")
        NOMINATION = "nomination", _("nomination by a focal point")
        IMPORT = "import", _("imported list")

    professional = models.ForeignKey(
        "training.Professional",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("person"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("account"),
    )
    notice = models.ForeignKey(
        PrivacyNotice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("privacy notice"),
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    given = models.BooleanField(_("given"), default=True)
    context = models.CharField(_("where"), max_length=16, choices=Context.choices)
    recorded_at = models.DateTimeField(_("when"), auto_now_add=True)
    # Who recorded it when it was not the person themself (a focal point's nomination).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        constraints = [
            models.CheckConstraint(
                condition=Q(professional__isnull=False) | Q(user__isnull=False),
                name="consent_has_a_person",
            ),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} – {self.recorded_at:%Y-%m-%d}"


class PrivacyAccess(models.Model):
    """Holds no rows: carries the permissions of the privacy officer's work."""

    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = _("personal data administration")
        permissions = [
            ("erase_person", _("Can erase a person's personal data")),
            ("run_retention", _("Can anonymise people past their projects' retention")),
            ("view_audit_log", _("Can view the audit log")),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)
