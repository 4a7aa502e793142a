"""The reports in the Wagtail admin: the dashboard, its exports, and the permissions that open
them (shown on the group edit screen)."""

from django.contrib.auth.models import Permission
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from config.admin_menu import PermissionMenuItem
from reports import admin_urls
from reports.selectors import VIEW_PERMISSION

NAMESPACE = "reports"


@hooks.register("register_admin_urls")
def register_urls():
    return [path("reports/", include((admin_urls.urlpatterns, NAMESPACE), namespace=NAMESPACE))]


@hooks.register("register_permissions")
def register_permissions():
    return Permission.objects.filter(content_type__app_label="reports")


@hooks.register("register_admin_menu_item")
def register_reports_menu_item():
    return PermissionMenuItem(
        # Not "Reports": Wagtail's own reports menu (locked pages, site history) is named so.
        _("Training reports"),
        reverse(f"{NAMESPACE}:dashboard"),
        name="reports",
        icon_name="table",
        order=150,
        permission=VIEW_PERMISSION,
    )
