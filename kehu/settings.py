"""kehu's one settings module, configured from KEHU_* environment variables."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kehu.env import cache_config, data_dir, env_bool, env_int, env_list, env_str, secret_key

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()

SECRET_KEY = secret_key(DATA_DIR)
DEBUG = env_bool("KEHU_DEBUG", False)
ALLOWED_HOSTS = env_list("KEHU_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("KEHU_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "kehu.core",
    "kehu.accounts",
    "kehu.audit",
    "kehu.customers",
    "kehu.interactions",
    "kehu.sales",
    "kehu.service",
    "kehu.quality",
    "kehu.insights",
    "kehu.segments",
    "kehu.privacy",
    "kehu.api",
    "kehu.web",
    "kehu.cli",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kehu.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kehu.core.middleware.RequestContextMiddleware",
    "kehu.core.middleware.IdleTimeoutMiddleware",
    "kehu.accounts.middleware.RequireTwoFactorMiddleware",
]

ROOT_URLCONF = "kehu.urls"
WSGI_APPLICATION = "kehu.wsgi.application"

# Widgets are rendered with Jinja2 (Django ships the same widget templates for it): the
# customer page holds a few dozen form fields, and rendering each option of each <select>
# through Django's template engine was half of the page's time.
FORM_RENDERER = "django.forms.renderers.Jinja2"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


# WAL lets readers proceed while one writer writes; the busy timeout makes a second writer
# wait instead of failing with "database is locked"; IMMEDIATE takes the write lock up front.
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
}


def _database() -> dict:
    url = env_str("KEHU_DATABASE_URL", "")
    if not url:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "kehu.sqlite3", "OPTIONS": dict(SQLITE_OPTIONS)}
    try:
        config = dj_database_url.parse(url, conn_max_age=env_int("KEHU_DB_CONN_MAX_AGE", 60, minimum=0))
    except ValueError as error:
        raise ImproperlyConfigured(f"KEHU_DATABASE_URL is not a database URL kehu understands: {error}") from None
    if config["ENGINE"] not in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
        raise ImproperlyConfigured("KEHU_DATABASE_URL must be a postgres:// or sqlite:/// URL.")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
    return config


DATABASES = {"default": _database()}
CACHES = {"default": cache_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = ["kehu.accounts.throttle.ThrottledModelBackend"]
KEHU_LOGIN_MAX_FAILURES = env_int("KEHU_LOGIN_MAX_FAILURES", 5, minimum=1)
KEHU_IDLE_MINUTES = env_int("KEHU_IDLE_MINUTES", 30, minimum=1)
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # verifies (and upgrades) older hashes
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env_str("KEHU_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"KEHU_LANGUAGE={LANGUAGE_CODE!r} must be one of {', '.join(dict(LANGUAGES))}.")
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("KEHU_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

KEHU_DEFAULT_REGION = env_str("KEHU_DEFAULT_REGION", "CN")
KEHU_CURRENCY = env_str("KEHU_CURRENCY", "CNY")
# Privacy: days to answer a data-subject request; retention periods (0 = keep forever).
KEHU_DSR_DAYS = env_int("KEHU_DSR_DAYS", 15, minimum=1)
KEHU_RETAIN_INACTIVE_DAYS = env_int("KEHU_RETAIN_INACTIVE_DAYS", 0, minimum=0)
KEHU_RETAIN_COMMUNICATION_DAYS = env_int("KEHU_RETAIN_COMMUNICATION_DAYS", 0, minimum=0)
# The cells quoted in an import's error list are copies of personal data that only matter
# while the file is being fixed; after this many days only row, column and counts remain.
KEHU_RETAIN_IMPORT_ERRORS_DAYS = env_int("KEHU_RETAIN_IMPORT_ERRORS_DAYS", 90, minimum=0)

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise expects it, even when it serves from the app folders
# Assets ship inside the package; WhiteNoise serves them straight from the app folders
# so `kehu serve` needs no collectstatic step and no CDN.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_AGE = env_int("KEHU_SESSION_HOURS", 12, minimum=1) * 3600
SESSION_COOKIE_HTTPONLY = True
# KEHU_HTTPS=1 when kehu is served over HTTPS (directly or behind a proxy that says so):
# secure cookies, redirect to HTTPS, HSTS. `kehu check --deploy` is then clean.
KEHU_HTTPS = env_bool("KEHU_HTTPS", False)
SESSION_COOKIE_SECURE = KEHU_HTTPS
CSRF_COOKIE_SECURE = KEHU_HTTPS
SECURE_SSL_REDIRECT = KEHU_HTTPS
SECURE_HSTS_SECONDS = env_int("KEHU_HSTS_SECONDS", 31_536_000 if KEHU_HTTPS else 0, minimum=0)
# Only for a domain whose every subdomain is HTTPS-only, and that wants browsers' preload list.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("KEHU_HSTS_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("KEHU_HSTS_PRELOAD", False)
if env_bool("KEHU_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Rate limits per user (kehu.core.ratelimit; 0 = no limit): customer search and list, page and API;
# downloads and exports of customer data. Kept in Django's cache (per process unless one is shared).
KEHU_SEARCH_RATE_PER_MINUTE = env_int("KEHU_SEARCH_RATE_PER_MINUTE", 120, minimum=0)
KEHU_EXPORT_RATE_PER_HOUR = env_int("KEHU_EXPORT_RATE_PER_HOUR", 30, minimum=0)

# Largest import file accepted through the web and the API (the command line has no limit).
# Scoring runs started from the web or the API run in a thread after the request (False: inline, for tests).
KEHU_SCORING_IN_BACKGROUND = True
# Scoring snapshots: every run within this many days of the newest is kept, older ones only
# as the last run of each month, for this many months (0: month-ends are kept for ever).
KEHU_SCORES_KEEP_DAYS = env_int("KEHU_SCORES_KEEP_DAYS", 90, minimum=1)
KEHU_SCORES_KEEP_MONTHS = env_int("KEHU_SCORES_KEEP_MONTHS", 24, minimum=0)
KEHU_IMPORT_MAX_BYTES = env_int("KEHU_IMPORT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
# Uploads larger than this are imported in the background with a progress bar (about 5,000
# order rows; smaller ones are done before the page answers).
KEHU_IMPORT_BACKGROUND_BYTES = env_int("KEHU_IMPORT_BACKGROUND_BYTES", 256 * 1024, minimum=0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("KEHU_LOG_LEVEL", "WARNING")},
}
