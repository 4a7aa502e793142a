from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from certificates import admin_views
from certificates.models import Certificate
from certificates.viewsets import CertificatesGroup
from training.admin_views import RestrictedPermissionPolicy

# Certificates are issued by the issue service and revoked or replaced, never added, edited or
# deleted by hand: each is evidence its holder may show for years.
register_permission_policy(
    Certificate, RestrictedPermissionPolicy(Certificate, forbidden={"add", "change", "delete"})
)


@hooks.register("register_admin_viewset")
def register_viewsets():
    return [CertificatesGroup()]


@hooks.register("register_log_actions")
def register_log_actions(actions):
    actions.register_action(
        "formativ.certificate.issue", _("Issue a certificate"), _("Certificate issued")
    )
    actions.register_action(
        "formativ.certificate.status",
        _("Revoke or replace a certificate"),
        _("Certificate status changed"),
    )


@hooks.register("register_admin_urls")
def register_certificate_urls():
    """A certificate's files, revoking and re-issuing it; a template's specimen; issuing a
    session's certificates and following the run."""
    v = admin_views
    patterns = [
        path("<int:pk>/certificate.pdf", v.CertificatePdfView.as_view(), name="pdf"),
        path("<int:pk>/credential.json", v.CredentialJsonView.as_view(), name="credential_json"),
        path("<int:pk>/credential.jwt", v.CredentialJwtView.as_view(), name="credential_jwt"),
        path("<int:pk>/revoke/", v.RevokeView.as_view(), name="revoke"),
        path("<int:pk>/reissue/", v.ReissueView.as_view(), name="reissue"),
        path(
            "templates/<int:pk>/preview.pdf",
            v.TemplatePreviewView.as_view(),
            name="template_preview",
        ),
        path("session/<int:pk>/issue/", v.IssueView.as_view(), name="issue"),
        path("runs/<int:pk>/", v.RunView.as_view(), name="run"),
        path("runs/<int:pk>/status/", v.RunStatusView.as_view(), name="run_status"),
    ]
    return [
        path(
            "certificates/",
            include((patterns, admin_views.URL_NAMESPACE), namespace=admin_views.URL_NAMESPACE),
        )
    ]
