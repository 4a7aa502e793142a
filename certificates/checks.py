"""Deploy check: a production installation signs certificates with the agency's own keys."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register


@register(deploy=True)
def certificate_keys_configured(app_configs, **kwargs):
    if settings.CERTIFICATE_DEV_KEYS:
        return [
            Error(
                "Certificates would be signed with development keys generated on this machine.",
                hint="Set FORMATIV_CERTIFICATE_DEV_KEYS=0 and configure the agency's keys "
                "(README, Certificates).",
                id="certificates.E001",
            )
        ]
    errors = []
    for setting in (
        "CERTIFICATE_CREDENTIAL_KEY_FILE",
        "CERTIFICATE_SEAL_KEY_FILE",
        "CERTIFICATE_SEAL_CERT_FILE",
    ):
        value = getattr(settings, setting)
        if not value or not Path(value).is_file():
            errors.append(
                Error(
                    f"{setting} does not name a readable file; certificates cannot be issued.",
                    hint="Create the keys with `manage.py certificate_keys` (README, "
                    "Certificates) and set FORMATIV_CREDENTIAL_KEY_FILE, "
                    "FORMATIV_SEAL_KEY_FILE and FORMATIV_SEAL_CERT_FILE.",
                    id="certificates.E002",
                )
            )
    return errors
