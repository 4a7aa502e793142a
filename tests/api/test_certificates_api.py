"""Certificates through the API: a holder's own list, an organiser's full record, issuing a
session's certificates in the background, and the public verification lookup (nothing else
personal, rate-limited with the page)."""

import json

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certificates.models import Certificate, IssueRun
from certificates.services import certificate_reissue, certificate_revoke
from tests.api.test_attendance_api import bearer, json_error, make_user, ro
from tests.certificates import conftest as certificate_fixtures
from tests.certificates.conftest import DIACRITIC_FIRST, DIACRITIC_LAST, held_session
from tests.factories.sessions import make_session

pytestmark = pytest.mark.django_db

# The certificates app's fixtures: a completed session, its participant with an account, and
# their certificates issued through the real pipeline.
holder = certificate_fixtures.holder
held_with_holder = certificate_fixtures.held_with_holder
issued = certificate_fixtures.issued

HOLDER_NAME = f"{DIACRITIC_FIRST} {DIACRITIC_LAST}"
VIEW = "certificates.view_certificate"
ADD = "certificates.add_certificate"
# ANES staff: every certificate and session in their scope (training.access).
ALL = "training.see_all_records"


def dashed(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


# --- GET /api/v1/me/certificates ------------------------------------------------------------


def test_a_holder_lists_their_own_certificates(client, issued, holder):
    certificate = issued[0]
    response = client.get("/api/v1/me/certificates", **bearer(holder))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 1
    (item,) = body["items"]
    data = certificate.data
    assert item == {
        "serial": certificate.serial,
        "title": data["title"],
        "course": data["course_title"],
        "session": certificate.enrolment.training_session.code,
        "starts_on": data["starts_on"],
        "ends_on": data["ends_on"],
        "dates": item["dates"],
        "hours": "16",
        "status": "valid",
        "issued_at": item["issued_at"],
        "pdf_url": f"http://testserver/contul-meu/certificate/{certificate.serial}.pdf",
        "credential_url": f"http://testserver/contul-meu/certificate/{certificate.serial}.json",
        "verify_url": f"http://testserver/v/{certificate.code}",
    }
    assert item["dates"].endswith(data["ends_on"][:4])


def test_the_list_shows_revoked_and_replaced_ones_too(client, issued, holder, staff_user):
    new = certificate_reissue(certificate=issued[0], reason="Nume corectat", acting_user=staff_user)
    items = client.get("/api/v1/me/certificates", **bearer(holder)).json()["items"]
    assert [(i["serial"], i["status"]) for i in items] == [
        (new.serial, "valid"),
        (issued[0].serial, "superseded"),
    ]


def test_the_list_costs_the_same_with_more_certificates(client, issued, holder, staff_user):
    from tests.certificates.test_downloads import complete_another_session

    auth = bearer(holder)
    client.get("/api/v1/me/certificates", **auth)  # warm caches
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/me/certificates", **auth).json()["count"] == 1
    professional = issued[0].enrolment.professional
    for _ in range(2):
        complete_another_session(professional, staff_user)
    certificate_reissue(certificate=issued[0], reason="Nume corectat", acting_user=staff_user)
    with CaptureQueriesContext(connection) as four:
        assert client.get("/api/v1/me/certificates", **auth).json()["count"] == 4
    assert len(four) == len(one)


def test_someone_without_certificates_gets_an_empty_list(client, issued):
    response = client.get("/api/v1/me/certificates", **bearer(make_user("altcineva")))
    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 0}


def test_the_list_needs_authentication(client, issued):
    json_error(client.get("/api/v1/me/certificates"), 401)


# --- GET /api/v1/certificates/{serial} ------------------------------------------------------


def test_an_organiser_reads_the_full_record(client, issued):
    certificate = issued[0]
    organiser = make_user("organizator-cert", VIEW, ALL)
    response = client.get(f"/api/v1/certificates/{certificate.serial}", **bearer(organiser))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["serial"] == certificate.serial
    assert body["status"] == "valid"
    assert body["data"] == certificate.data
    assert body["data"]["holder_name"] == HOLDER_NAME
    assert body["credential"] == certificate.credential
    assert "proof" in body["credential"]
    assert body["credential_jwt"] == certificate.credential_jwt
    assert body["verify_url"] == f"http://testserver/v/{certificate.code}"
    assert body["replaced_by"] is None and body["replaces"] is None
    assert body["sealed"] is True
    assert body["pdf_sha256"] == certificate.pdf_sha256
    assert body["session"] == certificate.enrolment.training_session.code
    assert body["enrolment_id"] == certificate.enrolment_id


def test_the_record_of_a_revoked_and_of_a_replaced_certificate(client, issued, staff_user):
    revoked = certificate_revoke(certificate=issued[1], reason="Eroare", acting_user=staff_user)
    new = certificate_reissue(certificate=issued[0], reason="Nume corectat", acting_user=staff_user)
    auth = bearer(make_user("organizator-cert", VIEW, ALL))
    body = client.get(f"/api/v1/certificates/{revoked.serial}", **auth).json()
    assert (body["status"], body["status_reason"]) == ("revoked", "Eroare")
    assert body["status_changed_at"]
    old = client.get(f"/api/v1/certificates/{issued[0].serial}", **auth).json()
    assert (old["status"], old["replaced_by"]) == ("superseded", new.serial)
    fresh = client.get(f"/api/v1/certificates/{new.serial}", **auth).json()
    assert (fresh["status"], fresh["replaces"]) == ("valid", issued[0].serial)


def test_others_may_not_read_a_record(client, issued, holder):
    serial = issued[0].serial
    # Not even the holder: theirs is /me/certificates. Unknown serials answer the same.
    json_error(client.get(f"/api/v1/certificates/{serial}", **bearer(holder)), 403)
    json_error(client.get("/api/v1/certificates/ANES-1999-000001", **bearer(holder)), 403)
    json_error(client.get(f"/api/v1/certificates/{serial}"), 401)


def test_an_unknown_serial_is_not_found(client, issued):
    organiser = make_user("organizator-cert", VIEW, ALL)
    json_error(client.get("/api/v1/certificates/ANES-1999-000001", **bearer(organiser)), 404)


# --- GET /api/v1/certificates/verify/{code} -------------------------------------------------


def verify(client, code, **extra):
    return client.get(f"/api/v1/certificates/verify/{code}", **extra)


def test_anyone_verifies_a_valid_certificate(client, issued):
    certificate = issued[0]
    response = verify(client, certificate.code)
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    assert response["X-Robots-Tag"] == "noindex"
    body = response.json()
    data = certificate.data
    assert body == {
        "status": "valid",
        "holder_name": HOLDER_NAME,
        "title": data["title"],
        "course": data["course_title"],
        "dates": body["dates"],
        "starts_on": data["starts_on"],
        "ends_on": data["ends_on"],
        "hours": "16",
        "issuer": data["issuer"],
        "serial": certificate.serial,
        "issued_on": data["issued_on"],
    }
    text = response.content.decode()
    assert data["institution"] not in text
    assert certificate.enrolment.professional.email not in text


def test_a_code_in_small_letters_with_dashes(client, issued):
    response = verify(client, dashed(issued[0].code).lower())
    assert response.status_code == 200
    assert response.json()["serial"] == issued[0].serial


def test_a_revoked_certificate(client, issued, staff_user):
    certificate = certificate_revoke(
        certificate=issued[0], reason="Prezență declarată greșit", acting_user=staff_user
    )
    body = verify(client, certificate.code).json()
    assert body["status"] == "revoked"
    assert body["reason"] == "Prezență declarată greșit"
    assert body["revoked_on"] == timezone.localdate(certificate.status_changed_at).isoformat()
    assert "replaced_by" not in body
    assert body["holder_name"] == HOLDER_NAME


def test_a_replaced_certificate(client, issued, staff_user):
    new = certificate_reissue(certificate=issued[0], reason="Nume corectat", acting_user=staff_user)
    body = verify(client, issued[0].code).json()
    assert body["status"] == "superseded"
    assert body["replaced_by"] == new.serial
    assert body["replaced_on"]
    assert "reason" not in body and "revoked_on" not in body
    assert verify(client, new.code).json()["status"] == "valid"


def test_an_unknown_code(client, issued):
    body = json_error(verify(client, "ZZZZ-ZZZZ-ZZZZ-ZZZZ"), 404)
    assert body["errors"] == {}
    assert body["detail"] == ro("No certificate has this verification code.")


@override_settings(CERTIFICATE_VERIFY_PER_MINUTE=2)
def test_lookups_are_limited_together_with_the_page(client, issued):
    code = issued[0].code
    assert client.get(f"/v/{code}").status_code == 200  # the page counts too
    assert verify(client, code).status_code == 200
    response = verify(client, code)
    body = json_error(response, 429)
    assert "serial" not in body
    assert response["Retry-After"] == "60"
    assert client.get(f"/v/{code}").status_code == 429
    assert verify(client, code, REMOTE_ADDR="198.51.100.4").status_code == 200


# --- POST /api/v1/sessions/{id}/certificates/issue and GET /certificates/runs/{id} ----------


def test_an_organiser_issues_a_sessions_certificates(
    client, staff_user, django_capture_on_commit_callbacks
):
    held = held_session(staff_user, participants=3)
    organiser = make_user("emitent", ADD, ALL)
    auth = bearer(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/sessions/{held.session.pk}/certificates/issue", **auth)
    assert response.status_code == 202, response.content
    body = response.json()
    run = IssueRun.objects.get()
    assert body["run"] == run.pk
    assert body["session"] == held.session.pk
    assert (body["status"], body["total"], body["issued"]) == ("queued", 3, 0)
    assert body["status_url"] == f"http://testserver/api/v1/certificates/runs/{run.pk}"
    # The (immediate) task ran the whole run once the request committed.
    progress = client.get(body["status_url"].removeprefix("http://testserver"), **auth).json()
    assert (progress["status"], progress["issued"], progress["total"]) == ("done", 3, 3)
    assert progress["percent"] == 100
    assert progress["finished_at"]
    assert set(Certificate.objects.values_list("enrolment", flat=True)) == {
        e.pk for e in held.completed
    }
    assert run.requested_by_id == organiser.pk


def test_issuing_again_issues_nothing_twice(client, staff_user, django_capture_on_commit_callbacks):
    held = held_session(staff_user, participants=2)
    auth = bearer(staff_user)
    url = f"/api/v1/sessions/{held.session.pk}/certificates/issue"
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url, **auth).status_code == 202
    assert Certificate.objects.count() == 2
    assert list(IssueRun.objects.order_by("pk").values_list("total", flat=True)) == [2, 0]


def test_a_session_not_completed_is_refused(client, staff_user):
    session = make_session(start_in=5)
    response = client.post(
        f"/api/v1/sessions/{session.pk}/certificates/issue", **bearer(staff_user)
    )
    body = json_error(response, 400)
    assert body["detail"] == ro("Certificates are issued once the session is completed.")
    assert not IssueRun.objects.exists()


def test_issuing_needs_the_permission(client, staff_user):
    held = held_session(staff_user, participants=1)
    url = f"/api/v1/sessions/{held.session.pk}/certificates/issue"
    json_error(client.post(url, **bearer(make_user("cititor", VIEW))), 403)
    json_error(client.post(url), 401)
    assert not IssueRun.objects.exists()


def test_an_unknown_session(client, staff_user):
    json_error(client.post("/api/v1/sessions/999999/certificates/issue", **bearer(staff_user)), 404)


def test_a_run_is_read_with_the_issuing_permission(client, staff_user):
    held = held_session(staff_user, participants=1)
    run = IssueRun.objects.create(training_session=held.session, requested_by=staff_user, total=1)
    url = f"/api/v1/certificates/runs/{run.pk}"
    body = client.get(url, **bearer(make_user("emitent", ADD, ALL))).json()
    assert (body["run"], body["status"], body["issued"], body["total"]) == (run.pk, "queued", 0, 1)
    json_error(client.get(url, **bearer(make_user("cititor", VIEW))), 403)
    json_error(client.get("/api/v1/certificates/runs/999999", **bearer(staff_user)), 404)


def test_the_openapi_schema_lists_the_endpoints(client):
    schema = json.loads(client.get("/api/v1/openapi.json").content)
    paths = schema["paths"]
    for path in (
        "/api/v1/me/certificates",
        "/api/v1/certificates/{serial}",
        "/api/v1/certificates/verify/{code}",
        "/api/v1/sessions/{session_id}/certificates/issue",
        "/api/v1/certificates/runs/{run_id}",
    ):
        assert path in paths, path
    assert not paths["/api/v1/certificates/verify/{code}"]["get"].get("security")
