"""The audit log's wording for privacy notices and consent records. Imported by the app's
ready(): the log refuses actions nobody registered."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from privacy import services


@hooks.register("register_log_actions")
def register_privacy_notice_actions(actions):
    actions.register_action(
        services.NOTICE_CREATE_ACTION, _("Add a privacy notice version"), _("Version added")
    )
    actions.register_action(
        services.NOTICE_EDIT_ACTION, _("Edit a draft privacy notice"), _("Draft edited")
    )
    actions.register_action(
        services.NOTICE_PUBLISH_ACTION, _("Publish a privacy notice"), _("Version published")
    )
    actions.register_action(
        services.NOTICE_DELETE_ACTION, _("Delete a draft privacy notice"), _("Draft deleted")
    )
    actions.register_action(services.CONSENT_ACTION, _("Record a consent"), _("Consent recorded"))
