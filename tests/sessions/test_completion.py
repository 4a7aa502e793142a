"""The completion rule: when a session is completed, each confirmed participant's result
(completed or not, minutes and days attended) is worked out from their marks and stored; it is
what certificate eligibility reads. make_session's days run 09:00–17:00: 480 minutes each."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from wagtail.models import ModelLogEntry

from sessions.models import Attendance, Enrolment, SessionDay, TrainingSession
from sessions.selectors import certificate_eligible
from sessions.services import (
    Mark,
    attendance_mark,
    attendance_mark_many,
    completion_compute,
    completion_rule,
    enrolment_set_status,
    training_session_complete,
    training_session_save,
)
from tests.factories.sessions import make_session
from tests.factories.training import (
    CourseFactory,
    ProfessionalFactory,
    TrainerFactory,
    UserFactory,
)
from training.models import CertificateType, CompletionBasis

pytestmark = pytest.mark.django_db

A = Attendance.Status
C = Enrolment.Completion
Status = TrainingSession.Status
DAY = 480  # minutes in one of make_session's days


def held(day_count=2, **course):
    """A published session whose `day_count` days are over, of a course with the given rule."""
    return make_session(
        start_in=-day_count - 2, day_count=day_count, course=CourseFactory(**course)
    )


def days_rule(min_days):
    return {"completion_basis": CompletionBasis.DAYS, "min_days": min_days}


def person(session, status=Enrolment.Status.CONFIRMED) -> Enrolment:
    return Enrolment.objects.create(
        training_session=session, professional=ProfessionalFactory(), status=status, source="staff"
    )


def marks(session, enrolment, *statuses, user):
    """Mark `enrolment` on the session's days in order: a status, or (partial, minutes)."""
    batch = []
    for day, status in zip(session.days.order_by("starts_at"), statuses, strict=False):
        if isinstance(status, tuple):
            batch.append(Mark(enrolment.pk, day.pk, *status))
        elif status is not None:
            batch.append(Mark(enrolment.pk, day.pk, status))
    attendance_mark_many(training_session=session, marks=batch, acting_user=user)


def result(enrolment):
    enrolment.refresh_from_db()
    return enrolment.completion, enrolment.attended_minutes, enrolment.attended_days


def complete(session, user) -> int:
    return training_session_complete(training_session=session, acting_user=user)


# --- by hours ------------------------------------------------------------------------------


def test_exactly_eighty_percent_of_the_hours_completes(staff_user):
    session = held(2)  # 960 minutes; 80 % is 768
    enrolment = person(session)
    marks(session, enrolment, A.PRESENT, (A.PARTIAL, 288), user=staff_user)
    assert complete(session, staff_user) == 1
    assert result(enrolment) == (C.COMPLETED, 768, 2)
    assert enrolment.attended_hours == 12.8
    assert enrolment.completion_computed_at is not None


def test_one_minute_under_eighty_percent_does_not(staff_user):
    session = held(2)
    enrolment = person(session)
    marks(session, enrolment, A.PRESENT, (A.PARTIAL, 287), user=staff_user)
    assert complete(session, staff_user) == 0
    assert result(enrolment) == (C.NOT_COMPLETED, 767, 2)


def test_the_share_is_of_hours_not_of_days(staff_user):
    """A long day counts for more than a short one: 8 of 10 hours is 80 %, although it is only
    one day of two."""
    session = held(2)
    long_day, short_day = session.days.order_by("starts_at")
    short_day.ends_at = short_day.starts_at.replace(hour=short_day.starts_at.hour + 2)
    short_day.save()
    enrolment = person(session)
    marks(session, enrolment, A.PRESENT, A.ABSENT, user=staff_user)
    complete(session, staff_user)
    assert result(enrolment) == (C.COMPLETED, DAY, 1)


def test_excused_counts_as_missed(staff_user):
    session = held(2)
    enrolment = person(session)
    marks(session, enrolment, A.PRESENT, A.EXCUSED, user=staff_user)
    complete(session, staff_user)
    assert result(enrolment) == (C.NOT_COMPLETED, DAY, 1)


def test_unmarked_days_count_as_missed(staff_user):
    session = held(3)
    partly, never = person(session), person(session)
    marks(session, partly, A.PRESENT, A.PRESENT, user=staff_user)  # third day unmarked
    complete(session, staff_user)
    assert result(partly) == (C.NOT_COMPLETED, 2 * DAY, 2)
    assert result(never) == (C.NOT_COMPLETED, 0, 0)


def test_minutes_above_a_shortened_days_length_are_capped(staff_user):
    """A day shortened after the marks were taken: 400 minutes of a day now 240 minutes long
    count as 240, never more than the day."""
    session = held(2)
    enrolment = person(session)
    marks(session, enrolment, A.PRESENT, (A.PARTIAL, 400), user=staff_user)
    days = list(session.days.order_by("starts_at"))
    days[1].ends_at = days[1].starts_at.replace(hour=days[1].starts_at.hour + 4)
    session.days = days
    training_session_save(training_session=session, acting_user=staff_user)
    complete(session, staff_user)
    assert result(enrolment) == (C.COMPLETED, DAY + 240, 2)


def test_the_rule_caps_minutes_at_the_days_length():
    course = CourseFactory.build()
    outcome = completion_rule(
        course=course, day_lengths={1: 240, 2: 240}, marks={1: (A.PARTIAL, 1000)}
    )
    assert (outcome.completed, outcome.minutes, outcome.days) == (False, 240, 1)


@pytest.mark.parametrize(
    ("percent", "statuses", "completed"),
    [
        (100, (A.PRESENT, A.PRESENT), True),
        (100, (A.PRESENT, (A.PARTIAL, DAY - 1)), False),
        (50, (A.PRESENT, A.ABSENT), True),
        (50, ((A.PARTIAL, DAY - 1), A.ABSENT), False),
        (60, (A.PRESENT, (A.PARTIAL, 96)), True),  # 576 of 960 is exactly 60 %
        (60, (A.PRESENT, (A.PARTIAL, 95)), False),
    ],
)
def test_a_courses_own_percentage_is_applied(staff_user, percent, statuses, completed):
    session = held(2, min_attendance_percent=percent)
    enrolment = person(session)
    marks(session, enrolment, *statuses, user=staff_user)
    complete(session, staff_user)
    assert result(enrolment)[0] == (C.COMPLETED if completed else C.NOT_COMPLETED)


# --- a cancelled day ------------------------------------------------------------------------


def test_a_day_removed_before_completion_is_no_longer_scheduled(staff_user):
    session = held(3)
    enrolment = person(session)
    marks(session, enrolment, A.PRESENT, A.PRESENT, user=staff_user)  # 2 of 3 days: 66 %
    first, second, _cancelled = session.days.order_by("starts_at")
    session.days = [first, second]
    training_session_save(training_session=session, acting_user=staff_user)
    complete(session, staff_user)
    assert result(enrolment) == (C.COMPLETED, 2 * DAY, 2)


def test_a_day_removed_in_the_same_save_that_completes_is_not_counted(staff_user):
    session = held(3)
    enrolment = person(session)
    marks(session, enrolment, A.PRESENT, A.PRESENT, user=staff_user)
    first, second, _cancelled = session.days.order_by("starts_at")
    session.days = [first, second]
    session.status = Status.COMPLETED
    training_session_save(training_session=session, acting_user=staff_user)
    assert result(enrolment) == (C.COMPLETED, 2 * DAY, 2)
    assert SessionDay.objects.filter(training_session=session).count() == 2


def test_a_day_with_marks_cannot_be_cancelled_and_still_counts(staff_user):
    session = held(3)
    enrolment = person(session)
    marks(session, enrolment, A.PRESENT, A.PRESENT, A.ABSENT, user=staff_user)
    first, second, third = session.days.order_by("starts_at")
    session.days = [first, second]
    with pytest.raises(ValidationError):
        training_session_save(training_session=session, acting_user=staff_user)
    session = TrainingSession.objects.get(pk=session.pk)
    complete(session, staff_user)
    assert result(enrolment) == (C.NOT_COMPLETED, 2 * DAY, 2)


# --- by days (information seminars) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("statuses", "completed", "days"),
    [
        ((A.PRESENT, A.PRESENT, A.ABSENT), True, 2),
        ((A.PRESENT, (A.PARTIAL, 30), None), True, 2),  # a late day is a day attended
        ((A.PRESENT, A.EXCUSED, A.ABSENT), False, 1),
        ((None, None, A.PRESENT), False, 1),
    ],
)
def test_the_days_rule_counts_days_attended(staff_user, statuses, completed, days):
    session = held(3, **days_rule(2))
    enrolment = person(session)
    marks(session, enrolment, *statuses, user=staff_user)
    complete(session, staff_user)
    outcome = result(enrolment)
    assert outcome[0] == (C.COMPLETED if completed else C.NOT_COMPLETED)
    assert outcome[2] == days


def test_the_days_rule_ignores_the_percentage(staff_user):
    """Two short visits of 30 minutes each satisfy "two days", far below 80 % of the hours."""
    session = held(2, **days_rule(2))
    enrolment = person(session)
    marks(session, enrolment, (A.PARTIAL, 30), (A.PARTIAL, 30), user=staff_user)
    complete(session, staff_user)
    assert result(enrolment) == (C.COMPLETED, 60, 2)


def test_a_minimum_above_the_sessions_days_is_capped_to_them(staff_user):
    """A seminar course asking for 3 days, delivered as a one-day session: the one day is
    enough."""
    session = held(1, **days_rule(3))
    there, away = person(session), person(session)
    marks(session, there, A.PRESENT, user=staff_user)
    marks(session, away, A.ABSENT, user=staff_user)
    assert complete(session, staff_user) == 1
    assert result(there) == (C.COMPLETED, DAY, 1)
    assert result(away) == (C.NOT_COMPLETED, 0, 0)


# --- whose result ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status",
    [
        Enrolment.Status.PENDING,
        Enrolment.Status.WAITLISTED,
        Enrolment.Status.CANCELLED,
        Enrolment.Status.REJECTED,
        Enrolment.Status.OFFERED,
    ],
)
def test_only_confirmed_participants_get_a_result(staff_user, status):
    session = held(1)
    confirmed, other = person(session), person(session, status=status)
    marks(session, confirmed, A.PRESENT, user=staff_user)
    assert complete(session, staff_user) == 1
    assert result(confirmed)[0] == C.COMPLETED
    assert result(other) == ("", None, None)
    assert not certificate_eligible(enrolment=other)


def test_a_participant_cancelled_after_completion_loses_the_result(staff_user):
    session = held(1)
    enrolment = person(session)
    marks(session, enrolment, A.PRESENT, user=staff_user)
    complete(session, staff_user)
    Enrolment.objects.filter(pk=enrolment.pk).update(status=Enrolment.Status.CANCELLED)
    completion_compute(training_sessions=[TrainingSession.objects.get(pk=session.pk)])
    assert result(enrolment) == ("", None, None)


def test_a_participant_cancelled_by_the_organisers_after_completion_is_not_eligible(
    staff_user,
):
    session = held(1)
    enrolment = person(session)
    marks(session, enrolment, A.PRESENT, user=staff_user)
    complete(session, staff_user)
    enrolment_set_status(
        enrolment=enrolment,
        status=Enrolment.Status.CANCELLED,
        acting_user=staff_user,
        reason="A plecat în prima oră.",
    )
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.CANCELLED
    assert not certificate_eligible(enrolment=enrolment)


# --- after completion -----------------------------------------------------------------------


def test_a_mark_corrected_after_completion_updates_the_result(staff_user):
    session = held(2)
    enrolment = person(session)
    marks(session, enrolment, A.PRESENT, A.ABSENT, user=staff_user)
    complete(session, staff_user)
    assert result(enrolment)[0] == C.NOT_COMPLETED
    second = session.days.order_by("starts_at").last()
    attendance_mark(enrolment=enrolment, day=second, status=A.PRESENT, acting_user=staff_user)
    assert result(enrolment) == (C.COMPLETED, 2 * DAY, 2)
    assert certificate_eligible(enrolment=enrolment)
    attendance_mark(
        enrolment=enrolment, day=second, status=A.PARTIAL, minutes=10, acting_user=staff_user
    )
    assert result(enrolment) == (C.NOT_COMPLETED, DAY + 10, 2)
    assert not certificate_eligible(enrolment=enrolment)


def test_reopening_a_completed_session_clears_the_results(staff_user):
    session = held(1)
    enrolment = person(session)
    marks(session, enrolment, A.PRESENT, user=staff_user)
    complete(session, staff_user)
    session = TrainingSession.objects.get(pk=session.pk)
    session.status = Status.PUBLISHED
    training_session_save(training_session=session, acting_user=staff_user)
    assert result(enrolment) == ("", None, None)
    assert enrolment.completion_computed_at is None
    assert not certificate_eligible(enrolment=enrolment)
    # Completed again: worked out again.
    assert complete(session, staff_user) == 1
    assert result(enrolment)[0] == C.COMPLETED


def test_completing_is_audited_and_refused_before_the_last_day_ends(staff_user):
    session = make_session(start_in=-1, day_count=3)  # yesterday, today, tomorrow
    enrolment = person(session)
    with pytest.raises(ValidationError):
        complete(session, staff_user)
    assert result(enrolment) == ("", None, None)
    assert TrainingSession.objects.get(pk=session.pk).status == Status.PUBLISHED

    done = held(1)
    complete(done, staff_user)
    entry = ModelLogEntry.objects.get(object_id=str(done.pk), action="formativ.session.status")
    assert (entry.user, entry.data) == (staff_user, {"from": "published", "to": "completed"})


def test_a_trainer_completes_their_own_session_but_not_another(staff_user):
    session, other = held(1), held(1)
    user = UserFactory()
    trainer = TrainerFactory(user=user)
    TrainingSession.trainers.through.objects.create(trainingsession=session, trainer=trainer)
    enrolment = person(other)
    with pytest.raises(PermissionDenied):
        complete(other, user)
    assert TrainingSession.objects.get(pk=other.pk).status == Status.PUBLISHED
    assert result(enrolment) == ("", None, None)
    complete(session, user)
    assert TrainingSession.objects.get(pk=session.pk).status == Status.COMPLETED


def test_completion_compute_stores_only_what_changed(staff_user):
    session = held(1)
    for _ in range(3):
        marks(session, person(session), A.PRESENT, user=staff_user)
    assert complete(session, staff_user) == 3
    session = TrainingSession.objects.get(pk=session.pk)
    assert completion_compute(training_sessions=[session]) == 0


@pytest.mark.parametrize("people", [5, 50])
def test_completion_compute_queries_do_not_grow_with_the_people(
    staff_user, django_assert_max_num_queries, people
):
    session = held(2)
    enrolments = [person(session) for _ in range(people)]
    days = list(session.days.all())
    attendance_mark_many(
        training_session=session,
        marks=[Mark(e.pk, d.pk, A.PRESENT) for e in enrolments for d in days],
        acting_user=staff_user,
    )
    session = TrainingSession.objects.get(pk=session.pk)
    with django_assert_max_num_queries(6):
        assert completion_compute(training_sessions=[session]) == people


# --- certificate eligibility ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("certificate", "statuses", "eligible"),
    [
        (CertificateType.COMPLETION, (A.PRESENT, A.PRESENT), True),
        (CertificateType.PARTICIPATION, (A.PRESENT, A.PRESENT), True),
        (CertificateType.COMPLETION, (A.PRESENT, A.ABSENT), False),
        (CertificateType.NONE, (A.PRESENT, A.PRESENT), False),
    ],
)
def test_certificate_eligibility_reads_the_stored_result(
    staff_user, certificate, statuses, eligible
):
    session = held(2, certificate_type=certificate)
    enrolment = person(session)
    marks(session, enrolment, *statuses, user=staff_user)
    assert not certificate_eligible(enrolment=enrolment)  # not completed yet: nobody is
    complete(session, staff_user)
    enrolment.refresh_from_db()
    assert certificate_eligible(enrolment=enrolment) is eligible
