"""Django settings, read from environment variables so that one installed package serves a
laptop (`ctgxl serve`) and a hosted service (gunicorn behind a reverse proxy) alike.

CTGXL_DATA           data folder (default ./ctgxl-donnees): secret key, database, temporary checks
CTGXL_SECRET_KEY     secret key; when absent, one is generated once and kept in the data folder
CTGXL_ALLOWED_HOSTS  host names served, separated by commas (default: localhost names only)
CTGXL_DEBUG          1 to show Django's debug pages (never on a shared server)
CTGXL_RETENTION      seconds a check's files and results are kept (default 3600)
CTGXL_MAX_ENVOI_OCTETS  total bytes of one upload (default 200 MB)
CTGXL_MAX_FICHIERS   files in one upload (default 50)
DATABASE_URL         PostgreSQL for the collection portal (SQLite in the data folder otherwise)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from ctgxl.limits import _env

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("CTGXL_DATA", "ctgxl-donnees")).resolve()
DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)  # the secret key and the uploads live here


def _secret_key() -> str:
    """The environment's key, or one generated on first start and kept (owner-only) in the data folder."""
    given = os.environ.get("CTGXL_SECRET_KEY")
    if given:
        return given
    stored = DATA_DIR / "cle-secrete"
    try:
        return stored.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(50)
        descriptor = os.open(stored, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(key)
        return key


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "oui", "yes", "on"}


SECRET_KEY = _secret_key()
DEBUG = _flag("CTGXL_DEBUG")
ALLOWED_HOSTS = [host.strip() for host in os.environ.get("CTGXL_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
                 if host.strip()]
CSRF_TRUSTED_ORIGINS = [origin.strip() for origin in os.environ.get("CTGXL_CSRF_TRUSTED_ORIGINS", "").split(",")
                        if origin.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "dsfr",
    "widget_tweaks",  # django-dsfr's form rendering
    "ctgxl.web.verification",
    "ctgxl.web.collecte",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "ctgxl.web.security.SecurityHeaders",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ctgxl.web.urls"
WSGI_APPLICATION = "ctgxl.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite in the data folder (WAL mode), PostgreSQL when DATABASE_URL is set.
from ctgxl.web.collecte.database import databases  # noqa: E402

DATABASES = databases(DATA_DIR, os.environ.get("DATABASE_URL"))

# Coordinators' accounts (the collection portal).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# DSFR forms mark the optional fields, not the mandatory ones (the DSFR's current advice).
DSFR_MARK_OPTIONAL_FIELDS = True
LOGIN_URL = "collecte:connexion"
LOGIN_REDIRECT_URL = "collecte:campagnes"
# Uploads accepted per contributor link and per hour.
CTGXL_DEPOTS_PAR_HEURE = _env("CTGXL_DEPOTS_PAR_HEURE", 30)

LANGUAGE_CODE = "fr"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Only for a hosted server that runs `collectstatic` (then served by WhiteNoise or the proxy).
STATIC_ROOT = os.environ.get("CTGXL_STATIC_ROOT") or None
# The DSFR's assets come with django-dsfr: served from the installed packages, no CDN.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Security: headers (see security.py for the Content-Security-Policy), cookies.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _flag("CTGXL_HTTPS")
if _flag("CTGXL_HTTPS"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000

# Uploads: files above this size go to a temporary file (in the data folder, not the shared /tmp).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_TEMP_DIR = DATA_DIR / "televersements"
FILE_UPLOAD_TEMP_DIR.mkdir(mode=0o700, exist_ok=True)
FILE_UPLOAD_PERMISSIONS = 0o600
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = _env("CTGXL_MAX_FICHIERS", 50)
CTGXL_MAX_UPLOAD_BYTES = _env("CTGXL_MAX_ENVOI_OCTETS", 200_000_000)
CTGXL_RETENTION = _env("CTGXL_RETENTION", 3600)

# Never the content of a request in the logs: only Django's own warnings, without request bodies.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django": {"handlers": ["console"], "level": "WARNING"},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
