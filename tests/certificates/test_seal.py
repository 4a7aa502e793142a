"""The attachments and the PAdES seal of a certificate PDF (`certificates.seal`), validated
with pyHanko against the seal's certificate, then tampered with."""

import io
import json
import re

import pytest
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from certificates.keys import seal_material
from certificates.pdf import render_certificate
from certificates.seal import (
    SEAL_FIELD,
    Attachment,
    _outside_event_loop,
    embed_attachments,
    read_attachments,
    seal_pdf,
)
from tests.certificates.test_pdf import NAME, make_document

CREDENTIAL = json.dumps(
    {"type": ["VerifiableCredential", "OpenBadgeCredential"], "name": NAME},
    ensure_ascii=False,
).encode()
ATTACHMENTS = [
    Attachment(
        filename="credential.json",
        data=CREDENTIAL,
        mime_type="application/json",
        description="Open Badges 3.0 credential",
    ),
    Attachment(
        filename="credential.jwt",
        data=b"eyJhbGciOiJFZERTQSJ9.e30.c2ln",
        mime_type="application/vc+jwt",
        description="The same credential as a VC-JWT",
    ),
]


@pytest.fixture(scope="module")
def rendered() -> bytes:
    return render_certificate(make_document())


@pytest.fixture(scope="module")
def sealed(rendered) -> bytes:
    return seal_pdf(rendered, attachments=ATTACHMENTS)


def validation_context() -> ValidationContext:
    trusted = load_certs_from_pemder_data(seal_material().cert_pems[0])
    return ValidationContext(trust_roots=list(trusted))


def validate(pdf: bytes):
    reader = PdfFileReader(io.BytesIO(pdf))
    (signature,) = reader.embedded_signatures
    # pyHanko's blocking API starts an event loop: like seal_pdf, away from a running one.
    return signature, _outside_event_loop(
        lambda: validate_pdf_signature(signature, validation_context())
    )


def test_seal_validates_and_covers_the_whole_file(sealed):
    signature, status = validate(sealed)
    assert signature.field_name == SEAL_FIELD
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert status.intact and status.valid and status.trusted
    assert status.bottom_line
    assert status.coverage.name == "ENTIRE_FILE"
    assert status.modification_level.name == "NONE"
    # PAdES baseline: the signing certificate is bound by a signed attribute, and the signing
    # time is the dictionary's /M, not a CMS attribute.
    signed_attrs = {a["type"].native for a in signature.signer_info["signed_attrs"]}
    assert "signing_certificate_v2" in signed_attrs
    assert "signing_time" not in signed_attrs


def test_seal_is_one_incremental_update_over_the_rendered_page(rendered, sealed):
    assert sealed.startswith(rendered)
    assert sealed.count(b"%%EOF") == rendered.count(b"%%EOF") + 1
    assert NAME in PdfReader(io.BytesIO(sealed)).pages[0].extract_text()


def test_attachments_read_back_exactly(sealed):
    assert read_attachments(sealed) == {a.filename: a.data for a in ATTACHMENTS}


def test_attachments_are_associated_files_with_their_type_and_description(sealed):
    reader = PdfReader(io.BytesIO(sealed))
    root = reader.trailer["/Root"]
    specs = {str(s.get_object()["/UF"]): s.get_object() for s in root["/AF"]}
    assert set(specs) == {"credential.json", "credential.jwt"}
    spec = specs["credential.json"]
    assert spec["/AFRelationship"] == "/Data"
    assert spec["/Desc"] == "Open Badges 3.0 credential"
    stream = spec["/EF"]["/F"].get_object()
    assert stream["/Subtype"] == "/application/json"
    assert stream.get_data() == CREDENTIAL
    assert stream["/Params"]["/Size"] == len(CREDENTIAL)


def _flip(pdf: bytes, offset: int) -> bytes:
    return pdf[:offset] + bytes([pdf[offset] ^ 0x01]) + pdf[offset + 1 :]


def _byte_range(pdf: bytes) -> list[int]:
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    return [int(n) for n in match.groups()]


def _not_intact(pdf: bytes) -> bool:
    try:
        _signature, status = validate(pdf)
    except (SignatureValidationError, ValueError):
        return True
    return not status.intact and not status.bottom_line


def test_changing_one_byte_of_the_page_breaks_the_seal(rendered, sealed):
    start, first_length, _second_start, _ = _byte_range(sealed)
    # A byte in the middle of the page's content stream, in the original revision.
    content = re.search(rb"/Filter \[ /FlateDecode \] /Length (\d+)\s*>>\s*stream\r?\n", rendered)
    offset = content.end() + int(content.group(1)) // 2
    assert start <= offset < start + first_length
    tampered = _flip(sealed, offset)
    assert tampered != sealed and len(tampered) == len(sealed)
    assert _not_intact(tampered)


def test_changing_one_byte_of_the_attachment_breaks_the_seal(rendered, sealed):
    start, first_length, second_start, second_length = _byte_range(sealed)
    update = sealed[len(rendered) :]
    embedded = re.search(rb"/Type /EmbeddedFile", update)
    stream = re.search(rb"stream\r?\n", update[embedded.end() :])
    offset = len(rendered) + embedded.end() + stream.end() + 3
    assert start <= offset < start + first_length or second_start <= offset
    assert _not_intact(_flip(sealed, offset))


def test_untouched_copy_still_validates(sealed):
    # The tamper tests are meaningful only if an identical copy passes.
    assert not _not_intact(bytes(bytearray(sealed)))


def test_embed_attachments_without_seal(rendered):
    pdf = embed_attachments(rendered, attachments=ATTACHMENTS[:1])
    assert pdf.startswith(rendered)
    assert read_attachments(pdf) == {"credential.json": CREDENTIAL}
    assert PdfFileReader(io.BytesIO(pdf)).embedded_signatures == []
    assert NAME in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_read_attachments_of_a_pdf_without_any(rendered):
    assert read_attachments(rendered) == {}


@pytest.fixture
def rsa_seal(tmp_path, settings):
    """A production-like seal from configuration: an RSA key and a CA-issued certificate with
    its chain in the certificate file, read through `seal_material`."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    from certificates import seal

    now = datetime.datetime.now(datetime.UTC)

    def certificate(subject, issuer, public_key, signing_key, *, ca):
        usage = dict.fromkeys(
            (
                "digital_signature",
                "content_commitment",
                "key_encipherment",
                "data_encipherment",
                "key_agreement",
                "key_cert_sign",
                "crl_sign",
                "encipher_only",
                "decipher_only",
            ),
            False,
        )
        # A seal certificate: digital signature + non-repudiation (what validators require).
        usage.update(key_cert_sign=ca, crl_sign=ca, digital_signature=not ca)
        usage["content_commitment"] = not ca
        return (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(**usage), critical=True)
            .sign(signing_key, hashes.SHA256())
        )

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = certificate("Test CA", "Test CA", ca_key.public_key(), ca_key, ca=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf = certificate("ANES seal", "Test CA", key.public_key(), ca_key, ca=False)
    key_file, cert_file = tmp_path / "seal-key.pem", tmp_path / "seal-cert.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(
        leaf.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM)
    )
    settings.CERTIFICATE_SEAL_KEY_FILE = str(key_file)
    settings.CERTIFICATE_SEAL_CERT_FILE = str(cert_file)
    caches = (seal_material, seal.seal_signer, seal._bytes_reserved)
    for cached in caches:
        cached.cache_clear()
    yield ca.public_bytes(serialization.Encoding.PEM)
    for cached in caches:
        cached.cache_clear()


def test_seal_with_a_configured_rsa_key_and_chain(rsa_seal, rendered):
    assert not seal_material().development
    pdf = seal_pdf(rendered, attachments=ATTACHMENTS[:1])
    (signature,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    roots = list(load_certs_from_pemder_data(rsa_seal))
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=roots))
    assert status.bottom_line and status.coverage.name == "ENTIRE_FILE"
    assert status.signing_cert.subject.native["common_name"] == "ANES seal"
    assert signature.signer_info["signature_algorithm"]["algorithm"].native == "sha256_rsa"
    # The chain travels in the signature, once each.
    embedded = [
        c.chosen.subject.native["common_name"] for c in signature.signed_data["certificates"]
    ]
    assert sorted(embedded) == ["ANES seal", "Test CA"]
    assert read_attachments(pdf) == {"credential.json": CREDENTIAL}
