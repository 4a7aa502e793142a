"""The public verification page (`/v/<code>`, what the QR code opens) and its form (`/v/`):
the status said plainly, what the certificate states from its frozen data, nothing else
personal, a clear "not found", a limit on lookups, and no trace of the code in the logs."""

import logging

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from certificates.services import certificate_reissue, certificate_revoke
from tests.certificates.conftest import DIACRITIC_FIRST, DIACRITIC_LAST


def ro(message: str) -> str:
    with translation.override("ro"):
        return translation.gettext(message)


pytestmark = pytest.mark.django_db

HOLDER_NAME = f"{DIACRITIC_FIRST} {DIACRITIC_LAST}"


def verify_url(code: str, language: str = "ro") -> str:
    with translation.override(language):
        return reverse("certificates:verify", kwargs={"code": code})


def form_url(language: str = "ro") -> str:
    with translation.override(language):
        return reverse("certificates:verify_form")


def dashed(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def assert_private(response) -> None:
    """Never cached, indexed, or sent on as a referrer."""
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_the_address_is_the_one_printed_under_the_qr_code():
    assert verify_url("ABCDEFGHJKMNPQRS") == "/v/ABCDEFGHJKMNPQRS"
    assert verify_url("ABCDEFGHJKMNPQRS", "en") == "/en/v/ABCDEFGHJKMNPQRS"
    assert form_url() == "/v/"


def test_a_valid_certificate_shows_what_it_states(client, issued):
    certificate = issued[0]
    response = client.get(verify_url(certificate.code))
    assert response.status_code == 200
    html = response.content.decode()
    assert ro("Valid certificate") in html
    assert "verify-status--valid" in html
    # The name exactly as certified, comma-below ș ț, never cedilla.
    assert f'<dd class="verify__holder">{HOLDER_NAME}</dd>' in html
    assert "ş" not in html and "ţ" not in html
    data = certificate.data
    for text in (data["title"], data["course_title"], data["issuer"], certificate.serial):
        assert text in html
    with translation.override("ro"):
        duration = translation.ngettext("%(hours)s hour", "%(hours)s hours", 16) % {"hours": 16}
    assert duration == "16 ore"
    assert duration in html
    assert dashed(certificate.code).split("-")[0] in html
    assert_private(response)


def test_the_page_holds_nothing_else_personal(client, issued, held_with_holder, holder):
    certificate = issued[0]
    person = certificate.enrolment.professional
    assert certificate.data["institution"]  # it was certified…
    html = client.get(verify_url(certificate.code)).content.decode()
    assert certificate.data["institution"] not in html  # …but is not shown
    assert person.email not in html
    assert holder.email not in html
    # Nor anything of the other participants.
    other = issued[1]
    assert other.data["holder_name"] not in html


def test_the_page_in_english(client, issued):
    response = client.get(verify_url(issued[0].code, "en"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert "Valid certificate" in html
    assert HOLDER_NAME in html


def test_a_code_typed_in_small_letters_with_dashes_finds_the_certificate(client, issued):
    certificate = issued[0]
    response = client.get(verify_url(dashed(certificate.code).lower()))
    assert response.status_code == 200
    assert certificate.serial in response.content.decode()


def test_the_form_leads_to_the_page(client, issued):
    certificate = issued[0]
    response = client.get(form_url(), {"code": f" {dashed(certificate.code).lower()} "})
    assert response.status_code == 302
    assert response.url == verify_url(certificate.code)
    response = client.get(form_url("en"), {"code": certificate.code})
    assert response.url == verify_url(certificate.code, "en")


def test_the_form_page(client):
    response = client.get(form_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="code"' in html
    assert "ABCD-EFGH-JKLM-NPQR" in html
    assert_private(response)
    # Nothing typed: the form again, with the error tied to the field.
    response = client.get(form_url(), {"code": " - "})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert 'id="verify-code-error"' in html


def test_an_unknown_code_is_a_clear_not_found_with_the_form(client, issued):
    response = client.get(verify_url("abcd-efgh-jkmn-pqrs"))
    assert response.status_code == 404
    html = response.content.decode()
    assert ro("Certificate not found") in html
    assert "ABCD-EFGH-JKMN-PQRS" in html  # what was looked up, to spot a typo
    assert 'name="code"' in html
    assert HOLDER_NAME not in html
    assert_private(response)


def test_a_revoked_certificate_says_so_with_the_date_and_reason(client, issued, staff_user):
    certificate = certificate_revoke(
        certificate=issued[0], reason="Prezență declarată greșit", acting_user=staff_user
    )
    response = client.get(verify_url(certificate.code, "en"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Revoked certificate" in html
    assert "Valid certificate" not in html
    assert "verify-status--revoked" in html
    assert "Prezență declarată greșit" in html
    revoked_on = timezone.localdate(certificate.status_changed_at)
    assert f"revoked on {revoked_on:%-d %B %Y}" in html
    assert HOLDER_NAME in html  # what it stated is still shown


def test_a_replaced_certificate_names_the_new_one(client, issued, staff_user):
    old = issued[0]
    new = certificate_reissue(certificate=old, reason="Nume corectat", acting_user=staff_user)
    html = client.get(verify_url(old.code, "en")).content.decode()
    assert "Replaced certificate" in html
    assert "verify-status--superseded" in html
    assert f"replaced by certificate {new.serial}" in html
    assert new.code not in html  # the new code stays the holder's to give
    html = client.get(verify_url(new.code, "en")).content.decode()
    assert "Valid certificate" in html
    assert new.serial in html


@override_settings(CERTIFICATE_VERIFY_PER_MINUTE=3)
def test_lookups_are_limited_per_client_address(client, issued):
    code = issued[0].code
    assert client.get(verify_url(code)).status_code == 200
    assert client.get(verify_url("ZZZZZZZZZZZZZZZZ")).status_code == 404  # misses count too
    assert client.get(verify_url(code, "en")).status_code == 200
    response = client.get(verify_url(code))
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    html = response.content.decode()
    assert '<html lang="ro"' in html
    assert HOLDER_NAME not in html  # nothing was looked up
    assert 'name="code"' in html
    assert_private(response)
    response = client.get(verify_url(code, "en"))
    assert response.status_code == 429
    assert "Too many lookups" in response.content.decode()
    assert '<html lang="en"' in response.content.decode()
    # Another address is counted apart.
    assert client.get(verify_url(code), REMOTE_ADDR="192.0.2.7").status_code == 200


def test_the_form_itself_does_not_count_as_a_lookup(client, issued, settings):
    settings.CERTIFICATE_VERIFY_PER_MINUTE = 1
    for _ in range(3):
        assert client.get(form_url()).status_code == 200
    assert client.get(verify_url(issued[0].code)).status_code == 200


def test_only_get(client, issued):
    code = issued[0].code
    assert client.post(verify_url(code)).status_code == 405
    assert client.post(form_url(), {"code": code}).status_code == 405


def test_the_code_is_not_logged(client, issued, caplog, settings):
    settings.CERTIFICATE_VERIFY_PER_MINUTE = 3
    code = issued[0].code
    unknown = "ZZZZYYYYXXXXWWWW"
    api = "/api/v1/certificates/verify/"
    with caplog.at_level(logging.DEBUG):
        assert client.get(verify_url(code)).status_code == 200
        assert client.get(verify_url(unknown)).status_code == 404
        assert client.get(api + unknown).status_code == 404
        assert client.get(verify_url(code)).status_code == 429
        assert client.get(api + code).status_code == 429
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert code not in logged
    assert unknown not in logged
    assert HOLDER_NAME not in logged
    # Other 404s are still logged as usual.
    with caplog.at_level(logging.WARNING):
        client.get("/no-such-page-xyz/")
    assert "no-such-page-xyz" in "\n".join(r.getMessage() for r in caplog.records)


@override_settings(CERTIFICATE_VERIFY_PER_MINUTE=1, CLIENT_ADDRESS_HEADER="HTTP_X_REAL_IP")
def test_behind_the_proxy_each_client_is_counted_apart(client, issued):
    """Behind the reverse proxy every request comes from the proxy's own address: the limit
    must count the client's (from the proxy's header), not lock everybody out together."""
    code = issued[0].code
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    assert client.get(verify_url(code), HTTP_X_REAL_IP="198.51.100.1", **proxy).status_code == 200
    assert client.get(verify_url(code), HTTP_X_REAL_IP="198.51.100.1", **proxy).status_code == 429
    assert client.get(verify_url(code), HTTP_X_REAL_IP="198.51.100.2", **proxy).status_code == 200
