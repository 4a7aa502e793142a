from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.log_actions import LogFormatter

from audit import views
from audit.formatters import ChangesFormatter
from audit.permissions import VIEW_AUDIT_LOG
from audit.services import PERSON_VIEW_ACTION, VIA_ADMIN_EDIT, person_view_log
from audit.signals import ORGANISERS_ACTION, ROLE_CHANGE_ACTION
from config.admin_menu import PermissionMenuItem
from training.models import Professional

# Wagtail's own actions whose entries carry our before/after ("changes").
WAGTAIL_ACTIONS_WITH_CHANGES = ("wagtail.create", "wagtail.edit", "wagtail.delete")


@hooks.register("register_log_actions")
def register_log_actions(actions):
    actions.register_action(ROLE_CHANGE_ACTION, _("Change a user's roles"), _("Roles changed"))
    actions.register_action(
        ORGANISERS_ACTION, _("Change a project's organisers"), _("Organisers changed")
    )
    actions.register_action(
        PERSON_VIEW_ACTION, _("Open a person's record"), _("Person's record opened")
    )


@hooks.register("register_log_actions", order=100)
def show_changes_in_messages(actions):
    """After every app has registered its actions: our actions' messages (and Wagtail's
    create/edit/delete) end with what changed, wherever Wagtail shows an entry (the audit
    log, site history, an object's history)."""
    for action, formatter in list(actions.formatters.items()):
        ours = action.startswith("formativ.") or action in WAGTAIL_ACTIONS_WITH_CHANGES
        static = type(formatter).format_message is LogFormatter.format_message
        if ours and static:
            actions.formatters[action] = ChangesFormatter(formatter.label, formatter.message)


@hooks.register("register_admin_urls")
def register_audit_urls():
    patterns = [
        path("", views.AuditLogView.as_view(), name="index"),
        path("results/", views.AuditLogView.as_view(results_only=True), name="results"),
    ]
    return [path("audit-log/", include((patterns, views.URL_NAMESPACE)))]


@hooks.register("register_reports_menu_item")
def register_audit_menu_item():
    return PermissionMenuItem(
        _("Audit log"),
        reverse(f"{views.URL_NAMESPACE}:index"),
        name="audit-log",
        icon_name="history",
        order=1010,
        permission=VIEW_AUDIT_LOG,
    )


@hooks.register("construct_reports_menu")
def hide_site_history(request, menu_items):
    """Site history lists people's names: only for those who may read the audit log."""
    if not request.user.has_perm(VIEW_AUDIT_LOG):
        menu_items[:] = [item for item in menu_items if item.name != "site-history"]


@hooks.register("before_edit_snippet")
def log_person_view(request, instance):
    """Staff opening a person's edit page (GET only: a save is logged as an edit)."""
    if request.method != "GET" or not isinstance(instance, Professional):
        return None
    perms = ("training.view_professional", "training.change_professional")
    if any(request.user.has_perm(p) for p in perms):
        person_view_log(professional=instance, user=request.user, via=VIA_ADMIN_EDIT)
    return None
