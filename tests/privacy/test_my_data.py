"""“My data”: everything held about the signed-in person, as a page and as a JSON file; their
own data only, and a fixed number of queries."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from privacy import services as privacy_services
from sessions.models import Attendance, CalendarToken, Enrolment, EnrolmentStatusChange
from tests.factories.certificates import stored_certificate
from tests.factories.sessions import make_session
from tests.factories.training import (
    LocalTeamFactory,
    PersonFactory,
    ProjectFactory,
    build_cnp,
    team_member,
)
from tests.privacy.helpers import text
from training.models import PersonIdentifier
from training.services import professional_save

pytestmark = pytest.mark.django_db

PAGE = "/en/contul-meu/datele-mele/"
JSON = "/en/contul-meu/datele-mele.json"
CNP_A = build_cnp("2", datetime.date(1985, 3, 14))
CNP_B = build_cnp("1", datetime.date(1979, 11, 2), serial="678")


def build_person(*, first_name, last_name, email, cnp, code, team, other_email, serial_holder):
    person = PersonFactory(first_name=first_name, last_name=last_name, email=email)
    professional_save(professional=person, acting_user=None, cnp=cnp)
    PersonIdentifier.objects.create(
        professional=person, kind="email", key=other_email, value=other_email, source="lista 2021"
    )
    team_member(LocalTeamFactory(name=team), person)
    session = make_session(start_in=-20, day_count=2, code=code, project=ProjectFactory())
    enrolment = Enrolment.objects.create(
        training_session=session,
        professional=person,
        status=Enrolment.Status.CONFIRMED,
        source=Enrolment.Source.SELF,
    )
    EnrolmentStatusChange.objects.create(enrolment=enrolment, from_status="", to_status="pending")
    EnrolmentStatusChange.objects.create(
        enrolment=enrolment, from_status="pending", to_status="confirmed", reason=serial_holder
    )
    Attendance.objects.create(enrolment=enrolment, day=session.days.first(), status="present")
    certificate = stored_certificate(enrolment)
    CalendarToken.objects.create(user=person.user)
    privacy_services.notice_accept(user=person.user, context="signup")
    return person, certificate


@pytest.fixture
def two_people():
    ana, ana_cert = build_person(
        first_name="Ana",
        last_name="Munteanu",
        email="ana.munteanu@example.org",
        cnp=CNP_A,
        code="S-ANA-01",
        team="EIL Cluj-Napoca",
        other_email="ana.personal@example.org",
        serial_holder="aprobat pentru Ana",
    )
    radu, radu_cert = build_person(
        first_name="Radu",
        last_name="Ștefănescu",
        email="radu.stefanescu@example.org",
        cnp=CNP_B,
        code="S-RADU-02",
        team="EIL Turda",
        other_email="radu.personal@example.org",
        serial_holder="aprobat pentru Radu",
    )
    return (ana, ana_cert), (radu, radu_cert)


RADU_TRACES = (
    "Ștefănescu",
    "radu.stefanescu@example.org",
    "radu.personal@example.org",
    "S-RADU-02",
    "EIL Turda",
    "aprobat pentru Radu",
    CNP_B,
)


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    for url in (PAGE, JSON):
        response = client.get(url)
        assert response.status_code == 302
        assert "/cont/login/" in response["Location"]


def test_the_page_lists_the_persons_own_data_and_nobody_elses(client, two_people):
    (ana, ana_cert), (radu, radu_cert) = two_people
    client.force_login(ana.user)
    response = client.get(PAGE)
    assert response["Cache-Control"] == "no-store, private"
    html = text(response)
    for expected in (
        "Munteanu",
        "ana.munteanu@example.org",
        "ana.personal@example.org",  # an identifier seen in a list
        "lista 2021",
        "EIL Cluj-Napoca",
        "S-ANA-01",
        "aprobat pentru Ana",  # the status history
        ana_cert.serial,
        "You have a private calendar address",
        "read and accepted the privacy notice",
    ):
        assert expected in html, expected
    assert CNP_A not in html  # shown masked only
    assert ana.cnp_masked in html
    for trace in (*RADU_TRACES, radu_cert.serial):
        assert trace not in html, trace


def test_the_json_download_holds_the_same_data_and_the_cnp_in_full(client, two_people):
    (ana, ana_cert), (radu, radu_cert) = two_people
    client.force_login(ana.user)
    response = client.get(JSON)
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store, private"
    body = response.content.decode()
    data = json.loads(body)
    assert data["profile"]["last_name"] == "Munteanu"
    assert data["profile"]["cnp"] == CNP_A
    assert [i["value"] for i in data["identifiers"]] == ["ana.personal@example.org"]
    assert [t["team"] for t in data["local_teams"]] == ["EIL Cluj-Napoca"]
    [enrolment] = data["enrolments"]
    assert enrolment["session_code"] == "S-ANA-01"
    assert enrolment["status"] == "confirmed"
    assert [h["reason"] for h in enrolment["history"]] == ["", "aprobat pentru Ana"]
    assert len(enrolment["attendance"]) == 1
    assert [c["serial"] for c in enrolment["certificates"]] == [ana_cert.serial]
    assert data["calendar_feed"]["exists"] is True
    assert [c["notice_version"] for c in data["consents"]] == [1]
    for trace in (*RADU_TRACES, radu_cert.serial):
        assert trace not in body, trace


def test_a_signed_in_person_without_a_registry_entry_sees_their_account(client, db):
    from tests.accounts.conftest import make_user

    user = make_user(email="nou@example.org", first_name="Nou", last_name="Venit")
    client.force_login(user)
    html = text(client.get(PAGE))
    assert "nou@example.org" in html
    assert "You have no profile in the registry yet." in html
    assert json.loads(client.get(JSON).content)["profile"] is None


def _enrol_many(person, count):
    for i in range(count):
        session = make_session(start_in=-30 - i, day_count=2, project=ProjectFactory())
        enrolment = Enrolment.objects.create(
            training_session=session,
            professional=person,
            status=Enrolment.Status.CONFIRMED,
            source=Enrolment.Source.SELF,
        )
        EnrolmentStatusChange.objects.create(enrolment=enrolment, to_status="confirmed")
        Attendance.objects.create(enrolment=enrolment, day=session.days.first(), status="present")
        stored_certificate(enrolment)


@pytest.mark.parametrize("url", [PAGE, JSON])
def test_the_query_count_does_not_grow_with_the_registrations(
    client, two_people, url, django_assert_num_queries
):
    (ana, _), _ = two_people
    client.force_login(ana.user)
    client.get(url)  # warm caches (site, locale)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    _enrol_many(ana, 6)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert len(one.captured_queries) <= 30


def test_the_profile_and_my_trainings_link_to_my_data(client, two_people):
    (ana, _), _ = two_people
    client.force_login(ana.user)
    for page in ("/en/cont/profil/", "/en/contul-meu/formari/"):
        assert f'href="{PAGE}"' in text(client.get(page)), page


def test_dates_are_shown_as_people_read_them(client, two_people):
    (ana, _), _ = two_people
    client.force_login(ana.user)
    html = text(client.get(PAGE))
    assert "S-ANA-01" in html
    # The JSON keeps ISO dates; the page does not show them raw.
    assert "T10:" not in html and "+02:00" not in html and "+03:00" not in html
