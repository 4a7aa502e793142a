from .base import *  # noqa: F403
from .base import env_bool

DEBUG = True
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# allauth's links in e-mails: runserver speaks plain HTTP.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"

# Static files straight from the apps (no collectstatic needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The demo site of `make run`: its administrator signs in with a password alone, so staff
# two-factor authentication is off unless FORMATIV_STAFF_2FA_REQUIRED=1 turns it on.
FORMATIV_STAFF_2FA_REQUIRED = env_bool("FORMATIV_STAFF_2FA_REQUIRED", False)
