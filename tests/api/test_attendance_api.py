"""Reading and taking a session's attendance through the API: who may, what the answer holds,
and bad marks refused all together, with nothing recorded."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from wagtail.models import APIToken, ModelLogEntry

from sessions.models import Attendance, Enrolment
from sessions.services import Mark, attendance_mark_many
from tests.factories.sessions import make_session
from tests.factories.training import InstitutionFactory, ProfessionalFactory, TrainerFactory

pytestmark = pytest.mark.django_db

A = Attendance.Status


# --- helpers (shared with the check-in tests) -----------------------------------------------


def ro(message: str) -> str:
    """A message as the API says it: /api/v1/ is outside the language prefixes, so always in
    the site's default language, Romanian (English while a message awaits its translation)."""
    with translation.override("ro"):
        return translation.gettext(message)


def bearer(user) -> dict:
    _, plaintext = APIToken.create_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def make_user(username: str, *perms: str):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "x")
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return get_user_model().objects.get(pk=user.pk)  # fresh permission cache


def organiser():
    """ANES staff with the attendance permission and every session in their scope, but no
    superuser."""
    return make_user(
        "coordonator", "training_sessions.change_attendance", "training.see_all_records"
    )


def trainer_of(session, username: str):
    """A user who is one of the session's trainers."""
    user = make_user(username)
    trainer = TrainerFactory(user=user)
    session.trainers.add(trainer)
    session.save()  # a ParentalManyToManyField commits on save
    return user


def enrol(session, status=Enrolment.Status.CONFIRMED, **person) -> Enrolment:
    return Enrolment.objects.create(
        training_session=session,
        professional=ProfessionalFactory(**person),
        status=status,
        source=Enrolment.Source.STAFF,
    )


def post_json(client, url, payload, headers) -> object:
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post(url, data=body, content_type="application/json", **headers)


def json_error(response, status: int) -> dict:
    """The project's error shape: a sentence and the messages field by field."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert body["detail"]
    assert isinstance(body["errors"], dict)
    return body


def marks_snapshot() -> list[tuple]:
    return list(
        Attendance.objects.order_by("pk").values_list(
            "enrolment_id", "day_id", "status", "minutes", "method"
        )
    )


# --- fixtures -------------------------------------------------------------------------------


def url(session_or_id) -> str:
    return f"/api/v1/sessions/{getattr(session_or_id, 'pk', session_or_id)}/attendance"


@pytest.fixture
def session():
    """Three days: yesterday, today and tomorrow."""
    return make_session(start_in=-1, day_count=3, code="CJ-PREZ")


@pytest.fixture
def days(session):
    return list(session.days.order_by("starts_at"))


@pytest.fixture
def maria(session):
    return enrol(
        session,
        first_name="Maria",
        last_name="Popescu",
        institution=InstitutionFactory(name="DGASPC Cluj"),
    )


@pytest.fixture
def ion(session):
    return enrol(session, first_name="Ion", last_name="Ardelean")


@pytest.fixture
def staff_auth(staff_user) -> dict:
    return bearer(staff_user)


def mark(enrolment, day, status=A.PRESENT, minutes=None) -> dict:
    return {"enrolment_id": enrolment.pk, "day": day.pk, "status": status, "minutes": minutes}


# --- reading --------------------------------------------------------------------------------


class TestRead:
    def test_days_marks_and_confirmed_participants(
        self, client, staff_user, staff_auth, session, days, maria, ion
    ):
        enrol(session, status=Enrolment.Status.WAITLISTED, first_name="Dan")
        attendance_mark_many(
            training_session=session,
            marks=[
                Mark(maria.pk, days[0].pk, A.PRESENT),
                Mark(ion.pk, days[0].pk, A.PARTIAL, 90),
            ],
            acting_user=staff_user,
        )
        response = client.get(url(session), **staff_auth)
        assert response.status_code == 200
        body = response.json()
        assert body["session"] == session.pk
        assert [d["id"] for d in body["days"]] == [d.pk for d in days]
        assert body["days"][0]["minutes"] == 480  # 09:00-17:00
        assert body["days"][0]["date"] == timezone.localdate(days[0].starts_at).isoformat()
        assert {
            (m["enrolment_id"], m["day"], m["status"], m["minutes"]) for m in body["marks"]
        } == {
            (maria.pk, days[0].pk, "present", None),
            (ion.pk, days[0].pk, "partial", 90),
        }
        assert {m["method"] for m in body["marks"]} == {"staff"}
        assert all(m["marked_at"] for m in body["marks"])
        # Confirmed people only (not the one waiting), by last name.
        assert body["participants"] == [
            {
                "enrolment_id": ion.pk,
                "name": "Ion Ardelean",
                "institution": "",
                "completion": "",
                "attended_minutes": None,
                "attended_days": None,
            },
            {
                "enrolment_id": maria.pk,
                "name": "Maria Popescu",
                "institution": "DGASPC Cluj",
                "completion": "",
                "attended_minutes": None,
                "attended_days": None,
            },
        ]

    def test_the_completion_result_is_shown(self, client, staff_auth, session, maria):
        Enrolment.objects.filter(pk=maria.pk).update(
            completion=Enrolment.Completion.COMPLETED, attended_minutes=1200, attended_days=3
        )
        (person,) = client.get(url(session), **staff_auth).json()["participants"]
        assert (person["completion"], person["attended_minutes"], person["attended_days"]) == (
            "completed",
            1200,
            3,
        )

    def test_an_organiser_with_the_attendance_permission_may_read(self, client, session, maria):
        response = client.get(url(session), **bearer(organiser()))
        assert response.status_code == 200
        assert [p["name"] for p in response.json()["participants"]] == ["Maria Popescu"]

    def test_the_sessions_trainer_may_read(self, client, session, maria):
        response = client.get(url(session), **bearer(trainer_of(session, "formator")))
        assert response.status_code == 200

    def test_a_trainer_of_another_session_may_not(self, client, session, maria):
        other = make_session(start_in=-1, day_count=1)
        body = json_error(client.get(url(session), **bearer(trainer_of(other, "altul"))), 403)
        assert body["detail"] == ro("You cannot take attendance for this session.")
        assert "participants" not in body

    def test_a_participant_may_not(self, client, session, maria):
        user = make_user("maria")
        maria.professional.user = user
        maria.professional.save()
        json_error(client.get(url(session), **bearer(user)), 403)

    def test_visitors_must_authenticate(self, client, session):
        json_error(client.get(url(session)), 401)

    def test_an_unknown_session_is_404(self, client, staff_auth):
        json_error(client.get(url(999999), **staff_auth), 404)

    def test_queries_do_not_grow_with_people_and_marks(
        self, client, staff_user, staff_auth, session, days, django_assert_max_num_queries
    ):
        def load(count: int) -> None:
            people = [enrol(session, institution=InstitutionFactory()) for _ in range(count)]
            attendance_mark_many(
                training_session=session,
                marks=[Mark(p.pk, d.pk, A.PRESENT) for p in people for d in days[:1]]
                + [Mark(p.pk, days[1].pk, A.ABSENT) for p in people],
                acting_user=staff_user,
            )

        def count_queries() -> int:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url(session), **staff_auth).status_code == 200
            return len(ctx)

        load(5)
        count_queries()  # the token's first use is recorded once
        few = count_queries()
        load(35)
        with django_assert_max_num_queries(5):
            response = client.get(url(session), **staff_auth)
        assert len(response.json()["participants"]) == 40
        assert len(response.json()["marks"]) == 80
        assert count_queries() == few


# --- marking --------------------------------------------------------------------------------


class TestMark:
    def test_marks_are_recorded_and_returned(
        self, client, staff_user, staff_auth, session, days, maria, ion
    ):
        response = post_json(
            client,
            url(session),
            [
                mark(maria, days[0]),
                mark(ion, days[0], A.PARTIAL, 120),
                mark(ion, days[2], A.EXCUSED),
            ],
            staff_auth,
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert [(m["enrolment_id"], m["day"], m["status"], m["minutes"]) for m in body] == [
            (maria.pk, days[0].pk, "present", None),
            (ion.pk, days[0].pk, "partial", 120),
            (ion.pk, days[2].pk, "excused", None),
        ]
        assert {m["method"] for m in body} == {"staff"}
        assert marks_snapshot() == [
            (maria.pk, days[0].pk, "present", None, "staff"),
            (ion.pk, days[0].pk, "partial", 120, "staff"),
            (ion.pk, days[2].pk, "excused", None, "staff"),
        ]
        assert set(Attendance.objects.values_list("marked_by", flat=True)) == {staff_user.pk}
        assert ModelLogEntry.objects.filter(action="formativ.attendance.mark").count() == 3

    def test_a_mark_can_be_corrected(self, client, staff_auth, session, days, maria):
        post_json(client, url(session), [mark(maria, days[0], A.ABSENT)], staff_auth)
        response = post_json(client, url(session), [mark(maria, days[0])], staff_auth)
        assert response.status_code == 200
        assert marks_snapshot() == [(maria.pk, days[0].pk, "present", None, "staff")]

    def test_the_sessions_trainer_may_mark(self, client, session, days, maria):
        auth = bearer(trainer_of(session, "formator"))
        response = post_json(client, url(session), [mark(maria, days[0])], auth)
        assert response.status_code == 200
        assert Attendance.objects.get().status == A.PRESENT

    def test_an_organiser_may_mark(self, client, session, days, maria):
        response = post_json(client, url(session), [mark(maria, days[0])], bearer(organiser()))
        assert response.status_code == 200
        assert Attendance.objects.count() == 1

    @pytest.mark.parametrize("who", ["another trainer", "participant"])
    def test_others_may_not_mark(self, client, session, days, maria, who):
        if who == "participant":
            user = make_user("maria")
            maria.professional.user = user
            maria.professional.save()
        else:
            user = trainer_of(make_session(start_in=-1, day_count=1), "altul")
        response = post_json(client, url(session), [mark(maria, days[0])], bearer(user))
        json_error(response, 403)
        assert not Attendance.objects.exists()

    def test_visitors_must_authenticate(self, client, session, days, maria):
        json_error(post_json(client, url(session), [mark(maria, days[0])], {}), 401)
        assert not Attendance.objects.exists()

    def test_an_empty_list_records_nothing(self, client, staff_auth, session):
        response = post_json(client, url(session), [], staff_auth)
        assert response.status_code == 200
        assert response.json() == []
        assert not Attendance.objects.exists()

    def test_a_draft_session_takes_no_attendance(self, client, staff_auth):
        draft = make_session(start_in=-1, day_count=1, status="draft")
        person = enrol(draft)
        response = post_json(client, url(draft), [mark(person, draft.days.get())], staff_auth)
        body = json_error(response, 400)
        assert body["detail"] == ro("Attendance is taken only for published sessions.")
        assert not Attendance.objects.exists()


class TestBadMarks:
    """A wrong mark among good ones: 400, its messages at its position, nothing recorded."""

    def refused(self, client, auth, session, marks) -> dict:
        response = post_json(client, url(session), marks, auth)
        body = json_error(response, 400)
        assert marks_snapshot() == []
        assert not ModelLogEntry.objects.filter(action="formativ.attendance.mark").exists()
        return body

    def test_a_day_of_another_session(self, client, staff_auth, session, days, maria):
        other_day = make_session(start_in=-2, day_count=1).days.get()
        body = self.refused(
            client, staff_auth, session, [mark(maria, days[0]), mark(maria, other_day)]
        )
        assert body["errors"] == {"1": [ro("This day is not a day of the session.")]}
        assert ro("This day is not a day of the session.") in body["detail"]

    def test_someone_not_confirmed(self, client, staff_auth, session, days, maria):
        waiting = enrol(
            session, status=Enrolment.Status.WAITLISTED, first_name="Dan", last_name="Rusu"
        )
        body = self.refused(
            client, staff_auth, session, [mark(maria, days[0]), mark(waiting, days[0])]
        )
        assert list(body["errors"]) == ["1"]
        assert "Dan Rusu" in body["errors"]["1"][0]
        assert "Dan Rusu" in body["detail"]

    def test_someone_of_another_session(self, client, staff_auth, session, days, maria):
        stranger = enrol(make_session(start_in=-1, day_count=1))
        body = self.refused(client, staff_auth, session, [mark(stranger, days[0])])
        assert body["errors"] == {"0": [ro("This person is not registered for the session.")]}

    def test_present_on_a_day_to_come(self, client, staff_auth, session, days, maria):
        body = self.refused(
            client, staff_auth, session, [mark(maria, days[0]), mark(maria, days[2])]
        )
        assert body["errors"] == {
            "1": [ro("Nobody can be present on a day that has not started yet.")]
        }

    def test_partial_without_minutes(self, client, staff_auth, session, days, maria):
        body = self.refused(client, staff_auth, session, [mark(maria, days[0], A.PARTIAL)])
        assert list(body["errors"]) == ["0"]
        assert "480" in body["errors"]["0"][0]  # the day's length, to stay under

    @pytest.mark.parametrize("minutes", [0, -5, 480, 10**12])
    def test_partial_minutes_out_of_range(self, client, staff_auth, session, days, maria, minutes):
        self.refused(client, staff_auth, session, [mark(maria, days[0], A.PARTIAL, minutes)])

    def test_minutes_with_present(self, client, staff_auth, session, days, maria):
        body = self.refused(client, staff_auth, session, [mark(maria, days[0], A.PRESENT, 30)])
        assert body["errors"] == {
            "0": [ro("Minutes attended go only with a late or partial attendance.")]
        }

    def test_an_unknown_status(self, client, staff_auth, session, days, maria, ion):
        body = self.refused(
            client, staff_auth, session, [mark(ion, days[0]), mark(maria, days[0], "tardy")]
        )
        assert body["errors"] == {"1": [ro("Unknown attendance status.")]}

    def test_the_same_person_and_day_twice(self, client, staff_auth, session, days, maria):
        body = self.refused(
            client, staff_auth, session, [mark(maria, days[0]), mark(maria, days[0], A.ABSENT)]
        )
        assert body["errors"] == {"1": [ro("The same person and day appear twice.")]}

    def test_every_wrong_mark_is_reported(self, client, staff_auth, session, days, maria, ion):
        body = self.refused(
            client,
            staff_auth,
            session,
            [mark(maria, days[2]), mark(ion, days[0]), mark(ion, days[1], "x")],
        )
        assert list(body["errors"]) == ["0", "2"]
        with translation.override("ro"):
            expected = translation.ngettext(
                "Nothing was recorded: %(count)d mark is not valid.",
                "Nothing was recorded: %(count)d marks are not valid.",
                2,
            ) % {"count": 2}
        assert body["detail"].startswith(expected)

    def test_too_many_marks_at_once(self, client, staff_auth, session, days, maria):
        marks = [mark(maria, days[0], A.ABSENT)] * 5000
        body = self.refused(client, staff_auth, session, marks)
        message = ro("Send at most %(max)d marks in one request; this one has %(count)d.") % {
            "max": 2000,
            "count": 5000,
        }
        assert body["detail"] == message
        assert body["errors"] == {"non_field_errors": [message]}

    @pytest.mark.parametrize(
        "payload",
        [
            {"marks": []},  # an object, not an array
            [{"day": 1, "status": "present"}],  # no enrolment
            [{"enrolment_id": "unu", "day": 1, "status": "present"}],
            [{"enrolment_id": 1, "day": 2**70, "status": "present"}],
            [{"enrolment_id": 1, "day": 1, "status": "partial", "minutes": "30"}],
            [{"enrolment_id": 1, "day": 1, "status": "present\x00"}],
            ["present"],
        ],
    )
    def test_a_malformed_body_is_422(self, client, staff_auth, session, maria, payload):
        json_error(post_json(client, url(session), payload, staff_auth), 422)
        assert not Attendance.objects.exists()

    @pytest.mark.parametrize("payload", ["not json", "[{", b"\xff\xfe"])
    def test_a_body_that_is_not_json_is_a_400(self, client, staff_auth, session, payload):
        body = json_error(post_json(client, url(session), payload, staff_auth), 400)
        assert body["detail"] == ro("The request body is not valid JSON.")
        assert not Attendance.objects.exists()

    def test_a_refused_user_learns_nothing_about_the_marks(self, client, session, days, maria):
        """403 comes before any check of the marks themselves."""
        other_trainer = trainer_of(make_session(start_in=-1, day_count=1), "altul")
        response = post_json(
            client, url(session), [mark(maria, days[2])] * 3000, bearer(other_trainer)
        )
        assert json_error(response, 403)["errors"] == {}


class TestBrowserSession:
    """The marking screen posts with the signed-in session: the CSRF token is required."""

    @pytest.fixture
    def browser(self, staff_user):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(staff_user)
        return browser

    def test_reading_needs_no_token(self, browser, session, maria):
        assert browser.get(url(session)).status_code == 200

    def test_marking_without_the_csrf_token_is_refused(self, browser, session, days, maria):
        body = json_error(post_json(browser, url(session), [mark(maria, days[0])], {}), 403)
        assert "CSRF" in body["detail"]
        assert not Attendance.objects.exists()

    def test_marking_with_the_csrf_token_works(self, browser, session, days, maria):
        browser.cookies["csrftoken"] = "d" * 32
        response = post_json(
            browser, url(session), [mark(maria, days[0])], {"HTTP_X_CSRFTOKEN": "d" * 32}
        )
        assert response.status_code == 200
        assert marks_snapshot() == [(maria.pk, days[0].pk, "present", None, "staff")]


def test_the_openapi_schema_lists_the_attendance_endpoints(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert set(paths["/api/v1/sessions/{session_id}/attendance"]) == {"get", "post"}
    assert "post" in paths["/api/v1/checkin"]
