from django.urls import include, path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from sessions import admin_views
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
    actions.register_action(
        "formativ.checkin.window", _("Open or close self check-in"), _("Self check-in changed")
    )
    actions.register_action(
        "formativ.attendance.evidence",
        _("Upload or remove a signed sheet"),
        _("Signed sheet changed"),
    )
    actions.register_action(
        "formativ.calendar.token",
        _("Change calendar subscription key"),
        _("Calendar subscription key changed"),
    )


@hooks.register("register_admin_urls")
def register_roster_urls():
    """The roster of a session and the organisers' actions on its enrolments."""
    patterns = [
        path("<int:pk>/roster/", admin_views.RosterView.as_view(), name="roster"),
        path("<int:pk>/roster/add/", admin_views.BulkEnrolView.as_view(), name="bulk_enrol"),
        path("<int:pk>/roster/promote/", admin_views.PromoteView.as_view(), name="promote"),
        path(
            "<int:pk>/roster/<int:enrolment_pk>/<slug:action>/",
            admin_views.enrolment_action,
            name="enrolment_action",
        ),
    ]
    return [
        path(
            "training-sessions/",
            include((patterns, admin_views.URL_NAMESPACE), namespace=admin_views.URL_NAMESPACE),
        )
    ]


@hooks.register("insert_global_admin_css")
def roster_css():
    # Long checkbox lists (42 counties) in columns; the roster's counters and buttons in rows.
    return format_html(
        "<style>{}</style>",
        "div.formativ-columns{columns:14rem auto;column-gap:2rem}"
        "div.formativ-columns>div{break-inside:avoid}"
        ".formativ-counters{display:flex;flex-wrap:wrap;gap:1.5rem;margin:0 0 1rem}"
        ".formativ-counters dd{font-size:1.5rem;font-weight:700;margin:0}"
        ".formativ-actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}"
        ".formativ-inline-form{display:inline}",
    )
