from django.urls import include, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy

from sessions import admin_views, attendance_views
from sessions.models import Attendance, Enrolment, TrainingSession
from sessions.selectors import ATTENDANCE_PERMISSION
from sessions.viewsets import SessionChooserViewSet, SessionsGroup, VenueChooserViewSet
from training.admin_views import RestrictedPermissionPolicy
from training.models import Trainer

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
        *attendance_patterns(),
    ]
    return [
        path(
            "training-sessions/",
            include((patterns, admin_views.URL_NAMESPACE), namespace=admin_views.URL_NAMESPACE),
        )
    ]


def attendance_patterns():
    """Taking attendance: the session's overview, each day's marking, scanner, projector and
    sign-in sheet, the signed sheets kept as evidence."""
    v = attendance_views
    day = "<int:pk>/attendance/<int:day_pk>"
    return [
        path("attendance/", v.AttendanceIndexView.as_view(), name="attendance_index"),
        path("<int:pk>/attendance/", v.AttendanceView.as_view(), name="attendance"),
        path(
            "<int:pk>/attendance/complete/",
            v.CompleteView.as_view(),
            name="attendance_complete",
        ),
        path(
            "<int:pk>/attendance/attendance.xlsx",
            v.WorkbookView.as_view(),
            name="attendance_workbook",
        ),
        path(f"{day}/", v.DayView.as_view(), name="attendance_day"),
        path(f"{day}/all-present/", v.AllPresentView.as_view(), name="attendance_all_present"),
        path(f"{day}/scan/", v.ScanView.as_view(), name="attendance_scan"),
        path(f"{day}/projector/", v.ProjectorView.as_view(), name="attendance_projector"),
        path(
            f"{day}/projector/status/",
            v.ProjectorStatusView.as_view(),
            name="attendance_projector_status",
        ),
        path(f"{day}/sign-in-sheet.pdf", v.SheetView.as_view(), name="attendance_sheet"),
        path(f"{day}/evidence/", v.evidence_upload_view, name="attendance_evidence_upload"),
        path(
            "<int:pk>/attendance/evidence/<int:evidence_pk>/",
            v.EvidenceFileView.as_view(),
            name="attendance_evidence_file",
        ),
        path(
            "<int:pk>/attendance/evidence/<int:evidence_pk>/delete/",
            v.EvidenceDeleteView.as_view(),
            name="attendance_evidence_delete",
        ),
    ]


class AttendanceMenuItem(MenuItem):
    """For organisers holding the attendance permission and for trainers with an account:
    the sessions whose attendance they take."""

    def is_shown(self, request):
        user = request.user
        return user.has_perm(ATTENDANCE_PERMISSION) or Trainer.objects.filter(user=user).exists()


@hooks.register("register_admin_menu_item")
def register_attendance_menu_item():
    return AttendanceMenuItem(
        _("Take attendance"),
        reverse(f"{admin_views.URL_NAMESPACE}:attendance_index"),
        name="take-attendance",
        icon_name="calendar-check",
        order=190,
    )


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
