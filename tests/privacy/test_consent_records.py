"""Consent records made where people agree: at sign-up, when registering for a session, when
a focal point nominates them, when they change "contact me"; and the banner that asks for a
new version."""

import pytest
from django.utils import translation

from privacy.models import ConsentRecord
from sessions.models import Enrolment
from tests.accounts.conftest import make_user, sign_up
from tests.factories.sessions import make_session
from tests.factories.training import (
    FocalPointFactory,
    InstitutionFactory,
    PersonFactory,
    ProfessionalFactory,
)
from tests.privacy.helpers import new_version, text

pytestmark = pytest.mark.django_db


def register_url(session) -> str:
    with translation.override("en"):
        return f"/en/sesiuni/{session.code}/inscriere/"


def detail_url(session) -> str:
    return f"/en/sesiuni/{session.code}/"


def test_sign_up_records_the_version_shown_and_links_it(client):
    html = text(client.get("/en/cont/signup/"))
    assert 'href="/en/privacy/"' in html
    assert "(version 1)" in html
    sign_up(client, email="ana@example.org")
    record = ConsentRecord.objects.get()
    assert (record.purpose, record.context, record.given, record.notice.version) == (
        "notice",
        "signup",
        True,
        1,
    )
    assert record.user.email == "ana@example.org"


class TestRegistration:
    @pytest.fixture
    def person(self):
        return PersonFactory()

    @pytest.fixture
    def person_client(self, client, person):
        client.force_login(person.user)
        return client

    def test_a_person_who_has_not_accepted_the_notice_is_asked_first(self, person_client, person):
        session = make_session()
        html = text(person_client.get(detail_url(session)))
        assert 'name="privacy_notice"' in html
        person_client.post(register_url(session), {})
        assert not Enrolment.objects.exists()
        assert not ConsentRecord.objects.exists()

        person_client.post(register_url(session), {"privacy_notice": "on"})
        assert Enrolment.objects.get().professional == person
        record = ConsentRecord.objects.get()
        assert (record.purpose, record.context, record.notice.version) == (
            "notice",
            "registration",
            1,
        )
        assert record.professional == person

    def test_once_accepted_the_notice_is_not_asked_again(self, person_client, person):
        ConsentRecord.objects.create(
            professional=person,
            user=person.user,
            purpose="notice",
            context="signup",
            notice_id=1,
        )
        session = make_session()
        assert 'name="privacy_notice"' not in text(person_client.get(detail_url(session)))
        person_client.post(register_url(session), {})
        assert Enrolment.objects.filter(professional=person).exists()
        assert ConsentRecord.objects.count() == 1

    def test_changing_contact_me_when_registering_is_recorded(self, person_client, person):
        session = make_session()
        person_client.post(register_url(session), {"privacy_notice": "on", "contact_consent": "on"})
        person.refresh_from_db()
        assert person.contact_consent is True
        record = ConsentRecord.objects.get(purpose="contact")
        assert (record.given, record.context) == (True, "registration")


def test_changing_contact_me_in_the_profile_is_recorded_each_time(client):
    from tests.accounts.test_profile import URL, profile_data

    user = make_user(email="ana.popescu@example.org")
    client.force_login(user)
    client.post(URL, profile_data(contact_consent="on"))
    client.post(URL, profile_data(contact_consent="on"))  # unchanged: nothing recorded
    client.post(URL, profile_data(contact_consent=""))
    records = list(
        ConsentRecord.objects.filter(purpose="contact")
        .order_by("pk")
        .values_list("given", "context")
    )
    assert records == [(True, "profile"), (False, "profile")]


def test_a_nomination_records_the_focal_point_as_who_recorded_it(client):
    institution = InstitutionFactory()
    right = FocalPointFactory(institution=institution)
    client.force_login(right.user)
    nominee = ProfessionalFactory(institution=institution)
    session = make_session(approval_mode="nomination")
    client.post(f"/en/sesiuni/{session.code}/nominalizare/", {"people": [nominee.pk]})
    assert Enrolment.objects.filter(professional=nominee).exists()
    record = ConsentRecord.objects.get()
    assert (record.professional, record.context, record.recorded_by, record.notice.version) == (
        nominee,
        "nomination",
        right.user,
        1,
    )


def test_a_new_version_is_asked_for_with_a_banner_on_the_next_visit(client, staff_user):
    person = PersonFactory()
    ConsentRecord.objects.create(
        professional=person, user=person.user, purpose="notice", context="signup", notice_id=1
    )
    client.force_login(person.user)
    assert "privacy-banner" not in text(client.get("/en/contul-meu/formari/"))

    new_version(staff_user)
    html = text(client.get("/en/contul-meu/formari/"))
    assert "privacy-banner" in html
    assert 'name="version" value="2"' in html
    # Not a wall: the page's own content is still there.
    assert "Upcoming" in html

    response = client.post(
        "/en/contul-meu/nota-de-informare/accept/",
        {"version": "2", "next": "/en/contul-meu/formari/"},
    )
    assert response["Location"] == "/en/contul-meu/formari/"
    latest = ConsentRecord.objects.filter(purpose="notice").order_by("-pk").first()
    assert latest.notice.version == 2
    assert latest.user == person.user
    assert "privacy-banner" not in text(client.get("/en/contul-meu/formari/"))
    assert "privacy-banner" not in text(client.get("/en/cont/profil/"))


def test_the_banner_accepts_only_the_version_in_force(client, staff_user):
    person = PersonFactory()
    client.force_login(person.user)
    new_version(staff_user)
    client.post("/en/contul-meu/nota-de-informare/accept/", {"version": "1"})
    assert not ConsentRecord.objects.exists()
    # And it sends nobody to another site.
    response = client.post(
        "/en/contul-meu/nota-de-informare/accept/",
        {"version": "2", "next": "https://evil.example.com/"},
    )
    assert response["Location"] == "/"
