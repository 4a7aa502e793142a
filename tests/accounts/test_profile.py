"""The person's own profile: creates or updates their registry entry, and only theirs."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.html import escape

from tests.accounts.conftest import make_user
from tests.factories.training import (
    InstitutionFactory,
    LocalTeamFactory,
    ProfessionalFactory,
    build_cnp,
    county,
)
from training.models import LocalTeamMembership, Professional, ProfessionalCategory, Sector

User = get_user_model()
URL = "/cont/profil/"


def romanian(message: str) -> str:
    """A message as the page shows it (Romanian, HTML-escaped)."""
    with translation.override("ro"):
        return escape(translation.gettext(message))


def profile_data(**overrides):
    data = {
        "first_name": "Ana",
        "last_name": "Popescu",
        "sex": "F",
        "county": county("CJ").pk,
        "sector": "",
        "institution": "",
        "category": ProfessionalCategory.objects.get(name="asistent social").pk,
        "category_detail": "",
        "cnp": "",
        "preferred_language": "ro",
        "contact_consent": "on",
    }
    data.update(overrides)
    return data


def test_the_profile_needs_a_signed_in_person(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith("/cont/login/")


def test_a_person_creates_their_registry_entry_with_their_verified_email(person_client, person):
    institution = InstitutionFactory()
    response = person_client.post(
        URL, profile_data(institution=institution.pk, email="someone.else@example.org")
    )
    assert response.status_code == 302
    assert response.url == URL
    professional = Professional.objects.get(user=person)
    assert professional.email == "ana.popescu@example.org"  # never a typed address
    assert professional.institution == institution
    assert professional.contact_consent
    assert professional.county.code == "CJ"
    page = person_client.get(URL)
    assert romanian("Your profile has been saved.") in page.content.decode()


def test_an_update_changes_only_the_persons_own_entry(person_client, person):
    own = ProfessionalFactory(
        first_name="Ana", last_name="Popescu", email=person.email, user=person
    )
    other = ProfessionalFactory(first_name="Ion", last_name="Pop", email="ion@example.org")

    person_client.post(
        URL, profile_data(first_name="Ana-Maria", preferred_language="en", pk=other.pk)
    )

    own.refresh_from_db()
    other.refresh_from_db()
    assert own.first_name == "Ana-Maria"
    assert own.preferred_language == "en"
    assert other.first_name == "Ion"
    person.refresh_from_db()
    assert person.first_name == "Ana-Maria"


def registered_where_the_cnp_is_required(person) -> Professional:
    """The person's registry entry, registered for a session of a project requiring the CNP:
    only then does the profile ask for it."""
    from sessions.models import Enrolment
    from tests.factories.sessions import make_session
    from tests.factories.training import ProjectFactory

    own = ProfessionalFactory(
        first_name="Ana", last_name="Popescu", email=person.email, user=person
    )
    Enrolment.objects.create(
        training_session=make_session(project=ProjectFactory(requires_cnp=True)),
        professional=own,
        status=Enrolment.Status.CONFIRMED,
        source=Enrolment.Source.SELF,
    )
    return own


def test_a_bad_cnp_is_refused_and_nothing_is_saved(person_client, person):
    own = registered_where_the_cnp_is_required(person)
    response = person_client.post(URL, profile_data(first_name="Ioana", cnp="1234567890123"))
    assert response.context["form"].errors["cnp"]
    own.refresh_from_db()
    assert own.first_name == "Ana"
    assert own.cnp_hash is None


def test_the_cnp_is_shown_masked_kept_when_left_empty_and_erased_on_request(person_client, person):
    registered_where_the_cnp_is_required(person)
    cnp = build_cnp("2", datetime.date(1985, 3, 14))
    person_client.post(URL, profile_data(cnp=cnp))
    professional = Professional.objects.get(user=person)
    assert professional.cnp_hash

    body = person_client.get(URL).content.decode()
    assert cnp not in body
    assert professional.cnp_masked in body

    person_client.post(URL, profile_data(cnp=""))
    professional.refresh_from_db()
    assert professional.cnp_hash  # left empty: kept

    person_client.post(URL, profile_data(cnp="", erase_cnp="on"))
    professional.refresh_from_db()
    assert professional.cnp_hash is None
    assert professional.cnp_encrypted == ""


def test_another_persons_cnp_is_refused(person_client, person):
    cnp = build_cnp("1", datetime.date(1980, 1, 2))
    from training.services import professional_create

    professional_create(
        acting_user=None, cnp=cnp, first_name="Ion", last_name="Pop", county=county("CJ")
    )
    own = registered_where_the_cnp_is_required(person)
    response = person_client.post(URL, profile_data(cnp=cnp))
    assert response.context["form"].errors["cnp"] == ["Acest CNP aparține deja unei alte persoane."]
    own.refresh_from_db()
    assert own.cnp_hash is None


def test_bucharest_needs_a_sector_of_bucharest(person_client, person):
    bucharest = county("B")
    response = person_client.post(URL, profile_data(county=bucharest.pk))
    assert response.context["form"].errors["sector"]
    response = person_client.post(
        URL, profile_data(county=county("CJ").pk, sector=Sector.objects.first().pk)
    )
    assert response.context["form"].errors["sector"]  # a sector of another county
    assert not Professional.objects.exists()

    person_client.post(URL, profile_data(county=bucharest.pk, sector=bucharest.sectors.first().pk))
    assert Professional.objects.get(user=person).sector.county == bucharest


def test_other_category_needs_its_description(person_client, person):
    other = ProfessionalCategory.objects.filter(requires_detail=True).first()
    if other is None:
        other = ProfessionalCategory.objects.create(name="altă categorie", requires_detail=True)
    response = person_client.post(URL, profile_data(category=other.pk))
    assert response.context["form"].errors["category_detail"]
    assert not Professional.objects.exists()


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/sesiuni/S-00001/", "/sesiuni/S-00001/"),
        ("https://evil.example.com/", URL),
        ("//evil.example.com/", URL),
    ],
)
def test_after_saving_the_person_goes_back_only_to_a_page_of_this_site(
    person_client, next_url, expected
):
    response = person_client.post(f"{URL}?next={next_url}", profile_data())
    assert response.status_code == 302
    assert response.url == expected


def test_the_first_profile_offers_the_language_of_the_site(client, person):
    client.force_login(person)
    assert client.get(URL).context["form"].initial["preferred_language"] == "ro"
    response = client.get(f"/en{URL}")
    assert response.status_code == 200
    assert response.context["form"].initial["preferred_language"] == "en"
    assert '<html lang="en"' in response.content.decode()


def test_current_team_memberships_are_shown_read_only(person_client, person):
    own = ProfessionalFactory(
        first_name="Ana", last_name="Popescu", email=person.email, user=person
    )
    current = LocalTeamFactory(name="EIL Cluj-Napoca")
    former = LocalTeamFactory(name="EIL Dej")
    LocalTeamMembership.objects.create(
        team=current, professional=own, since=datetime.date(2024, 1, 1)
    )
    LocalTeamMembership.objects.create(
        team=former,
        professional=own,
        since=datetime.date(2020, 1, 1),
        until=datetime.date(2021, 1, 1),
    )
    body = person_client.get(URL).content.decode()
    assert "EIL Cluj-Napoca" in body
    assert "EIL Dej" not in body


def test_two_factor_is_offered_to_staff_only(client, db):
    person = make_user(email="ana@example.org")
    client.force_login(person)
    assert 'href="/cont/2fa/"' not in client.get(URL).content.decode()

    staff = make_user(email="staff@example.org", is_staff=True)
    client.force_login(staff)
    assert 'href="/cont/2fa/"' in client.get(URL).content.decode()
