"""The audit log in the admin: every logged change, filterable, read-only."""

import django_filters
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.views.defaults import permission_denied
from wagtail.admin.views.reports.audit_logging import (
    LogEntriesView,
    SiteHistoryReportFilterSet,
    get_users_for_filter,
)
from wagtail.models import PageLogEntry

from audit.formatters import change_lines
from audit.permissions import VIEW_AUDIT_LOG, audit_log_policy

URL_NAMESPACE = "audit"


class AuditLogFilterSet(SiteHistoryReportFilterSet):
    """Wagtail's filters (action, user, date range, type, name) and the object's number."""

    object_id = django_filters.CharFilter(label=_("Object ID"), method="filter_object_id")

    def get_users_queryset(self):
        # Every log model's users: Wagtail's default reads this model's only, and drops the
        # filter (showing everything) where it has none.
        return get_users_for_filter(self.request.user)

    def filter_object_id(self, queryset, name, value):
        # Pages' entries keep the page's id; every other model's keep object_id.
        field = "page_id" if queryset.model is PageLogEntry else "object_id"
        if field == "page_id" and not value.isdigit():
            return queryset.none()
        return queryset.filter(**{field: value})


class AuditLogView(LogEntriesView):
    """Wagtail's site history with the object's number and what each entry changed. Only for
    those who may read the audit log (ANES administrators); there is nothing to edit here, and
    log entries have no edit or delete screen anywhere in the admin."""

    page_title = _("Audit log")
    filterset_class = AuditLogFilterSet
    results_template_name = "audit/results.html"
    index_url_name = f"{URL_NAMESPACE}:index"
    index_results_url_name = f"{URL_NAMESPACE}:results"
    permission_policy = audit_log_policy
    permission_required = "view_audit_log"
    http_method_names = ["get", "head", "options"]
    export_headings = {**LogEntriesView.export_headings, "changes": _("Changes")}
    list_export = [*LogEntriesView.list_export, "changes"]

    def dispatch(self, request, *args, **kwargs):
        # A plain 403, not Wagtail's redirect to the dashboard: the page exists, it is refused.
        if not request.user.has_perm(VIEW_AUDIT_LOG):
            return permission_denied(request, PermissionDenied())
        return super().dispatch(request, *args, **kwargs)

    def decorate_paginated_queryset(self, queryset):
        entries = super().decorate_paginated_queryset(queryset)
        for entry in entries:
            try:
                entry.action_label = self.get_action_label(entry.action)
            except KeyError:  # an action no longer registered
                entry.action_label = entry.action
            entry.change_lines = change_lines(entry)
            entry.changes = "; ".join(entry.change_lines)
        return entries
