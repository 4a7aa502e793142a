"""Imports and the review of probable duplicates in the Wagtail admin."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from config.admin_menu import PermissionMenuItem
from imports import admin_urls, review_urls

IMPORTS_NAMESPACE = "imports"
REVIEW_NAMESPACE = "duplicates"


@hooks.register("register_log_actions")
def register_log_actions(actions):
    actions.register_action(
        "formativ.import.upload", _("Upload a spreadsheet to import"), _("Spreadsheet uploaded")
    )
    actions.register_action("formativ.import.run", _("Import a spreadsheet"), _("Imported"))
    actions.register_action(
        "formativ.person.merge", _("Merge two registry entries"), _("Registry entries merged")
    )
    actions.register_action(
        "formativ.person.unmerge", _("Undo a merge of registry entries"), _("Merge undone")
    )
    actions.register_action(
        "formativ.person.distinct",
        _("Mark two registry entries as different people"),
        _("Marked as different people"),
    )


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path(
            "imports/",
            include((admin_urls.urlpatterns, IMPORTS_NAMESPACE), namespace=IMPORTS_NAMESPACE),
        ),
        path(
            "duplicates/",
            include((review_urls.urlpatterns, REVIEW_NAMESPACE), namespace=REVIEW_NAMESPACE),
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_imports_menu_item():
    return PermissionMenuItem(
        _("Imports"),
        reverse(f"{IMPORTS_NAMESPACE}:index"),
        name="imports",
        icon_name="upload",
        order=900,
        permission="imports.run_import",
    )


@hooks.register("register_admin_menu_item")
def register_review_menu_item():
    return PermissionMenuItem(
        _("Possible duplicates"),
        reverse(f"{REVIEW_NAMESPACE}:index"),
        name="possible-duplicates",
        icon_name="group",
        order=910,
        permission="training.change_duplicatecandidate",
    )
