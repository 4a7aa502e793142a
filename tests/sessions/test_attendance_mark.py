"""Marking participants for the days of their session: one mark (`attendance_mark`), a batch
that is all or nothing (`attendance_mark_many`), "mark all present", the audit history, and who
may take attendance."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from wagtail.models import ModelLogEntry

from sessions.models import Attendance, Enrolment, TrainingSession
from sessions.services import (
    Mark,
    attendance_mark,
    attendance_mark_all_present,
    attendance_mark_many,
)
from tests.factories.sessions import make_session
from tests.factories.training import ProfessionalFactory, TrainerFactory, UserFactory

pytestmark = pytest.mark.django_db

A = Attendance.Status


def enrolment_in(session, status=Enrolment.Status.CONFIRMED) -> Enrolment:
    return Enrolment.objects.create(
        training_session=session, professional=ProfessionalFactory(), status=status, source="staff"
    )


def attendance_taker(django_user_model):
    """ANES staff allowed to take attendance of every session (their scope: all records),
    but no superuser."""
    user = django_user_model.objects.create_user("secretar", "s@example.org", "x")
    user.user_permissions.add(
        Permission.objects.get(
            codename="change_attendance", content_type__app_label="training_sessions"
        ),
        Permission.objects.get(codename="see_all_records", content_type__app_label="training"),
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


# --- late or partial: the minutes attended ---------------------------------------------------
# make_session's days run 09:00–17:00: 480 minutes.


@pytest.mark.parametrize("minutes", [1, 90, 479])
def test_a_late_arrival_is_marked_with_the_minutes_attended(staff_user, past_session, minutes):
    enrolment = enrolment_in(past_session)
    mark(enrolment, past_session.days.first(), A.PARTIAL, staff_user, minutes=minutes)
    saved = Attendance.objects.get()
    assert (saved.status, saved.minutes) == (A.PARTIAL, minutes)


@pytest.mark.parametrize("minutes", [None, 0, -30, 480, 600])
def test_partial_needs_minutes_between_zero_and_the_days_length(staff_user, past_session, minutes):
    enrolment = enrolment_in(past_session)
    with pytest.raises(ValidationError) as excinfo:
        mark(enrolment, past_session.days.first(), A.PARTIAL, staff_user, minutes=minutes)
    assert "480" in " ".join(excinfo.value.messages)  # the person marking is told the limit
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("status", [A.PRESENT, A.ABSENT, A.EXCUSED])
def test_minutes_are_refused_with_any_other_status(staff_user, past_session, status):
    enrolment = enrolment_in(past_session)
    with pytest.raises(ValidationError):
        mark(enrolment, past_session.days.first(), status, staff_user, minutes=60)
    assert not Attendance.objects.exists()


def test_late_is_refused_on_a_day_that_has_not_started(staff_user):
    session = make_session(start_in=1, day_count=1)
    with pytest.raises(ValidationError):
        mark(enrolment_in(session), session.days.get(), A.PARTIAL, staff_user, minutes=60)
    assert not Attendance.objects.exists()


def test_correcting_partial_to_present_drops_the_minutes(staff_user, past_session):
    enrolment = enrolment_in(past_session)
    day = past_session.days.first()
    mark(enrolment, day, A.PARTIAL, staff_user, minutes=120)
    mark(enrolment, day, A.PRESENT, staff_user)
    saved = Attendance.objects.get()
    assert (saved.status, saved.minutes) == (A.PRESENT, None)


# --- sessions that take no attendance ----------------------------------------------------------


@pytest.mark.parametrize("status", [TrainingSession.Status.DRAFT, TrainingSession.Status.CANCELLED])
def test_draft_and_cancelled_sessions_take_no_attendance(staff_user, status):
    session = make_session(start_in=-3, day_count=1, status=status)
    with pytest.raises(ValidationError):
        mark(enrolment_in(session), session.days.get(), A.PRESENT, staff_user)
    assert not Attendance.objects.exists()


def test_someone_registered_for_another_session_is_refused(staff_user, past_session):
    other = make_session(start_in=-3, day_count=1)
    stranger = enrolment_in(other)
    with pytest.raises(ValidationError):
        attendance_mark_many(
            training_session=past_session,
            marks=[Mark(stranger.pk, past_session.days.first().pk, A.PRESENT)],
            acting_user=staff_user,
        )
    assert not Attendance.objects.exists()


# --- several marks at once: all or none ------------------------------------------------------


def test_a_batch_is_recorded_whole(staff_user, past_session):
    first_day, second_day = past_session.days.all()
    ana, ion = enrolment_in(past_session), enrolment_in(past_session)
    saved = attendance_mark_many(
        training_session=past_session,
        marks=[
            Mark(ana.pk, first_day.pk, A.PRESENT),
            Mark(ion.pk, first_day.pk, A.PARTIAL, 200),
            Mark(ana.pk, second_day.pk, A.ABSENT),
        ],
        acting_user=staff_user,
        method=Attendance.Method.SHEET,
    )
    assert len(saved) == 3
    assert set(Attendance.objects.values_list("enrolment", "day", "status", "minutes")) == {
        (ana.pk, first_day.pk, A.PRESENT, None),
        (ion.pk, first_day.pk, A.PARTIAL, 200),
        (ana.pk, second_day.pk, A.ABSENT, None),
    }
    assert set(Attendance.objects.values_list("method", flat=True)) == {Attendance.Method.SHEET}


def test_one_wrong_mark_refuses_the_whole_batch_with_errors_by_position(staff_user, past_session):
    day = past_session.days.first()
    other_day = make_session(start_in=-3, day_count=1).days.get()
    ana, ion, maria = (enrolment_in(past_session) for _ in range(3))
    waiting = enrolment_in(past_session, status=Enrolment.Status.WAITLISTED)
    with pytest.raises(ValidationError) as excinfo:
        attendance_mark_many(
            training_session=past_session,
            marks=[
                Mark(ana.pk, day.pk, A.PRESENT),  # fine
                Mark(ion.pk, other_day.pk, A.PRESENT),  # another session's day
                Mark(maria.pk, day.pk, A.PRESENT),  # fine
                Mark(waiting.pk, day.pk, A.PRESENT),  # not confirmed
                Mark(maria.pk + 10_000, day.pk, A.ABSENT),  # nobody
                Mark(ion.pk, day.pk, A.ABSENT, 30),  # minutes without partial
            ],
            acting_user=staff_user,
        )
    assert set(excinfo.value.message_dict) == {"1", "3", "4", "5"}
    assert not Attendance.objects.exists()
    assert not ModelLogEntry.objects.filter(action="formativ.attendance.mark").exists()


def test_a_wrong_mark_leaves_the_earlier_marks_of_the_day_as_they_were(staff_user, past_session):
    day = past_session.days.first()
    ana, ion = enrolment_in(past_session), enrolment_in(past_session)
    mark(ana, day, A.ABSENT, staff_user)
    with pytest.raises(ValidationError):
        attendance_mark_many(
            training_session=past_session,
            marks=[Mark(ana.pk, day.pk, A.PRESENT), Mark(ion.pk, day.pk, A.PARTIAL, 0)],
            acting_user=staff_user,
        )
    assert list(Attendance.objects.values_list("enrolment", "status")) == [(ana.pk, A.ABSENT)]


def test_the_same_person_and_day_twice_in_a_batch_is_refused(staff_user, past_session):
    day = past_session.days.first()
    ana = enrolment_in(past_session)
    with pytest.raises(ValidationError) as excinfo:
        attendance_mark_many(
            training_session=past_session,
            marks=[Mark(ana.pk, day.pk, A.PRESENT), Mark(ana.pk, day.pk, A.ABSENT)],
            acting_user=staff_user,
        )
    assert set(excinfo.value.message_dict) == {"1"}
    assert not Attendance.objects.exists()


def test_mark_all_present_leaves_marks_already_taken(staff_user, past_session):
    day = past_session.days.first()
    absent, late, fresh = (enrolment_in(past_session) for _ in range(3))
    enrolment_in(past_session, status=Enrolment.Status.WAITLISTED)
    mark(absent, day, A.ABSENT, staff_user)
    mark(late, day, A.PARTIAL, staff_user, minutes=240)
    assert attendance_mark_all_present(day=day, acting_user=staff_user) == 1
    assert dict(Attendance.objects.values_list("enrolment", "status")) == {
        absent.pk: A.ABSENT,
        late.pk: A.PARTIAL,
        fresh.pk: A.PRESENT,
    }
    assert attendance_mark_all_present(day=day, acting_user=staff_user) == 0


def test_mark_all_present_is_refused_before_the_day(staff_user):
    session = make_session(start_in=2, day_count=1)
    enrolment_in(session)
    with pytest.raises(ValidationError):
        attendance_mark_all_present(day=session.days.get(), acting_user=staff_user)
    assert not Attendance.objects.exists()


# --- the audit history -----------------------------------------------------------------------


def _mark_entries():
    return list(
        ModelLogEntry.objects.filter(action="formativ.attendance.mark").order_by("timestamp", "pk")
    )


def test_marking_the_same_again_writes_no_history(staff_user, django_user_model, past_session):
    enrolment = enrolment_in(past_session)
    day = past_session.days.first()
    mark(enrolment, day, A.PARTIAL, staff_user, minutes=120)
    mark(enrolment, day, A.PARTIAL, attendance_taker(django_user_model), minutes=120)
    assert len(_mark_entries()) == 1
    assert Attendance.objects.get().marked_by == staff_user  # who really marked it


def test_each_change_is_logged_with_what_it_was_and_what_it_became(staff_user, past_session):
    enrolment = enrolment_in(past_session)
    day = past_session.days.first()
    mark(enrolment, day, A.ABSENT, staff_user)
    mark(enrolment, day, A.PARTIAL, staff_user, minutes=60)
    mark(enrolment, day, A.PARTIAL, staff_user, minutes=90)  # new minutes: a change too
    mark(enrolment, day, A.PRESENT, staff_user, method=Attendance.Method.SHEET)
    changes = [
        (e.data["from"], e.data["status"], e.data["minutes"], e.data["method"])
        for e in _mark_entries()
    ]
    assert changes == [
        ("", A.ABSENT, None, "staff"),
        (A.ABSENT, A.PARTIAL, 60, "staff"),
        (A.PARTIAL, A.PARTIAL, 90, "staff"),
        (A.PARTIAL, A.PRESENT, None, "sheet"),
    ]
    assert {e.data["enrolment"] for e in _mark_entries()} == {enrolment.pk}
    assert {e.data["day"] for e in _mark_entries()} == {day.pk}


# --- who may take attendance -----------------------------------------------------------------


def trainer_user(session, username="formator"):
    """A user who is one of the session's trainers, with no back-office permission."""
    user = UserFactory(username=username)
    trainer = TrainerFactory(user=user)
    TrainingSession.trainers.through.objects.create(trainingsession=session, trainer=trainer)
    return user


def test_a_trainer_marks_their_own_session(past_session):
    user = trainer_user(past_session)
    enrolment = enrolment_in(past_session)
    mark(enrolment, past_session.days.first(), A.PRESENT, user)
    assert Attendance.objects.get().marked_by == user


def test_a_trainer_may_not_mark_another_session(past_session):
    other = make_session(start_in=-3, day_count=1)
    user = trainer_user(other)
    with pytest.raises(PermissionDenied):
        mark(enrolment_in(past_session), past_session.days.first(), A.PRESENT, user)
    with pytest.raises(PermissionDenied):
        attendance_mark_all_present(day=past_session.days.first(), acting_user=user)
    assert not Attendance.objects.exists()


def test_a_user_without_the_right_may_not_mark(past_session):
    with pytest.raises(PermissionDenied):
        mark(enrolment_in(past_session), past_session.days.first(), A.PRESENT, UserFactory())
    assert not Attendance.objects.exists()


def test_an_inactive_trainer_may_not_mark(past_session):
    user = trainer_user(past_session)
    user.is_active = False
    user.save()
    with pytest.raises(PermissionDenied):
        mark(enrolment_in(past_session), past_session.days.first(), A.PRESENT, user)
    assert not Attendance.objects.exists()


def test_an_organiser_with_the_attendance_right_marks_any_session(django_user_model, past_session):
    user = attendance_taker(django_user_model)
    mark(enrolment_in(past_session), past_session.days.first(), A.PRESENT, user)
    assert Attendance.objects.get().marked_by == user
