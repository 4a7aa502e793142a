"""Create the agency's certificate keys in a folder:

- `credential-ed25519.pem`: the Ed25519 key that signs Open Badges credentials;
- `seal-key.pem` and `seal.csr`: the PDF seal's key (ECDSA P-256) and a certificate signing
  request to send to a trust service provider for a (qualified) electronic seal certificate,
  whose PEM (with its chain) goes in `seal-cert.pem`;
- with `--self-signed`, `seal-cert.pem` is made here instead: for testing installations only.

Keys are written with mode 0600 and never overwritten."""

from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID
from django.core.management.base import BaseCommand, CommandError

from certificates.keys import _pem, _write_private, self_signed_seal_certificate


class Command(BaseCommand):
    help = "Create the credential key and the PDF seal key (with a CSR) for certificates."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument(
            "--organization",
            default="ANES",
            help="The organisation name in the seal certificate (at most 64 characters).",
        )
        parser.add_argument(
            "--self-signed",
            action="store_true",
            help="Also make a self-signed seal certificate (testing installations only).",
        )

    def handle(self, *args, folder: Path, organization: str, self_signed: bool, **options):
        paths = {
            "credential": folder / "credential-ed25519.pem",
            "seal_key": folder / "seal-key.pem",
            "csr": folder / "seal.csr",
            "cert": folder / "seal-cert.pem",
        }
        if not 0 < len(organization) <= 64:
            raise CommandError("The organisation name must have 1 to 64 characters.")
        existing = [str(p) for p in paths.values() if p.exists()]
        if existing:
            raise CommandError(f"Refusing to overwrite: {', '.join(existing)}")
        folder.mkdir(parents=True, exist_ok=True)
        _write_private(paths["credential"], _pem(ed25519.Ed25519PrivateKey.generate()))
        seal_key = ec.generate_private_key(ec.SECP256R1())
        _write_private(paths["seal_key"], _pem(seal_key))
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "RO"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
                x509.NameAttribute(NameOID.COMMON_NAME, f"{organization} - Formativ"[:64]),
            ]
        )
        csr = (
            x509.CertificateSigningRequestBuilder()
            .subject_name(name)
            .sign(seal_key, hashes.SHA256())
        )
        paths["csr"].write_bytes(csr.public_bytes(serialization.Encoding.PEM))
        if self_signed:
            certificate = self_signed_seal_certificate(seal_key, name)
            paths["cert"].write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        for label, path in paths.items():
            if path.exists():
                self.stdout.write(f"{label}: {path}")
