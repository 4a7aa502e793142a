from .base import *  # noqa: F403

DEBUG = True
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# allauth's links in e-mails: runserver speaks plain HTTP.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"

# Static files straight from the apps (no collectstatic needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
