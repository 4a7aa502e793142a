"""The CNP is asked only where a project requires it: on the profile of a person registered
in such a project's session (or who has one stored), and on such a session's registration."""

import datetime

import pytest

from privacy.models import ConsentRecord
from sessions.models import Enrolment
from tests.accounts.test_profile import URL, profile_data
from tests.factories.sessions import make_session
from tests.factories.training import PersonFactory, ProjectFactory, build_cnp
from tests.privacy.helpers import text
from training.forms import ProfessionalForm
from training.services import professional_save

pytestmark = pytest.mark.django_db

CNP = build_cnp("2", datetime.date(1985, 3, 14))


@pytest.fixture
def person():
    person = PersonFactory()
    # The notice is accepted: the registration form asks only what these tests are about.
    ConsentRecord.objects.create(
        professional=person, user=person.user, purpose="notice", context="signup", notice_id=1
    )
    return person


@pytest.fixture
def person_client(client, person):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=person.user, email=person.email, verified=True, primary=True)
    client.force_login(person.user)
    return client


def enrol(person, *, requires_cnp: bool, status=Enrolment.Status.CONFIRMED):
    session = make_session(project=ProjectFactory(requires_cnp=requires_cnp))
    return Enrolment.objects.create(
        training_session=session, professional=person, status=status, source="self"
    )


def has_cnp_field(client) -> bool:
    return 'name="cnp"' in text(client.get("/en/cont/profil/"))


def test_the_profile_asks_no_cnp_without_a_project_that_requires_it(person_client, person):
    assert not has_cnp_field(person_client)
    enrol(person, requires_cnp=False)
    assert not has_cnp_field(person_client)
    # Posted anyway, it is ignored.
    person_client.post(
        URL, profile_data(first_name=person.first_name, last_name=person.last_name, cnp=CNP)
    )
    person.refresh_from_db()
    assert person.cnp_hash is None


def test_the_profile_asks_the_cnp_of_people_registered_where_it_is_required(person_client, person):
    enrolment = enrol(person, requires_cnp=True)
    html = text(person_client.get("/en/cont/profil/"))
    assert 'name="cnp"' in html
    assert "Law 190/2018" in html
    enrolment.status = Enrolment.Status.CANCELLED
    enrolment.save()
    assert not has_cnp_field(person_client)


def test_a_stored_cnp_can_still_be_changed_or_erased(person_client, person):
    professional_save(professional=person, acting_user=None, cnp=CNP)
    html = text(person_client.get("/en/cont/profil/"))
    assert 'name="cnp"' in html and 'name="erase_cnp"' in html
    assert CNP not in html
    person_client.post(
        URL,
        profile_data(first_name=person.first_name, last_name=person.last_name, erase_cnp="on"),
    )
    person.refresh_from_db()
    assert person.cnp_hash is None


def test_the_registration_of_a_session_requiring_the_cnp_asks_for_it_and_says_why(
    person_client, person
):
    session = make_session(project=ProjectFactory(requires_cnp=True))
    html = text(person_client.get(f"/en/sesiuni/{session.code}/"))
    assert 'name="cnp"' in html
    assert "requires the participants' CNP" in html

    person_client.post(f"/en/sesiuni/{session.code}/inscriere/", {})
    assert not Enrolment.objects.exists()

    person_client.post(f"/en/sesiuni/{session.code}/inscriere/", {"cnp": "1234567890123"})
    assert not Enrolment.objects.exists()
    person.refresh_from_db()
    assert person.cnp_hash is None

    person_client.post(f"/en/sesiuni/{session.code}/inscriere/", {"cnp": CNP})
    assert Enrolment.objects.get().professional == person
    person.refresh_from_db()
    assert person.cnp_hash
    assert person.cnp_masked != CNP


def test_other_sessions_and_people_with_a_cnp_are_not_asked(person_client, person):
    plain = make_session(project=ProjectFactory(requires_cnp=False))
    assert 'name="cnp"' not in text(person_client.get(f"/en/sesiuni/{plain.code}/"))
    professional_save(professional=person, acting_user=None, cnp=CNP)
    required = make_session(project=ProjectFactory(requires_cnp=True))
    assert 'name="cnp"' not in text(person_client.get(f"/en/sesiuni/{required.code}/"))
    person_client.post(f"/en/sesiuni/{required.code}/inscriere/", {})
    assert Enrolment.objects.filter(training_session=required).exists()


def test_the_staff_form_keeps_the_field_and_says_when_it_is_required():
    help_text = str(ProfessionalForm.base_fields["cnp"].help_text)
    assert "requires the CNP" in help_text
    assert "Law 190/2018" in help_text
