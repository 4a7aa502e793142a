"""How often one client may look certificates up (the public page and the API share the count):
verification codes cannot be guessed, and the limit keeps anybody from trying.

Counted in the shared cache per client address (settings.CLIENT_ADDRESS_HEADER behind a
reverse proxy, else REMOTE_ADDR), in fixed one-minute windows. The address is kept only as a
keyed hash, for at most the window, and neither it nor the code looked up is logged."""

import hashlib
import hmac

from django.conf import settings

from sessions.ratelimit import window_count

WINDOW_SECONDS = 60


def _client_key(request) -> str:
    header = settings.CLIENT_ADDRESS_HEADER
    address = (header and request.META.get(header)) or request.META.get("REMOTE_ADDR") or "?"
    digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()[
        :32
    ]
    return f"formativ:certificate-lookups:{digest}"


def verification_lookup_allowed(request) -> bool:
    """Count one lookup by the request's client; False once over
    settings.CERTIFICATE_VERIFY_PER_MINUTE in the current window."""
    lookups = window_count(_client_key(request), seconds=WINDOW_SECONDS)
    return lookups <= settings.CERTIFICATE_VERIFY_PER_MINUTE
