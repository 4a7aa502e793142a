from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from sessions.models import Attendance, Enrolment, TrainingSession
from sessions.viewsets import SessionChooserViewSet, SessionsGroup, VenueChooserViewSet
from training.admin_views import RestrictedPermissionPolicy

# Sessions are cancelled and enrolments cancelled or rejected, never deleted: their history
# is evidence for funders. Attendance is taken on the attendance screen, not added by hand.
register_permission_policy(
    TrainingSession, RestrictedPermissionPolicy(TrainingSession, forbidden={"delete"})
)
register_permission_policy(Enrolment, RestrictedPermissionPolicy(Enrolment, forbidden={"delete"}))
register_permission_policy(
    Attendance, RestrictedPermissionPolicy(Attendance, forbidden={"add", "delete"})
)


@hooks.register("register_admin_viewset")
def register_viewsets():
    return [
        SessionsGroup(),
        SessionChooserViewSet("training_session_chooser"),
        VenueChooserViewSet("venue_chooser"),
    ]


@hooks.register("register_log_actions")
def register_log_actions(actions):
    actions.register_action(
        "formativ.session.status", _("Change session status"), _("Session status changed")
    )
    actions.register_action(
        "formativ.enrolment.status", _("Change enrolment status"), _("Enrolment status changed")
    )
    actions.register_action(
        "formativ.attendance.mark", _("Mark attendance"), _("Attendance marked")
    )
