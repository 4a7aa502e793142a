"""The room QR (`evaluare/sesiune/<code>/`): a signed-in participant is sent to their own
personal link (made on the spot when they registered after the forms were set up); anybody
else is told they are not a participant; visitors sign in first. Opening it submits nothing."""

import pytest
from django.urls import reverse
from django.utils import translation

from evaluation.models import Invitation, Response, SessionForm
from sessions.models import Enrolment
from tests.evaluation.test_answer_views import set_up, t
from tests.factories.sessions import make_session
from tests.factories.training import PersonFactory

pytestmark = pytest.mark.django_db

P = SessionForm.Purpose


def url(name: str, **kwargs) -> str:
    with translation.override("ro"):
        return reverse(name, kwargs=kwargs)


def room_url(form: SessionForm) -> str:
    return url("evaluation:room", code=form.code)


@pytest.fixture
def session_forms():
    session = make_session(start_in=1, day_count=1)
    return session, set_up(session)


def test_a_participant_is_sent_to_their_own_link(client, session_forms):
    session, forms = session_forms
    person = PersonFactory()
    # Registered after the set-up: no invitation yet, the room makes it.
    enrolment = Enrolment.objects.create(
        training_session=session, professional=person, status="confirmed", source="self"
    )
    other = Enrolment.objects.create(
        training_session=session, professional=PersonFactory(), status="confirmed", source="self"
    )
    assert not Invitation.objects.filter(enrolment=enrolment).exists()
    client.force_login(person.user)
    response = client.get(room_url(forms[P.PRE_TEST]))
    assert response.status_code == 302
    invitation = Invitation.objects.get(session_form=forms[P.PRE_TEST], enrolment=enrolment)
    assert response.url == url("evaluation:answer", token=invitation.token)
    # Everybody's invitations are made at once (their order says nothing).
    assert Invitation.objects.filter(session_form=forms[P.PRE_TEST], enrolment=other).exists()
    assert not invitation.submitted
    assert Response.objects.count() == 0


def test_somebody_without_a_confirmed_seat_is_told_so(client, session_forms):
    session, forms = session_forms
    person = PersonFactory()
    Enrolment.objects.create(
        training_session=session, professional=person, status="waitlisted", source="self"
    )
    client.force_login(person.user)
    response = client.get(room_url(forms[P.PRE_TEST]))
    assert response.status_code == 200
    html = response.content.decode()
    assert t("You are not registered as a participant of this session.") in html
    assert (
        t("If you registered with another e-mail address, use the link in the e-mail we sent you.")
        in html
    )
    assert not Invitation.objects.filter(enrolment__professional=person).exists()


def test_an_account_without_a_profile_is_not_a_participant(
    client, session_forms, django_user_model
):
    _session, forms = session_forms
    client.force_login(django_user_model.objects.create_user("fara-profil", "f@example.org", "x"))
    response = client.get(room_url(forms[P.FEEDBACK] if P.FEEDBACK in forms else forms[P.PRE_TEST]))
    assert response.status_code == 200
    assert (
        t("You are not registered as a participant of this session.") in response.content.decode()
    )


def test_visitors_sign_in_first_and_come_back(client, session_forms):
    _session, forms = session_forms
    response = client.get(room_url(forms[P.PRE_TEST]))
    assert response.status_code == 302
    assert response.url.startswith(url("account_login"))
    assert response.url == url("account_login") + "?next=" + room_url(forms[P.PRE_TEST])


def test_an_unknown_code_is_not_found(client):
    client.force_login(PersonFactory().user)
    assert client.get(url("evaluation:room", code="nu-exista")).status_code == 404
