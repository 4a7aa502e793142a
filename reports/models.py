"""Reports read training, sessions and certificates and write nothing: the one model here
holds no rows; it carries the permissions that open the reports."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportAccess(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = _("report access")
        permissions = [
            ("view_reports", _("Can view the participation reports")),
            ("view_all_counties", _("Can view the reports of every county")),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)
