"""Production: every secret comes from the environment; refuses to start without them."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env, env_bool

DEBUG = False

for _name in ("DJANGO_SECRET_KEY", "FORMATIV_PII_KEY", "DJANGO_ALLOWED_HOSTS"):
    if not env(_name):
        raise ImproperlyConfigured(f"{_name} must be set in production.")

SECRET_KEY = env("DJANGO_SECRET_KEY")
# Certificates are signed only with the keys configured for the agency, never generated ones.
CERTIFICATE_DEV_KEYS = False
FORMATIV_PII_KEY = env("FORMATIV_PII_KEY")

STORAGES["staticfiles"] = {
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind the proxy REMOTE_ADDR is the proxy's own address: rate limits read the client's.
CLIENT_ADDRESS_HEADER = env("FORMATIV_CLIENT_ADDRESS_HEADER", "HTTP_X_REAL_IP")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(env("DJANGO_SECURE_HSTS_SECONDS", "31536000") or 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
# Wagtail shows page previews in a same-origin iframe, so frames are allowed from our own
# origin only; the deploy check that asks for DENY is silenced for that reason.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = ["security.W019"]
# Staff two-factor authentication, always (accounts.middleware).
FORMATIV_STAFF_2FA_REQUIRED = True
