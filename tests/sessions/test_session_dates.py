"""A session's stored first and last day (TrainingSession.starts_on / ends_on), which reports
filter and group by: the local (Bucharest) dates of its first and last day, kept in step however
the days are written."""

import datetime

import pytest
from django.utils import timezone

from sessions.models import SessionDay, TrainingSession
from sessions.services import (
    HistoricalSession,
    historical_sessions_create,
    session_dates_refresh,
    training_session_save,
)
from tests.factories.sessions import TrainingSessionFactory, VenueFactory
from tests.factories.training import CourseFactory, ProjectFactory, county

pytestmark = pytest.mark.django_db

d = datetime.date
UTC = datetime.UTC


def utc(year, month, day, hour, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


def add_day(session, start: datetime.datetime, hours: int = 3) -> SessionDay:
    return SessionDay.objects.create(
        training_session=session, starts_at=start, ends_at=start + datetime.timedelta(hours=hours)
    )


def dates(session) -> tuple:
    stored = TrainingSession.objects.values_list("starts_on", "ends_on").get(pk=session.pk)
    return tuple(stored)


def test_a_session_without_days_has_no_dates():
    assert dates(TrainingSessionFactory()) == (None, None)


def test_the_dates_follow_the_days_added_moved_and_deleted():
    session = TrainingSessionFactory()
    first = add_day(session, utc(2030, 3, 10, 7))
    assert dates(session) == (d(2030, 3, 10), d(2030, 3, 10))
    add_day(session, utc(2030, 3, 12, 7))
    assert dates(session) == (d(2030, 3, 10), d(2030, 3, 12))
    add_day(session, utc(2030, 3, 8, 7))  # an earlier day added later
    assert dates(session) == (d(2030, 3, 8), d(2030, 3, 12))
    first.starts_at, first.ends_at = utc(2030, 3, 20, 7), utc(2030, 3, 20, 15)
    first.save()  # moved after the others
    assert dates(session) == (d(2030, 3, 8), d(2030, 3, 20))
    first.delete()
    assert dates(session) == (d(2030, 3, 8), d(2030, 3, 12))
    SessionDay.objects.filter(training_session=session).delete()
    assert dates(session) == (None, None)


@pytest.mark.parametrize(
    ("start", "local_date"),
    [
        # 23:30 UTC is 01:30 (winter) or 02:30 (summer) the next day in Bucharest.
        (utc(2030, 1, 15, 23, 30), d(2030, 1, 16)),
        (utc(2030, 7, 15, 23, 30), d(2030, 7, 16)),
        # 21:30 UTC in winter is 23:30 in Bucharest: still the same day; in summer 00:30 the next.
        (utc(2030, 1, 15, 21, 30), d(2030, 1, 15)),
        (utc(2030, 7, 15, 21, 30), d(2030, 7, 16)),
    ],
)
def test_the_dates_are_local_dates(start, local_date):
    session = TrainingSessionFactory()
    add_day(session, start, hours=1)
    assert dates(session) == (local_date, local_date)


def test_other_sessions_are_left_alone():
    one, other = TrainingSessionFactory(), TrainingSessionFactory()
    add_day(one, utc(2030, 3, 10, 7))
    add_day(other, utc(2030, 4, 1, 7))
    SessionDay.objects.filter(training_session=one).delete()
    assert dates(one) == (None, None)
    assert dates(other) == (d(2030, 4, 1), d(2030, 4, 1))


def unsaved_session(days) -> TrainingSession:
    session = TrainingSession(
        code="S-DATE",
        course=CourseFactory(),
        county=county("CJ"),
        venue=VenueFactory(),
        capacity=20,
        status=TrainingSession.Status.DRAFT,
    )
    session.days = [SessionDay(starts_at=s, ends_at=s + datetime.timedelta(hours=3)) for s in days]
    return session


def test_the_admin_path_stores_the_dates_with_the_days(staff_user):
    # 10 May 23:30 UTC is 11 May 02:30 in Bucharest.
    session = unsaved_session([utc(2030, 5, 10, 6), utc(2030, 5, 10, 23, 30)])
    saved = training_session_save(training_session=session, acting_user=staff_user)
    pk = saved.training_session.pk
    assert dates(saved.training_session) == (d(2030, 5, 10), d(2030, 5, 11))

    # Edited in the admin: the first day removed, the second moved to 12 May, one added on 14.
    session = TrainingSession.objects.get(pk=pk)
    days = list(session.days.order_by("starts_at"))
    days = [days[1]]
    days[0].starts_at, days[0].ends_at = utc(2030, 5, 12, 6), utc(2030, 5, 12, 14)
    days.append(SessionDay(starts_at=utc(2030, 5, 14, 6), ends_at=utc(2030, 5, 14, 14)))
    session.days = days
    training_session_save(training_session=session, acting_user=staff_user)
    assert dates(session) == (d(2030, 5, 12), d(2030, 5, 14))

    # The 14 May day removed.
    session = TrainingSession.objects.get(pk=pk)
    session.days = [day for day in session.days.all() if day.starts_at.day == 12]
    training_session_save(training_session=session, acting_user=staff_user)
    assert dates(session) == (d(2030, 5, 12), d(2030, 5, 12))


def test_historical_sessions_carry_their_dates():
    course = CourseFactory(hours=16)
    created = historical_sessions_create(
        sessions=[
            HistoricalSession(
                code="H-1",
                course=course,
                project=ProjectFactory(),
                county=county("IS"),
                start=d(2019, 10, 30),
                end=d(2019, 11, 1),
            )
        ]
    )
    session = TrainingSession.objects.get(pk=created[0].pk)
    assert (session.starts_on, session.ends_on) == (d(2019, 10, 30), d(2019, 11, 1))
    local_days = [timezone.localdate(day.starts_at) for day in session.days.order_by("starts_at")]
    assert local_days == [d(2019, 10, 30), d(2019, 10, 31), d(2019, 11, 1)]


def test_refresh_mends_dates_after_a_bulk_write(django_assert_num_queries):
    sessions = [TrainingSessionFactory() for _ in range(3)]
    for i, session in enumerate(sessions):
        add_day(session, utc(2030, 6, 1 + i, 6))
    # Bulk writes send no signal: the stored dates are now stale.
    SessionDay.objects.filter(training_session=sessions[0]).update(
        starts_at=utc(2030, 9, 1, 22), ends_at=utc(2030, 9, 1, 23)
    )
    SessionDay.objects.bulk_create(
        [
            SessionDay(
                training_session=sessions[1],
                starts_at=utc(2030, 6, 30, 6),
                ends_at=utc(2030, 6, 30, 9),
            )
        ]
    )
    SessionDay.objects.filter(training_session=sessions[2])._raw_delete(SessionDay.objects.db)
    assert dates(sessions[0]) == (d(2030, 6, 1), d(2030, 6, 1))

    with django_assert_num_queries(3):
        session_dates_refresh(session_ids=[s.pk for s in sessions])
    # 1 September 22:00 UTC is 2 September 01:00 in Bucharest.
    assert dates(sessions[0]) == (d(2030, 9, 2), d(2030, 9, 2))
    assert dates(sessions[1]) == (d(2030, 6, 2), d(2030, 6, 30))
    assert dates(sessions[2]) == (None, None)

    with django_assert_num_queries(2):  # nothing changed: nothing written
        session_dates_refresh(session_ids=[s.pk for s in sessions])
