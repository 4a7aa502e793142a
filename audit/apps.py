from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit log: who changed what, when, from what to what, and who opened whose record.
    Records changes (role changes, project organisers) that no service writes, and shows the
    log to those allowed to read it."""

    name = "audit"
    verbose_name = _("Audit log")

    def ready(self):
        from wagtail.admin.views.reports.audit_logging import LogEntriesView

        from audit import signals  # noqa: F401 - connects the receivers
        from audit.permissions import audit_log_policy

        # Wagtail's "Site history" lists every logged object under its label (people's names)
        # to anyone with any permission on its type: only those who may read the audit log
        # open it. Its URL comes before any hook's, so the view itself carries the check.
        LogEntriesView.permission_policy = audit_log_policy
        LogEntriesView.permission_required = "view_audit_log"
