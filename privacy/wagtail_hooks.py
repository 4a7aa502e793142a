"""Personal data in the Wagtail admin: the "Erase personal data" action of a person's edit
page, the retention screen, and the audit log's wording for erasures."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.menus import MenuItem as ListingMenuItem
from wagtail.snippets.action_menu import ActionMenuItem

from config.admin_menu import PermissionMenuItem
from privacy import admin_urls, erasure, retention
from privacy.admin_views import NAMESPACE, erase_url
from privacy.viewsets import PrivacyGroup
from training.models import Professional


@hooks.register("register_log_actions")
def register_log_actions(actions):
    actions.register_action(
        erasure.ERASE_ACTION, _("Erase a person's personal data"), _("Personal data erased")
    )
    actions.register_action(
        retention.RETENTION_ACTION,
        _("Anonymise the people past retention"),
        _("Retention run"),
    )


@hooks.register("register_admin_urls")
def register_urls():
    return [path("privacy/", include((admin_urls.urlpatterns, NAMESPACE), namespace=NAMESPACE))]


class EraseMenuItem(ActionMenuItem):
    """On a person's edit page, in the save button's menu: opens the confirmation page."""

    name = "action-erase-personal-data"
    label = _("Erase personal data")
    icon_name = "bin"
    order = 90

    def is_shown(self, context):
        instance = context.get("instance")
        return (
            context.get("view") == "edit"
            and instance is not None
            and instance.erased_at is None
            and context["request"].user.has_perm(erasure.ERASE_PERMISSION)
        )

    def get_url(self, parent_context):
        return erase_url(parent_context["instance"].pk)


@hooks.register("register_snippet_action_menu_item")
def register_erase_menu_item(model):
    return EraseMenuItem() if model is Professional else None


@hooks.register("register_snippet_listing_buttons")
def register_erase_listing_button(snippet, user, next_url=None):
    if (
        isinstance(snippet, Professional)
        and snippet.erased_at is None
        and user.has_perm(erasure.ERASE_PERMISSION)
    ):
        yield ListingMenuItem(
            _("Erase personal data"), erase_url(snippet.pk), icon_name="bin", priority=90
        )


@hooks.register("register_settings_menu_item")
def register_retention_menu_item():
    return PermissionMenuItem(
        _("Retention"),
        reverse(f"{NAMESPACE}:retention"),
        name="retention",
        icon_name="time",
        order=900,
        permission=retention.RETENTION_PERMISSION,
    )


@hooks.register("register_admin_viewset")
def register_privacy_viewsets():
    return PrivacyGroup()
