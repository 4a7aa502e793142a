"""Settings shared by every environment. Environment-specific files import this one."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


SECRET_KEY = env("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "csp",
    # Formativ
    "training",
    "sessions.apps.SessionsConfig",
    "evaluation",
    "certificates",
    "imports",
    "reports",
    "privacy",
    "audit",
    "cms",
    "accounts",
    "demo",
    # Accounts: sign-up, e-mail verification, password reset, two-factor (TOTP)
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Wagtail
    "wagtail.api.v3",  # API tokens (model, admin, bearer auth for django-ninja)
    "wagtail.contrib.forms",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "ninja",  # serves the API docs' Swagger UI from our own static files, not a CDN
    # Background work
    "django_tasks",
    "django_tasks_db",
    # Django
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "config.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Two-factor authentication for everyone who opens the admin (accounts.middleware).
    "accounts.middleware.StaffTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

# Content-Security-Policy (django-csp) on every response, in every environment so that the
# tests and the browser journeys run under it: scripts only from this site (no inline script,
# no eval; the Wagtail admin runs none either — its widgets start from JSON data, see
# config.admin_scripts — and only adds 'wasm-unsafe-eval' for the QR scanner, see
# config.middleware), nothing from elsewhere at all. Styles allow inline `style` attributes
# (the admin's editors and the server-drawn charts set them); no page loads a script that way.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# Database: SQLite is the embedded default; DATABASE_URL switches (e.g. to PostgreSQL).
_SQLITE_PATH = env("FORMATIV_SQLITE_PATH", str(BASE_DIR / "db.sqlite3"))
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{_SQLITE_PATH}",
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "0") or 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work beside the task worker's writes; IMMEDIATE takes the write lock
        # at BEGIN so concurrent transactions wait (busy timeout) instead of failing mid-way.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the reports' aggregates over tens of thousands of rows cross its cost
    # threshold, and compiling took ~900 ms around ~60 ms of work (make bench-postgres).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2id for new passwords; the older hashes are still read (and upgraded at the next login).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Language and time: Romanian first, English second; store UTC, show Europe/Bucharest.
LANGUAGE_CODE = "ro"
LANGUAGES = [("ro", _("Romanian")), ("en", _("English"))]
# Our catalogue first; then our corrections to Django's own Romanian (comma-below ș ț, month
# names in lower case), which take precedence over Django's catalogue.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_overrides"]
TIME_ZONE = "Europe/Bucharest"
USE_I18N = True
USE_TZ = True
# Content in Romanian (default locale) and English: Wagtail's localisation, pages translated
# with simple_translation, English URLs under /en/.
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static_collected"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("FORMATIV_MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# Upload limits. A request body without its files (forms, API JSON) may hold at most 2.5 MB;
# files above 2.5 MB are streamed to a temporary file rather than held in memory. Each kind of
# upload has its own size limit and its type is checked by content (see SECURITY.md): scanned
# sheets ATTENDANCE_EVIDENCE_MAX_BYTES, imports IMPORT_MAX_UPLOAD_BYTES, and the CMS's images
# and documents below.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000  # a decompression bomb is refused before decoding
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILDOCS_DOCUMENT_FORM_BASE = "sessions.upload.DocumentForm"

# Scanned sign-in sheets carry signatures: stored outside MEDIA_ROOT, served only to those who
# take the session's attendance. Uploads above the limit are refused while they stream in.
PRIVATE_MEDIA_ROOT = Path(env("FORMATIV_PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private")))
ATTENDANCE_EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
# Self check-in: how long a projected code stays valid by default, and how many codes one
# person may try in a quarter of an hour.
CHECKIN_WINDOW_MINUTES = 15
CHECKIN_ATTEMPTS_PER_15_MINUTES = 10

# Certificates (see certificates/keys.py): the agency's Ed25519 credential key and its PDF
# seal (key + X.509 certificate), from files named in the environment. Without them, and with
# CERTIFICATE_DEV_KEYS on (development and tests), keys are generated on first use in
# CERTIFICATE_DEV_KEY_DIR and a warning says so; production refuses to issue without them.
CERTIFICATE_CREDENTIAL_KEY_FILE = env("FORMATIV_CREDENTIAL_KEY_FILE", "")
CERTIFICATE_SEAL_KEY_FILE = env("FORMATIV_SEAL_KEY_FILE", "")
CERTIFICATE_SEAL_CERT_FILE = env("FORMATIV_SEAL_CERT_FILE", "")
CERTIFICATE_DEV_KEYS = env_bool("FORMATIV_CERTIFICATE_DEV_KEYS", True)
CERTIFICATE_DEV_KEY_DIR = Path(
    env("FORMATIV_CERTIFICATE_DEV_KEY_DIR", str(BASE_DIR / "var" / "keys"))
)
# Serials: <prefix>-<year>-<number>, e.g. ANES-2026-000123.
CERTIFICATE_SERIAL_PREFIX = env("FORMATIV_CERTIFICATE_SERIAL_PREFIX", "ANES")
# Public verification lookups allowed per client address and minute.
CERTIFICATE_VERIFY_PER_MINUTE = 30
# The request header that carries the client's address when a reverse proxy stands in front
# (e.g. HTTP_X_REAL_IP, set by nginx with `proxy_set_header X-Real-IP $remote_addr`); empty:
# REMOTE_ADDR. Rate limits count per client address.
CLIENT_ADDRESS_HEADER = env("FORMATIV_CLIENT_ADDRESS_HEADER", "")

# Background work: the Django tasks API with the database backend and its worker
# (`manage.py db_worker`).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Wagtail
WAGTAIL_SITE_NAME = "Formativ"
WAGTAILADMIN_BASE_URL = env("FORMATIV_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx"]
# Nothing leaves the server at run time: no Gravatar avatars (staff e-mail hashes sent to a
# third party), no release check, no "what's new" banner.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
# One way in for everyone, staff included: allauth's login (with its two-factor step), also
# for the Wagtail admin.
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "training_sessions:my_trainings"
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_RESET_ENABLED = False  # allauth's reset, which people use for the site too

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_BY_CODE_ENABLED = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Formativ] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Formativ"
# Everyone who can open the Wagtail admin must use two-factor authentication
# (accounts.middleware.StaffTwoFactorMiddleware).
FORMATIV_STAFF_2FA_REQUIRED = True

# Personal data: the CNP is encrypted at rest and matched by a keyed hash. Both keys derive from
# FORMATIV_PII_KEY (falling back to SECRET_KEY outside production). To rotate: set the new key,
# list the previous ones in FORMATIV_PII_OLD_KEYS (comma-separated; still read, never written),
# run `manage.py cnp_rekey`, then drop the old keys (README, "Rotating the CNP key").
FORMATIV_PII_KEY = env("FORMATIV_PII_KEY") or SECRET_KEY
FORMATIV_PII_OLD_KEYS = env_list("FORMATIV_PII_OLD_KEYS")

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25") or 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Formativ <formativ@anes.gov.ro>")

# Per-process memory cache by default (feeds, headline figures); FORMATIV_CACHE_DIR gives the
# processes of one machine a shared file cache instead.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}
if env("FORMATIV_CACHE_DIR", ""):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env("FORMATIV_CACHE_DIR", ""),
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }

# The ORGANIZER of calendar events and invitations: where a calendar client sends a reply.
CALENDAR_ORGANIZER_NAME = env("FORMATIV_CALENDAR_ORGANIZER_NAME", "ANES")
CALENDAR_ORGANIZER_EMAIL = env("FORMATIV_CALENDAR_ORGANIZER_EMAIL", "")  # empty: DEFAULT_FROM_EMAIL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
}

# Spreadsheet imports: the largest file accepted, and the most rows in one file.
IMPORT_MAX_UPLOAD_BYTES = int(env("FORMATIV_IMPORT_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
IMPORT_MAX_ROWS = int(env("FORMATIV_IMPORT_MAX_ROWS", "100000"))
# Files with more rows than this are imported by the task worker, with a progress bar.
IMPORT_BACKGROUND_ROWS = int(env("FORMATIV_IMPORT_BACKGROUND_ROWS", "300"))
