"""The API never answers bad input with a server error: a 4xx with the JSON error shape,
and nothing saved."""

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import APIToken

from sessions.models import TrainingSession
from tests.factories.sessions import make_session
from tests.factories.training import CourseFactory
from training.models import Professional

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth(db):
    user = get_user_model().objects.create_superuser("api", "api@example.org", "x")
    _, token = APIToken.create_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _post(client, url, data, auth):
    return client.post(url, data, content_type="application/json", **auth)


PERSON = {"first_name": "Ana", "last_name": "Pop", "county": "CJ"}


@pytest.mark.parametrize(
    "change",
    [
        {"category_id": 999999},
        {"institution_id": 999999},
        {"sex": "X"},
        {"birth_date": "0001-01-01"},
        {"birth_date": "not a date"},
        {"first_name": "Ana\x00"},
        {"county": "\x00"},
        {"first_name": "A" * 500},
    ],
)
def test_bad_professional_input_is_a_4xx_and_saves_nothing(client, auth, change):
    response = _post(client, "/api/v1/professionals", {**PERSON, **change}, auth)
    assert 400 <= response.status_code < 500
    body = response.json()
    assert body["detail"] and isinstance(body["errors"], dict)
    assert not Professional.objects.exists()


def _day(start, end):
    return {"starts_at": start, "ends_at": end}


@pytest.mark.parametrize(
    "days",
    [
        [_day("2027-03-09T09:00:00", "2027-03-09T17:00:00")],  # no time zone
        [_day("0001-01-01T00:30:00+01:00", "0001-01-01T05:00:00+01:00")],
        [_day("9999-12-31T20:00:00-01:00", "9999-12-31T21:00:00-01:00")],
        [_day("2027-03-09T17:00:00+02:00", "2027-03-09T09:00:00+02:00")],
    ],
)
def test_bad_session_days_are_a_4xx_and_save_nothing(client, auth, days):
    course = CourseFactory()
    payload = {
        "code": "X-1",
        "course": course.code,
        "county": "CJ",
        "capacity": 10,
        "online_url": "https://meet.example.org/x",
        "days": days,
    }
    response = _post(client, "/api/v1/sessions", payload, auth)
    assert 400 <= response.status_code < 500
    assert not TrainingSession.objects.filter(code="X-1").exists()


@pytest.mark.parametrize(
    "change", [{"status": "nonsense"}, {"capacity": -5}, {"capacity": 10**30}, {"title": "a\x00"}]
)
def test_bad_session_patches_are_a_4xx(client, auth, change):
    session = make_session(capacity=10)
    response = client.patch(
        f"/api/v1/sessions/{session.pk}", change, content_type="application/json", **auth
    )
    assert 400 <= response.status_code < 500
    session.refresh_from_db()
    assert session.capacity == 10


@pytest.mark.parametrize(
    "query",
    ["?offset=100000000000000000000", "?limit=100000", "?limit=0", "?county=%00", "?offset=-1"],
)
def test_bad_paging_and_filters_are_a_4xx(client, auth, query):
    for url in ("/api/v1/professionals", "/api/v1/sessions"):
        response = client.get(url + query, **auth)
        assert 400 <= response.status_code < 500, (url, query, response.status_code)


def test_a_session_cannot_jump_from_completed_to_cancelled(client, auth):
    session = make_session(start_in=-10, status=TrainingSession.Status.COMPLETED)
    response = client.patch(
        f"/api/v1/sessions/{session.pk}",
        {"status": "cancelled"},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 400
    assert "status" in response.json()["errors"]


def test_an_unknown_institution_is_refused_in_romanian(client, auth):
    response = _post(
        client,
        "/api/v1/professionals",
        {**PERSON, "institution_id": 999999},
        {**auth, "HTTP_ACCEPT_LANGUAGE": "ro"},
    )
    assert response.status_code == 400
    message = response.json()["errors"]["institution"][0]
    assert "Nu există" in message and "instance" not in message
