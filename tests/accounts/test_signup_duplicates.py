"""Signing up applies the imports' matching rules: registry entries that may be the person go
to the review queue; nothing is linked or merged by itself."""

import datetime

from tests.accounts.test_profile import URL, profile_data
from tests.factories.training import InstitutionFactory, ProfessionalFactory, build_cnp, county
from training.models import DuplicateCandidate, PersonIdentifier, Professional

BORN = datetime.date(1985, 6, 15)


def _pairs():
    return {
        (pair.first_id, pair.second_id, pair.reason) for pair in DuplicateCandidate.objects.all()
    }


def test_an_entry_with_the_same_name_is_queued_not_linked(person_client, person):
    # The first profile asks no CNP (no registration in a project that requires it yet): the
    # entry with the same name in the same county is queued by name.
    entry = ProfessionalFactory(
        first_name="Ana", last_name="Popescu", birth_date=BORN, email="ana@dgaspc.example.org"
    )
    response = person_client.post(URL, profile_data(cnp=build_cnp("2", BORN)))
    assert response.status_code == 302
    own = Professional.objects.get(user=person)
    assert own.pk != entry.pk
    assert own.cnp_hash is None  # not asked, so not taken
    entry.refresh_from_db()
    assert entry.user_id is None  # the older history is not handed over
    assert _pairs() == {(entry.pk, own.pk, DuplicateCandidate.Reason.NEAR_NAME)}


def test_an_entry_known_by_another_address_of_the_person_is_queued(person_client, person):
    entry = ProfessionalFactory(first_name="Ana", last_name="Ionescu", email="ana@work.example")
    PersonIdentifier.objects.create(
        professional=entry, kind="email", key="ana.popescu@example.org", value="x"
    )
    person_client.post(URL, profile_data())
    own = Professional.objects.get(user=person)
    assert _pairs() == {(entry.pk, own.pk, DuplicateCandidate.Reason.SIGNUP)}


def test_the_same_name_at_the_same_institution_is_a_probable_duplicate(person_client, person):
    institution = InstitutionFactory(county=county("CJ"))
    entry = ProfessionalFactory(
        first_name="Ana", last_name="Popescu", institution=institution, county=county("CJ")
    )
    person_client.post(URL, profile_data(institution=institution.pk))
    own = Professional.objects.get(user=person)
    assert (entry.pk, own.pk) in {(a, b) for a, b, _r in _pairs()}


def test_other_people_are_left_alone(person_client, person):
    ProfessionalFactory(first_name="Maria", last_name="Ionescu", county=county("CJ"))
    ProfessionalFactory(first_name="Ana", last_name="Popescu", county=county("TM"))
    person_client.post(URL, profile_data())
    assert Professional.objects.filter(user=person).exists()
    assert _pairs() == set()
