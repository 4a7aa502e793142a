"""Issuing a completed session's certificates: only people who met the completion rule get
one, a re-run issues nothing twice, serials run on, what was certified stays frozen, a failed
chunk leaves nothing half-written; revoking and re-issuing."""

import hashlib
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from wagtail.models import ModelLogEntry

from certificates import credentials, services
from certificates.documents import DEFAULT_TITLES
from certificates.keys import credential_key
from certificates.models import Certificate, CertificateSignatory, CertificateTemplate, IssueRun
from certificates.seal import read_attachments
from certificates.selectors import issue_summary
from sessions.models import Enrolment, TrainingSession
from tests.certificates.conftest import DIACRITIC_FIRST, DIACRITIC_LAST, held_session
from tests.factories.training import ProjectFactory, UserFactory
from training.models import CertificateType

pytestmark = pytest.mark.django_db

V = Certificate.Status


def issue(session, user):
    return services.certificate_issue_all(training_session=session, acting_user=user)


def private_files() -> set[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT) / "certificates"
    return set(root.rglob("*.pdf")) if root.exists() else set()


# --- who gets one ---------------------------------------------------------------------------


def test_only_participants_who_met_the_completion_rule_get_a_certificate(held, staff_user):
    assert issue(held.session, staff_user) == 2
    holders = set(Certificate.objects.values_list("enrolment_id", flat=True))
    assert holders == {e.pk for e in held.completed}
    assert not held.absent.certificates.exists()
    assert not held.cancelled.certificates.exists()


def test_running_the_issue_again_issues_nothing_twice(held, staff_user):
    issue(held.session, staff_user)
    first = set(Certificate.objects.values_list("serial", flat=True))
    assert issue(held.session, staff_user) == 0
    assert set(Certificate.objects.values_list("serial", flat=True)) == first
    assert issue_summary(training_session=held.session).to_issue == 0


def test_the_database_refuses_a_second_valid_certificate_for_one_enrolment(held, staff_user):
    issue(held.session, staff_user)
    existing = Certificate.objects.first()
    duplicate = Certificate.objects.get(pk=existing.pk)
    duplicate.pk = None
    duplicate.serial = "ANES-1999-999999"
    duplicate.code = "ZZZZZZZZZZZZZZZZ"
    duplicate.status_index = 999_999
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_a_session_not_yet_completed_gets_no_certificates(held, staff_user):
    TrainingSession.objects.filter(pk=held.session.pk).update(
        status=TrainingSession.Status.PUBLISHED
    )
    with pytest.raises(ValidationError) as error:
        issue(held.session, staff_user)
    expected = translation.gettext("Certificates are issued once the session is completed.")
    assert error.value.messages == [expected]
    assert not Certificate.objects.exists()


def test_a_course_without_certificates_issues_none(staff_user):
    held = held_session(staff_user, certificate_type=CertificateType.NONE)
    assert issue(held.session, staff_user) == 0
    assert not Certificate.objects.exists()


def test_issuing_needs_the_permission(held):
    with pytest.raises(PermissionDenied):
        issue(held.session, UserFactory())
    assert not Certificate.objects.exists()


def test_a_participant_marked_absent_after_completion_gets_none(held, staff_user):
    """The result is what counts: a later correction that undoes completion is respected."""
    Enrolment.objects.filter(pk=held.completed[1].pk).update(
        completion=Enrolment.Completion.NOT_COMPLETED
    )
    assert issue(held.session, staff_user) == 1


# --- what a certificate is -------------------------------------------------------------------


def test_serials_are_readable_and_run_on_across_sessions(staff_user):
    year = timezone.localdate().year
    first = held_session(staff_user, participants=2)
    second = held_session(staff_user, participants=3)
    issue(first.session, staff_user)
    issue(second.session, staff_user)
    serials = sorted(Certificate.objects.values_list("serial", flat=True))
    assert all(re.fullmatch(rf"ANES-{year}-\d{{6}}", s) for s in serials)
    numbers = [int(s.rsplit("-", 1)[1]) for s in serials]
    assert numbers == list(range(numbers[0], numbers[0] + 5))


def test_verification_codes_are_long_unique_and_unguessable(staff_user):
    held = held_session(staff_user, participants=5)
    issue(held.session, staff_user)
    codes = list(Certificate.objects.values_list("code", flat=True))
    assert len(set(codes)) == 5
    assert all(len(c) == 16 and c.isalnum() and c.isupper() for c in codes)
    serials = Certificate.objects.values_list("serial", flat=True)
    assert not any(code in serial for code in codes for serial in serials)


def test_what_was_certified_is_frozen_at_issue(held, staff_user):
    issue(held.session, staff_user)
    certificate = held.completed[0].certificates.get()
    assert certificate.data["holder_name"] == f"{DIACRITIC_FIRST} {DIACRITIC_LAST}"
    assert certificate.data["course_hours"] == "16"
    professional = held.completed[0].professional
    professional.last_name = "Alt-Nume"
    professional.save()
    course = held.session.course
    course.title = "Alt titlu"
    course.save()
    certificate.refresh_from_db()
    assert certificate.data["holder_name"] == f"{DIACRITIC_FIRST} {DIACRITIC_LAST}"
    assert certificate.data["course_title"] != "Alt titlu"
    with certificate.pdf.open("rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == certificate.pdf_sha256


def test_names_typed_with_cedillas_are_certified_with_comma_below(staff_user):
    held = held_session(staff_user, participants=1)
    professional = held.completed[0].professional
    professional.first_name, professional.last_name = "Şerban", "Ţepeş"
    professional.save()
    issue(held.session, staff_user)
    certificate = Certificate.objects.get()
    assert certificate.data["holder_name"] == "Șerban Țepeș"
    assert "Ș" in certificate.credential["credentialSubject"]["identifier"][0]["identityHash"]


def test_the_default_title_follows_the_course_type(staff_user):
    participation = held_session(staff_user, participants=1)
    completion = held_session(
        staff_user, participants=1, certificate_type=CertificateType.COMPLETION
    )
    issue(participation.session, staff_user)
    issue(completion.session, staff_user)
    with translation.override("ro"):
        expected = {
            CertificateType.PARTICIPATION: translation.gettext(
                DEFAULT_TITLES[CertificateType.PARTICIPATION]
            ),
            CertificateType.COMPLETION: translation.gettext(
                DEFAULT_TITLES[CertificateType.COMPLETION]
            ),
        }
    for certificate in Certificate.objects.all():
        assert certificate.kind in expected
        assert certificate.data["title"] == expected[certificate.kind]
    assert expected[CertificateType.PARTICIPATION] == "Certificat de participare"
    assert expected[CertificateType.COMPLETION] == "Certificat de absolvire"


def test_the_stored_pdf_carries_the_signed_credential(held, staff_user):
    issue(held.session, staff_user)
    certificate = held.completed[0].certificates.get()
    assert certificate.sealed
    with certificate.pdf.open("rb") as f:
        attachments = read_attachments(f.read())
    assert json.loads(attachments["credential.json"]) == certificate.credential
    assert attachments["credential.jwt"].decode() == certificate.credential_jwt
    key = credential_key().public_key
    assert credentials.verify_proof(certificate.credential, key)
    assert (
        credentials.verify_jwt(certificate.credential_jwt, key)["id"]
        == certificate.credential["id"]
    )


def test_every_issue_is_in_the_audit_log(held, staff_user):
    issue(held.session, staff_user)
    entries = ModelLogEntry.objects.filter(action="formativ.certificate.issue")
    assert entries.count() == 2
    assert {e.data["serial"] for e in entries} == set(
        Certificate.objects.values_list("serial", flat=True)
    )
    assert all(e.user_id == staff_user.pk for e in entries)


# --- templates ---------------------------------------------------------------------------------


def test_the_course_template_wins_over_the_project_and_the_default(staff_user):
    held = held_session(staff_user, participants=1)
    project = ProjectFactory()
    TrainingSession.objects.filter(pk=held.session.pk).update(project=project)
    CertificateTemplate.objects.create(name="Implicit", is_default=True, title="Implicit")
    CertificateTemplate.objects.create(name="Proiect", project=project, title="Proiect")
    course_template = CertificateTemplate.objects.create(
        name="Curs",
        course=held.session.course,
        title="Diplomă",
        body="{name} a absolvit „{course}” ({hours} ore, {county}).",
    )
    CertificateSignatory.objects.create(
        template=course_template, name="Maria Ionescu", role="Președintă"
    )
    issue(held.session, staff_user)
    data = Certificate.objects.get().data
    assert data["title"] == "Diplomă"
    assert data["text"].startswith(f"{DIACRITIC_FIRST} {DIACRITIC_LAST} a absolvit „")
    assert "16 ore" in data["text"]
    assert data["signatories"] == [{"name": "Maria Ionescu", "role": "Președintă"}]
    assert data["template_id"] == course_template.pk


def test_the_project_template_applies_when_the_course_has_none(staff_user):
    held = held_session(staff_user, participants=1)
    project = ProjectFactory()
    TrainingSession.objects.filter(pk=held.session.pk).update(project=project)
    CertificateTemplate.objects.create(name="Implicit", is_default=True, title="Implicit")
    CertificateTemplate.objects.create(name="Proiect", project=project, title="Proiect")
    held.session.refresh_from_db()
    issue(held.session, staff_user)
    assert Certificate.objects.get().data["title"] == "Proiect"


def test_unknown_placeholders_are_refused_with_the_allowed_list():
    template = CertificateTemplate(name="X", body="{nume} a participat la {course}")
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    message = error.value.message_dict["body"][0]
    assert "{nume}" in message and "{course}" in message


# --- runs and failures ------------------------------------------------------------------


def test_an_issue_run_reports_its_progress(held, staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.issue_run_start(training_session=held.session, acting_user=staff_user)
    run.refresh_from_db()
    assert (run.status, run.total, run.issued, run.percent) == (IssueRun.Status.DONE, 2, 2, 100)
    assert Certificate.objects.count() == 2


def test_a_failed_chunk_leaves_no_rows_no_files_and_no_gap(
    staff_user, monkeypatch, django_capture_on_commit_callbacks
):
    held = held_session(staff_user, participants=3)
    monkeypatch.setattr(services, "CHUNK_SIZE", 1)
    real_render = services.render_certificate
    calls = {"n": 0}

    def failing_second(document):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real_render(document)

    monkeypatch.setattr(services, "render_certificate", failing_second)
    before = private_files()
    with django_capture_on_commit_callbacks(execute=True):
        run = services.issue_run_start(training_session=held.session, acting_user=staff_user)
    run.refresh_from_db()
    assert run.status == IssueRun.Status.FAILED
    assert run.error and "disk full" not in run.error  # the person sees a sentence, not a trace
    assert run.issued == 1
    assert Certificate.objects.count() == 1
    assert private_files() - before == {Path(Certificate.objects.get().pdf.path)}

    monkeypatch.setattr(services, "render_certificate", real_render)
    assert issue(held.session, staff_user) == 2
    numbers = sorted(
        int(s.rsplit("-", 1)[1]) for s in Certificate.objects.values_list("serial", flat=True)
    )
    assert numbers == list(range(numbers[0], numbers[0] + 3))  # the failed number was given back
    assert private_files() - before == {Path(c.pdf.path) for c in Certificate.objects.all()}


# --- revocation and re-issue -------------------------------------------------------------


def test_revoking_needs_a_reason_and_the_permission(issued, staff_user):
    certificate = issued[0]
    with pytest.raises(ValidationError):
        services.certificate_revoke(certificate=certificate, reason="  ", acting_user=staff_user)
    with pytest.raises(PermissionDenied):
        services.certificate_revoke(
            certificate=certificate, reason="Eroare", acting_user=UserFactory()
        )
    certificate.refresh_from_db()
    assert certificate.status == V.VALID


def test_a_revoked_certificate_is_set_in_the_published_status_list(
    issued, staff_user, client, django_capture_on_commit_callbacks
):
    certificate, other = issued
    status_url = certificate.credential["credentialStatus"]["statusListCredential"]
    position = int(certificate.credential["credentialStatus"]["statusListIndex"])
    other_position = int(other.credential["credentialStatus"]["statusListIndex"])

    def published():
        document = client.get(status_url.removeprefix("http://testserver")).json()
        assert credentials.verify_proof(document, credential_key().public_key)
        return document["credentialSubject"]["encodedList"]

    assert not credentials.status_list_bit(published(), position)
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_revoke(
            certificate=certificate, reason="Participare neconfirmată", acting_user=staff_user
        )
    certificate.refresh_from_db()
    assert (certificate.status, certificate.status_reason) == (
        V.REVOKED,
        "Participare neconfirmată",
    )
    assert certificate.status_changed_by == staff_user
    encoded = published()
    assert credentials.status_list_bit(encoded, position)
    assert not credentials.status_list_bit(encoded, other_position)
    with pytest.raises(ValidationError):
        services.certificate_revoke(
            certificate=certificate, reason="din nou", acting_user=staff_user
        )


def test_reissuing_gives_a_new_serial_with_corrected_data(issued, staff_user):
    old = issued[0]
    professional = old.enrolment.professional
    professional.last_name = "Țîrlea-Mănăilă-Pop"
    professional.save()
    new = services.certificate_reissue(
        certificate=old, reason="Nume corectat", acting_user=staff_user
    )
    old.refresh_from_db()
    assert new.serial != old.serial and new.code != old.code
    assert old.status == V.SUPERSEDED and old.superseded_by == new
    assert new.status == V.VALID
    assert new.data["holder_name"].endswith("Țîrlea-Mănăilă-Pop")
    assert Certificate.objects.filter(enrolment=old.enrolment, status=V.VALID).get() == new


def test_reissue_is_refused_when_the_rule_is_no_longer_met(issued, staff_user):
    old = issued[0]
    Enrolment.objects.filter(pk=old.enrolment_id).update(
        completion=Enrolment.Completion.NOT_COMPLETED
    )
    with pytest.raises(ValidationError):
        services.certificate_reissue(certificate=old, reason="Corectură", acting_user=staff_user)
    old.refresh_from_db()
    assert old.status == V.VALID
    assert Certificate.objects.count() == 2


def test_a_revoked_certificate_is_not_issued_again_by_a_later_run(issued, staff_user):
    services.certificate_revoke(
        certificate=issued[0], reason="Emis din eroare", acting_user=staff_user
    )
    session = issued[0].enrolment.training_session
    assert issue(session, staff_user) == 0
    assert not issued[0].enrolment.certificates.filter(status=V.VALID).exists()
    summary = issue_summary(training_session=session)
    assert (summary.certified, summary.revoked, summary.to_issue) == (1, 1, 0)
