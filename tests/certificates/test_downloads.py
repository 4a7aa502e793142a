"""The holder's downloads (the sealed PDF and the Open Badges credential) and the certificate
block of "my trainings": only for the holder, signed in; for anyone else a serial does not
exist. The page's cost does not grow with the certificates."""

import hashlib
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from certificates.services import certificate_issue_all, certificate_reissue, certificate_revoke
from sessions.models import Attendance, Enrolment
from sessions.services import Mark, attendance_mark_many, training_session_complete
from tests.factories.sessions import make_session
from tests.factories.training import CourseFactory, UserFactory
from training.models import CompletionBasis

pytestmark = pytest.mark.django_db


def url(name: str, *args, language: str = "en") -> str:
    with translation.override(language):
        return reverse(name, args=args)


def pdf_url(certificate, **kw) -> str:
    return url("certificates:download_pdf", certificate.serial, **kw)


def credential_url(certificate, **kw) -> str:
    return url("certificates:download_credential", certificate.serial, **kw)


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def holder_client(client, holder):
    client.force_login(holder)
    return client


def test_the_addresses():
    assert url("certificates:download_pdf", "ANES-2026-000001", language="ro") == (
        "/contul-meu/certificate/ANES-2026-000001.pdf"
    )
    assert url("certificates:download_credential", "ANES-2026-000001") == (
        "/en/contul-meu/certificate/ANES-2026-000001.json"
    )


def test_the_holder_downloads_the_sealed_pdf(holder_client, issued):
    certificate = issued[0]
    response = holder_client.get(pdf_url(certificate, language="ro"))
    assert response.status_code == 200
    content = body(response)
    assert content.startswith(b"%PDF")
    assert hashlib.sha256(content).hexdigest() == certificate.pdf_sha256
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{certificate.serial}.pdf"'
    assert "no-store" in response["Cache-Control"]


def test_the_holder_downloads_the_credential(holder_client, issued):
    certificate = issued[0]
    response = holder_client.get(credential_url(certificate))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+ld+json"
    assert response["Content-Disposition"] == f'attachment; filename="{certificate.serial}.json"'
    credential = json.loads(response.content)
    assert "proof" in credential
    assert credential == certificate.credential
    assert certificate.data["holder_name"] in response.content.decode()  # UTF-8, not \u escapes


def test_someone_else_gets_not_found(client, issued):
    certificate = issued[0]
    client.force_login(UserFactory())
    assert client.get(pdf_url(certificate)).status_code == 404
    assert client.get(credential_url(certificate)).status_code == 404


def test_even_another_participant_or_an_organiser_gets_not_found(client, issued, staff_user):
    """The downloads are the holder's; organisers have the back office and the API."""
    certificate = issued[0]
    client.force_login(staff_user)
    assert client.get(pdf_url(certificate)).status_code == 404
    assert client.get(credential_url(certificate)).status_code == 404


def test_an_unknown_serial_is_not_found(holder_client, issued):
    assert (
        holder_client.get(url("certificates:download_pdf", "ANES-1999-999999")).status_code == 404
    )


def test_visitors_are_sent_to_sign_in(client, issued):
    address = pdf_url(issued[0])
    response = client.get(address)
    assert response.status_code == 302
    assert response.url.startswith(url("account_login"))
    assert "next=" in response.url and issued[0].serial in response.url
    assert client.get(credential_url(issued[0])).status_code == 302


def my_trainings(client) -> str:
    response = client.get(url("training_sessions:my_trainings"))
    assert response.status_code == 200
    return response.content.decode()


def test_my_trainings_offers_the_downloads_and_the_verification_page(holder_client, issued):
    certificate = issued[0]
    html = my_trainings(holder_client)
    assert 'class="my-training__certificates"' in html
    assert certificate.data["title"] in html
    assert certificate.serial in html
    assert f'href="{pdf_url(certificate)}"' in html
    assert f'href="{credential_url(certificate)}"' in html
    assert f'href="{url("certificates:verify", certificate.code)}"' in html
    assert "Download PDF" in html
    assert "Download credential (Open Badges)" in html
    assert "Verification page" in html
    assert "my-certificate--valid" in html
    # Only the holder's own certificate.
    assert issued[1].serial not in html


def test_a_revoked_certificate_is_still_downloadable_and_marked(holder_client, issued, staff_user):
    certificate = certificate_revoke(
        certificate=issued[0], reason="Eroare de înregistrare", acting_user=staff_user
    )
    html = my_trainings(holder_client)
    assert "my-certificate--revoked" in html
    assert "This certificate was revoked" in html
    assert "Eroare de înregistrare" in html
    assert body(holder_client.get(pdf_url(certificate))).startswith(b"%PDF")


def test_a_reissued_certificate_shows_both_the_new_first(holder_client, issued, staff_user):
    old = issued[0]
    new = certificate_reissue(certificate=old, reason="Nume corectat", acting_user=staff_user)
    html = my_trainings(holder_client)
    assert html.index(new.serial) < html.index(old.serial)
    assert "my-certificate--superseded" in html
    assert "replaced by a new certificate" in html


def complete_another_session(professional, staff_user):
    """One more session the same person attended and completed, with its certificate."""
    course = CourseFactory(completion_basis=CompletionBasis.DAYS, min_days=1, hours=8)
    session = make_session(start_in=-10, day_count=1, course=course)
    enrolment = Enrolment.objects.create(
        training_session=session,
        professional=professional,
        status=Enrolment.Status.CONFIRMED,
        source="staff",
    )
    day = session.days.get()
    attendance_mark_many(
        training_session=session,
        marks=[Mark(enrolment.pk, day.pk, Attendance.Status.PRESENT)],
        acting_user=staff_user,
    )
    training_session_complete(training_session=session, acting_user=staff_user)
    certificate_issue_all(training_session=session, acting_user=staff_user)


def test_my_trainings_costs_the_same_with_more_certificates(holder_client, issued, staff_user):
    professional = issued[0].enrolment.professional
    my_trainings(holder_client)  # warm caches (site, locales)
    with CaptureQueriesContext(connection) as one:
        html = my_trainings(holder_client)
    assert html.count('class="my-certificate ') == 1

    for _ in range(3):
        complete_another_session(professional, staff_user)
    certificate_reissue(certificate=issued[0], reason="Nume corectat", acting_user=staff_user)
    with CaptureQueriesContext(connection) as five:
        html = my_trainings(holder_client)
    assert html.count('class="my-certificate ') == 5
    assert len(five) == len(one), [q["sql"] for q in five.captured_queries]
