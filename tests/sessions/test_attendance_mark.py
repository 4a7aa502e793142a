"""Marking a participant for one day of their session (`attendance_mark`)."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from wagtail.models import ModelLogEntry

from sessions.models import Attendance, Enrolment
from sessions.services import attendance_mark
from tests.factories.sessions import make_session
from tests.factories.training import ProfessionalFactory

pytestmark = pytest.mark.django_db

A = Attendance.Status


def enrolment_in(session, status=Enrolment.Status.CONFIRMED) -> Enrolment:
    return Enrolment.objects.create(
        training_session=session, professional=ProfessionalFactory(), status=status, source="staff"
    )


def attendance_taker(django_user_model):
    """A county coordinator allowed to take attendance, but no superuser."""
    user = django_user_model.objects.create_user("secretar", "s@example.org", "x")
    user.user_permissions.add(
        Permission.objects.get(
            codename="change_attendance", content_type__app_label="training_sessions"
        )
    )
    return django_user_model.objects.get(pk=user.pk)


def mark(enrolment, day, status, user, **kwargs) -> Attendance:
    return attendance_mark(enrolment=enrolment, day=day, status=status, acting_user=user, **kwargs)


@pytest.fixture
def past_session():
    return make_session(start_in=-3, day_count=2)


def test_a_confirmed_participant_is_marked_present_on_a_past_day(staff_user, past_session):
    enrolment = enrolment_in(past_session)
    day = past_session.days.first()
    mark(enrolment, day, A.PRESENT, staff_user)
    saved = Attendance.objects.get()
    assert (saved.enrolment, saved.day, saved.status) == (enrolment, day, A.PRESENT)
    assert saved.marked_by == staff_user


def test_a_day_of_another_session_is_refused(staff_user, past_session):
    other = make_session(start_in=-3, day_count=1)
    with pytest.raises(ValidationError):
        mark(enrolment_in(past_session), other.days.get(), A.PRESENT, staff_user)
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    "status",
    [
        Enrolment.Status.PENDING,
        Enrolment.Status.WAITLISTED,
        Enrolment.Status.CANCELLED,
        Enrolment.Status.REJECTED,
    ],
)
def test_only_confirmed_participants_can_be_marked(staff_user, past_session, status):
    enrolment = enrolment_in(past_session, status=status)
    with pytest.raises(ValidationError):
        mark(enrolment, past_session.days.first(), A.PRESENT, staff_user)
    assert not Attendance.objects.exists()


def test_nobody_is_present_on_a_future_day(staff_user):
    session = make_session(start_in=2, day_count=1)
    with pytest.raises(ValidationError):
        mark(enrolment_in(session), session.days.get(), A.PRESENT, staff_user)
    assert not Attendance.objects.exists()


def test_present_on_the_days_already_held_but_not_on_those_to_come(staff_user):
    session = make_session(start_in=-1, day_count=3)  # yesterday, today, tomorrow
    enrolment = enrolment_in(session)
    yesterday, _, tomorrow = session.days.all()
    mark(enrolment, yesterday, A.PRESENT, staff_user)
    with pytest.raises(ValidationError):
        mark(enrolment, tomorrow, A.PRESENT, staff_user)
    assert list(Attendance.objects.values_list("day", flat=True)) == [yesterday.pk]


def test_an_unknown_status_is_refused(staff_user, past_session):
    with pytest.raises(ValidationError):
        mark(enrolment_in(past_session), past_session.days.first(), "tardy", staff_user)
    assert not Attendance.objects.exists()


def test_correcting_a_mark_updates_it(staff_user, django_user_model, past_session):
    enrolment = enrolment_in(past_session)
    day = past_session.days.first()
    first = mark(enrolment, day, A.PRESENT, staff_user)
    corrector = attendance_taker(django_user_model)
    second = mark(enrolment, day, A.EXCUSED, corrector, method=Attendance.Method.SHEET)
    assert second.pk == first.pk
    saved = Attendance.objects.get()
    assert (saved.status, saved.method, saved.marked_by) == (
        A.EXCUSED,
        Attendance.Method.SHEET,
        corrector,
    )


def test_each_day_gets_its_own_mark(staff_user, past_session):
    enrolment = enrolment_in(past_session)
    first_day, second_day = past_session.days.all()
    mark(enrolment, first_day, A.PRESENT, staff_user)
    mark(enrolment, second_day, A.ABSENT, staff_user)
    assert dict(Attendance.objects.values_list("day", "status")) == {
        first_day.pk: A.PRESENT,
        second_day.pk: A.ABSENT,
    }


def test_marks_and_corrections_are_audit_logged(staff_user, django_user_model, past_session):
    enrolment = enrolment_in(past_session)
    day = past_session.days.first()
    attendance = mark(enrolment, day, A.ABSENT, staff_user)
    corrector = attendance_taker(django_user_model)
    mark(enrolment, day, A.PRESENT, corrector)
    entries = ModelLogEntry.objects.for_instance(attendance).order_by("timestamp", "pk")
    assert [(e.user_id, e.data["status"]) for e in entries] == [
        (staff_user.pk, A.ABSENT),
        (corrector.pk, A.PRESENT),
    ]


def test_a_refused_mark_is_not_logged(staff_user, past_session):
    enrolment = enrolment_in(past_session, status=Enrolment.Status.WAITLISTED)
    with pytest.raises(ValidationError):
        mark(enrolment, past_session.days.first(), A.PRESENT, staff_user)
    assert not ModelLogEntry.objects.filter(action="formativ.attendance.mark").exists()
