"""The age band is the age on the session's first day, and 29 February is no exception."""

import datetime

import pytest

from reports.selectors import participation_report
from sessions.models import Attendance
from tests.factories.training import ProfessionalFactory
from tests.reports.conftest import attend, held_session

pytestmark = pytest.mark.django_db


def _trained_on(day: datetime.date, birth_date: datetime.date) -> None:
    session = held_session(days=[day])
    attend(session, ProfessionalFactory(birth_date=birth_date), [Attendance.Status.PRESENT])


@pytest.mark.parametrize(
    ("first_day", "birth_date", "band"),
    [
        # Born 1 March 1999: still 24 on 29 February 2024, 25 the next day.
        (datetime.date(2024, 2, 29), datetime.date(1999, 3, 1), "under_25"),
        (datetime.date(2024, 3, 1), datetime.date(1999, 3, 1), "25_54"),
        # Born 28 February 1999: 25 on 29 February 2024.
        (datetime.date(2024, 2, 29), datetime.date(1999, 2, 28), "25_54"),
        # Born 1 March 1969: 54 on 29 February 2024, 55 on 1 March.
        (datetime.date(2024, 2, 29), datetime.date(1969, 3, 1), "25_54"),
        (datetime.date(2024, 3, 1), datetime.date(1969, 3, 1), "over_54"),
        # An ordinary day: 25 on the birthday itself.
        (datetime.date(2023, 6, 15), datetime.date(1998, 6, 15), "25_54"),
        (datetime.date(2023, 6, 14), datetime.date(1998, 6, 15), "under_25"),
    ],
)
def test_the_age_band_on_the_sessions_first_day(first_day, birth_date, band):
    _trained_on(first_day, birth_date)
    report = participation_report(group_by=["age_band"])
    assert [row.key["age_band"] for row in report.table.rows] == [band]
