""" "Add to calendar" on the public pages: a session's page (download, Google Calendar, the
county's subscription), each training on "my trainings", and the training calendar's
subscription with its filters. The links lead to files that work, and never carry the meeting
link. Session pages are read in English (/en/); the calendar page is the Romanian one."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import translation

from sessions.models import Enrolment, TrainingSession
from sessions.services import enrolment_create
from tests.factories.cms import page_tree
from tests.factories.sessions import make_session
from tests.factories.training import (
    CourseFactory,
    CurriculumFactory,
    PersonFactory,
    ProjectFactory,
    county,
)
from training.models import ProfessionalCategory

pytestmark = pytest.mark.django_db

MEETING = "https://meet.example.org/formare-secreta"
Mode = TrainingSession.DeliveryMode


def en(name, *args, **kwargs) -> str:
    with translation.override("en"):
        return reverse(name, args=args, kwargs=kwargs)


def soup(client, url, params=None) -> BeautifulSoup:
    response = client.get(url, params or {})
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def hrefs(html: BeautifulSoup, prefix: str) -> list[str]:
    return [a["href"] for a in html.find_all("a", href=True) if a["href"].startswith(prefix)]


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def utc(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def enrol(session, person) -> Enrolment:
    return enrolment_create(
        training_session=session,
        professional=person,
        acting_user=person.user,
        source=Enrolment.Source.SELF,
    )


# --- a session's page -------------------------------------------------------------------------


def test_a_session_page_offers_the_download_google_and_the_county_subscription(client):
    session = make_session(title="Evaluarea riscului", day_count=2, county=county("CJ"))
    html = soup(client, en("training_sessions:detail", session.code))
    block = html.find(id="add-to-calendar-heading").find_parent("section")

    download = block.find("a", href=en("training_sessions:ics", session.code))
    assert download is not None and download.has_attr("download")
    assert "(.ics" in download.get_text()
    assert client.get(download["href"]).status_code == 200

    # One Google Calendar link per day, labelled with its date, times in UTC plus the zone.
    days = list(session.days.order_by("starts_at"))
    google = hrefs(block, "https://calendar.google.com/calendar/render?")
    assert len(google) == 2
    for day, link in zip(days, google, strict=True):
        params = query(link)
        assert params["action"] == "TEMPLATE"
        assert params["dates"] == f"{utc(day.starts_at)}/{utc(day.ends_at)}"
        assert params["ctz"] == "Europe/Bucharest"
        assert params["text"] == "Evaluarea riscului"
        anchor = block.find("a", href=link)
        with translation.override("en"):
            assert f"{day.starts_at:%-d} " in anchor.get_text()
        assert "Google Calendar" in anchor.get_text()

    # Subscribing: webcal:// for calendar apps, the same address in https to paste.
    feed = f"http://testserver{en('training_sessions:feed')}?county=CJ"
    subscribe = block.find("a", href=feed.replace("http://", "webcal://", 1))
    assert subscribe is not None
    assert "Subscribe to all sessions in Cluj" in subscribe.get_text()
    field = block.find("input", id="county-feed-address")
    assert field["value"] == feed and field.has_attr("readonly")
    assert block.find("label", attrs={"for": "county-feed-address"}) is not None
    assert client.get(feed.removeprefix("http://testserver")).status_code == 200


def test_a_one_day_session_has_one_google_link(client):
    session = make_session(day_count=1)
    html = soup(client, en("training_sessions:detail", session.code))
    links = hrefs(html, "https://calendar.google.com/")
    assert len(links) == 1
    assert html.find("a", href=links[0]).get_text(strip=True) == (
        "Add the session to Google Calendar"
    )


@pytest.mark.parametrize(
    "status", [TrainingSession.Status.CANCELLED, TrainingSession.Status.COMPLETED]
)
def test_no_add_to_calendar_on_a_session_that_is_not_ahead(client, status):
    session = make_session(status=status)
    html = soup(client, en("training_sessions:detail", session.code))
    assert html.find(id="add-to-calendar-heading") is None
    assert not hrefs(html, "https://calendar.google.com/")


def test_the_meeting_link_is_never_in_the_public_links(client):
    session = make_session(delivery_mode=Mode.ONLINE, venue=None, online_url=MEETING)
    url = en("training_sessions:detail", session.code)
    assert MEETING not in client.get(url).content.decode()
    # Not even for a confirmed participant, who sees it on the page itself.
    person = PersonFactory()
    assert enrol(session, person).status == Enrolment.Status.CONFIRMED
    client.force_login(person.user)
    html = soup(client, url)
    google = hrefs(html, "https://calendar.google.com/")
    assert google
    for link in google:
        assert MEETING not in link
        assert query(link)["location"] == "Online"
    for a in html.find(id="add-to-calendar-heading").find_parent("section").find_all("a"):
        assert MEETING not in a["href"]


# --- "my trainings" ---------------------------------------------------------------------------


def test_each_upcoming_training_has_its_download_and_google_links(client):
    person = PersonFactory()
    two_days = make_session(title="Două zile", day_count=2, start_in=8)
    one_day = make_session(title="O zi", day_count=1, start_in=20)
    held = make_session(title="Ținută", start_in=-30, status=TrainingSession.Status.COMPLETED)
    for session in (two_days, one_day):
        enrol(session, person)
    Enrolment.objects.create(
        training_session=held,
        professional=person,
        status=Enrolment.Status.CONFIRMED,
        source=Enrolment.Source.IMPORT,
    )
    client.force_login(person.user)
    html = soup(client, en("training_sessions:my_trainings"))

    def row(session):
        link = html.find("a", href=en("training_sessions:detail", session.code))
        return link.find_parent("article")

    for session, days in ((two_days, 2), (one_day, 1)):
        article = row(session)
        download = article.find("a", href=en("training_sessions:ics", session.code))
        assert download is not None
        # Named for a screen reader's list of links: the session's title is part of it.
        assert session.display_title in download.get_text()
        google = hrefs(article, "https://calendar.google.com/")
        assert len(google) == days
        first = session.days.order_by("starts_at").first()
        assert query(google[0])["dates"].startswith(utc(first.starts_at))
    # Nothing to add for a training already held.
    assert row(held).find("a", href=en("training_sessions:ics", held.code)) is None


def test_a_cancelled_registration_has_no_calendar_links(client):
    person = PersonFactory()
    session = make_session()
    enrolment = enrol(session, person)
    Enrolment.objects.filter(pk=enrolment.pk).update(status=Enrolment.Status.CANCELLED)
    client.force_login(person.user)
    html = soup(client, en("training_sessions:my_trainings"))
    assert html.find("a", href=en("training_sessions:ics", session.code)) is None


# --- the training calendar -------------------------------------------------------------------


@pytest.fixture
def tree():
    curriculum = CurriculumFactory()
    return page_tree(
        course=CourseFactory(curriculum=curriculum), curriculum=curriculum, project=ProjectFactory()
    )


def test_the_calendar_filters_by_project(client, tree):
    project = ProjectFactory(acronym="VENUS")
    make_session(title="Cu proiect", project=project)
    make_session(title="Fără proiect")
    html = soup(client, tree["calendar"].url, {"project": "VENUS"})
    select = html.find("select", attrs={"name": "project"})
    assert select is not None and html.find("label", attrs={"for": select["id"]}) is not None
    assert select.find("option", attrs={"value": "VENUS", "selected": True}) is not None
    assert "Cu proiect" in html.get_text() and "Fără proiect" not in html.get_text()


def test_the_calendar_subscription_carries_the_filters_and_nothing_else(client, tree):
    project = ProjectFactory(acronym="VENUS")
    course = CourseFactory(code="EVR-1")
    category = ProfessionalCategory.objects.get(name="asistent social")
    course.target_categories.add(category)
    course.save()  # a parental relation is written with its course
    make_session(title="Potrivită", project=project, course=course, county=county("CJ"))
    make_session(title="Altundeva", project=project, course=course, county=county("BH"))
    filters = {
        "county": "CJ",
        "project": "VENUS",
        "course": "EVR-1",
        "category": str(category.pk),
        "delivery_type": "training",
        "mode": "in_person",
    }
    html = soup(
        client,
        tree["calendar"].url,
        {**filters, "month": "2030-01", "page": "2", "view": "month"},
    )
    box = html.find(id="subscribe-heading").find_parent("aside")
    (webcal,) = hrefs(box, "webcal://")
    assert webcal.startswith(f"webcal://testserver{reverse('training_sessions:feed')}?")
    assert query(webcal) == filters  # no month, page or view
    (download,) = [a["href"] for a in box.find_all("a") if a.has_attr("download")]
    assert query(download) == filters
    assert box.find("input", id="calendar-feed-address")["value"] == webcal.replace(
        "webcal://", "http://", 1
    )
    # The address works, and holds the filtered sessions.
    feed = client.get(download)
    assert feed.status_code == 200
    body = feed.content.decode()
    assert "Potrivită" in body and "Altundeva" not in body


def test_a_filter_the_page_ignores_is_left_out_of_the_subscription(client, tree):
    html = soup(client, tree["calendar"].url, {"county": "ZZ", "mode": "online"})
    box = html.find(id="subscribe-heading").find_parent("aside")
    (webcal,) = hrefs(box, "webcal://")
    assert query(webcal) == {"mode": "online"}
    assert client.get(webcal.replace("webcal://testserver", "", 1)).status_code == 200


def test_without_filters_the_subscription_is_every_session(client, tree):
    html = soup(client, tree["calendar"].url)
    box = html.find(id="subscribe-heading").find_parent("aside")
    assert hrefs(box, "webcal://") == [f"webcal://testserver{reverse('training_sessions:feed')}"]
