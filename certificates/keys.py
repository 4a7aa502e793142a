"""The agency's keys: an Ed25519 key that signs the Open Badges credentials, and the seal
(a private key and its X.509 certificate) that signs the PDFs (PAdES).

Production reads them from files named in the environment (see README, "Certificates"):
FORMATIV_CREDENTIAL_KEY_FILE (PKCS#8 PEM, Ed25519), FORMATIV_SEAL_KEY_FILE and
FORMATIV_SEAL_CERT_FILE (PEM; the certificate file may carry the chain after the seal's own).
Development and tests, with CERTIFICATE_DEV_KEYS on, generate a key and a self-signed seal
certificate on first use in CERTIFICATE_DEV_KEY_DIR, and log a warning saying so: such
certificates verify against this installation only.

Keys are loaded once per process: parsing a key for every PDF would cost more than signing."""

import datetime
import functools
import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import base58
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

# Multicodec prefix of an Ed25519 public key (0xed 0x01), as in a Multikey's publicKeyMultibase.
ED25519_PUB_PREFIX = b"\xed\x01"


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _dev_dir() -> Path:
    if not settings.CERTIFICATE_DEV_KEYS:
        raise ImproperlyConfigured(
            "Certificate keys are not configured: set FORMATIV_CREDENTIAL_KEY_FILE, "
            "FORMATIV_SEAL_KEY_FILE and FORMATIV_SEAL_CERT_FILE."
        )
    return Path(settings.CERTIFICATE_DEV_KEY_DIR)


def _pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@dataclass(frozen=True)
class CredentialKey:
    private_key: ed25519.Ed25519PrivateKey
    kid: str  # stable name of the key, derived from its public half
    public_key_multibase: str
    development: bool

    @property
    def public_key(self) -> ed25519.Ed25519PublicKey:
        return self.private_key.public_key()


def public_key_multibase(public_key: ed25519.Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + base58.b58encode(ED25519_PUB_PREFIX + raw).decode("ascii")


def public_key_from_multibase(value: str) -> ed25519.Ed25519PublicKey:
    if not value.startswith("z"):
        raise ValueError("Not a base58btc multibase value.")
    raw = base58.b58decode(value[1:])
    if not raw.startswith(ED25519_PUB_PREFIX) or len(raw) != 34:
        raise ValueError("Not an Ed25519 Multikey.")
    return ed25519.Ed25519PublicKey.from_public_bytes(raw[2:])


def _kid(multibase: str) -> str:
    return "ed25519-" + hashlib.sha256(multibase.encode()).hexdigest()[:16]


@functools.cache
def credential_key() -> CredentialKey:
    path = settings.CERTIFICATE_CREDENTIAL_KEY_FILE
    development = not path
    if development:
        path = _dev_dir() / "credential-ed25519.pem"
        if not path.exists():
            try:
                _write_private(path, _pem(ed25519.Ed25519PrivateKey.generate()))
                logger.warning(
                    "Generated a development credential key at %s. Credentials signed with it "
                    "verify against this installation only; production reads "
                    "FORMATIV_CREDENTIAL_KEY_FILE.",
                    path,
                )
            except FileExistsError:  # another process made it first
                pass
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise ImproperlyConfigured("The credential key must be an Ed25519 private key.")
    multibase = public_key_multibase(key.public_key())
    return CredentialKey(
        private_key=key,
        kid=_kid(multibase),
        public_key_multibase=multibase,
        development=development,
    )


@dataclass(frozen=True)
class SealMaterial:
    key_pem: bytes
    cert_pems: tuple[bytes, ...]  # the seal's certificate first, then its chain
    development: bool


def self_signed_seal_certificate(key, name: x509.Name) -> x509.Certificate:
    """A self-signed seal certificate for `key`: development and testing installations."""
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )


def _dev_seal(directory: Path) -> tuple[Path, Path]:
    key_path, cert_path = directory / "seal-key.pem", directory / "seal-cert.pem"
    if key_path.exists() and cert_path.exists():
        return key_path, cert_path
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "RO"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Formativ (development)"),
            x509.NameAttribute(
                NameOID.COMMON_NAME, "Formativ development seal - not for production"
            ),
        ]
    )
    cert = self_signed_seal_certificate(key, name)
    try:
        _write_private(key_path, _pem(key))
        _write_private(cert_path, cert.public_bytes(serialization.Encoding.PEM))
        logger.warning(
            "Generated a self-signed development seal in %s. PDFs sealed with it are not "
            "trusted outside this installation; production reads FORMATIV_SEAL_KEY_FILE and "
            "FORMATIV_SEAL_CERT_FILE.",
            directory,
        )
    except FileExistsError:
        pass
    return key_path, cert_path


@functools.cache
def seal_material() -> SealMaterial:
    key_path = settings.CERTIFICATE_SEAL_KEY_FILE
    cert_path = settings.CERTIFICATE_SEAL_CERT_FILE
    development = not (key_path and cert_path)
    if development:
        key_path, cert_path = _dev_seal(_dev_dir())
    certs = x509.load_pem_x509_certificates(Path(cert_path).read_bytes())
    return SealMaterial(
        key_pem=Path(key_path).read_bytes(),
        cert_pems=tuple(c.public_bytes(serialization.Encoding.PEM) for c in certs),
        development=development,
    )


def using_development_keys() -> bool:
    """Whether this installation signs with generated keys (the admin says so)."""
    return not (
        settings.CERTIFICATE_CREDENTIAL_KEY_FILE
        and settings.CERTIFICATE_SEAL_KEY_FILE
        and settings.CERTIFICATE_SEAL_CERT_FILE
    )
