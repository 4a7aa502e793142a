"""Attachments and the agency's seal on a certificate PDF (pyHanko).

`seal_pdf` adds the attachments (the Open Badges credential) as embedded files and signs the
result with a PAdES baseline B-B signature (SubFilter ETSI.CAdES.detached) made with the
agency's seal (`certificates.keys.seal_material`), in ONE incremental update on top of the
rendered page: the signature covers the whole file, attachments included, so changing a byte
of the page or of the credential breaks it. `embed_attachments` is the same without the
signature, for installations that switch sealing off. `read_attachments` reads them back.

The signer is built once per process (`seal_signer`): pyHanko's stock `SimpleSigner`
re-parses the private key for every signature, which for an RSA key costs more than
everything else together (key validation); ours keeps the parsed key.

The embedded files are "associated files" of the document (/AF, AFRelationship /Data, as
PDF/A-3 and Factur-X do), which makes pyHanko mark the update as PDF 2.0."""

import asyncio
import datetime
import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO

from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.embed import EmbeddedFileObject, EmbeddedFileParams, FileSpec, embed_file
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.attributes import CMSAttributeProvider, SignedAttributeProviderSpec
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.general import as_signing_certificate_v2, get_pyca_cryptography_hash
from pyhanko_certvalidator.registry import SimpleCertificateStore

from certificates.keys import seal_material

SEAL_FIELD = "AgencySeal"
SEAL_REASON = "Formativ: certificate issued and sealed by the agency"
SEAL_LOCATION = "Formativ"


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    mime_type: str
    description: str


class _SigningCertificateV2(CMSAttributeProvider):
    """The signing-certificate-v2 attribute, from its DER computed once."""

    attribute_type = "signing_certificate_v2"

    def __init__(self, signing_cert: asn1_x509.Certificate):
        self._der = as_signing_certificate_v2(signing_cert).dump()

    async def build_attr_value(self, dry_run=False):
        return tsp.SigningCertificateV2.load(self._der)


class PadesSignedAttributes(SignedAttributeProviderSpec):
    """The signed attributes of a PAdES B-B signature: signing-certificate-v2 (pyHanko adds
    content-type and message-digest; PAdES forbids signing-time). What pyHanko's own
    CAdES spec yields without timestamps or commitment types, except that the attribute is
    parsed from bytes instead of built: asn1crypto re-serialises a built value at every level
    of nesting, which made it half the cost of a seal."""

    def __init__(self, signing_cert: asn1_x509.Certificate):
        self._signing_certificate = _SigningCertificateV2(signing_cert)

    def signed_attr_providers(self, data_digest: bytes, digest_algorithm: str):
        yield self._signing_certificate


class KeptKeySigner(signers.SimpleSigner):
    """A SimpleSigner that parses its private key once, not for every signature, and builds
    the constant parts of the signature once."""

    def __init__(self, *, private_key, **kwargs):
        super().__init__(**kwargs)
        self._private_key = private_key
        self.signed_attr_prov_spec = PadesSignedAttributes(self.signing_cert)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        algorithm = mechanism.signature_algo
        key = self._private_key
        if algorithm == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
        if algorithm == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        if algorithm in ("ed25519", "ed448") and isinstance(
            key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey
        ):
            return key.sign(data)
        return super().sign_raw(data, digest_algorithm)  # RSA-PSS and the rarer mechanisms


@functools.cache
def seal_signer() -> KeptKeySigner:
    """The seal's signer, built once per process from `seal_material()`."""
    material = seal_material()
    certs = [cert for pem in material.cert_pems for cert in load_certs_from_pemder_data(pem)]
    registry = SimpleCertificateStore()  # the chain; the signer adds its own certificate
    registry.register_multiple(certs[1:])
    return KeptKeySigner(
        signing_cert=certs[0],
        signing_key=load_private_key_from_pemder_data(material.key_pem, passphrase=None),
        cert_registry=registry,
        private_key=serialization.load_pem_private_key(material.key_pem, password=None),
    )


def seal_certificate() -> asn1_x509.Certificate:
    """The seal's own certificate (what a verifier trusts)."""
    return seal_signer().signing_cert


def _embed(writer: IncrementalPdfFileWriter, attachments: list[Attachment]) -> None:
    now = datetime.datetime.now(datetime.UTC)
    params = EmbeddedFileParams(creation_date=now, modification_date=now)
    for attachment in attachments:
        stream = EmbeddedFileObject.from_file_data(
            writer, data=attachment.data, params=params, mime_type=attachment.mime_type
        )
        embed_file(
            writer,
            FileSpec(
                file_spec_string=attachment.filename,
                file_name=attachment.filename,
                embedded_data=stream,
                description=attachment.description,
                af_relationship=generic.pdf_name("/Data"),
            ),
        )


def embed_attachments(pdf: bytes, *, attachments: list[Attachment]) -> bytes:
    """The PDF with the attachments embedded (one incremental update, no signature)."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    _embed(writer, attachments)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def seal_pdf(pdf: bytes, *, attachments: list[Attachment]) -> bytes:
    """The PDF with the attachments embedded and a PAdES B-B seal over all of it, in one
    incremental update."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    _embed(writer, attachments)
    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=SEAL_REASON,
        location=SEAL_LOCATION,
    )
    signer = seal_signer()

    def sign() -> bytes:
        output = signers.PdfSigner(metadata, signer=signer).sign_pdf(
            writer, bytes_reserved=_bytes_reserved(signer)
        )
        return output.getvalue()

    return _outside_event_loop(sign)


def _outside_event_loop(work):
    """pyHanko's synchronous API runs its own event loop (asyncio.run), which a thread that
    already runs one (an async caller, a browser-test driver) cannot start: there the work
    goes to a short-lived thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


@functools.cache
def _bytes_reserved(signer: signers.Signer) -> int:
    """Room for the signature in /Contents (hexadecimal characters). pyHanko otherwise sizes
    it with a dry-run signature for every PDF, which doubles the cost of sealing: the CMS
    holds the certificates, the signed attributes (~0.5 KB) and the signature (≤ 0.5 KB for
    RSA-4096); 2 KB covers the rest with a wide margin."""
    certificates = {c.dump() for c in signer.cert_registry} | {signer.signing_cert.dump()}
    return 2 * (sum(len(c) for c in certificates) + 2048)


def _name_tree_pairs(node) -> list:
    node = node.get_object()
    pairs = []
    names = node.get("/Names")
    if names is not None:
        names = names.get_object()
        pairs.extend((names[i], names[i + 1]) for i in range(0, len(names) - 1, 2))
    for kid in node.get("/Kids", ()):
        pairs.extend(_name_tree_pairs(kid))
    return pairs


def read_attachments(pdf: bytes) -> dict[str, bytes]:
    """The embedded files of a PDF (file name → content), from its last revision."""
    reader = PdfFileReader(BytesIO(pdf), strict=False)
    try:
        tree = reader.root["/Names"]["/EmbeddedFiles"]
    except KeyError:
        return {}
    files = {}
    for key, spec in _name_tree_pairs(tree):
        spec = spec.get_object()
        name = str(spec.get("/UF") or spec.get("/F") or key)
        embedded = spec["/EF"]
        stream = (embedded.get("/UF") or embedded["/F"]).get_object()
        files[name] = stream.data
    return files
