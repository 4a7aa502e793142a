"""Check certificate PDFs as a verifier would: the agency's seal, the embedded Open Badges
credential (Data Integrity proof and VC-JWT) and the status this installation records.
Exits with status 1 if any check fails or a certificate is revoked or replaced.

    manage.py verify_certificate ANES-2026-000123.pdf [--keys issuer.json]

`--keys` takes the issuer profile (what /credentials/issuer publishes) saved to a file, to
check with exactly the keys a verifier elsewhere would use."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from certificates.verification import recorded_status, verify_pdf


class Command(BaseCommand):
    help = "Check certificate PDFs: seal, embedded credential, recorded status."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--keys", type=Path, help="The issuer profile JSON (its keys).")

    def handle(self, *args, files, keys, **options):
        published = None
        if keys:
            try:
                profile = json.loads(keys.read_text(encoding="utf-8"))
                published = {
                    m["id"]: m["publicKeyMultibase"] for m in profile["verificationMethod"]
                }
            except (OSError, ValueError, KeyError, TypeError) as error:
                raise CommandError(f"Cannot read the issuer profile {keys}: {error}") from error
        failed = False
        for path in files:
            try:
                pdf = path.read_bytes()
            except OSError as error:
                raise CommandError(f"Cannot read {path}: {error}") from error
            report = verify_pdf(pdf, keys=published)
            self.stdout.write(f"{path}:")
            for check in report.checks:
                mark = "ok  " if check.ok else "FAIL"
                self.stdout.write(
                    f"  {mark} {check.name}" + (f": {check.detail}" if check.detail else "")
                )
            status = recorded_status(report.credential) if report.credential else None
            self.stdout.write(f"  status recorded here: {status or 'unknown'}")
            failed |= not report.ok or status not in (None, "valid")
        if failed:
            raise SystemExit(1)
