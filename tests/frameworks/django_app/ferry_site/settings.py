"""Settings of Ferry's Django test project (tests/frameworks/README.md).

The database comes from the environment, so one project serves every side of a test:

    FERRY_DJANGO_DB=/path/to/app.sqlite3                       a SQLite file
    FERRY_DJANGO_DB=postgres://user:pass@host:5432/dbname?sslmode=disable

The URL is parsed here (no dj-database-url): user, password, host, port and database name
from the URL, every query parameter (sslmode, ...) passed to psycopg as an option.
"""

import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent


def database_from_env(value):
    """One DATABASES entry from a SQLite path or a postgres:// / postgresql:// URL."""
    if not value:
        raise RuntimeError(
            "FERRY_DJANGO_DB is not set: give a SQLite file path or a postgres:// URL"
        )
    if value.startswith(("postgres://", "postgresql://")):
        url = urlsplit(value)
        name = unquote(url.path.lstrip("/"))
        if not name:
            raise RuntimeError(f"FERRY_DJANGO_DB names no database: {value!r}")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(url.username or ""),
            "PASSWORD": unquote(url.password or ""),
            "HOST": url.hostname or "",
            "PORT": str(url.port or ""),
            "OPTIONS": dict(parse_qsl(url.query)),
        }
    if "://" in value:
        raise RuntimeError(
            f"FERRY_DJANGO_DB must be a SQLite path or a postgres:// URL, not {value!r}"
        )
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(Path(value).resolve())}


DATABASES = {"default": database_from_env(os.environ.get("FERRY_DJANGO_DB", ""))}
# A second database, for reference_copy.py only (it reads one and writes the other).
if os.environ.get("FERRY_DJANGO_DB_OTHER"):
    DATABASES["other"] = database_from_env(os.environ["FERRY_DJANGO_DB_OTHER"])

# Fixed: sessions and password-reset tokens are signed with it, and the same key must read
# the source's and the target's sessions.
SECRET_KEY = "ferry-framework-tests-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "shop",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

ROOT_URLCONF = "ferry_site.urls"
USE_TZ = True
# Not UTC on purpose: Django stores aware datetimes in UTC whatever the display zone is.
TIME_ZONE = "Europe/Paris"
USE_I18N = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
