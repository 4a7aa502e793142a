"""The room QR page for the projector: the form's public room address (as text and as a QR
code), the session and the form, the answer count polled as JSON (counts only); who may open
them; no inline script."""

import re

import pytest
from django.utils.html import escape
from django.utils.translation import gettext

from evaluation import services
from evaluation.models import SessionForm
from sessions.models import Enrolment
from tests.evaluation.test_admin_session_forms import (
    answer_feedback,
    confirmed,
    coordinator,
    course_with_forms,
    trainer,
    url,
)
from tests.factories.sessions import make_session
from tests.factories.training import ProfessionalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def session():
    """Yesterday's one-day session running a pre-test, post-test and feedback form."""
    session = make_session(start_in=-1, day_count=1, title="Managementul cazului, Cluj")
    course_with_forms(session)
    services.session_forms_setup(training_session=session)
    return session


def form_of(session, purpose) -> SessionForm:
    return SessionForm.objects.get(training_session=session, purpose=purpose)


def test_the_qr_page_shows_the_room_address_of_the_form(admin_client, session):
    form = form_of(session, "feedback")
    response = admin_client.get(url("qr", session.pk, "feedback"))
    assert response.status_code == 200
    page = response.content.decode()
    address = f"http://testserver/evaluare/sesiune/{form.code}/"
    assert address in page  # as text, under the code
    assert re.search(r"<svg[^>]*class=\"qr-code\"", page)
    assert escape("Managementul cazului, Cluj") in page
    assert escape(str(SessionForm.Purpose.FEEDBACK.label)) in page
    # the other forms have other codes
    assert form_of(session, "pre_test").code not in page


def test_the_qr_address_has_no_language_prefix_whatever_the_admins_language(admin_client, session):
    form = form_of(session, "pre_test")
    admin_client.cookies["django_language"] = "en"
    page = admin_client.get(url("qr", session.pk, "pre_test"), HTTP_ACCEPT_LANGUAGE="en").content
    assert f"http://testserver/evaluare/sesiune/{form.code}/" in page.decode()
    assert "/en/evaluare/" not in page.decode()


def test_the_page_counts_the_answers_and_the_status_returns_counts_only(admin_client, session):
    people = confirmed(session, 3)
    Enrolment.objects.create(  # cancelled: not counted
        training_session=session,
        professional=ProfessionalFactory(),
        status=Enrolment.Status.CANCELLED,
        source="staff",
    )
    services.invitations_ensure(session_form=form_of(session, "feedback"))
    answer_feedback(people[1])

    page = admin_client.get(url("qr", session.pk, "feedback")).content.decode()
    expected = gettext("%(submitted)s of %(eligible)s answered") % {"submitted": 1, "eligible": 3}
    assert escape(expected) in page

    response = admin_client.get(url("qr_status", session.pk, "feedback"))
    assert response.status_code == 200
    assert response.json() == {"submitted": 1, "eligible": 3}
    assert "no-store" in response["Cache-Control"]
    assert admin_client.get(url("qr_status", session.pk, "pre_test")).json() == {
        "submitted": 0,
        "eligible": 3,
    }


def test_a_purpose_the_session_does_not_run_is_404(admin_client):
    session = make_session(start_in=5)
    course_with_forms(session)
    services.session_forms_setup(training_session=session, purposes=["pre_test"])
    # A NUL byte is refused by PostgreSQL in a query: still a 404, not a server error.
    for purpose in ("feedback", "post_test", "nothing", "pre_test\x00", "\x00"):
        assert admin_client.get(url("qr", session.pk, purpose)).status_code == 404, purpose
        assert admin_client.get(url("qr_status", session.pk, purpose)).status_code == 404


def test_the_sessions_trainer_opens_the_qr_and_its_status(client, session):
    client.force_login(trainer(session))
    assert client.get(url("qr", session.pk, "feedback")).status_code == 200
    assert client.get(url("qr_status", session.pk, "feedback")).json()["submitted"] == 0


def test_others_get_404_on_the_qr_and_its_status(client, session):
    client.force_login(trainer(make_session(start_in=3), username="alt-formator"))
    for name in ("qr", "qr_status"):
        assert client.get(url(name, session.pk, "feedback")).status_code == 404
    client.force_login(coordinator("B", username="coordonator-bucuresti"))
    for name in ("qr", "qr_status"):
        assert client.get(url(name, session.pk, "feedback")).status_code == 404


def test_the_qr_page_has_no_inline_script(admin_client, session):
    page = admin_client.get(url("qr", session.pk, "feedback")).content.decode()
    assert "evaluation/admin/qr.js" in page
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+=\"", page)
