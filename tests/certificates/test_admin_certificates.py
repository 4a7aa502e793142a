"""The certificates in the back office: listed (filters, search, a fixed query budget),
inspected with their downloads, revoked (a reason and a confirmation) and re-issued, each
through the services; users without the permissions get 403."""

import hashlib
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape
from pyhanko.pdf_utils.reader import PdfFileReader

from certificates.credentials import verify_proof
from certificates.documents import verification_url
from certificates.keys import credential_key
from certificates.models import Certificate
from certificates.services import certificate_issue_all
from tests.certificates.conftest import DIACRITIC_FIRST, DIACRITIC_LAST, held_session

pytestmark = pytest.mark.django_db

LIST = "/admin/certificate/"
HOLDER = f"{DIACRITIC_FIRST} {DIACRITIC_LAST}"


def inspect(certificate):
    return f"/admin/certificate/inspect/{certificate.pk}/"


def action(certificate, name):
    return f"/admin/certificates/{certificate.pk}/{name}/"


def serials(response) -> list[str]:
    content = response.content.decode()
    return sorted(c.serial for c in Certificate.objects.all() if c.serial in content)


def translated(message: str) -> str:
    """A message as the admin shows it (Romanian, HTML-escaped)."""
    with translation.override("ro"):
        return escape(translation.gettext(message))


def back_office_user(username, *codenames):
    """ANES staff (every record in their scope, training.access) holding `codenames`."""
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "x")
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="see_all_records"),
        *(
            Permission.objects.get(codename=c, content_type__app_label="certificates")
            for c in codenames
        ),
    )
    return get_user_model().objects.get(pk=user.pk)


# --- the list ---------------------------------------------------------------------------------


def test_the_list_shows_each_certificate_with_holder_course_session_and_status(
    admin_client, issued
):
    response = admin_client.get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    first = issued[0]
    assert first.serial in page
    assert escape(HOLDER) in page or HOLDER in page
    assert escape(first.data["course_title"]) in page
    assert first.data["session_code"] in page
    assert serials(response) == sorted(c.serial for c in issued)
    # No "add" button: certificates come from issuing only.
    assert "/admin/certificate/new/" not in page


def test_the_list_filters_by_status_kind_session_and_course_and_searches_serial_and_name(
    admin_client, issued, staff_user
):
    other = held_session(staff_user, participants=1)
    certificate_issue_all(training_session=other.session, acting_user=staff_user)
    (theirs,) = Certificate.objects.filter(enrolment__training_session=other.session)
    everyone = sorted(Certificate.objects.values_list("serial", flat=True))
    assert len(everyone) == 3

    from certificates.services import certificate_revoke

    certificate_revoke(certificate=issued[1], reason="Date greșite", acting_user=staff_user)

    def listed(**query):
        response = admin_client.get(LIST, query)
        assert response.status_code == 200
        return serials(response)

    assert listed(status="revoked") == [issued[1].serial]
    assert listed(status="valid") == sorted([issued[0].serial, theirs.serial])
    assert listed(session=other.session.code) == [theirs.serial]
    assert listed(session=other.session.code.lower()) == [theirs.serial]
    assert listed(course=other.session.course_id) == [theirs.serial]
    assert listed(kind="participation") == everyone
    assert listed(kind="completion") == []
    # Search: the serial, or words of the holder's name as the certificate states it.
    assert listed(q=theirs.serial) == [theirs.serial]
    # (each held session's first participant has the diacritics name)
    assert listed(q="Țîrlea Ștefania") == sorted([issued[0].serial, theirs.serial])
    # typed without diacritics, in any case, as people do
    assert listed(q="tirlea STEFANIA") == sorted([issued[0].serial, theirs.serial])
    assert listed(q="manaila") == sorted([issued[0].serial, theirs.serial])
    assert listed(q=issued[1].data["holder_name"].split()[-1]) == [issued[1].serial]


def test_the_list_page_takes_the_same_number_of_queries_for_3_and_30_certificates(
    client, staff_user, django_assert_max_num_queries
):
    # A user with the view permission only: the permission checks are queries too.
    viewer = back_office_user("vizualizare", "view_certificate")
    client.force_login(viewer)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST)
        assert response.status_code == 200
        return len(queries)

    few = held_session(staff_user, participants=3)
    certificate_issue_all(training_session=few.session, acting_user=staff_user)
    with_three = count()
    for participants in (15, 12):  # a session seats 20
        more = held_session(staff_user, participants=participants)
        certificate_issue_all(training_session=more.session, acting_user=staff_user)
    assert Certificate.objects.count() == 30
    with django_assert_max_num_queries(with_three):
        response = client.get(LIST)
    assert len(serials(response)) == 30
    assert count() == with_three


# --- one certificate --------------------------------------------------------------------------


def test_the_certificate_page_shows_the_frozen_data_and_links_to_its_files_and_verification(
    admin_client, issued
):
    certificate = issued[0]
    response = admin_client.get(inspect(certificate))
    assert response.status_code == 200
    page = response.content.decode()
    assert escape(HOLDER) in page
    assert certificate.code_display in page
    assert escape(certificate.data["text"]) in page
    assert f'href="/admin/certificates/{certificate.pk}/certificate.pdf"' in page
    assert f'href="/admin/certificates/{certificate.pk}/credential.json"' in page
    assert f'href="/admin/certificates/{certificate.pk}/credential.jwt"' in page
    assert f'href="{verification_url(certificate.code)}"' in page
    assert f'href="{action(certificate, "revoke")}"' in page
    assert f'href="{action(certificate, "reissue")}"' in page


def test_staff_download_the_sealed_pdf_and_the_credential_files(admin_client, issued):
    certificate = issued[0]
    response = admin_client.get(f"/admin/certificates/{certificate.pk}/certificate.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert certificate.serial in response["Content-Disposition"]
    pdf = b"".join(response.streaming_content)
    assert pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() == certificate.pdf_sha256
    assert len(PdfFileReader(io.BytesIO(pdf)).embedded_signatures) == 1

    response = admin_client.get(f"/admin/certificates/{certificate.pk}/credential.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    credential = json.loads(response.content)
    assert credential == certificate.credential
    assert verify_proof(credential, public_key=credential_key().public_key)

    response = admin_client.get(f"/admin/certificates/{certificate.pk}/credential.jwt")
    assert response.status_code == 200
    assert response.content.decode() == certificate.credential_jwt
    assert response.content.count(b".") == 2


def test_certificates_cannot_be_added_edited_or_deleted_in_the_admin(admin_client, issued):
    certificate = issued[0]
    assert admin_client.get("/admin/certificate/new/").status_code == 403
    assert admin_client.get(f"/admin/certificate/edit/{certificate.pk}/").status_code == 403
    assert admin_client.post(f"/admin/certificate/delete/{certificate.pk}/").status_code == 403
    assert Certificate.objects.filter(pk=certificate.pk).exists()


# --- revoking ---------------------------------------------------------------------------------


def test_revoking_without_a_reason_is_refused_with_a_message(admin_client, issued):
    certificate = issued[0]
    response = admin_client.post(action(certificate, "revoke"), {"reason": "   "})
    assert response.status_code == 200
    assert translated("Give the reason; it is shown on the verification page.") in (
        response.content.decode()
    )
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID


def test_revoking_asks_for_confirmation_then_revokes_and_the_verification_page_says_so(
    admin_client, issued, staff_user, client
):
    certificate = issued[0]
    reason = "Participare declarată din greșeală"
    # First step: the reason; the answer is the confirmation, nothing changed yet.
    response = admin_client.post(action(certificate, "revoke"), {"reason": reason})
    assert response.status_code == 200
    page = response.content.decode()
    assert "data-confirm" in page
    assert 'name="confirm" value="1"' in page
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID

    response = admin_client.post(action(certificate, "revoke"), {"reason": reason, "confirm": "1"})
    assert response.status_code == 302
    assert response["Location"] == inspect(certificate)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    assert certificate.status_reason == reason
    assert certificate.status_changed_by == staff_user

    page = admin_client.get(inspect(certificate)).content.decode()
    assert 'data-status="revoked"' in page
    assert escape(reason) in page
    assert f'href="{action(certificate, "revoke")}"' not in page

    # The history: issued, then revoked, with who did it.
    history = admin_client.get(f"/admin/certificate/history/{certificate.pk}/")
    assert history.status_code == 200
    entries = [str(e.action) for e in history.context["object_list"]]
    assert entries == ["formativ.certificate.status", "formativ.certificate.issue"]

    public = client.get(f"/v/{certificate.code}")
    assert public.status_code == 200
    assert escape(reason) in public.content.decode()


def test_a_revoked_certificate_cannot_be_revoked_again(admin_client, issued):
    certificate = issued[0]
    admin_client.post(action(certificate, "revoke"), {"reason": "Eroare", "confirm": "1"})
    response = admin_client.post(
        action(certificate, "revoke"), {"reason": "Din nou", "confirm": "1"}
    )
    assert response.status_code == 200
    certificate.refresh_from_db()
    assert certificate.status_reason == "Eroare"


# --- re-issuing -------------------------------------------------------------------------------


def test_reissuing_makes_a_new_certificate_and_marks_the_old_one_superseded(
    admin_client, issued, django_capture_on_commit_callbacks
):
    old = issued[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(action(old, "reissue"), {"reason": "Nume corectat"})
    assert response.status_code == 302
    new = Certificate.objects.get(enrolment=old.enrolment, status=Certificate.Status.VALID)
    assert response["Location"] == inspect(new)
    assert new.serial != old.serial
    assert new.code != old.code
    old.refresh_from_db()
    assert old.status == Certificate.Status.SUPERSEDED
    assert old.superseded_by == new
    assert old.status_reason == "Nume corectat"

    page = admin_client.get(inspect(new)).content.decode()
    assert f"data-replaces>{old.serial}<" in page
    page = admin_client.get(inspect(old)).content.decode()
    assert f"data-replaced-by>{new.serial}<" in page


def test_reissuing_without_a_reason_is_refused(admin_client, issued):
    old = issued[0]
    response = admin_client.post(action(old, "reissue"), {"reason": ""})
    assert response.status_code == 200
    assert Certificate.objects.filter(enrolment=old.enrolment).count() == 1


# --- permissions ------------------------------------------------------------------------------


def test_without_the_permissions_each_certificate_screen_is_forbidden(client, issued):
    certificate = issued[0]
    client.force_login(back_office_user("fara-drepturi"))
    for url in [
        inspect(certificate),
        f"/admin/certificates/{certificate.pk}/certificate.pdf",
        f"/admin/certificates/{certificate.pk}/credential.json",
        f"/admin/certificates/{certificate.pk}/credential.jwt",
        action(certificate, "revoke"),
        action(certificate, "reissue"),
        f"/admin/certificate/history/{certificate.pk}/",
    ]:
        assert client.get(url).status_code == 403, url
    assert client.get(LIST).status_code == 403
    assert (
        client.post(action(certificate, "revoke"), {"reason": "x", "confirm": "1"}).status_code
        == 403
    )
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID


def test_viewers_see_certificates_but_may_not_revoke_them(client, issued):
    certificate = issued[0]
    client.force_login(back_office_user("vizualizare", "view_certificate"))
    assert client.get(LIST).status_code == 200
    assert client.get(f"/admin/certificate/history/{certificate.pk}/").status_code == 200
    page = client.get(inspect(certificate)).content.decode()
    assert f'href="{action(certificate, "revoke")}"' not in page
    assert client.get(action(certificate, "revoke")).status_code == 403
    assert client.post(action(certificate, "reissue"), {"reason": "x"}).status_code == 403
    assert Certificate.objects.count() == len(issued)
