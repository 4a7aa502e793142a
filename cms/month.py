"""The month view of the calendar: weeks of days, each with the sessions held that day."""

import calendar
import datetime

from django.utils import timezone


def month_grid(month: datetime.date, sessions) -> list[list[dict]]:
    """Weeks (Monday first) of {"date", "in_month", "sessions"} for the month of `month`.
    `sessions` should have their days prefetched."""
    by_date: dict[datetime.date, list] = {}
    for session in sessions:
        for day in session.days.all():
            by_date.setdefault(timezone.localtime(day.starts_at).date(), []).append(session)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    return [
        [
            {"date": d, "in_month": d.month == month.month, "sessions": by_date.get(d, [])}
            for d in week
        ]
        for week in weeks
    ]
