import tempfile

from .base import *  # noqa: F403

SECRET_KEY = "test-only-secret-key"  # noqa: S105
FORMATIV_PII_KEY = "test-only-pii-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WAGTAILADMIN_BASE_URL = "http://testserver"
LOGGING = {"version": 1, "disable_existing_loggers": False}

# Static files straight from the apps (no collectstatic needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# allauth's links in e-mails: the test server speaks plain HTTP.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"

# Scanned evidence uploaded by tests goes to a throw-away folder.
PRIVATE_MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="formativ-private-"))  # noqa: F405
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="formativ-media-"))  # noqa: F405
CERTIFICATE_DEV_KEY_DIR = Path(tempfile.mkdtemp(prefix="formativ-keys-"))  # noqa: F405

# Hundreds of admin tests sign in with force_login; tests/security/test_two_factor.py turns the
# staff two-factor requirement on for itself.
FORMATIV_STAFF_2FA_REQUIRED = False
