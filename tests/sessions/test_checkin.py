"""Check-in: staff scanning a participant's personal code (`checkin_scan`), the short code the
organiser projects for a few minutes (`checkin_window_open`/`_close`) and participants checking
themselves in with it (`checkin_self`), and the limit on self check-in attempts."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from wagtail.models import ModelLogEntry

from sessions.models import Attendance, CheckInWindow, Enrolment, SessionDay, TrainingSession
from sessions.models.attendance import CHECKIN_CODE_ALPHABET
from sessions.ratelimit import checkin_attempt_allowed
from sessions.selectors import open_checkin_window
from sessions.services import (
    attendance_mark,
    checkin_scan,
    checkin_self,
    checkin_window_close,
    checkin_window_open,
    training_session_save,
)
from tests.factories.sessions import TrainingSessionFactory, at, running_span
from tests.factories.training import PersonFactory, TrainerFactory, UserFactory

pytestmark = pytest.mark.django_db

A = Attendance.Status
Method = Attendance.Method
HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)


def running_session(starts=None, ends=None, **kwargs) -> tuple[TrainingSession, SessionDay]:
    """A session with a day running now and a day tomorrow (09:00–17:00). The running day is
    `starts`..`ends` from now when given (the timing tests), else from an hour ago until three
    hours on, kept within today's date as a saved day must be."""
    now = timezone.now()
    session = TrainingSessionFactory(**kwargs)
    if starts is None and ends is None:
        starts_at, ends_at = running_span()
    else:
        starts_at, ends_at = (
            now + (-HOUR if starts is None else starts),
            now + (3 * HOUR if ends is None else ends),
        )
    today = SessionDay.objects.create(
        training_session=session, starts_at=starts_at, ends_at=ends_at
    )
    SessionDay.objects.create(training_session=session, starts_at=at(1, 9), ends_at=at(1, 17))
    return session, today


def tomorrow_of(session) -> SessionDay:
    return session.days.get(starts_at=at(1, 9))


def participant(session, status=Enrolment.Status.CONFIRMED) -> Enrolment:
    """An enrolment of a person with their own account."""
    return Enrolment.objects.create(
        training_session=session, professional=PersonFactory(), status=status, source="self"
    )


def trainer_of(session):
    user = UserFactory()
    trainer = TrainerFactory(user=user)
    TrainingSession.trainers.through.objects.create(trainingsession=session, trainer=trainer)
    return user


def mark_entries():
    return ModelLogEntry.objects.filter(action="formativ.attendance.mark")


def scan(enrolment, user, **kwargs):
    return checkin_scan(code=enrolment.checkin_token, acting_user=user, **kwargs)


# --- staff scans of the personal code ---------------------------------------------------------


def test_a_scan_marks_the_participant_present_for_todays_day(staff_user):
    session, today = running_session()
    enrolment = participant(session)
    checkin = scan(enrolment, staff_user, training_session=session)
    assert (checkin.enrolment, checkin.day, checkin.already) == (enrolment, today, False)
    saved = Attendance.objects.get()
    assert (saved.enrolment, saved.day, saved.status, saved.method, saved.marked_by) == (
        enrolment,
        today,
        A.PRESENT,
        Method.QR,
        staff_user,
    )
    assert mark_entries().count() == 1


def test_the_personal_code_is_an_unguessable_token_not_an_id():
    session, _ = running_session()
    first, second = participant(session), participant(session)
    assert len(first.checkin_token) >= 20
    assert first.checkin_token != second.checkin_token
    assert not first.checkin_token.isdigit()


def test_a_second_scan_says_already_and_changes_nothing(staff_user):
    session, today = running_session()
    enrolment = participant(session)
    scan(enrolment, staff_user)
    again = scan(enrolment, staff_user, training_session=session, day=today)
    assert again.already is True
    assert Attendance.objects.count() == 1
    assert mark_entries().count() == 1


def test_a_scanner_typing_spaces_around_the_code_is_understood(staff_user):
    session, _ = running_session()
    enrolment = participant(session)
    checkin_scan(code=f"  {enrolment.checkin_token}\n", acting_user=staff_user)
    assert Attendance.objects.get().enrolment == enrolment


def test_a_scan_turns_an_absent_mark_into_present(staff_user):
    session, today = running_session()
    enrolment = participant(session)
    attendance_mark(enrolment=enrolment, day=today, status=A.ABSENT, acting_user=staff_user)
    assert scan(enrolment, staff_user).already is False
    assert Attendance.objects.get().status == A.PRESENT


def test_a_scan_keeps_the_trainers_late_mark_and_its_minutes(staff_user):
    session, today = running_session()
    enrolment = participant(session)
    attendance_mark(
        enrolment=enrolment, day=today, status=A.PARTIAL, minutes=30, acting_user=staff_user
    )
    assert scan(enrolment, staff_user).already is True
    assert Attendance.objects.values_list("status", "minutes").get() == (A.PARTIAL, 30)


def test_the_code_of_another_sessions_participant_is_refused(staff_user):
    session, _ = running_session()
    other, _ = running_session()
    stranger = participant(other)
    with pytest.raises(ValidationError) as excinfo:
        scan(stranger, staff_user, training_session=session)
    assert other.code in " ".join(excinfo.value.messages)  # says which session it is for
    assert not Attendance.objects.exists()


def test_a_trainer_scanning_a_code_of_another_session_is_told_so():
    """At their own session's scanner, a trainer with no right on the other session hears that
    the code is for another session (not that they may not take attendance)."""
    session, _ = running_session()
    other, _ = running_session()
    user = trainer_of(session)
    with pytest.raises(ValidationError) as excinfo:
        scan(participant(other), user, training_session=session)
    assert other.code in " ".join(excinfo.value.messages)
    assert not Attendance.objects.exists()


def test_someone_without_rights_on_the_scanners_session_is_refused_first():
    session, _ = running_session()
    other, _ = running_session()
    with pytest.raises(PermissionDenied):
        scan(participant(other), trainer_of(other), training_session=session)
    assert not Attendance.objects.exists()


def test_a_day_not_open_for_check_in_is_refused(staff_user):
    session, _ = running_session()
    enrolment = participant(session)
    with pytest.raises(ValidationError):
        scan(enrolment, staff_user, training_session=session, day=tomorrow_of(session))
    assert not Attendance.objects.exists()


def test_a_day_of_another_session_is_refused(staff_user):
    session, _ = running_session()
    _, other_day = running_session()
    with pytest.raises(ValidationError):
        scan(participant(session), staff_user, training_session=session, day=other_day)
    assert not Attendance.objects.exists()


def test_a_scan_when_no_day_is_running_is_refused(staff_user):
    session = TrainingSessionFactory()
    SessionDay.objects.create(training_session=session, starts_at=at(1, 9), ends_at=at(1, 17))
    with pytest.raises(ValidationError):
        scan(participant(session), staff_user)
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    ("starts", "ends", "open_"),
    [
        (59 * MINUTE, 5 * HOUR, True),  # check-in opens an hour before the start
        (61 * MINUTE, 5 * HOUR, False),
        (-5 * HOUR, MINUTE, True),  # and stays open until the day ends
        (-5 * HOUR, -MINUTE, False),
    ],
)
def test_check_in_opens_an_hour_before_the_start_and_closes_at_the_end(
    staff_user, starts, ends, open_
):
    session, today = running_session(starts=starts, ends=ends)
    enrolment = participant(session)
    if open_:
        assert scan(enrolment, staff_user).day == today
        assert Attendance.objects.count() == 1
    else:
        with pytest.raises(ValidationError):
            scan(enrolment, staff_user)
        with pytest.raises(ValidationError):
            scan(enrolment, staff_user, day=today)
        assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    "status",
    [Enrolment.Status.PENDING, Enrolment.Status.WAITLISTED, Enrolment.Status.CANCELLED],
)
def test_someone_not_confirmed_is_refused_by_name(staff_user, status):
    session, _ = running_session()
    enrolment = participant(session, status=status)
    with pytest.raises(ValidationError) as excinfo:
        scan(enrolment, staff_user)
    assert enrolment.professional.first_name in " ".join(excinfo.value.messages)
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("code", ["", "   ", "nu-exista-acest-cod-1234", "ABC234"])
def test_an_unknown_code_is_refused(staff_user, code):
    session, _ = running_session()
    participant(session)
    with pytest.raises(ValidationError):
        checkin_scan(code=code, acting_user=staff_user, training_session=session)
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("status", [TrainingSession.Status.DRAFT, TrainingSession.Status.CANCELLED])
def test_a_draft_or_cancelled_session_takes_no_scans(staff_user, status):
    session, _ = running_session(status=status)
    with pytest.raises(ValidationError):
        scan(participant(session), staff_user)
    assert not Attendance.objects.exists()


def test_only_those_who_take_attendance_may_scan(staff_user):
    session, _ = running_session()
    enrolment = participant(session)
    with pytest.raises(PermissionDenied):
        scan(enrolment, UserFactory())
    assert not Attendance.objects.exists()
    assert scan(enrolment, trainer_of(session)).already is False


# --- the projected code: check-in windows -----------------------------------------------------


def test_opening_a_window_shows_a_short_code_valid_for_a_quarter_of_an_hour(staff_user):
    session, today = running_session(starts=-HOUR, ends=HOUR)  # it ends after the window
    before = timezone.now()
    window = checkin_window_open(day=today, acting_user=staff_user)
    assert len(window.code) == 6
    assert set(window.code) <= set(CHECKIN_CODE_ALPHABET)
    assert not set(window.code) & set("01OIL")  # nothing to misread on the projector
    assert before <= window.opens_at <= timezone.now()
    assert window.closes_at - window.opens_at == datetime.timedelta(minutes=15)
    assert window.opened_by == staff_user
    assert open_checkin_window(day=today) == window
    assert ModelLogEntry.objects.filter(action="formativ.checkin.window").count() == 1


def test_codes_differ_from_one_window_to_the_next(staff_user):
    session, today = running_session()
    codes = {checkin_window_open(day=today, acting_user=staff_user).code for _ in range(20)}
    assert len(codes) == 20


def test_a_new_window_closes_the_previous_one(staff_user):
    session, today = running_session()
    first = checkin_window_open(day=today, acting_user=staff_user)
    second = checkin_window_open(day=today, acting_user=staff_user)
    first.refresh_from_db()
    assert first.closes_at <= timezone.now()
    assert open_checkin_window(day=today) == second
    enrolment = participant(session)
    with pytest.raises(ValidationError) as excinfo:
        checkin_self(code=first.code, user=enrolment.professional.user)
    assert excinfo.value.code == "expired"
    assert checkin_self(code=second.code, user=enrolment.professional.user).already is False


def test_a_window_never_outlasts_the_day(staff_user):
    session, today = running_session(ends=10 * MINUTE)
    window = checkin_window_open(day=today, acting_user=staff_user, minutes=60)
    assert window.closes_at == today.ends_at


@pytest.mark.parametrize("minutes", [1, 240])
def test_a_window_lasts_between_one_and_240_minutes(staff_user, minutes):
    session, today = running_session(ends=5 * HOUR)
    window = checkin_window_open(day=today, acting_user=staff_user, minutes=minutes)
    assert window.closes_at - window.opens_at == datetime.timedelta(minutes=minutes)


@pytest.mark.parametrize("minutes", [-5, 241, 10_000])
def test_a_window_length_out_of_bounds_is_refused(staff_user, minutes):
    session, today = running_session()
    with pytest.raises(ValidationError):
        checkin_window_open(day=today, acting_user=staff_user, minutes=minutes)
    assert not CheckInWindow.objects.exists()


def test_a_window_of_zero_minutes_is_refused(staff_user):
    session, today = running_session()
    with pytest.raises(ValidationError):
        checkin_window_open(day=today, acting_user=staff_user, minutes=0)
    assert not CheckInWindow.objects.exists()


def test_a_window_opens_only_while_the_day_is_open_for_check_in(staff_user):
    session, _ = running_session()
    with pytest.raises(ValidationError):
        checkin_window_open(day=tomorrow_of(session), acting_user=staff_user)
    ended, ended_day = running_session(starts=-5 * HOUR, ends=-MINUTE)
    with pytest.raises(ValidationError):
        checkin_window_open(day=ended_day, acting_user=staff_user)
    assert not CheckInWindow.objects.exists()


@pytest.mark.parametrize(
    "status",
    [
        TrainingSession.Status.DRAFT,
        TrainingSession.Status.CANCELLED,
        TrainingSession.Status.COMPLETED,
    ],
)
def test_a_window_opens_only_for_a_published_session(staff_user, status):
    session, today = running_session(status=status)
    with pytest.raises(ValidationError):
        checkin_window_open(day=today, acting_user=staff_user)
    assert not CheckInWindow.objects.exists()


def test_only_those_who_take_attendance_open_and_close_windows(staff_user):
    session, today = running_session()
    other, _ = running_session()
    with pytest.raises(PermissionDenied):
        checkin_window_open(day=today, acting_user=trainer_of(other))
    assert not CheckInWindow.objects.exists()
    window = checkin_window_open(day=today, acting_user=trainer_of(session))
    with pytest.raises(PermissionDenied):
        checkin_window_close(window=window, acting_user=UserFactory())
    assert open_checkin_window(day=today) == window


def test_closing_a_window_ends_its_code(staff_user):
    session, today = running_session()
    enrolment = participant(session)
    window = checkin_window_open(day=today, acting_user=staff_user)
    checkin_window_close(window=window, acting_user=staff_user)
    assert open_checkin_window(day=today) is None
    with pytest.raises(ValidationError) as excinfo:
        checkin_self(code=window.code, user=enrolment.professional.user)
    assert excinfo.value.code == "expired"
    assert not Attendance.objects.exists()


def test_closing_a_closed_window_changes_nothing(staff_user):
    session, today = running_session()
    window = checkin_window_open(day=today, acting_user=staff_user)
    closed = checkin_window_close(window=window, acting_user=staff_user).closes_at
    assert checkin_window_close(window=window, acting_user=staff_user).closes_at == closed
    entries = ModelLogEntry.objects.filter(action="formativ.checkin.window")
    assert [e.data.get("opened") for e in entries.order_by("pk")] == [True, False]


# --- self check-in with the projected code ----------------------------------------------------


@pytest.fixture
def projected(staff_user):
    """A running session's day with a check-in window open."""
    session, today = running_session()
    window = checkin_window_open(day=today, acting_user=staff_user)
    return session, today, window


def test_a_participant_checks_in_with_the_projected_code(projected):
    session, today, window = projected
    enrolment = participant(session)
    user = enrolment.professional.user
    checkin = checkin_self(code=window.code, user=user)
    assert (checkin.enrolment, checkin.day, checkin.already) == (enrolment, today, False)
    saved = Attendance.objects.get()
    assert (saved.status, saved.method, saved.marked_by) == (A.PRESENT, Method.SELF, user)
    assert mark_entries().get().user == user


def test_checking_in_again_says_already_and_leaves_one_mark(projected):
    session, _, window = projected
    user = participant(session).professional.user
    checkin_self(code=window.code, user=user)
    assert checkin_self(code=window.code, user=user).already is True
    assert Attendance.objects.count() == 1
    assert mark_entries().count() == 1


@pytest.mark.parametrize("typed", ["{lower}", "{a}-{b}", " {a} {b} ", "{a}–{b}"])
def test_the_code_may_be_typed_in_lower_case_with_dashes_or_spaces(projected, typed):
    session, _, window = projected
    user = participant(session).professional.user
    code = typed.format(lower=window.code.lower(), a=window.code[:3], b=window.code[3:].lower())
    assert checkin_self(code=code, user=user).already is False


def test_an_expired_code_is_refused(staff_user):
    session, today = running_session()
    now = timezone.now()
    window = CheckInWindow.objects.create(
        day=today, opens_at=now - 20 * MINUTE, closes_at=now - 5 * MINUTE, opened_by=staff_user
    )
    user = participant(session).professional.user
    with pytest.raises(ValidationError) as excinfo:
        checkin_self(code=window.code, user=user)
    assert excinfo.value.code == "expired"
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("code", ["", "-", "ZZZZZZ", "ABCDEFGHJK"])
def test_an_unknown_code_is_refused_as_such(projected, code):
    session, _, window = projected
    user = participant(session).professional.user
    if code == "ZZZZZZ" and window.code == code:  # one chance in 887 million
        code = "YYYYYY"
    with pytest.raises(ValidationError) as excinfo:
        checkin_self(code=code, user=user)
    assert excinfo.value.code == "unknown"
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    "status",
    [
        Enrolment.Status.PENDING,
        Enrolment.Status.WAITLISTED,
        Enrolment.Status.OFFERED,
        Enrolment.Status.CANCELLED,
    ],
)
def test_someone_not_confirmed_cannot_check_in(projected, status):
    session, _, window = projected
    user = participant(session, status=status).professional.user
    with pytest.raises(ValidationError) as excinfo:
        checkin_self(code=window.code, user=user)
    assert excinfo.value.code == "not_participant"
    assert not Attendance.objects.exists()


def test_a_participant_of_another_session_cannot_use_the_code(projected):
    _, _, window = projected
    other, _ = running_session()
    user = participant(other).professional.user
    with pytest.raises(ValidationError) as excinfo:
        checkin_self(code=window.code, user=user)
    assert excinfo.value.code == "not_participant"
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("who", ["no professional", "anonymous"])
def test_a_user_who_is_nobody_in_the_registry_cannot_check_in(projected, who):
    _, _, window = projected
    user = UserFactory() if who == "no professional" else AnonymousUser()
    with pytest.raises(ValidationError) as excinfo:
        checkin_self(code=window.code, user=user)
    assert excinfo.value.code == "not_participant"
    assert not Attendance.objects.exists()


def test_a_session_moved_back_to_draft_takes_no_self_check_in(staff_user, projected):
    session, _, window = projected
    user = participant(session).professional.user
    session = TrainingSession.objects.get(pk=session.pk)
    session.status = TrainingSession.Status.DRAFT
    training_session_save(training_session=session, acting_user=staff_user)
    with pytest.raises(ValidationError):
        checkin_self(code=window.code, user=user)
    assert not Attendance.objects.exists()


# --- how often one may try ------------------------------------------------------------------


def test_the_eleventh_attempt_in_a_quarter_of_an_hour_is_refused(settings):
    assert settings.CHECKIN_ATTEMPTS_PER_15_MINUTES == 10
    guesser, other = UserFactory(), UserFactory()
    assert [checkin_attempt_allowed(guesser) for _ in range(11)] == [True] * 10 + [False]
    assert checkin_attempt_allowed(guesser) is False
    assert checkin_attempt_allowed(other) is True  # someone else is not slowed down


def test_the_limit_follows_the_setting(settings):
    settings.CHECKIN_ATTEMPTS_PER_15_MINUTES = 3
    user = UserFactory()
    assert [checkin_attempt_allowed(user) for _ in range(4)] == [True, True, True, False]
