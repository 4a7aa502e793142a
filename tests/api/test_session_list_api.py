"""Reading sessions through the API: who sees which, every filter, the seat and waiting-list
counts, and a query count that does not grow with the rows."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import APIToken

from sessions.models import Enrolment, TrainingSession
from sessions.services import enrolment_create
from tests.factories.sessions import make_session
from tests.factories.training import CourseFactory, ProfessionalFactory, ProjectFactory, county

pytestmark = pytest.mark.django_db

Status = TrainingSession.Status


def bearer(user) -> dict:
    _, plaintext = APIToken.create_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


@pytest.fixture
def organiser(staff_user) -> dict:
    return bearer(staff_user)


@pytest.fixture
def person(db) -> dict:
    """A signed-in professional without back-office rights."""
    user = get_user_model().objects.create_user("ana", "ana@example.org", "x")
    ProfessionalFactory(user=user)
    return bearer(user)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def day(days_from_now: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days_from_now)).isoformat()


@pytest.fixture
def every_status():
    """One session of each status, soonest first: {status: session}."""
    return {
        Status.PUBLISHED: make_session(start_in=5),
        Status.COMPLETED: make_session(start_in=-20, status=Status.COMPLETED),
        Status.DRAFT: make_session(start_in=6, status=Status.DRAFT),
        Status.CANCELLED: make_session(start_in=7, status=Status.CANCELLED),
    }


class TestVisibility:
    def test_visitors_see_published_and_completed_sessions_only(self, client, every_status):
        expected = [every_status[Status.COMPLETED].pk, every_status[Status.PUBLISHED].pk]
        assert ids(client.get("/api/v1/sessions")) == expected

    def test_people_without_rights_see_the_same(self, client, person, every_status):
        expected = [every_status[Status.COMPLETED].pk, every_status[Status.PUBLISHED].pk]
        assert ids(client.get("/api/v1/sessions", **person)) == expected

    def test_organisers_see_every_status(self, client, organiser, every_status):
        found = ids(client.get("/api/v1/sessions", **organiser))
        assert sorted(found) == sorted(s.pk for s in every_status.values())

    def test_the_view_permission_shows_every_status_of_the_sessions_in_scope(
        self, client, every_status
    ):
        user = get_user_model().objects.create_user("observator", "o@example.org", "x")
        user.user_permissions.add(
            Permission.objects.get(
                content_type__app_label="training_sessions", codename="view_trainingsession"
            )
        )
        # No scope: the public offer only (published and completed).
        assert len(ids(client.get("/api/v1/sessions", **bearer(user)))) == 2
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label="training", codename="see_all_records")
        )
        assert len(ids(client.get("/api/v1/sessions", **bearer(user)))) == 4

    @pytest.mark.parametrize("status", [Status.DRAFT, Status.CANCELLED])
    def test_a_hidden_session_is_404_to_visitors_and_there_for_organisers(
        self, client, organiser, every_status, status
    ):
        url = f"/api/v1/sessions/{every_status[status].pk}"
        response = client.get(url)
        assert response.status_code == 404
        assert response.json()["detail"]
        assert client.get(url, **organiser).json()["status"] == status

    def test_asking_for_drafts_shows_visitors_nothing(self, client, every_status):
        assert ids(client.get("/api/v1/sessions?status=draft")) == []

    def test_a_wrong_token_is_401_not_anonymous(self, client, every_status):
        response = client.get("/api/v1/sessions", HTTP_AUTHORIZATION="Bearer wagtail_nu-exista")
        assert response.status_code == 401
        assert response.json()["detail"]

    def test_a_signed_in_browser_reads_without_a_token(self, staff_user, every_status):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(staff_user)
        assert len(ids(browser.get("/api/v1/sessions"))) == 4


class TestFilters:
    def test_county(self, client):
        cluj = make_session(county=county("CJ"))
        make_session(county=county("B"))
        assert ids(client.get("/api/v1/sessions?county=cj")) == [cluj.pk]

    def test_course(self, client):
        course = CourseFactory()
        wanted = make_session(course=course)
        make_session()
        assert ids(client.get(f"/api/v1/sessions?course={course.code}")) == [wanted.pk]

    def test_project(self, client):
        project = ProjectFactory(acronym="VIITOR")
        wanted = make_session(project=project)
        make_session(project=ProjectFactory())
        make_session()
        assert ids(client.get("/api/v1/sessions?project=viitor")) == [wanted.pk]

    def test_status(self, client, organiser, every_status):
        for status, session in every_status.items():
            assert ids(client.get(f"/api/v1/sessions?status={status}", **organiser)) == [session.pk]

    def test_dates_keep_sessions_with_a_day_in_the_range(self, client):
        early = make_session(start_in=10, day_count=2)  # days 10 and 11
        middle = make_session(start_in=20, day_count=2)  # days 20 and 21
        late = make_session(start_in=30, day_count=1)  # day 30
        get = client.get
        assert ids(get(f"/api/v1/sessions?from={day(11)}&to={day(20)}")) == [early.pk, middle.pk]
        assert ids(get(f"/api/v1/sessions?from={day(12)}&to={day(19)}")) == []
        assert ids(get(f"/api/v1/sessions?from={day(21)}")) == [middle.pk, late.pk]
        assert ids(get(f"/api/v1/sessions?to={day(10)}")) == [early.pk]
        assert ids(get(f"/api/v1/sessions?from={day(30)}&to={day(30)}")) == [late.pk]

    def test_filters_combine(self, client):
        course = CourseFactory()
        wanted = make_session(course=course, county=county("CJ"), start_in=10)
        make_session(course=course, county=county("B"), start_in=10)
        make_session(course=course, county=county("CJ"), start_in=40)
        make_session(county=county("CJ"), start_in=10)
        url = f"/api/v1/sessions?course={course.code}&county=CJ&from={day(5)}&to={day(15)}"
        assert ids(client.get(url)) == [wanted.pk]

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("county=XX", "county"),
            ("course=NU-EXISTA", "course"),
            ("project=NIMIC", "project"),
            ("status=nonsense", "status"),
            ("status=%00", "status"),
        ],
    )
    def test_an_unknown_value_is_400_on_its_field(self, client, query, field):
        make_session()
        response = client.get(f"/api/v1/sessions?{query}")
        assert response.status_code == 400
        assert list(response.json()["errors"]) == [field]

    def test_an_end_before_the_start_is_400_on_to(self, client):
        response = client.get(f"/api/v1/sessions?from={day(10)}&to={day(5)}")
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["to"]

    @pytest.mark.parametrize(
        "query", ["from=mâine", "to=2027-02-30", "from=%00", "to=99999-01-01", "limit=0"]
    )
    def test_malformed_values_are_a_4xx(self, client, query):
        response = client.get(f"/api/v1/sessions?{query}")
        assert 400 <= response.status_code < 500
        assert response.json()["detail"]

    @pytest.mark.parametrize("session_id", ["-1", "0", "999999", str(10**30), "abc"])
    def test_odd_ids_are_a_4xx(self, client, session_id):
        response = client.get(f"/api/v1/sessions/{session_id}")
        assert 400 <= response.status_code < 500
        assert response.json()["detail"]


class TestCounts:
    def test_seats_and_waiting_list(self, client, staff_user):
        session = make_session(capacity=2)
        for _ in range(5):
            enrolment_create(
                training_session=session,
                professional=ProfessionalFactory(),
                acting_user=staff_user,
            )
        cancelled = Enrolment.objects.filter(status=Enrolment.Status.CONFIRMED).first()
        Enrolment.objects.filter(pk=cancelled.pk).update(status=Enrolment.Status.CANCELLED)
        one = client.get(f"/api/v1/sessions/{session.pk}").json()
        assert (one["seats_total"], one["seats_taken"], one["waitlist_length"]) == (2, 1, 3)
        listed = client.get("/api/v1/sessions").json()["items"][0]
        assert (listed["seats_total"], listed["seats_taken"], listed["waitlist_length"]) == (
            2,
            1,
            3,
        )


def _count_queries(client, headers) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/sessions?limit=200", **headers)
    assert response.status_code == 200
    return len(ctx), response.json()["count"]


@pytest.mark.parametrize("caller", ["visitor", "organiser"])
def test_the_query_count_does_not_grow_with_the_sessions(client, staff_user, caller):
    headers = bearer(staff_user) if caller == "organiser" else {}
    project = ProjectFactory()

    def add_sessions(n):
        for i in range(n):
            session = make_session(capacity=1, project=project, start_in=5 + i)
            for _ in range(2):  # one seat taken, one waiting
                enrolment_create(
                    training_session=session,
                    professional=ProfessionalFactory(),
                    acting_user=staff_user,
                )

    add_sessions(3)
    _count_queries(client, headers)  # the token's first use is recorded once
    few, count = _count_queries(client, headers)
    assert count == 3
    add_sessions(27)
    many, count = _count_queries(client, headers)
    assert count == 30
    assert many == few
    assert few <= 6
