"""The sessions app's models: schedule and registrations (`schedule`), attendance
(`attendance`)."""

from sessions.models.attendance import (
    Attendance,
    AttendanceEvidence,
    CheckInWindow,
    new_checkin_code,
)
from sessions.models.schedule import (
    CalendarToken,
    Enrolment,
    EnrolmentStatusChange,
    SessionDay,
    SessionQuota,
    TrainingSession,
    Venue,
    new_calendar_token,
    new_checkin_token,
)

__all__ = [
    "Attendance",
    "AttendanceEvidence",
    "CalendarToken",
    "CheckInWindow",
    "Enrolment",
    "EnrolmentStatusChange",
    "SessionDay",
    "SessionQuota",
    "TrainingSession",
    "Venue",
    "new_calendar_token",
    "new_checkin_code",
    "new_checkin_token",
]
