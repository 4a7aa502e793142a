"""In a real browser: an organiser issues a completed session's certificates from its
attendance screen, follows the run, finds the certificates and revokes one; the run page's
script follows a run under way without reloading until it ends."""

import os

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from certificates.models import Certificate, IssueRun
from tests.certificates.conftest import held_session

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

# Set to a folder to keep screenshots of the screens (for a look, not for the assertions).
SCREENSHOTS = os.environ.get("FORMATIV_SCREENSHOTS", "")


def shot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def sign_in(page, live_server):
    user = get_user_model().objects.create_superuser(
        "coordonator", "c@example.org", "Parola-Lunga-42"
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    page.goto(f"{live_server.url}/admin/")
    page.fill("input[name=login]", "c@example.org")
    page.fill("input[name=password]", "Parola-Lunga-42")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/admin/")
    return user


def test_organiser_issues_a_sessions_certificates_and_revokes_one(live_server, page):
    user = sign_in(page, live_server)
    held = held_session(user, participants=2)

    page.goto(f"{live_server.url}/admin/training-sessions/{held.session.pk}/attendance/")
    page.locator("[data-issue-certificates]").click()
    page.wait_for_url(f"**/admin/certificates/session/{held.session.pk}/issue/")
    assert page.locator('[data-counter="to_issue"]').inner_text() == "2"
    shot(page, "issue")

    page.locator(".cert-screen form button[type=submit]").click()
    page.wait_for_url("**/admin/certificates/runs/*/")
    page.locator("[data-run-done]").wait_for()
    assert page.locator("[data-run-progress]").get_attribute("value") == "2"
    shot(page, "run-done")

    page.locator("[data-run-done] a").click()
    page.wait_for_url(f"**/admin/certificate/?session={held.session.code}")
    certificates = list(Certificate.objects.order_by("serial"))
    assert len(certificates) == 2
    for certificate in certificates:
        assert page.get_by_role("link", name=certificate.serial).is_visible()
    shot(page, "list")

    first = certificates[0]
    page.get_by_role("link", name=first.serial).click()
    page.wait_for_url(f"**/admin/certificate/inspect/{first.pk}/")
    shot(page, "inspect")
    page.locator(f'a[href="/admin/certificates/{first.pk}/revoke/"]').last.click()
    page.fill("textarea[name=reason]", "Emis din greșeală")
    page.locator(".cert-screen form button[type=submit]").click()
    page.locator("[data-confirm]").wait_for()
    shot(page, "revoke-confirm")
    page.locator(".cert-screen form button[type=submit]").click()
    page.wait_for_url(f"**/admin/certificate/inspect/{first.pk}/")
    assert page.locator("[data-status-reason]").inner_text() == "Emis din greșeală"
    first.refresh_from_db()
    assert first.status == Certificate.Status.REVOKED


def test_the_run_page_follows_a_run_under_way(live_server, page):
    user = sign_in(page, live_server)
    held = held_session(user, participants=1)
    run = IssueRun.objects.create(
        training_session=held.session,
        requested_by=user,
        total=4,
        issued=0,
        status=IssueRun.Status.RUNNING,
    )
    page.goto(f"{live_server.url}/admin/certificates/runs/{run.pk}/")
    bar = page.locator("[data-run-progress]")
    assert bar.get_attribute("value") == "0"

    IssueRun.objects.filter(pk=run.pk).update(issued=3)
    expect(bar).to_have_js_property("value", 3, timeout=5000)
    assert "3" in page.locator("[data-run-text]").inner_text()
    assert page.locator("[data-run-text]").get_attribute("aria-live") == "polite"
    shot(page, "run-running")

    IssueRun.objects.filter(pk=run.pk).update(status=IssueRun.Status.FAILED, error="Disc plin.")
    page.locator("[data-run-error]").wait_for(timeout=5000)  # reloaded once it ended
    assert "Disc plin." in page.locator("[data-run-error]").inner_text()
    shot(page, "run-failed")
