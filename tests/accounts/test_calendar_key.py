"""The calendar key from the account pages ("my trainings" and the profile): creating the
private subscription address, replacing it (the old one stops working at once), turning it off;
only its owner ever sees it. Coordinators and organisers also find their county calendars on
the profile. Pages are read in English (/en/)."""

import re

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from django.utils import translation

from sessions.models import CalendarToken, Enrolment
from sessions.services import enrolment_create
from tests.accounts.conftest import make_user
from tests.factories.sessions import make_session
from tests.factories.training import (
    FocalPointFactory,
    InstitutionFactory,
    PersonFactory,
    county,
)

pytestmark = pytest.mark.django_db

FEED = re.compile(r"/calendar/personal/([^/\"']+)\.ics")


def en(name, *args, **kwargs) -> str:
    with translation.override("en"):
        return reverse(name, args=args, kwargs=kwargs)


MY_TRAININGS = "training_sessions:my_trainings"
NEW = "training_sessions:calendar_key_regenerate"
OFF = "training_sessions:calendar_key_revoke"


def page(client, url, params=None) -> BeautifulSoup:
    response = client.get(url, params or {})
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def section(html: BeautifulSoup):
    heading = html.find(id="calendar-subscription-heading")
    return heading.find_parent("section") if heading else None


def personal_feed(token: str) -> str:
    return en("training_sessions:personal_feed", token=token)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def person(db):
    person = PersonFactory(first_name="Ana", last_name="Popescu")
    session = make_session(title="Sesiunea Anei")
    enrolment_create(
        training_session=session,
        professional=person,
        acting_user=person.user,
        source=Enrolment.Source.SELF,
    )
    return person


@pytest.fixture
def person_client(client, person):
    client.force_login(person.user)
    return client


def test_without_a_key_the_person_is_offered_to_create_one(person_client):
    box = section(page(person_client, en(MY_TRAININGS)))
    assert "private" in box.get_text()
    form = box.find("form", action=en(NEW))
    assert form["method"] == "post"
    assert form.find("button").get_text(strip=True) == "Create my calendar address"
    assert not box.find_all("a", href=re.compile("^webcal://"))
    assert box.find("form", action=en(OFF)) is None


def test_creating_the_address_shows_it_and_it_works(person_client, person):
    response = person_client.post(
        en(NEW), {"next": f"{en(MY_TRAININGS)}#calendar-subscription"}, follow=True
    )
    assert response.redirect_chain == [(f"{en(MY_TRAININGS)}#calendar-subscription", 302)]
    assert messages_of(response) == ["Your calendar address is ready: add it to your calendar app."]
    token = CalendarToken.objects.get(user=person.user).token
    box = section(BeautifulSoup(response.content.decode(), "html.parser"))
    https = f"http://testserver{personal_feed(token)}"
    assert box.find("a", href=https.replace("http://", "webcal://", 1)) is not None
    assert box.find("input", id="personal-feed-address")["value"] == https
    assert box.find("form", action=en(NEW)).find("button").get_text(strip=True) == "New address"
    assert box.find("form", action=en(OFF)).find("button").get_text(strip=True) == "Turn off"

    feed = person_client.get(personal_feed(token))
    assert feed.status_code == 200
    assert "Sesiunea Anei" in feed.content.decode()


def test_a_new_address_replaces_the_old_one(person_client, person):
    person_client.post(en(NEW), follow=True)
    old = CalendarToken.objects.get(user=person.user).token
    response = person_client.post(en(NEW), follow=True)
    new = CalendarToken.objects.get(user=person.user).token
    assert new != old
    assert messages_of(response) == [
        "Your calendar address has changed. The old one no longer works: add the new one to "
        "your calendar app."
    ]
    html = response.content.decode()
    assert personal_feed(new) in html and old not in html
    client = Client()  # a calendar app: not signed in
    assert client.get(personal_feed(old)).status_code == 404
    assert client.get(personal_feed(new)).status_code == 200


def test_turning_it_off_stops_the_address(person_client, person):
    person_client.post(en(NEW), follow=True)
    token = CalendarToken.objects.get(user=person.user).token
    response = person_client.post(en(OFF), follow=True)
    assert response.redirect_chain == [(en(MY_TRAININGS), 302)]
    assert messages_of(response) == [
        "Your calendar address is turned off: calendar apps that use it no longer receive "
        "your trainings."
    ]
    assert not CalendarToken.objects.filter(user=person.user).exists()
    assert Client().get(personal_feed(token)).status_code == 404
    box = section(BeautifulSoup(response.content.decode(), "html.parser"))
    assert token not in str(box)
    assert box.find("form", action=en(NEW)).find("button").get_text(strip=True) == (
        "Create my calendar address"
    )


def test_only_its_owner_sees_the_address(client, person):
    client.force_login(person.user)
    client.post(en(NEW))
    token = CalendarToken.objects.get(user=person.user).token
    other = PersonFactory()
    client.force_login(other.user)
    for url in (en(MY_TRAININGS), "/en/cont/profil/"):
        html = client.get(url).content.decode()
        assert token not in html
        assert not FEED.search(html)
    client.logout()
    assert token not in client.get("/en/").content.decode()


@pytest.mark.parametrize("name", [NEW, OFF])
def test_get_is_not_allowed(person_client, person, name):
    assert person_client.get(en(name)).status_code == 405
    assert not CalendarToken.objects.filter(user=person.user).exists()


@pytest.mark.parametrize("name", [NEW, OFF])
def test_visitors_are_sent_to_sign_in(client, name):
    for response in (client.get(en(name)), client.post(en(name))):
        assert response.status_code == 302
        assert response.url.startswith(en("account_login"))
    assert not CalendarToken.objects.exists()


def test_the_forms_need_their_csrf_token(person):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(person.user)
    assert browser.post(en(NEW)).status_code == 403
    assert not CalendarToken.objects.filter(user=person.user).exists()

    form = section(page(browser, en(MY_TRAININGS))).find("form", action=en(NEW))
    data = {i["name"]: i["value"] for i in form.find_all("input", type="hidden")}
    assert "csrfmiddlewaretoken" in data
    assert browser.post(en(NEW), data).status_code == 302
    assert CalendarToken.objects.filter(user=person.user).exists()

    assert browser.post(en(OFF)).status_code == 403
    assert CalendarToken.objects.filter(user=person.user).exists()


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_it_never_sends_the_person_off_the_site(person_client, next_url):
    response = person_client.post(en(NEW), {"next": next_url})
    assert response.url == en(MY_TRAININGS)


# --- on the profile ---------------------------------------------------------------------------

PROFILE = "/en/cont/profil/"


def test_the_profile_has_the_same_section_and_comes_back_to_it(person_client, person):
    box = section(page(person_client, PROFILE))
    form = box.find("form", action=en(NEW))
    next_url = form.find("input", attrs={"name": "next"})["value"]
    assert next_url == f"{PROFILE}#calendar-subscription"
    response = person_client.post(en(NEW), {"next": next_url})
    assert response.url == next_url
    token = CalendarToken.objects.get(user=person.user).token
    box = section(page(person_client, PROFILE))
    assert box.find("input", id="personal-feed-address")["value"].endswith(personal_feed(token))
    # A person who coordinates nothing has no county calendars.
    assert box.find(id="county-feeds-heading") is None


def test_a_county_coordinator_finds_the_county_calendar(client):
    user = make_user(email="coordonator@example.org")
    FocalPointFactory(user=user, county=county("CJ"))
    FocalPointFactory(user=user, institution=InstitutionFactory())  # no county calendar
    client.force_login(user)
    box = section(page(client, PROFILE))
    assert box.find(id="county-feeds-heading") is not None
    assert "Create your calendar address first" in box.get_text()

    client.post(en(NEW))
    token = CalendarToken.objects.get(user=user).token
    box = section(page(client, PROFILE))
    feed = en("training_sessions:county_feed", county="CJ", token=token)
    links = [a["href"] for a in box.find_all("a", href=re.compile("^webcal://"))]
    assert links == [
        f"webcal://testserver{personal_feed(token)}",
        f"webcal://testserver{feed}",
    ]
    assert box.find("input", id="county-feed-CJ")["value"] == f"http://testserver{feed}"
    make_session(title="Sesiune la Cluj", county=county("CJ"))
    response = Client().get(feed)
    assert response.status_code == 200
    assert "Sesiune la Cluj" in response.content.decode()


def test_an_organiser_chooses_a_county(admin_client, staff_user):
    admin_client.post(en(NEW))
    token = CalendarToken.objects.get(user=staff_user).token
    box = section(page(admin_client, PROFILE))
    select = box.find("select", attrs={"name": "calendar_county"})
    assert len(select.find_all("option")) == 42  # every county and Bucharest
    assert box.find("label", attrs={"for": select["id"]}) is not None
    assert not box.find_all("input", id=re.compile("^county-feed-"))

    box = section(page(admin_client, PROFILE, {"calendar_county": "BH"}))
    feed = en("training_sessions:county_feed", county="BH", token=token)
    assert box.find("input", id="county-feed-BH")["value"] == f"http://testserver{feed}"
    assert box.find("option", attrs={"value": "BH", "selected": True}) is not None
    assert Client().get(feed).status_code == 200
