"""Calendars through the API: every session's .ics address, and `GET /api/v1/me` with the
caller's secret feed addresses, which they can create, replace and switch off. Each address
is fetched and must answer a calendar, and never someone else's."""

from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar
from wagtail.models import APIToken

from sessions import ical
from sessions.models import CalendarToken, Enrolment, TrainingSession
from sessions.services import enrolment_create
from tests.factories.sessions import make_session
from tests.factories.training import (
    FocalPointFactory,
    InstitutionFactory,
    ProfessionalFactory,
    UserFactory,
    county,
)
from training.models import County

pytestmark = pytest.mark.django_db

Status = TrainingSession.Status


def bearer(user) -> dict:
    _, plaintext = APIToken.create_token(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def fetch(client, url: str, **headers):
    """GET an absolute address the API gave, through the test client."""
    parts = urlsplit(url)
    assert parts.scheme in ("http", "https") and parts.netloc == "testserver", url
    return client.get(parts.path + (f"?{parts.query}" if parts.query else ""), **headers)


def calendar_uids(response) -> list[str]:
    """The UIDs of the events of a calendar response (which must be one)."""
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/calendar")
    return [str(event["UID"]) for event in Calendar.from_ical(response.content).walk("VEVENT")]


def uids_of(session) -> list[str]:
    return [ical.day_uid(day) for day in session.days.order_by("starts_at")]


def json_ok(response) -> dict:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def person(first_name="Ana", last_name="Ionescu", **kwargs):
    """A professional who signs in: their user."""
    user = UserFactory(first_name=first_name, last_name=last_name)
    ProfessionalFactory(user=user, first_name=first_name, last_name=last_name, **kwargs)
    return user


def confirm(session, user, staff_user) -> Enrolment:
    enrolment = enrolment_create(
        training_session=session,
        professional=user.professional,
        acting_user=staff_user,
        source=Enrolment.Source.STAFF,
    )
    assert enrolment.status == Enrolment.Status.CONFIRMED
    return enrolment


def new_key(client, headers) -> dict:
    return json_ok(client.post("/api/v1/me/calendar-key", **headers))


# --- ics_url on sessions --------------------------------------------------------------------


class TestSessionIcsUrl:
    def test_every_listed_session_downloads_its_days(self, client):
        sessions = [
            make_session(start_in=3, day_count=1),
            make_session(start_in=8, day_count=3),
            make_session(start_in=-20, status=Status.COMPLETED),
        ]
        make_session(status=Status.DRAFT)
        items = json_ok(client.get("/api/v1/sessions"))["items"]
        assert len(items) == 3
        by_code = {s.code: s for s in sessions}
        for item in items:
            assert item["ics_url"].endswith(f"/sesiuni/{item['code']}/calendar.ics")
            assert calendar_uids(fetch(client, item["ics_url"])) == uids_of(by_code[item["code"]])

    def test_one_session_carries_the_same_address(self, client):
        session = make_session()
        listed = json_ok(client.get("/api/v1/sessions"))["items"][0]["ics_url"]
        one = json_ok(client.get(f"/api/v1/sessions/{session.pk}"))["ics_url"]
        assert one == listed == ical.ics_url(session)

    def test_organisers_get_none_for_drafts_and_a_cancelled_file_for_cancelled(
        self, client, staff_user
    ):
        draft = make_session(start_in=4, status=Status.DRAFT)
        cancelled = make_session(start_in=5, status=Status.CANCELLED)
        items = {
            i["id"]: i
            for i in json_ok(client.get("/api/v1/sessions", **bearer(staff_user)))["items"]
        }
        assert items[draft.pk]["ics_url"] is None
        response = fetch(client, items[cancelled.pk]["ics_url"])
        assert calendar_uids(response) == uids_of(cancelled)
        events = Calendar.from_ical(response.content).walk("VEVENT")
        assert {str(e["STATUS"]) for e in events} == {"CANCELLED"}

    def test_an_english_caller_gets_the_english_file(self, client):
        session = make_session()
        url = json_ok(client.get("/api/v1/sessions", HTTP_ACCEPT_LANGUAGE="en"))["items"][0][
            "ics_url"
        ]
        assert urlsplit(url).path == f"/en/sesiuni/{session.code}/calendar.ics"
        assert calendar_uids(fetch(client, url)) == uids_of(session)

    def test_the_session_a_new_session_answers_carries_it(self, client, staff_user):
        response = client.post(
            "/api/v1/sessions",
            data={
                "code": "CAL-1",
                "course": make_session().course.code,
                "county": "CJ",
                "capacity": 10,
                "status": "published",
                "online_url": "https://meet.example.org/cal-1",
                "days": [
                    {
                        "starts_at": "2030-03-31T09:00:00+03:00",
                        "ends_at": "2030-03-31T17:00:00+03:00",
                    }
                ],
            },
            content_type="application/json",
            **bearer(staff_user),
        )
        assert response.status_code == 201, response.content
        url = response.json()["ics_url"]
        assert calendar_uids(fetch(client, url)) == uids_of(
            TrainingSession.objects.get(code="CAL-1")
        )


def _count_queries(client, headers) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/sessions?limit=200", **headers)
    body = json_ok(response)
    assert all(item["ics_url"] for item in body["items"])
    return len(ctx), body["count"]


@pytest.mark.parametrize("caller", ["visitor", "organiser"])
def test_the_addresses_cost_no_query_per_session(client, staff_user, caller):
    headers = bearer(staff_user) if caller == "organiser" else {}
    for i in range(2):
        make_session(start_in=5 + i)
    _count_queries(client, headers)  # the token's first use is recorded once
    few, count = _count_queries(client, headers)
    assert count == 2
    for i in range(18):
        make_session(start_in=10 + i, day_count=1 + i % 3)
    many, count = _count_queries(client, headers)
    assert count == 20
    assert many == few


# --- GET /me --------------------------------------------------------------------------------


class TestMe:
    @pytest.mark.parametrize(
        "headers", [{}, {"HTTP_AUTHORIZATION": "Bearer wagtail_nu-exista"}], ids=["none", "wrong"]
    )
    def test_anonymous_callers_get_a_json_401(self, client, headers):
        response = client.get("/api/v1/me", **headers)
        assert response.status_code == 401
        assert response["Content-Type"].startswith("application/json")
        body = response.json()
        assert body["detail"] and body["errors"] == {}

    @pytest.mark.parametrize("method", ["post", "delete"])
    def test_anonymous_callers_cannot_touch_a_key(self, client, method):
        response = getattr(client, method)("/api/v1/me/calendar-key")
        assert response.status_code == 401
        assert response.json()["detail"]
        assert not CalendarToken.objects.exists()

    def test_the_callers_own_account_and_nothing_more(self, client):
        user = person("Ioana", "Ștefănescu", preferred_language="en")
        body = json_ok(client.get("/api/v1/me", **bearer(user)))
        assert body == {
            "id": user.pk,
            "email": user.email,
            "first_name": "Ioana",
            "last_name": "Ștefănescu",
            "professional_id": user.professional.pk,
            "preferred_language": "en",
            "calendar_feed_url": None,
            "calendar_feed_webcal_url": None,
            "county_feed_urls": [],
        }

    def test_an_account_without_a_registry_entry(self, client):
        user = UserFactory(first_name="Dan")
        body = json_ok(client.get("/api/v1/me", **bearer(user)))
        assert (body["id"], body["first_name"]) == (user.pk, "Dan")
        assert body["professional_id"] is None
        assert body["preferred_language"] is None

    def test_the_answer_is_kept_by_no_cache(self, client):
        response = client.get("/api/v1/me", **bearer(person()))
        assert "no-store" in response["Cache-Control"]

    def test_the_feed_address_gives_the_callers_sessions(self, client, staff_user):
        user = person()
        mine = make_session(start_in=6, day_count=2)
        confirm(mine, user, staff_user)
        make_session(start_in=7)  # not registered: not in the feed
        auth = bearer(user)
        created = new_key(client, auth)
        body = json_ok(client.get("/api/v1/me", **auth))
        token = CalendarToken.objects.get(user=user).token
        assert body["calendar_feed_url"] == created["calendar_feed_url"]
        assert body["calendar_feed_url"].endswith(f"/calendar/personal/{token}.ics")
        assert (
            body["calendar_feed_webcal_url"]
            == "webcal://" + body["calendar_feed_url"].split("://", 1)[1]
        )
        # A calendar client fetches it without signing in.
        assert calendar_uids(fetch(Client(), body["calendar_feed_url"])) == uids_of(mine)

    def test_an_existing_key_is_shown_as_is(self, client):
        user = person()
        key = CalendarToken.objects.create(user=user)
        body = json_ok(client.get("/api/v1/me", **bearer(user)))
        assert urlsplit(body["calendar_feed_url"]).path == f"/calendar/personal/{key.token}.ics"

    def test_another_persons_key_and_sessions_never_appear(self, client, staff_user):
        ana, dan = person("Ana"), person("Dan")
        for_ana, for_dan = make_session(start_in=5), make_session(start_in=6)
        confirm(for_ana, ana, staff_user)
        confirm(for_dan, dan, staff_user)
        ana_auth, dan_auth = bearer(ana), bearer(dan)
        new_key(client, ana_auth)
        new_key(client, dan_auth)
        ana_key = CalendarToken.objects.get(user=ana).token
        dan_key = CalendarToken.objects.get(user=dan).token
        ana_me = client.get("/api/v1/me", **ana_auth)
        dan_me = client.get("/api/v1/me", **dan_auth)
        assert ana_key in ana_me.content.decode() and dan_key not in ana_me.content.decode()
        assert dan_key in dan_me.content.decode() and ana_key not in dan_me.content.decode()
        assert dan.email not in ana_me.content.decode()
        feed = calendar_uids(fetch(Client(), ana_me.json()["calendar_feed_url"]))
        assert feed == uids_of(for_ana)
        assert not set(feed) & set(uids_of(for_dan))

    def test_the_english_address_gives_an_english_feed(self, client, staff_user):
        user = person()
        confirm(make_session(), user, staff_user)
        auth = bearer(user)
        new_key(client, auth)
        body = json_ok(client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en", **auth))
        assert urlsplit(body["calendar_feed_url"]).path.startswith("/en/calendar/personal/")
        assert len(calendar_uids(fetch(Client(), body["calendar_feed_url"]))) == 2


# --- the calendar key ---------------------------------------------------------------------


class TestCalendarKey:
    def test_replacing_the_key_retires_the_old_addresses(self, client, staff_user):
        user = person()
        confirm(make_session(), user, staff_user)
        FocalPointFactory(user=user, county=county("CJ"))
        auth = bearer(user)
        old = new_key(client, auth)
        assert fetch(Client(), old["calendar_feed_url"]).status_code == 200
        assert fetch(Client(), old["county_feed_urls"][0]["url"]).status_code == 200
        new = new_key(client, auth)
        assert new["calendar_feed_url"] != old["calendar_feed_url"]
        assert (
            json_ok(client.get("/api/v1/me", **auth))["calendar_feed_url"]
            == (new["calendar_feed_url"])
        )
        assert fetch(Client(), old["calendar_feed_url"]).status_code == 404
        assert fetch(Client(), old["county_feed_urls"][0]["url"]).status_code == 404
        assert len(calendar_uids(fetch(Client(), new["calendar_feed_url"]))) == 2
        assert calendar_uids(fetch(Client(), new["county_feed_urls"][0]["url"]))

    def test_revoking_switches_the_feeds_off(self, client, staff_user):
        user = person()
        confirm(make_session(), user, staff_user)
        FocalPointFactory(user=user, county=county("CJ"))
        auth = bearer(user)
        old = new_key(client, auth)
        response = client.delete("/api/v1/me/calendar-key", **auth)
        assert response.status_code == 204
        assert response.content == b""
        body = json_ok(client.get("/api/v1/me", **auth))
        assert body["calendar_feed_url"] is None
        assert body["calendar_feed_webcal_url"] is None
        assert body["county_feed_urls"] == []
        assert fetch(Client(), old["calendar_feed_url"]).status_code == 404
        assert fetch(Client(), old["county_feed_urls"][0]["url"]).status_code == 404
        # Again: nothing to switch off, still 204.
        assert client.delete("/api/v1/me/calendar-key", **auth).status_code == 204

    def test_revoking_does_not_touch_someone_elses_key(self, client):
        ana, dan = person("Ana"), person("Dan")
        dan_url = new_key(client, bearer(dan))["calendar_feed_url"]
        new_key(client, bearer(ana))
        assert client.delete("/api/v1/me/calendar-key", **bearer(ana)).status_code == 204
        assert fetch(Client(), dan_url).status_code == 200

    def test_a_signed_in_browser_needs_the_csrf_token(self):
        user = person()
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(user)
        assert json_ok(browser.get("/api/v1/me"))["id"] == user.pk
        refused = browser.post("/api/v1/me/calendar-key")
        assert refused.status_code == 403
        assert refused.json()["detail"]
        assert not CalendarToken.objects.exists()
        browser.cookies["csrftoken"] = "c" * 32  # as the site's pages set it
        csrf = {"HTTP_X_CSRFTOKEN": "c" * 32}
        created = json_ok(browser.post("/api/v1/me/calendar-key", **csrf))
        assert fetch(Client(), created["calendar_feed_url"]).status_code == 200
        assert browser.delete("/api/v1/me/calendar-key").status_code == 403
        assert CalendarToken.objects.filter(user=user).exists()
        assert browser.delete("/api/v1/me/calendar-key", **csrf).status_code == 204
        assert not CalendarToken.objects.exists()


# --- county feeds ---------------------------------------------------------------------------


class TestCountyFeeds:
    def test_organisers_may_follow_every_county(self, client, staff_user):
        cluj = make_session(county=county("CJ"), status=Status.DRAFT)
        feeds = new_key(client, bearer(staff_user))["county_feed_urls"]
        assert [f["code"] for f in feeds] == list(County.objects.values_list("code", flat=True))
        assert len(feeds) == 42
        by_code = {f["code"]: f for f in feeds}
        assert by_code["CJ"]["name"] == "Cluj"
        assert by_code["CJ"]["webcal_url"].startswith("webcal://")
        # The organisers' feed has drafts too.
        assert calendar_uids(fetch(Client(), by_code["CJ"]["url"])) == uids_of(cluj)
        assert calendar_uids(fetch(Client(), by_code["B"]["url"])) == []

    def test_a_county_coordinator_gets_their_county_only(self, client):
        make_session(county=county("CJ"))
        user = person()
        FocalPointFactory(user=user, county=county("CJ"))
        feeds = new_key(client, bearer(user))["county_feed_urls"]
        assert [(f["code"], f["name"]) for f in feeds] == [("CJ", "Cluj")]
        assert len(calendar_uids(fetch(Client(), feeds[0]["url"]))) == 2
        # The same key for a county they do not coordinate: no feed.
        other = feeds[0]["url"].replace("/judet/CJ/", "/judet/B/")
        assert fetch(Client(), other).status_code == 404

    def test_people_and_institution_focal_points_get_none(self, client):
        plain = person()
        focal = person("Maria")
        FocalPointFactory(user=focal, institution=InstitutionFactory())
        for user in (plain, focal):
            body = new_key(client, bearer(user))
            assert body["calendar_feed_url"]
            assert body["county_feed_urls"] == []


def test_the_openapi_describes_the_addresses(client):
    schema = json_ok(client.get("/api/v1/openapi.json"))
    assert {"/api/v1/me", "/api/v1/me/calendar-key"} <= set(schema["paths"])
    assert set(schema["paths"]["/api/v1/me/calendar-key"]) == {"post", "delete"}
    components = schema["components"]["schemas"]
    assert "calendar" in components["SessionListOut"]["properties"]["ics_url"]["description"]
    me = components["MeOut"]["properties"]
    for name in ("calendar_feed_url", "calendar_feed_webcal_url", "county_feed_urls"):
        assert me[name]["description"], name
