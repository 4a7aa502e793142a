"""Checking a certificate file the way a verifier does, without the web: the PAdES seal over
the PDF, the Open Badges credential embedded in it (its Data Integrity proof and its VC-JWT,
with the issuer's published keys), whether the JWT and the JSON say the same thing, and the
status the issuer records. Used by `manage.py verify_certificate`."""

import io
import json
from dataclasses import dataclass, field

from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from certificates import credentials
from certificates.keys import public_key_from_multibase, seal_material
from certificates.models import Certificate, IssuerKey
from certificates.seal import _outside_event_loop, read_attachments


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    credential: dict | None = None

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    def add(self, name: str, ok: bool, detail: str = "") -> bool:
        self.checks.append(Check(name, ok, detail))
        return ok


def _seal(pdf: bytes, report: Report) -> None:
    try:
        signatures = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    except Exception as error:  # noqa: BLE001 (an unreadable file is a failed check)
        report.add("seal", False, f"not a readable PDF ({error.__class__.__name__})")
        return
    if len(signatures) != 1:
        report.add("seal", False, f"{len(signatures)} signatures, expected the agency's one")
        return
    trusted = [
        cert for pem in seal_material().cert_pems for cert in load_certs_from_pemder_data(pem)
    ]
    status = _outside_event_loop(
        lambda: validate_pdf_signature(signatures[0], ValidationContext(trust_roots=trusted))
    )
    report.add(
        "seal",
        bool(status.intact and status.valid and status.trusted)
        and status.coverage.name == "ENTIRE_FILE",
        f"intact={status.intact} valid={status.valid} trusted={status.trusted} "
        f"coverage={status.coverage.name}",
    )


def _public_key(verification_method: str, keys: dict[str, str]):
    multibase = keys.get(verification_method)
    return public_key_from_multibase(multibase) if multibase else None


def verify_pdf(pdf: bytes, *, keys: dict[str, str] | None = None) -> Report:
    """Check a certificate PDF. `keys`: verification method URL → publicKeyMultibase (from the
    issuer's published profile); by default the keys this installation has published."""
    if keys is None:
        keys = {credentials.key_id(k.kid): k.public_key_multibase for k in IssuerKey.objects.all()}
    report = Report()
    _seal(pdf, report)
    try:
        attachments = read_attachments(pdf)
    except Exception:  # noqa: BLE001
        attachments = {}
    if not report.add("credential embedded", "credential.json" in attachments):
        return report
    try:
        credential = json.loads(attachments["credential.json"])
    except ValueError:
        report.add("credential proof", False, "not JSON")
        return report
    report.credential = credential
    method = (credential.get("proof") or {}).get("verificationMethod", "")
    key = _public_key(method, keys)
    report.add(
        "credential proof (eddsa-rdfc-2022)",
        key is not None and credentials.verify_proof(credential, key),
        method if key is not None else f"unknown key {method}",
    )
    token = attachments.get("credential.jwt", b"").decode("ascii", "replace")
    payload = credentials.verify_jwt(token, key) if key is not None else None
    report.add("credential VC-JWT", payload is not None)
    unsecured = {k: v for k, v in credential.items() if k != "proof"}
    report.add("JWT and JSON agree", payload == unsecured)
    return report


def recorded_status(credential: dict) -> str | None:
    """What this installation records for the credential's certificate (None: unknown)."""
    evidence = credential.get("evidence") or [{}]
    serial = evidence[0].get("name", "")
    certificate = Certificate.objects.filter(serial=serial).first()
    return certificate.status if certificate else None
