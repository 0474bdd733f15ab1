"""Settings, read from the environment (12-factor).

``DATABASE_URL`` selects the database (SQLite under the instance folder by default);
``ASAMBLEA_SECRET_KEY``, ``ASAMBLEA_DEBUG``, ``ASAMBLEA_ALLOWED_HOSTS`` and
``ASAMBLEA_INSTANCE_DIR`` configure the rest. See the README.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Lets generic Django classes (ModelAdmin[Member], QuerySet[Node]) be subscripted
# at run time as they are in the type annotations.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = BASE_DIR.parent.parent
INSTANCE_DIR = Path(os.environ.get("ASAMBLEA_INSTANCE_DIR", REPO_DIR / "instance"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("ASAMBLEA_DEBUG", default=False)


def _secret_key() -> str:
    key = os.environ.get("ASAMBLEA_SECRET_KEY")
    if key:
        return key
    # Without a configured key, keep a random one in the instance folder so that
    # sessions survive restarts and no key ever ships in the repository.
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ASAMBLEA_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("ASAMBLEA_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Serves the API docs page's Swagger UI from this host (else from a CDN,
    # which the Content-Security-Policy would block).
    "ninja",
    "asamblea.core",
    "asamblea.accounts",
    "asamblea.federation",
    "asamblea.motions",
    "asamblea.trustees",
    "asamblea.voting",
    # Pages that read several apps; installed for its templates and tags.
    "asamblea.web",
    "asamblea.incidents",
    "asamblea.pledges",
    "asamblea.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "asamblea.core.middleware.ApiErrorMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "asamblea.core.middleware.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "asamblea.core.middleware.MemberLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "asamblea.core.middleware.SecurityHeadersMiddleware",
    "asamblea.core.middleware.DomainErrorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "asamblea.config.urls"
WSGI_APPLICATION = "asamblea.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "asamblea.core.context_processors.navigation",
            ],
        },
    },
]

INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{INSTANCE_DIR / 'asamblea.sqlite3'}",
        conn_max_age=int(os.environ.get("ASAMBLEA_CONN_MAX_AGE", "0")),
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer commits; IMMEDIATE avoids the
    # lock-upgrade deadlock SQLite otherwise hits when two writers race.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # secure_delete overwrites deleted rows with zeros in the database file,
        # so the originals of re-inserted secret ballots do not linger in free
        # pages (the write-ahead log keeps them until a checkpoint: ADR 0002).
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;"
        ),
    }
    DATABASES["default"].setdefault("TEST", {})["NAME"] = ""

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.Member"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("pseudonym", "email")},
    },
    # Spanish and movement words, the demo password, the pseudonym inside the password.
    {"NAME": "asamblea.accounts.passwords.GuessablePasswordValidator"},
]

# Languages. Django's LANG_INFO knows neither Quechua nor Aymara; they are
# registered here and in asamblea.core.apps (LANG_INFO) so that every page,
# the switcher and gettext treat them like any other locale.
LANGUAGE_CODE = "es"
LANGUAGES = [
    ("es", _("Spanish")),
    ("qu", _("Quechua")),
    ("ay", _("Aymara")),
    ("en", _("English")),
]
EXTRA_LANG_INFO = {
    "qu": {"bidi": False, "code": "qu", "name": "Quechua", "name_local": "Runasimi"},
    "ay": {"bidi": False, "code": "ay", "name": "Aymara", "name_local": "Aymar aru"},
}
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and times as written in Peru (27/11/2026, 18:00) in every language,
# never in the United States form (asamblea/formats/).
FORMAT_MODULE_PATH = ["asamblea.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("ASAMBLEA_TIME_ZONE", "America/Lima")
# E-mail, only for members who gave an address and ask for a reset link.
# Development prints messages on the console; set ASAMBLEA_EMAIL_BACKEND to
# django.core.mail.backends.smtp.EmailBackend (and the host below) to send them.
EMAIL_BACKEND = os.environ.get(
    "ASAMBLEA_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("ASAMBLEA_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("ASAMBLEA_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("ASAMBLEA_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("ASAMBLEA_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("ASAMBLEA_EMAIL_TLS", default=True)
DEFAULT_FROM_EMAIL = os.environ.get("ASAMBLEA_EMAIL_FROM", "asamblea@localhost")
# A reset link by e-mail works for a day (Django signs it; a new password voids it).
PASSWORD_RESET_TIMEOUT = 24 * 60 * 60

LANGUAGE_COOKIE_NAME = "asamblea_language"

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = INSTANCE_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# WhiteNoise serves static files with far-future caching and pre-compressed
# copies, so that a phone on 2G downloads CSS and JS once.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if _env_bool("ASAMBLEA_MANIFEST_STATIC", default=False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STORAGES["staticfiles"]["BACKEND"].startswith("whitenoise")

# Incident register (docs/incidents-security.md): the scrypt cost of a
# documenter's register passphrase (a power of two; 2**15 takes about 32 MB
# and a tenth of a second), and how long an unlocked register stays open
# without use.
ASAMBLEA_REGISTER_SCRYPT_N = int(os.environ.get("ASAMBLEA_REGISTER_SCRYPT_N", str(2**15)))
ASAMBLEA_REGISTER_IDLE_SECONDS = int(os.environ.get("ASAMBLEA_REGISTER_IDLE_SECONDS", "1800"))
# Evidence files of the register (docs/incidents-evidence.md): where the
# encrypted originals and working copies live, the largest file accepted, and
# the RFC 3161 time-stamping authority (off unless a URL is set; it learns
# when each hash was made), with its certificate (PEM) to pin if given.
ASAMBLEA_EVIDENCE_DIR = Path(os.environ.get("ASAMBLEA_EVIDENCE_DIR", INSTANCE_DIR / "evidence"))
ASAMBLEA_EVIDENCE_MAX_BYTES = int(os.environ.get("ASAMBLEA_EVIDENCE_MAX_BYTES", str(200 * 2**20)))
ASAMBLEA_EVIDENCE_TSA_URL = os.environ.get("ASAMBLEA_EVIDENCE_TSA_URL", "").strip()
ASAMBLEA_EVIDENCE_TSA_CERTIFICATE = os.environ.get("ASAMBLEA_EVIDENCE_TSA_CERTIFICATE", "").strip()

# Public pledge figures: none below the minimum, the rest rounded down to the bucket.
PLEDGE_PUBLIC_MINIMUM = int(os.environ.get("ASAMBLEA_PLEDGE_MINIMUM", "10"))
PLEDGE_PUBLIC_BUCKET = int(os.environ.get("ASAMBLEA_PLEDGE_BUCKET", "5"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _env_bool("ASAMBLEA_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
# Behind HTTPS (secure cookies on), browsers must not fall back to plain HTTP.
SECURE_HSTS_SECONDS = 31_536_000 if SESSION_COOKIE_SECURE else 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Bounded inputs: requests larger than this are refused before any view runs.
DATA_UPLOAD_MAX_MEMORY_SIZE = 512 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500

# Cache: holds the sign-in and invitation-code attempt counters
# (asamblea.accounts.ratelimit), which every worker process must share. The
# database cache by default (its table comes with the migrations); Redis with
# ASAMBLEA_CACHE_URL=redis://host:6379/1.
CACHE_TABLE = "asamblea_cache"
_CACHE_URL = os.environ.get("ASAMBLEA_CACHE_URL", "").strip()
if _CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES: dict[str, dict[str, Any]] = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _CACHE_URL,
        }
    }
elif _CACHE_URL in ("", "db", "database"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_TABLE,
            # Culling deletes live entries once the table passes MAX_ENTRIES:
            # keep it far above what a flood of failed attempts can create.
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},
        }
    }
else:
    raise ImproperlyConfigured("ASAMBLEA_CACHE_URL must be empty, 'db' or a redis:// URL.")
ASAMBLEA_AUTH_FAILURE_LIMIT = int(os.environ.get("ASAMBLEA_AUTH_FAILURE_LIMIT", "10"))
ASAMBLEA_AUTH_FAILURE_WINDOW = int(os.environ.get("ASAMBLEA_AUTH_FAILURE_WINDOW", "900"))
# Reverse proxies (addresses or networks) whose X-Forwarded-For is believed;
# a malformed entry stops the start (ValueError) rather than every sign-in.
# "unix" names a proxy reaching the server through a Unix socket.
ASAMBLEA_TRUSTED_PROXIES = [
    p.strip() if p.strip() == "unix" else str(ipaddress.ip_network(p.strip(), strict=False))
    for p in os.environ.get("ASAMBLEA_TRUSTED_PROXIES", "").split(",")
    if p.strip()
]

# Encrypted polls (asamblea.voting.encrypted): the key that seals server-held
# credentials and the board's signing key at rest (empty: derived from
# SECRET_KEY; changing it makes the sealed secrets of open encrypted polls
# unusable), and the dotted path of the callable that gives a poll its
# trustees' joint key (by default the standing key of the nearest active
# trustee board at or above the poll's node; empty: encrypted polls cannot open).
ASAMBLEA_SEALING_KEY = os.environ.get("ASAMBLEA_SEALING_KEY", "")
ASAMBLEA_ELECTION_KEY_SOURCE = os.environ.get(
    "ASAMBLEA_ELECTION_KEY_SOURCE", "asamblea.voting.encrypted.boards.key_source"
)
# Heavy work runs through asamblea.core.tasks: "local" (in-process pool) or
# "celery" with ASAMBLEA_BROKER_URL (Redis or RabbitMQ).
ASAMBLEA_TASK_BACKEND = os.environ.get("ASAMBLEA_TASK_BACKEND", "local")
ASAMBLEA_BROKER_URL = os.environ.get("ASAMBLEA_BROKER_URL", "redis://127.0.0.1:6379/0")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ASAMBLEA_LOG_LEVEL", "WARNING")},
}

CSRF_FAILURE_VIEW = "asamblea.core.views.csrf_failure"
