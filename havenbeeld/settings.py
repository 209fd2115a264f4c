"""Django settings for Havenbeeld, read from environment variables with safe defaults.

The defaults are those of a production instance on SQLite under ``var/``; the ``make demo`` and
``make test`` targets set ``HAVENBEELD_ENV`` to ``demo`` or ``test``. Production refuses to start
with ``DEBUG`` on or without a secret key. Every variable is listed in ``docs/configuration.md``.
"""

from __future__ import annotations

import hmac
from pathlib import Path

from django.utils.translation import gettext_lazy as _

import dj_database_url

from havenbeeld.core.env import (
    ConfigurationError,
    env_bool,
    env_int,
    env_list,
    env_secret,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("HAVENBEELD_VAR_DIR", str(BASE_DIR / "var"), "Directory for the SQLite "
                       "database, outgoing mail files and other local state."))

ENVIRONMENT = env_str("HAVENBEELD_ENV", "production",
                      "One of production, demo, test, development.")
if ENVIRONMENT not in {"production", "demo", "test", "development"}:
    raise ConfigurationError(
        f"HAVENBEELD_ENV must be production, demo, test or development, not {ENVIRONMENT!r}"
    )
IS_PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("HAVENBEELD_DEBUG", ENVIRONMENT in {"demo", "development"},
                 "Django debug mode. Refused in production.",
                 doc_default="true for demo and development, else false")
if IS_PRODUCTION and DEBUG:
    raise ConfigurationError("HAVENBEELD_DEBUG=true is not allowed when HAVENBEELD_ENV=production")

SECRET_KEY = env_secret("HAVENBEELD_SECRET_KEY", "Django secret key; required in production")
if not SECRET_KEY:
    if IS_PRODUCTION:
        raise ConfigurationError(
            "HAVENBEELD_SECRET_KEY (or HAVENBEELD_SECRET_KEY_FILE) is required in production"
        )
    SECRET_KEY = f"insecure-{ENVIRONMENT}-key-not-for-production-use-0123456789abcdef"

ALLOWED_HOSTS = env_list("HAVENBEELD_ALLOWED_HOSTS", ["127.0.0.1", "localhost"],
                         "Host names this instance answers to.")
CSRF_TRUSTED_ORIGINS = env_list("HAVENBEELD_CSRF_TRUSTED_ORIGINS", [],
                                "Origins trusted for CSRF, e.g. https://havenbeeld.example.")
SITE_URL = env_str("HAVENBEELD_SITE_URL", "http://127.0.0.1:8000",
                   "Absolute base URL used in links sent by e-mail.").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "havenbeeld.core",
    "havenbeeld.places",
    "havenbeeld.accounts",
    "havenbeeld.audit",
    "havenbeeld.sharing",
    "havenbeeld.registry",
    "havenbeeld.imports",
    "havenbeeld.resolution",
    "havenbeeld.signals",
    "havenbeeld.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "havenbeeld.core.middleware.DutchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "havenbeeld.accounts.middleware.IdleTimeoutMiddleware",
    "havenbeeld.accounts.middleware.RequireVerifiedUserMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "havenbeeld.urls"
WSGI_APPLICATION = "havenbeeld.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "havenbeeld" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "havenbeeld.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------------
_default_db = f"sqlite:///{VAR_DIR / 'havenbeeld.sqlite3'}"
DATABASE_URL = env_str("DATABASE_URL", _default_db,
                       "Database URL: sqlite:///path or postgres://user@host:port/name.")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Django's backend, with writers queued in the kernel rather than by SQLite's sleeping
    # busy handler (see havenbeeld/core/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "havenbeeld.core.sqlite"
    # Tests run on an in-memory database, as they would on Django's backend (pytest-django
    # recognises that backend by its name only).
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server, so psycopg prepares a statement the connection runs
    # repeatedly (parsed and planned once per connection, not per execution).
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True,
                                                          prepare_threshold=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and authentication ------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if ENVIRONMENT == "test":
    # Hashing speed only; argon2 stays the production hasher and is tested explicitly.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("email", "full_name")}},
    {"NAME": "havenbeeld.accounts.validators.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

ACCOUNT_REQUEST_VALID_DAYS = env_int("HAVENBEELD_ACCOUNT_REQUEST_DAYS", 14,
                                     "Days before an undecided account request expires.", 1)
ACCOUNT_REQUESTS_PER_ADDRESS_PER_HOUR = env_int(
    "HAVENBEELD_ACCOUNT_REQUESTS_PER_HOUR", 10,
    "Account requests accepted from one client address per hour.", 1)
ACCOUNT_LINK_VALID_HOURS = env_int("HAVENBEELD_LINK_HOURS", 48,
                                   "Hours an e-mailed password link stays valid.", 1)
LOCKOUT_ACCOUNT_FAILURES = env_int("HAVENBEELD_LOCKOUT_ACCOUNT_FAILURES", 5,
                                   "Failed sign-ins on one account before it is locked.", 1)
LOCKOUT_IP_FAILURES = env_int("HAVENBEELD_LOCKOUT_IP_FAILURES", 20,
                              "Failed sign-ins from one address before it is locked.", 1)
LOCKOUT_MINUTES = env_int("HAVENBEELD_LOCKOUT_MINUTES", 15,
                          "Window for counting failures, and length of a lockout.", 1)
IDLE_TIMEOUT_MINUTES = env_int("HAVENBEELD_IDLE_TIMEOUT_MINUTES", 30,
                               "Minutes of inactivity after which a user is signed out.", 1)
RECOVERY_CODE_COUNT = 10
OTP_TOTP_ISSUER = "Havenbeeld"
# Brute force on codes is stopped by Havenbeeld's own lockout (failed codes count with failed
# passwords); django-otp's per-device delay would also refuse a correct code typed right after
# a typo, without telling the user why.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
TRUSTED_PROXY_COUNT = env_int("HAVENBEELD_TRUSTED_PROXIES", 0,
                              "Reverse proxies in front of the app whose X-Forwarded-For is "
                              "trusted for the client address.")

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
_secure = env_bool("HAVENBEELD_SECURE_COOKIES", IS_PRODUCTION,
                   "Send cookies only over HTTPS and enable HSTS.",
                   doc_default="true in production, else false")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _secure
if _secure:
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# --- Background tasks and imports ----------------------------------------------------------
_task_backend = env_str("HAVENBEELD_TASK_BACKEND",
                        "immediate" if ENVIRONMENT == "test" else "database",
                        "database (a `havenbeeld db_worker` process runs the tasks) or "
                        "immediate (run inside the request; tests and small installs).",
                        doc_default="database (immediate when HAVENBEELD_ENV=test)")
TASKS = {
    "default": {
        "BACKEND": {"database": "django_tasks_db.DatabaseBackend",
                    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
                    }.get(_task_backend, ""),
        "QUEUES": ["default"],
    }
}
if not TASKS["default"]["BACKEND"]:
    raise ConfigurationError(
        f"HAVENBEELD_TASK_BACKEND must be database or immediate, not {_task_backend!r}")
IMPORT_UPLOAD_DIR = VAR_DIR / "uploads"
IMPORT_MAX_MB = env_int("HAVENBEELD_IMPORT_MAX_MB", 100, "Largest file accepted for import.", 1)
IMPORT_ATOMIC_MAX_ROWS = env_int(
    "HAVENBEELD_IMPORT_ATOMIC_MAX_ROWS", 5000,
    "Files with at most this many rows are imported all-or-nothing; larger ones in "
    "resumable chunks.", 1)
# Signal attachments: stored outside the web root, served only through the permission policy.
SIGNAL_ATTACHMENT_DIR = VAR_DIR / "attachments"
SIGNAL_ATTACHMENT_MAX_BYTES = env_int("HAVENBEELD_ATTACHMENT_MAX_MB", 10,
                                      "Largest attachment accepted with a signal (MB).",
                                      1) * 1024 * 1024
SIGNAL_MAX_ATTACHMENTS = 10
SIGNAL_RESOLVE_ON_INTAKE = True
CLAMD_ADDRESS = env_str(
    "HAVENBEELD_CLAMD_ADDRESS", "",
    "ClamAV daemon for scanning attachments: unix:/path/to/clamd.ctl or tcp:host:port. "
    "When set, nothing unscanned is accepted; when empty, only the EICAR test signature is "
    "recognised and attachments are marked as not scanned.")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

AUDIT_ANCHOR_FILE = env_str(
    "HAVENBEELD_AUDIT_ANCHOR_FILE", str(VAR_DIR / "audit-anchors.jsonl"),
    "File that `havenbeeld audit anchor` appends the audit chain's head to, and `audit verify` "
    "checks against; keep it on storage the database's administrators cannot rewrite.",
    doc_default="$HAVENBEELD_VAR_DIR/audit-anchors.jsonl")

HIT_QUERIES_PER_HOUR = env_int("HAVENBEELD_HIT_QUERIES_PER_HOUR", 300,
                               "Hit/no-hit questions one user may ask per hour.", 1)

INSTANCE_NAME = env_str("HAVENBEELD_INSTANCE_NAME", "havenbeeld",
                        "Name of this instance (e.g. its region) in exchanged hit indexes.")
HIT_INDEX_KEY = env_secret("HAVENBEELD_HIT_INDEX_KEY",
                           "Key of the exchangeable hit index; instances that exchange their "
                           "index share it. Defaults to a key derived from the secret key") or \
    hmac.new(SECRET_KEY.encode(), b"havenbeeld-hit-index", "sha256").hexdigest()
INFORMATION_REQUEST_DAYS = env_int("HAVENBEELD_INFORMATION_REQUEST_DAYS", 10,
                                   "Days a holder has to answer an information request.", 1)

# --- Maps ------------------------------------------------------------------------------------
MAP_TILE_URL = env_str("HAVENBEELD_MAP_TILES", "",
                       "Tile URL template for maps, e.g. https://tiles.example/{z}/{x}/{y}.png; "
                       "empty shows maps without a background.")
MAP_TILE_ATTRIBUTION = env_str("HAVENBEELD_MAP_ATTRIBUTION", "",
                               "Attribution text shown with the map tiles.")

if MAP_TILE_URL:
    from urllib.parse import urlsplit

    _tiles = urlsplit(MAP_TILE_URL.replace("{s}", "SUBDOMAIN"))
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(
        f"{_tiles.scheme}://{_tiles.netloc.replace('SUBDOMAIN', '*')}")

# --- E-mail ---------------------------------------------------------------------------------
_email = env_str("HAVENBEELD_EMAIL_BACKEND", "console", "console, file or smtp.")
EMAIL_BACKEND = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
}.get(_email)
if EMAIL_BACKEND is None:
    raise ConfigurationError(
        f"HAVENBEELD_EMAIL_BACKEND must be console, file or smtp, not {_email!r}"
    )
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_HOST = env_str("HAVENBEELD_SMTP_HOST", "localhost", "SMTP server host.")
EMAIL_PORT = env_int("HAVENBEELD_SMTP_PORT", 587, "SMTP server port.", 1)
EMAIL_HOST_USER = env_str("HAVENBEELD_SMTP_USER", "", "SMTP user name.")
EMAIL_HOST_PASSWORD = env_secret("HAVENBEELD_SMTP_PASSWORD", "SMTP password") or ""
EMAIL_USE_TLS = env_bool("HAVENBEELD_SMTP_TLS", True, "Use STARTTLS for SMTP.")
DEFAULT_FROM_EMAIL = env_str("HAVENBEELD_FROM_EMAIL", "Havenbeeld <noreply@havenbeeld.example>",
                             "Sender of outgoing e-mail.")

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "havenbeeld" / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "havenbeeld" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not IS_PRODUCTION

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("HAVENBEELD_LOG_LEVEL", "INFO",
                                                      "Log level of the root logger.")},
}
