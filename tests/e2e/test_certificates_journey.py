"""Certificates, end to end in a real browser: the organiser issues a completed session's
certificates from its attendance screen and follows the run; the participant downloads the PDF
from "My trainings", whose QR code (decoded from the rendered page) opens the verification page
on a phone; the organiser revokes the certificate and the page, the public API and "My
trainings" say so; the verification form takes the code as people type it.

Everybody signs in through the site's real sign-in form. The run is issued by the live server
(the test settings' immediate task backend runs it when the POST commits), which seals every
PDF with pyHanko in the server's thread."""

import hashlib
import io
import json
import os
import re
from urllib.parse import urlsplit

import pypdfium2 as pdfium
import pytest
import zxingcpp
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect
from pyhanko.pdf_utils.reader import PdfFileReader

from certificates.documents import verification_url
from certificates.models import Certificate, IssueRun
from certificates.seal import SEAL_FIELD, read_attachments
from tests.certificates.conftest import DIACRITIC_FIRST, DIACRITIC_LAST, held_session

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

HOLDER_NAME = f"{DIACRITIC_FIRST} {DIACRITIC_LAST}"  # "Ștefania-Ioana Țîrlea-Mănăilă"
PASSWORD = "Parola-Lunga-De-Coordonator-42"
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
TIMEOUT_MS = 15_000
REASON = "Emis din greșeală: participanta a fost înscrisă la altă sesiune"
# Set to a folder to keep screenshots of the screens (for a look, not for the assertions).
SCREENSHOTS = os.environ.get("FORMATIV_SCREENSHOTS", "")


def ro(message: str) -> str:
    """A message as the Romanian site shows it (whatever the state of the translations)."""
    with translation.override("ro"):
        return translation.gettext(message)


def ro_p(context: str, message: str) -> str:
    with translation.override("ro"):
        return translation.pgettext(context, message)


def account(username: str, email: str, **extra):
    """An account whose e-mail address is verified (`extra`: is_superuser, is_staff)."""
    user = get_user_model().objects.create_user(username, email, PASSWORD, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def sign_in(page, base_url: str, start_path: str, email: str, expected_path: str) -> None:
    """Open a page that needs an account, sign in on the site's form, land back on it."""
    page.goto(base_url + start_path)
    expect(page.locator("input[name=login]")).to_be_visible()
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").last.click()
    page.wait_for_url(base_url + expected_path)


def shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def read_page(pdf_path) -> tuple[str, list[str]]:
    """The text of the PDF's first page, and the texts of the QR codes on it (rendered at
    200 dpi)."""
    document = pdfium.PdfDocument(str(pdf_path))
    try:
        page = document[0]
        text = page.get_textpage().get_text_range()
        image = page.render(scale=200 / 72).to_pil()
    finally:
        document.close()
    return text, [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def fits_the_phone(page) -> None:
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    ), "the page scrolls sideways"


@pytest.fixture
def new_page(browser):
    """Pages in browser contexts of their own (one person's browser each), closed at the end."""
    contexts = []

    def new_page(**options):
        context = browser.new_context(
            locale="ro-RO", timezone_id="Europe/Bucharest", accept_downloads=True, **options
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        return page

    yield new_page
    for context in contexts:
        context.close()


def test_certificates_from_issuing_to_revocation(live_server, new_page, tmp_path):
    base = live_server.url
    organiser = account("coordonator", "coordonator@example.org", is_superuser=True, is_staff=True)
    holder = account("stefania", "stefania@example.org")
    held = held_session(organiser, participants=2, holder_user=holder)
    session = held.session
    holder_enrolment = held.completed[0]
    assert not holder.is_staff and not holder.is_superuser

    # --- 1. The organiser issues the session's certificates ------------------------------------
    admin = new_page(**DESKTOP)
    attendance_path = reverse("training_sessions_admin:attendance", args=[session.pk])
    sign_in(admin, base, attendance_path, organiser.email, attendance_path)
    admin.get_by_role("link", name=ro("Issue certificates")).click()
    admin.wait_for_url(base + reverse("certificates_admin:issue", args=[session.pk]))

    # What issuing will do: the two who attended get one, the absent one does not.
    counters = admin.locator(".cert-counters")
    expect(counters.locator("[data-counter=confirmed]")).to_have_text("3")
    expect(counters.locator("[data-counter=eligible]")).to_have_text("2")
    expect(counters.locator("[data-counter=certified]")).to_have_text("0")
    expect(counters.locator("[data-counter=to_issue]")).to_have_text("2")
    expect(counters.locator("[data-counter=not_eligible]")).to_have_text("1")
    candidates = admin.locator("[data-list=candidates] li")
    expect(candidates).to_have_count(2)
    expect(
        admin.locator(f"[data-list=candidates] li[data-enrolment='{holder_enrolment.pk}']")
    ).to_contain_text(HOLDER_NAME)
    expect(admin.locator("[data-list=not_eligible] li")).to_have_count(1)
    expect(
        admin.locator(f"[data-list=not_eligible] li[data-enrolment='{held.absent.pk}']")
    ).to_contain_text(held.absent.professional.full_name)
    shot(admin, "1-issue")
    assert not Certificate.objects.exists()

    issue = admin.locator(".cert-screen form button[type=submit]")
    expect(issue).to_contain_text("2")
    issue.click()
    admin.wait_for_url(re.compile(r".*/admin/certificates/runs/\d+/$"))
    run = IssueRun.objects.get(training_session=session)
    assert admin.url == base + reverse("certificates_admin:run", args=[run.pk])
    done = admin.locator("[data-run-done]")
    expect(done).to_be_visible(timeout=TIMEOUT_MS * 4)
    progress = admin.locator("[data-run-progress]")
    expect(progress).to_have_attribute("max", "2")
    expect(progress).to_have_attribute("value", "2")
    with translation.override("ro"):
        expect(admin.locator("[data-run-status]")).to_have_text(str(IssueRun.Status.DONE.label))
    shot(admin, "2-run-done")

    certificates = {c.enrolment_id: c for c in Certificate.objects.all()}
    assert set(certificates) == {e.pk for e in held.completed}
    certificate = certificates[holder_enrolment.pk]
    assert certificate.status == Certificate.Status.VALID and certificate.sealed
    assert re.fullmatch(r"ANES-\d{4}-\d{6}", certificate.serial), certificate.serial

    # The session's certificates, listed with their serials.
    done.get_by_role("link", name=ro("See the session's certificates")).click()
    admin.wait_for_url(f"{base}{reverse('certificate:index')}?session={session.code}")
    for issued in certificates.values():
        expect(admin.get_by_role("link", name=issued.serial, exact=True)).to_be_visible()
    expect(admin.locator("table.listing > tbody > tr")).to_have_count(2)
    expect(
        admin.locator("table.listing > tbody > tr", has_text=certificate.serial)
    ).to_contain_text(HOLDER_NAME)
    shot(admin, "3-list")

    # --- 2. The participant downloads the PDF; its QR code opens the page on a phone ----------
    mine = new_page(**DESKTOP)
    my_trainings = reverse("training_sessions:my_trainings")
    sign_in(mine, base, my_trainings, holder.email, my_trainings)
    block = mine.locator(
        f".my-training__documents[data-enrolment='{holder_enrolment.pk}'] .my-certificate"
    )
    expect(block).to_have_count(1)
    expect(block).to_have_class(re.compile(r"\bmy-certificate--valid\b"))
    expect(block.locator(".my-certificate__title code")).to_have_text(certificate.serial)
    expect(block.locator(".my-certificate__status")).to_have_text(ro_p("certificate", "valid"))
    shot(mine, "4-my-trainings")

    with mine.expect_download() as download_info:
        block.get_by_role("button", name=ro("Download PDF")).click()
    download = download_info.value
    assert download.suggested_filename == f"{certificate.serial}.pdf"
    pdf_path = tmp_path / download.suggested_filename
    download.save_as(pdf_path)
    pdf = pdf_path.read_bytes()
    assert pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() == certificate.pdf_sha256  # the stored, sealed file

    # Sealed by the agency, with the Open Badges credential attached.
    signatures = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    assert [s.field_name for s in signatures] == [SEAL_FIELD]
    attachments = read_attachments(pdf)
    assert json.loads(attachments["credential.json"]) == certificate.credential
    assert attachments["credential.jwt"].decode() == certificate.credential_jwt

    text, qr_texts = read_page(pdf_path)
    assert HOLDER_NAME in text, text
    assert certificate.serial in text, text
    assert len(qr_texts) == 1, qr_texts
    qr_url = qr_texts[0]
    assert re.fullmatch(r"http://testserver/v/[A-Z0-9]{16}", qr_url), qr_url
    assert qr_url == verification_url(certificate.code)
    # The test settings' public address is http://testserver: the same path on the live server.
    page_url = base + urlsplit(qr_url).path

    phone = new_page(**PHONE)
    phone.goto(page_url)
    status = phone.locator(".verify-status")
    expect(status).to_have_class(re.compile(r"\bverify-status--valid\b"))
    expect(phone.locator("#verify-status-heading")).to_have_text(ro("Valid certificate"))
    expect(phone.locator(".verify__holder")).to_have_text(HOLDER_NAME)
    expect(phone.locator(".verify__facts")).to_contain_text(certificate.serial)
    # The answer is on the first screen, not below the fold.
    box = status.bounding_box()
    assert box and box["y"] + box["height"] <= PHONE["viewport"]["height"], box
    fits_the_phone(phone)
    shot(phone, "5-verify-valid-phone")

    # --- 3. The organiser revokes it; the participant's page says so ---------------------------
    admin.get_by_role("link", name=certificate.serial, exact=True).click()
    admin.wait_for_url(base + reverse("certificate:inspect", args=[certificate.pk]))
    admin.locator(".cert-actions").get_by_role("link", name=ro("Revoke"), exact=True).click()
    admin.wait_for_url(base + reverse("certificates_admin:revoke", args=[certificate.pk]))
    admin.get_by_label(ro("Reason")).fill(REASON)
    admin.get_by_role("button", name=ro("Revoke the certificate")).click()
    confirm = admin.locator("[data-confirm]")
    expect(confirm).to_contain_text(HOLDER_NAME)
    expect(confirm.locator("blockquote")).to_have_text(REASON)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID  # not before the confirmation
    shot(admin, "6-revoke-confirm")
    admin.get_by_role("button", name=ro("Yes, revoke it")).click()
    admin.wait_for_url(base + reverse("certificate:inspect", args=[certificate.pk]))
    expect(admin.locator("[data-status-reason]")).to_have_text(REASON)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    assert certificate.status_reason == REASON
    assert certificate.status_changed_by == organiser

    phone.reload()
    expect(status).to_have_class(re.compile(r"\bverify-status--revoked\b"))
    expect(phone.locator("#verify-status-heading")).to_have_text(ro("Revoked certificate"))
    expect(status).to_contain_text(REASON)
    expect(phone.locator(".verify__holder")).to_have_text(HOLDER_NAME)
    fits_the_phone(phone)
    shot(phone, "7-verify-revoked-phone")

    # "My trainings" says it too (the PDF stays downloadable).
    mine.reload()
    expect(block).to_have_class(re.compile(r"\bmy-certificate--revoked\b"))
    expect(block.locator(".my-certificate__status")).to_have_text(ro_p("certificate", "revoked"))
    expect(block.locator(".my-certificate__warning")).to_contain_text(REASON)

    # --- 4. The public API answers "revoked" ---------------------------------------------------
    response = phone.request.get(f"{base}/api/v1/certificates/verify/{certificate.code}")
    assert response.status == 200, response.text()
    answer = response.json()
    assert answer["status"] == "revoked"
    assert answer["reason"] == REASON
    assert answer["holder_name"] == HOLDER_NAME
    assert answer["serial"] == certificate.serial

    # --- 5. The verification form takes the code as people type it ----------------------------
    typed = "-".join(certificate.code[i : i + 4] for i in range(0, 16, 4)).lower()
    phone.goto(base + reverse("certificates:verify_form"))
    fits_the_phone(phone)
    phone.get_by_label(ro("Verification code")).fill(typed)
    phone.get_by_role("button", name=ro("Verify"), exact=True).click()
    phone.wait_for_url(page_url)
    expect(phone.locator("#verify-status-heading")).to_have_text(ro("Revoked certificate"))
    expect(phone.locator(".verify__holder")).to_have_text(HOLDER_NAME)
