"""Issuing a completed session's certificates from the back office: the screen says who gets
one and who does not and why, the POST starts a run (run at once by the tests' task
backend), the run page shows its progress and the status endpoint reports it; a second run
issues nothing twice; a session not completed gets a message, not a server error."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import override_settings
from django.utils import translation
from django.utils.html import escape

from certificates.models import Certificate, CertificateTemplate, IssueRun
from sessions.models import Enrolment
from tests.certificates.conftest import held_session, person
from tests.factories.sessions import make_session
from training.models import CertificateType


def ro(message: str, **params) -> str:
    """What the Romanian admin shows for `message` (an English msgid)."""
    with translation.override("ro"):
        text = translation.gettext(message)
    return text % params if params else text


PROGRESS = "%(issued)s of %(total)s certificates issued"

pytestmark = pytest.mark.django_db


def issue_url(session):
    return f"/admin/certificates/session/{session.pk}/issue/"


def run_url(run):
    return f"/admin/certificates/runs/{run.pk}/"


def counter(page: str, name: str) -> int:
    return int(re.search(rf'data-counter="{name}">(\d+)<', page).group(1))


def listed(page: str, name: str) -> set[int]:
    block = re.search(rf'data-list="{name}">(.*?)</ul>', page, re.S)
    return (
        {int(pk) for pk in re.findall(r'data-enrolment="(\d+)"', block.group(1))}
        if block
        else set()
    )


def back_office_user(username, *perms):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "x")
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        *(
            Permission.objects.get(codename=c, content_type__app_label="certificates")
            for c in perms
        ),
    )
    return get_user_model().objects.get(pk=user.pk)


def test_the_issue_screen_counts_and_names_who_gets_a_certificate_and_who_does_not(
    admin_client, held
):
    response = admin_client.get(issue_url(held.session))
    assert response.status_code == 200
    page = response.content.decode()
    assert counter(page, "confirmed") == 3  # two completed, one absent; the cancelled not
    assert counter(page, "eligible") == 2
    assert counter(page, "certified") == 0
    assert counter(page, "to_issue") == 2
    assert counter(page, "not_eligible") == 1
    assert listed(page, "candidates") == {e.pk for e in held.completed}
    assert listed(page, "not_eligible") == {held.absent.pk}
    assert (
        ro(
            "Did not meet the completion rule: attended %(attended)s days, %(needed)s needed.",
            attended=0,
            needed=2,
        )
        in page
    )  # why the absent person gets none
    assert held.cancelled.professional.full_name not in page
    assert (
        ro("built-in layout (no template for this course, its project, nor a default one)") in page
    )
    # Tests sign with keys generated on this machine: the screen says so.
    assert "data-development-keys" in page


def test_the_issue_screen_names_the_template_that_applies(admin_client, held):
    template = CertificateTemplate.objects.create(name="Șablon curs", course=held.session.course)
    page = admin_client.get(issue_url(held.session)).content.decode()
    assert escape(template.name) in page
    assert (
        ro("built-in layout (no template for this course, its project, nor a default one)")
        not in page
    )


@override_settings(
    CERTIFICATE_CREDENTIAL_KEY_FILE="/etc/k",
    CERTIFICATE_SEAL_KEY_FILE="/etc/s",
    CERTIFICATE_SEAL_CERT_FILE="/etc/c",
)
def test_no_development_key_warning_when_the_agency_keys_are_configured(admin_client, held):
    page = admin_client.get(issue_url(held.session)).content.decode()
    assert "data-development-keys" not in page


def test_issuing_creates_certificates_for_exactly_the_eligible_and_a_second_run_none(
    admin_client, held, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(issue_url(held.session))
    run = IssueRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == run_url(run)
    issued = Certificate.objects.filter(enrolment__training_session=held.session)
    assert set(issued.values_list("enrolment_id", flat=True)) == {e.pk for e in held.completed}
    run.refresh_from_db()
    assert (run.status, run.total, run.issued, run.requested_by) == ("done", 2, 2, staff_user)

    page = admin_client.get(run_url(run)).content.decode()
    assert 'max="2" value="2"' in page
    assert ro(PROGRESS, issued=2, total=2) in page
    assert "data-run-done" in page
    assert f"/admin/certificate/?session={held.session.code}" in page
    assert 'http-equiv="refresh"' not in page  # finished: no reloading
    assert "certificates/admin/issue_run.js" in page

    screen = admin_client.get(issue_url(held.session)).content.decode()
    assert counter(screen, "certified") == 2
    assert counter(screen, "to_issue") == 0
    assert listed(screen, "certified") == {e.pk for e in held.completed}

    serials = set(issued.values_list("serial", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(issue_url(held.session))
    assert response.status_code == 302
    second = IssueRun.objects.exclude(pk=run.pk).get()
    assert (second.status, second.total, second.issued) == ("done", 0, 0)
    assert (
        set(
            Certificate.objects.filter(enrolment__training_session=held.session).values_list(
                "serial", flat=True
            )
        )
        == serials
    )


def test_a_session_not_completed_gets_a_message_not_an_error(admin_client):
    session = make_session(start_in=-4, day_count=2)
    enrolment = person(session)
    response = admin_client.get(issue_url(session))
    assert response.status_code == 200
    assert "data-not-completed" in response.content.decode()

    response = admin_client.post(issue_url(session))
    assert response.status_code == 200
    messages = [str(m.message) for m in response.context["messages"]]
    assert messages == [ro("Certificates are issued once the session is completed.")]
    assert not IssueRun.objects.exists()
    assert not Certificate.objects.filter(enrolment=enrolment).exists()


def test_a_course_without_certificates_issues_none(
    admin_client, staff_user, django_capture_on_commit_callbacks
):
    held = held_session(staff_user, certificate_type=CertificateType.NONE)
    page = admin_client.get(issue_url(held.session)).content.decode()
    assert counter(page, "eligible") == 0
    assert ro("The course gives no certificate.") in page
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(issue_url(held.session))
    assert not Certificate.objects.exists()


def test_the_run_page_reloads_itself_while_the_run_is_under_way_and_polls_its_status(
    admin_client, held, staff_user
):
    run = IssueRun.objects.create(
        training_session=held.session,
        requested_by=staff_user,
        total=4,
        issued=1,
        status=IssueRun.Status.RUNNING,
    )
    page = admin_client.get(run_url(run)).content.decode()
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
    assert 'max="4" value="1"' in page
    assert ro(PROGRESS, issued=1, total=4) in page
    assert f'data-status-url="/admin/certificates/runs/{run.pk}/status/"' in page
    assert 'aria-live="polite"' in page

    response = admin_client.get(f"/admin/certificates/runs/{run.pk}/status/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert {k: body[k] for k in ("status", "total", "issued", "percent", "error")} == {
        "status": "running",
        "total": 4,
        "issued": 1,
        "percent": 25,
        "error": "",
    }


def test_a_failed_run_shows_its_error_and_starting_again_issues_the_rest(
    admin_client, held, staff_user, django_capture_on_commit_callbacks
):
    run = IssueRun.objects.create(
        training_session=held.session,
        requested_by=staff_user,
        total=2,
        status=IssueRun.Status.FAILED,
        error="Discul este plin.",
    )
    page = admin_client.get(run_url(run)).content.decode()
    assert "Discul este plin." in page
    assert f'action="/admin/certificates/session/{held.session.pk}/issue/"' in page
    assert "http-equiv" not in page
    status = admin_client.get(f"/admin/certificates/runs/{run.pk}/status/").json()
    assert (status["status"], status["error"]) == ("failed", "Discul este plin.")

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(issue_url(held.session))
    assert Certificate.objects.filter(status="valid").count() == 2


def test_the_attendance_screen_links_to_issuing_once_the_session_is_completed(admin_client, held):
    page = admin_client.get(f"/admin/training-sessions/{held.session.pk}/attendance/")
    assert f'href="{issue_url(held.session)}"' in page.content.decode()
    open_session = make_session(start_in=5)
    page = admin_client.get(f"/admin/training-sessions/{open_session.pk}/attendance/")
    assert "data-issue-certificates" not in page.content.decode()


def test_without_the_issue_permission_the_screens_are_forbidden(client, held, staff_user):
    run = IssueRun.objects.create(training_session=held.session, requested_by=staff_user)
    client.force_login(back_office_user("vizualizare", "view_certificate"))
    for url in [
        issue_url(held.session),
        run_url(run),
        f"/admin/certificates/runs/{run.pk}/status/",
    ]:
        assert client.get(url).status_code == 403, url
    assert client.post(issue_url(held.session)).status_code == 403
    assert IssueRun.objects.count() == 1
    assert not Certificate.objects.exists()
    assert Enrolment.objects.filter(training_session=held.session).count() == 4
