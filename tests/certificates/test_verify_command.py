"""`manage.py verify_certificate`: a stored certificate passes every check, with this
installation's keys or with the issuer profile a verifier downloaded; a changed byte, a
foreign key or a revocation makes it fail."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from certificates.services import certificate_revoke

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    try:
        call_command("verify_certificate", *map(str, args), stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def saved(certificate, tmp_path):
    path = tmp_path / f"{certificate.serial}.pdf"
    with certificate.pdf.open("rb") as f:
        path.write_bytes(f.read())
    return path


def test_a_stored_certificate_passes_every_check(issued, tmp_path):
    code, out = run(saved(issued[0], tmp_path))
    assert code == 0, out
    for check in ("seal", "credential embedded", "credential proof", "credential VC-JWT"):
        assert f"ok   {check}" in out
    assert "FAIL" not in out
    assert "status recorded here: valid" in out


def test_the_keys_a_verifier_downloaded_are_enough(issued, tmp_path, client):
    profile = tmp_path / "issuer.json"
    profile.write_text(client.get(reverse("credentials:issuer")).content.decode())
    code, out = run(saved(issued[0], tmp_path), "--keys", profile)
    assert code == 0, out
    other = json.loads(profile.read_text())
    other["verificationMethod"][0]["publicKeyMultibase"] = (
        "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"  # someone else's key
    )
    profile.write_text(json.dumps(other))
    code, out = run(saved(issued[0], tmp_path), "--keys", profile)
    assert code == 1
    assert "FAIL credential proof" in out


def test_one_changed_byte_fails_the_seal(issued, tmp_path):
    path = saved(issued[0], tmp_path)
    data = bytearray(path.read_bytes())
    position = data.index(b"/Type /Page") + 2  # inside the signed page description
    data[position] ^= 0x01
    path.write_bytes(bytes(data))
    code, out = run(path)
    assert code == 1
    assert "FAIL seal" in out


def test_a_revoked_certificate_fails(issued, tmp_path, staff_user):
    certificate_revoke(certificate=issued[0], reason="Emis din eroare", acting_user=staff_user)
    code, out = run(saved(issued[0], tmp_path))
    assert code == 1
    assert "status recorded here: revoked" in out
