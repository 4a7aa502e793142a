"""Re-encrypt the stored CNPs with the current key: the second step of a key rotation."""

from django.core.management.base import BaseCommand

from training.services import professional_cnp_rekey


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored CNP with FORMATIV_PII_KEY and re-key its matching hash, "
        "reading the old ciphertexts with the keys in FORMATIV_PII_OLD_KEYS."
    )

    def handle(self, *args, **options):
        result = professional_cnp_rekey()
        self.stdout.write(
            f"{result.rewritten} re-encrypted, {result.current} already under the current key, "
            f"{len(result.unreadable)} unreadable with every key."
        )
        if result.unreadable:
            # Record ids only: never a CNP.
            ids = ", ".join(str(pk) for pk in result.unreadable[:50])
            self.stderr.write(f"Unreadable records (ids): {ids}")
            raise SystemExit(1)
