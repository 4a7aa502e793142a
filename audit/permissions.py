from wagtail.permission_policies import ModelPermissionPolicy

from privacy.models import PrivacyAccess

VIEW_AUDIT_LOG = "privacy.view_audit_log"


class AuditLogPermissionPolicy(ModelPermissionPolicy):
    """Actions are the codenames of the privacy app's permissions: "view_audit_log"."""

    def _get_permission_name(self, action):
        return f"{self.app_label}.{action}"


audit_log_policy = AuditLogPermissionPolicy(PrivacyAccess)
