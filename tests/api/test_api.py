"""The REST API under /api/v1/: bearer tokens, permissions, JSON errors, and the writes it
hands to the services."""

import datetime
import io
import json

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.test import Client
from wagtail.models import APIToken, ModelLogEntry

from sessions.models import Enrolment, SessionDay, TrainingSession
from tests.factories.sessions import at, make_session
from tests.factories.training import (
    CourseFactory,
    ProfessionalFactory,
    build_cnp,  # noqa: E402
)
from training.cnp import mask_cnp
from training.models import Professional

pytestmark = pytest.mark.django_db

CNP = build_cnp("2", datetime.date(1985, 4, 23))
BAD_CNP = CNP[:12] + str((int(CNP[12]) + 1) % 10)


def bearer(user) -> dict:
    _, plaintext = APIToken.create_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


@pytest.fixture
def auth(staff_user) -> dict:
    return bearer(staff_user)


@pytest.fixture
def plain_user(django_user_model):
    return django_user_model.objects.create_user("fara-drepturi", "p@example.org", "x")


def post(client, url, payload, headers):
    return client.post(url, data=json.dumps(payload), content_type="application/json", **headers)


def patch(client, url, payload, headers):
    return client.patch(url, data=json.dumps(payload), content_type="application/json", **headers)


def is_json(response) -> bool:
    return response["Content-Type"].startswith("application/json")


def person_payload(**overrides) -> dict:
    payload = {
        "first_name": "Ana",
        "last_name": "Popescu",
        "county": "CJ",
        "email": "ana.popescu@example.org",
    }
    payload.update(overrides)
    return payload


def session_payload(course, **overrides) -> dict:
    payload = {
        "code": "API-001",
        "course": course.code,
        "county": "CJ",
        "capacity": 25,
        "delivery_mode": "online",
        "online_url": "https://meet.example.org/api-001",
        "days": [
            {"starts_at": at(10, 9).isoformat(), "ends_at": at(10, 17).isoformat()},
            {"starts_at": at(11, 9).isoformat(), "ends_at": at(11, 13).isoformat()},
        ],
    }
    payload.update(overrides)
    return payload


class TestAuthentication:
    def test_no_token_is_401_json(self, client):
        response = client.get("/api/v1/professionals")
        assert response.status_code == 401
        assert is_json(response)
        assert response.json()["detail"]

    def test_an_unknown_token_is_401(self, client):
        response = client.get(
            "/api/v1/professionals", HTTP_AUTHORIZATION="Bearer wagtail_nu-exista"
        )
        assert response.status_code == 401
        assert is_json(response)

    def test_a_revoked_token_is_401(self, client, staff_user):
        token, plaintext = APIToken.create_token(user=staff_user, name="vechi")
        token.revoke()
        response = client.get("/api/v1/counties", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
        assert response.status_code == 401

    def test_an_inactive_users_token_is_401(self, client, staff_user, auth):
        staff_user.is_active = False
        staff_user.save()
        assert client.get("/api/v1/counties", **auth).status_code == 401

    def test_a_browser_session_without_the_csrf_token_cannot_write(self, staff_user):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(staff_user)
        response = browser.post(
            "/api/v1/professionals", data=person_payload(), content_type="application/json"
        )
        assert response.status_code == 403
        assert is_json(response)
        assert response.json()["detail"]
        assert not Professional.objects.exists()

    def test_a_browser_session_with_the_csrf_token_can_write(self, staff_user):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(staff_user)
        browser.cookies["csrftoken"] = "a" * 32
        response = browser.post(
            "/api/v1/professionals",
            data=person_payload(),
            content_type="application/json",
            HTTP_X_CSRFTOKEN="a" * 32,
        )
        assert response.status_code == 201
        assert Professional.objects.count() == 1

    def test_a_valid_token_authenticates(self, client, auth):
        response = client.get("/api/v1/counties", **auth)
        assert response.status_code == 200
        codes = {c["code"] for c in response.json()}
        assert {"CJ", "B"} <= codes


class TestPermissions:
    def test_a_user_without_permissions_gets_403_json(self, client, plain_user):
        response = client.get("/api/v1/professionals", **bearer(plain_user))
        assert response.status_code == 403
        assert is_json(response)
        assert response.json()["detail"]

    def test_view_permission_does_not_allow_creating(self, client, plain_user):
        plain_user.user_permissions.add(
            Permission.objects.get(content_type__app_label="training", codename="view_professional")
        )
        headers = bearer(plain_user)
        assert client.get("/api/v1/professionals", **headers).status_code == 200
        response = post(client, "/api/v1/professionals", person_payload(), headers)
        assert response.status_code == 403
        assert not Professional.objects.exists()

    def test_session_endpoints_check_their_own_permissions(self, client, plain_user):
        plain_user.user_permissions.add(
            Permission.objects.get(content_type__app_label="training", codename="view_professional")
        )
        # Reading the offer is open to all (see test_session_list_api); writing is not.
        response = post(
            client, "/api/v1/sessions", session_payload(CourseFactory()), bearer(plain_user)
        )
        assert response.status_code == 403
        assert not TrainingSession.objects.exists()


class TestProfessionals:
    def test_create_returns_201_with_the_masked_cnp_only(self, client, auth, staff_user):
        response = post(client, "/api/v1/professionals", person_payload(cnp=CNP), auth)
        assert response.status_code == 201
        body = response.json()
        assert body["cnp"] == mask_cnp(CNP)
        assert body["county"] == "CJ"
        assert CNP not in response.content.decode()
        person = Professional.objects.get(pk=body["id"])
        assert person.birth_date == datetime.date(1985, 4, 23)

    def test_reading_never_shows_the_raw_cnp(self, client, auth):
        person_id = post(client, "/api/v1/professionals", person_payload(cnp=CNP), auth).json()[
            "id"
        ]
        one = client.get(f"/api/v1/professionals/{person_id}", **auth)
        many = client.get("/api/v1/professionals", **auth)
        assert one.status_code == many.status_code == 200
        assert one.json()["cnp"] == mask_cnp(CNP)
        for response in (one, many):
            assert CNP not in response.content.decode()

    def test_create_without_cnp(self, client, auth):
        response = post(client, "/api/v1/professionals", person_payload(), auth)
        assert response.status_code == 201
        assert response.json()["cnp"] == ""

    def test_invalid_cnp_is_400_on_cnp_and_nothing_saved(self, client, auth):
        response = post(client, "/api/v1/professionals", person_payload(cnp=BAD_CNP), auth)
        assert response.status_code == 400
        assert is_json(response)
        body = response.json()
        assert list(body["errors"]) == ["cnp"]
        assert body["detail"]
        assert not Professional.objects.exists()

    def test_duplicate_email_is_400_on_email(self, client, auth):
        ProfessionalFactory(email="ana.popescu@example.org")
        response = post(
            client, "/api/v1/professionals", person_payload(email="ANA.Popescu@example.org"), auth
        )
        assert response.status_code == 400
        assert "email" in response.json()["errors"]
        assert Professional.objects.count() == 1

    def test_unknown_county_code_is_400_on_county(self, client, auth):
        response = post(client, "/api/v1/professionals", person_payload(county="XX"), auth)
        assert response.status_code == 400
        assert "county" in response.json()["errors"]
        assert not Professional.objects.exists()

    def test_county_code_is_read_case_insensitively(self, client, auth):
        response = post(client, "/api/v1/professionals", person_payload(county="cj"), auth)
        assert response.status_code == 201
        assert response.json()["county"] == "CJ"

    def test_unknown_county_filter_is_400(self, client, auth):
        response = client.get("/api/v1/professionals?county=XX", **auth)
        assert response.status_code == 400
        assert "county" in response.json()["errors"]

    def test_the_acting_user_is_the_tokens_owner(self, client, auth, staff_user):
        person_id = post(client, "/api/v1/professionals", person_payload(), auth).json()["id"]
        entry = ModelLogEntry.objects.get(object_id=str(person_id), action="wagtail.create")
        assert entry.user_id == staff_user.pk


class TestSessions:
    def test_create_returns_201_with_its_days(self, client, auth):
        course = CourseFactory()
        response = post(client, "/api/v1/sessions", session_payload(course), auth)
        assert response.status_code == 201
        body = response.json()
        assert body["course"] == course.code
        assert body["seats_taken"] == 0
        assert len(body["days"]) == 2
        session = TrainingSession.objects.get(pk=body["id"])
        assert session.days.count() == 2

    def test_a_day_ending_before_it_starts_is_400_and_nothing_saved(self, client, auth):
        payload = session_payload(
            CourseFactory(),
            days=[{"starts_at": at(10, 17).isoformat(), "ends_at": at(10, 9).isoformat()}],
        )
        response = post(client, "/api/v1/sessions", payload, auth)
        assert response.status_code == 400
        assert is_json(response)
        assert "days" in response.json()["errors"]
        assert not TrainingSession.objects.exists()
        assert not SessionDay.objects.exists()

    def test_unknown_course_is_400_on_course(self, client, auth):
        payload = session_payload(CourseFactory())
        payload["course"] = "NU-EXISTA"
        response = post(client, "/api/v1/sessions", payload, auth)
        assert response.status_code == 400
        assert "course" in response.json()["errors"]
        assert not TrainingSession.objects.exists()

    def test_lowering_capacity_below_the_enrolled_is_400_on_capacity(self, client, auth):
        session = make_session(capacity=3, delivery_mode="online", online_url="https://x.ro/a")
        for _ in range(3):
            Enrolment.objects.create(
                training_session=session,
                professional=ProfessionalFactory(),
                status="confirmed",
                source="staff",
            )
        response = patch(client, f"/api/v1/sessions/{session.pk}", {"capacity": 2}, auth)
        assert response.status_code == 400
        assert "capacity" in response.json()["errors"]
        session.refresh_from_db()
        assert session.capacity == 3

    def test_raising_capacity_is_saved(self, client, auth):
        session = make_session(capacity=3)
        response = patch(client, f"/api/v1/sessions/{session.pk}", {"capacity": 30}, auth)
        assert response.status_code == 200
        assert response.json()["capacity"] == 30
        session.refresh_from_db()
        assert session.capacity == 30

    def test_patching_a_missing_session_is_404_json(self, client, auth):
        response = patch(client, "/api/v1/sessions/999999", {"capacity": 2}, auth)
        assert response.status_code == 404
        assert is_json(response)


def test_creating_a_professional_is_warning_free(client, auth):
    response = post(client, "/api/v1/professionals", person_payload(), auth)
    assert response.status_code == 201


def test_creating_a_session_is_warning_free(client, auth):
    response = post(client, "/api/v1/sessions", session_payload(CourseFactory()), auth)
    assert response.status_code == 201


def test_openapi_schema_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/professionals" in schema["paths"]
    assert "/api/v1/sessions" in schema["paths"]


class TestCreateApiTokenCommand:
    def test_prints_a_token_that_authenticates(self, client, staff_user):
        out = io.StringIO()
        call_command("create_api_token", staff_user.username, "--name", "integrare", stdout=out)
        token = out.getvalue().strip()
        response = client.get("/api/v1/professionals", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 200
        assert APIToken.objects.get(user=staff_user).name == "integrare"

    def test_the_token_is_not_stored_in_clear(self, staff_user):
        out = io.StringIO()
        call_command("create_api_token", staff_user.username, stdout=out)
        token = out.getvalue().strip()
        stored = APIToken.objects.get(user=staff_user)
        assert token not in (stored.key_hash, stored.prefix)

    def test_unknown_user_is_refused(self):
        with pytest.raises(CommandError):
            call_command("create_api_token", "nimeni", stdout=io.StringIO())
        assert not APIToken.objects.exists()

    def test_inactive_user_is_refused(self, staff_user):
        staff_user.is_active = False
        staff_user.save()
        with pytest.raises(CommandError):
            call_command("create_api_token", staff_user.username, stdout=io.StringIO())
        assert not APIToken.objects.exists()
