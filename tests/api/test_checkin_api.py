"""`POST /api/v1/checkin`: staff scanning participants' personal codes, and participants
checking themselves in with the code on the projector. Refusals are JSON, loud, and record
nothing."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from wagtail.models import ModelLogEntry

from sessions.models import Attendance, CheckInWindow, Enrolment, SessionDay
from sessions.services import checkin_window_open
from tests.api.test_attendance_api import (
    bearer,
    enrol,
    json_error,
    make_user,
    organiser,
    post_json,
    ro,
    trainer_of,
)
from tests.factories.sessions import TrainingSessionFactory, make_session
from tests.factories.training import InstitutionFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/checkin"
HOUR = datetime.timedelta(hours=1)


def live_session(**kwargs):
    """A published session with a day held yesterday and one going on now."""
    session = TrainingSessionFactory(**kwargs)
    now = timezone.now()
    SessionDay.objects.create(
        training_session=session,
        starts_at=now - datetime.timedelta(days=1) - HOUR,
        ends_at=now - datetime.timedelta(days=1) + 3 * HOUR,
    )
    SessionDay.objects.create(
        training_session=session, starts_at=now - HOUR / 2, ends_at=now + 3 * HOUR
    )
    return session


def start_of(message: str) -> str:
    """The part of a message before its first placeholder."""
    return ro(message).split("%(")[0]


def marks() -> list[tuple]:
    return list(
        Attendance.objects.order_by("pk").values_list("enrolment_id", "day_id", "status", "method")
    )


@pytest.fixture
def session():
    return live_session(code="CJ-SCAN")


@pytest.fixture
def yesterday(session):
    return session.days.order_by("starts_at").first()


@pytest.fixture
def today(session):
    return session.days.order_by("starts_at").last()


@pytest.fixture
def maria(session):
    return enrol(
        session,
        first_name="Maria",
        last_name="Popescu",
        institution=InstitutionFactory(name="DGASPC Cluj"),
    )


@pytest.fixture
def staff_auth(staff_user) -> dict:
    return bearer(staff_user)


def scan(client, auth, code, session=None, day=None):
    payload = {"code": code}
    if session is not None:
        payload["session"] = getattr(session, "pk", session)
    if day is not None:
        payload["day"] = getattr(day, "pk", day)
    return post_json(client, URL, payload, auth)


# --- staff scans ----------------------------------------------------------------------------


class TestStaffScan:
    def test_a_scan_checks_the_person_in_and_says_so(
        self, client, staff_user, staff_auth, session, today, maria
    ):
        response = scan(client, staff_auth, maria.checkin_token, session)
        assert response.status_code == 200, response.content
        assert response.json() == {
            "result": "checked_in",
            "message": ro("%(name)s — checked in") % {"name": "Maria Popescu"},
            "name": "Maria Popescu",
            "institution": "DGASPC Cluj",
            "session": "CJ-SCAN",
            "day": today.pk,
            "date": timezone.localdate(today.starts_at).isoformat(),
            "enrolment_id": maria.pk,
        }
        attendance = Attendance.objects.get()
        assert (attendance.enrolment, attendance.day, attendance.status) == (
            maria,
            today,
            Attendance.Status.PRESENT,
        )
        assert (attendance.method, attendance.marked_by) == (Attendance.Method.QR, staff_user)

    def test_a_second_scan_says_already_and_changes_nothing(
        self, client, staff_auth, session, today, maria
    ):
        scan(client, staff_auth, maria.checkin_token, session)
        response = scan(client, staff_auth, maria.checkin_token, session)
        assert response.status_code == 200
        body = response.json()
        first = Attendance.objects.get()
        time = timezone.localtime(first.marked_at).strftime("%H:%M")
        assert body["result"] == "already"
        assert body["message"] == ro("%(name)s — already checked in at %(time)s") % {
            "name": "Maria Popescu",
            "time": time,
        }
        assert marks() == [(maria.pk, today.pk, "present", "qr")]
        assert ModelLogEntry.objects.filter(action="formativ.attendance.mark").count() == 1

    def test_an_absent_mark_is_corrected_by_the_scan(
        self, client, staff_user, staff_auth, session, today, maria
    ):
        Attendance.objects.create(
            enrolment=maria, day=today, status=Attendance.Status.ABSENT, marked_by=staff_user
        )
        body = scan(client, staff_auth, maria.checkin_token, session).json()
        assert body["result"] == "checked_in"
        assert marks() == [(maria.pk, today.pk, "present", "qr")]

    def test_a_personal_code_without_the_session_is_a_scan_for_its_own_session(
        self, client, staff_auth, today, maria
    ):
        response = scan(client, staff_auth, f"  {maria.checkin_token}\n")  # as a scanner types
        assert response.status_code == 200
        assert response.json()["session"] == "CJ-SCAN"
        assert marks() == [(maria.pk, today.pk, "present", "qr")]

    def test_the_day_can_be_given(self, client, staff_auth, session, today, maria):
        response = scan(client, staff_auth, maria.checkin_token, session, day=today)
        assert response.status_code == 200
        assert response.json()["day"] == today.pk

    def test_a_code_for_another_session_is_refused(self, client, staff_auth, session, maria):
        other = live_session(code="B-ALTA")
        stranger = enrol(other, first_name="Dan", last_name="Rusu")
        body = json_error(scan(client, staff_auth, stranger.checkin_token, session), 400)
        assert body["detail"].startswith(start_of("This code is for another session: %(session)s."))
        assert "B-ALTA" in body["detail"]
        assert marks() == []

    def test_a_day_not_open_for_check_in_is_refused(
        self, client, staff_auth, session, yesterday, maria
    ):
        response = scan(client, staff_auth, maria.checkin_token, session, day=yesterday)
        body = json_error(response, 400)
        assert body["detail"].startswith(
            start_of(
                "Check-in for %(date)s is not open: codes are accepted from an hour before "
                "the day starts until it ends."
            )
        )
        assert marks() == []

    def test_a_day_of_another_session_is_refused(self, client, staff_auth, session, maria):
        other_day = live_session().days.order_by("starts_at").last()
        body = json_error(scan(client, staff_auth, maria.checkin_token, session, other_day), 400)
        assert body["detail"] == ro("This day is not a day of the session.")
        assert marks() == []

    def test_an_unknown_day_is_refused(self, client, staff_auth, session, maria):
        body = json_error(scan(client, staff_auth, maria.checkin_token, session, 999999), 400)
        assert body["errors"] == {"day": [ro("This day is not a day of the session.")]}
        assert marks() == []

    def test_a_session_with_no_day_open_now_refuses(self, client, staff_auth):
        later = make_session(start_in=5, day_count=1)
        person = enrol(later)
        body = json_error(scan(client, staff_auth, person.checkin_token, later), 400)
        assert body["detail"] == ro("No day of this session is open for check-in now.")
        assert marks() == []

    @pytest.mark.parametrize(
        "status",
        [Enrolment.Status.WAITLISTED, Enrolment.Status.CANCELLED, Enrolment.Status.PENDING],
    )
    def test_someone_not_confirmed_is_refused(self, client, staff_auth, session, status):
        person = enrol(session, status=status, first_name="Dan", last_name="Rusu")
        body = json_error(scan(client, staff_auth, person.checkin_token, session), 400)
        assert "Dan Rusu" in body["detail"]
        assert marks() == []

    @pytest.mark.parametrize("with_session", [True, False])
    def test_an_unknown_code_is_refused(self, client, staff_auth, session, maria, with_session):
        code = "x" * 24
        response = scan(client, staff_auth, code, session if with_session else None)
        body = json_error(response, 400)
        assert body["detail"] == ro("This is not the check-in code of any registration.")
        assert marks() == []

    def test_an_unknown_session_is_404(self, client, staff_auth, maria):
        json_error(scan(client, staff_auth, maria.checkin_token, 999999), 404)
        assert marks() == []

    def test_scans_are_not_rate_limited(self, client, settings, staff_auth, session):
        settings.CHECKIN_ATTEMPTS_PER_15_MINUTES = 1
        people = [enrol(session) for _ in range(3)]
        for person in people:
            assert scan(client, staff_auth, person.checkin_token, session).status_code == 200
        assert len(marks()) == 3


class TestWhoMayScan:
    def test_the_sessions_trainer(self, client, session, today, maria):
        auth = bearer(trainer_of(session, "formator"))
        assert scan(client, auth, maria.checkin_token, session).status_code == 200
        assert marks() == [(maria.pk, today.pk, "present", "qr")]

    def test_an_organiser_with_the_attendance_permission(self, client, session, maria):
        assert scan(client, bearer(organiser()), maria.checkin_token, session).status_code == 200

    def test_a_trainer_of_another_session_is_403(self, client, session, maria):
        auth = bearer(trainer_of(live_session(), "altul"))
        body = json_error(scan(client, auth, maria.checkin_token, session), 403)
        assert body["detail"] == ro("You cannot take attendance for this session.")
        # Nor by leaving the session out.
        json_error(scan(client, auth, maria.checkin_token), 403)
        assert marks() == []

    def test_a_participant_cannot_scan_even_their_own_code(self, client, session, maria):
        user = make_user("maria")
        maria.professional.user = user
        maria.professional.save()
        json_error(scan(client, bearer(user), maria.checkin_token, session), 403)
        json_error(scan(client, bearer(user), maria.checkin_token), 403)
        assert marks() == []

    def test_visitors_must_authenticate(self, client, session, maria):
        json_error(scan(client, {}, maria.checkin_token, session), 401)
        assert marks() == []


# --- self check-in --------------------------------------------------------------------------


@pytest.fixture
def participant(maria):
    user = make_user("maria")
    maria.professional.user = user
    maria.professional.save()
    return user


@pytest.fixture
def window(staff_user, today):
    return checkin_window_open(day=today, acting_user=staff_user)


class TestSelfCheckIn:
    def test_the_projected_code_checks_the_participant_in(
        self, client, participant, window, today, maria
    ):
        typed = f"{window.code[:3].lower()}-{window.code[3:].lower()}"  # as people type it
        response = scan(client, bearer(participant), typed)
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["result"] == "checked_in"
        assert body["message"] == ro("%(name)s — checked in") % {"name": "Maria Popescu"}
        assert (body["day"], body["session"], body["enrolment_id"]) == (
            today.pk,
            "CJ-SCAN",
            maria.pk,
        )
        assert marks() == [(maria.pk, today.pk, "present", "self")]
        assert Attendance.objects.get().marked_by == participant

    def test_a_second_check_in_says_already(self, client, participant, window, today, maria):
        auth = bearer(participant)
        scan(client, auth, window.code)
        body = scan(client, auth, window.code).json()
        assert body["result"] == "already"
        time = timezone.localtime(Attendance.objects.get().marked_at).strftime("%H:%M")
        assert body["message"] == ro("%(name)s — already checked in at %(time)s") % {
            "name": "Maria Popescu",
            "time": time,
        }
        assert marks() == [(maria.pk, today.pk, "present", "self")]

    def test_an_expired_code_is_refused(self, client, participant, today, maria):
        now = timezone.now()
        CheckInWindow.objects.create(
            day=today, code="EXP234", opens_at=now - HOUR / 2, closes_at=now - HOUR / 6
        )
        body = json_error(scan(client, bearer(participant), "EXP234"), 400)
        assert body["detail"] == ro("This code has expired. Ask the trainer for the current one.")
        assert marks() == []

    def test_a_closed_window_s_code_no_longer_works(
        self, client, staff_user, participant, window, today
    ):
        newer = checkin_window_open(day=today, acting_user=staff_user)  # the old one closes
        body = json_error(scan(client, bearer(participant), window.code), 400)
        assert body["detail"] == ro("This code has expired. Ask the trainer for the current one.")
        assert scan(client, bearer(participant), newer.code).status_code == 200

    def test_an_unknown_code_is_refused(self, client, participant, window):
        code = "ZZZZZZ" if window.code != "ZZZZZZ" else "YYYYYY"
        body = json_error(scan(client, bearer(participant), code), 400)
        assert body["detail"] == ro("This code is not valid. Check it on the screen and try again.")
        assert marks() == []

    def test_someone_not_in_the_session_is_refused(self, client, window):
        body = json_error(scan(client, bearer(make_user("intrus")), window.code), 400)
        assert body["detail"] == ro("You are not a confirmed participant of this session.")
        assert marks() == []

    def test_attempts_are_rate_limited(self, client, settings, participant, window, maria):
        settings.CHECKIN_ATTEMPTS_PER_15_MINUTES = 3
        auth = bearer(participant)
        for guess in ("AAAAAA", "BBBBBB", "CCCCCC"):
            json_error(scan(client, auth, guess), 400)
        response = scan(client, auth, window.code)  # even the right code, now
        body = json_error(response, 429)
        assert body == {
            "detail": ro("Too many check-in attempts. Wait a few minutes and try again."),
            "errors": {},
        }
        assert marks() == []
        # Others are not held back.
        someone = enrol(maria.training_session, first_name="Ion", last_name="Ardelean")
        other_user = make_user("ion")
        someone.professional.user = other_user
        someone.professional.save()
        assert scan(client, bearer(other_user), window.code).status_code == 200

    def test_visitors_must_authenticate(self, client, window):
        json_error(scan(client, {}, window.code), 401)
        assert marks() == []


class TestBadInput:
    @pytest.mark.parametrize(
        "payload",
        [
            {},
            {"code": 5},
            {"code": None},
            {"code": "A" * 201},
            {"code": "ABC\x00DE"},
            {"code": "x" * 24, "session": "unu"},
            {"code": "x" * 24, "session": 0},
            {"code": "x" * 24, "day": 2**70},
            ["ABCDEF"],
        ],
    )
    def test_malformed_bodies_are_422(self, client, staff_auth, session, maria, payload):
        json_error(post_json(client, URL, payload, staff_auth), 422)
        assert marks() == []


class TestBrowserSession:
    """The scanner page and the participant's check-in page post with the signed-in session
    and its CSRF token."""

    @pytest.fixture
    def browser(self, participant):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(participant)
        return browser

    def test_without_the_csrf_token_nothing_is_recorded(self, browser, window):
        body = json_error(post_json(browser, URL, {"code": window.code}, {}), 403)
        assert "CSRF" in body["detail"]
        assert marks() == []

    def test_with_the_csrf_token_the_participant_checks_in(self, browser, window, maria, today):
        browser.cookies["csrftoken"] = "e" * 32
        response = post_json(browser, URL, {"code": window.code}, {"HTTP_X_CSRFTOKEN": "e" * 32})
        assert response.status_code == 200
        assert marks() == [(maria.pk, today.pk, "present", "self")]

    def test_staff_scan_from_the_scanner_page(self, staff_user, session, maria, today):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(staff_user)
        browser.cookies["csrftoken"] = "f" * 32
        response = post_json(
            browser,
            URL,
            {"code": maria.checkin_token, "session": session.pk},
            {"HTTP_X_CSRFTOKEN": "f" * 32},
        )
        assert response.json()["result"] == "checked_in"
        assert marks() == [(maria.pk, today.pk, "present", "qr")]
