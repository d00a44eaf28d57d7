"""One settings module, configured from the environment (docs/production.md lists it all).

DATABASE_URL selects the database (default: the embedded SQLite file under var/).
KEHOU_DEBUG=1 turns on debug mode for local use; production leaves it unset and must then
set KEHOU_SECRET_KEY.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("KEHOU_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = os.environ.get("KEHOU_DEBUG", "") == "1"
# The demo city (`kehou seed`) gives every account one published password. Outside the
# demo (debug mode, or KEHOU_DEMO=1 for a public demonstration server) seeding is refused
# and so are logins with that password, so a demo database put in production stays shut.
DEMO_MODE = os.environ.get("KEHOU_DEMO", "1" if DEBUG else "") == "1"


def _secret_key() -> str:
    key = os.environ.get("KEHOU_SECRET_KEY", "")
    if key:
        return key
    if DEBUG:
        return "insecure-key-for-KEHOU_DEBUG-only"
    raise ImproperlyConfigured(
        "KEHOU_SECRET_KEY is not set. Outside debug mode kehou needs its own secret key "
        "(it signs sessions, password-reset links and messages). Generate one with "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`, keep it out of "
        "the repository and set it in the environment of every kehou process (web and "
        "worker); or set KEHOU_DEBUG=1 for local use."
    )


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = os.environ.get("KEHOU_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "template_partials",
    "auditlog",
    "django_tasks",
    "django_tasks_db",
    "kehou.core",
    "kehou.accounts",
    "kehou.org",
    "kehou.notifications",
    "kehou.roster",
    "kehou.terms",
    "kehou.policy",
    "kehou.public",
    "kehou.catalog",
    "kehou.enrollment",
    "kehou.placement",
    "kehou.sittings",
    "kehou.custody",
    "kehou.attendance",
    "kehou.safety",
    "kehou.billing",
    "kehou.payments",
    "kehou.payroll",
    "kehou.resources",
    "kehou.surveys",
    "kehou.complaints",
    "kehou.supervision",
    "kehou.reports",
    "kehou.staffrecords",
    "kehou.dashboard",
    "kehou.home",
    "kehou.demo",
]

MIDDLEWARE = [
    # First: a probe needs no host check, HTTPS redirect, session or login.
    "kehou.core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kehou.core.middleware.ChineseFirstLocaleMiddleware",
    # Takes the request's database connection before anything needs it: 503 "busy" when
    # none can be had in time (kehou.core.middleware).
    "kehou.core.middleware.BusyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After a temporary password, every page leads to choosing a new one.
    "kehou.accounts.middleware.TemporaryPasswordMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
]
if os.environ.get("KEHOU_COUNT_QUERIES") == "1":  # bench/ only: never set in production
    MIDDLEWARE.insert(0, "kehou.core.middleware.QueryCountMiddleware")

ROOT_URLCONF = "kehou.urls"
WSGI_APPLICATION = "kehou.wsgi.application"

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
            ],
        },
    }
]


def _pool_options() -> dict | None:
    """psycopg-pool options for PostgreSQL, one pool per process (docs/production.md).

    Every gunicorn worker, `kehou worker` and command holds at most `max_size`
    connections, so processes × KEHOU_DB_POOL_MAX must stay under PostgreSQL's
    max_connections less its reserved slots. A request that waits `timeout` seconds
    without a connection is answered 503 "busy, try again". KEHOU_DB_POOL=0 turns the
    pool off (e.g. behind PgBouncer).
    """
    if os.environ.get("KEHOU_DB_POOL", "1") == "0":
        return None
    options = {
        "min_size": int(os.environ.get("KEHOU_DB_POOL_MIN", "2")),
        "max_size": int(os.environ.get("KEHOU_DB_POOL_MAX", "10")),
        "timeout": float(os.environ.get("KEHOU_DB_POOL_TIMEOUT", "5")),
    }
    if not 0 <= options["min_size"] <= options["max_size"] or options["max_size"] < 1:
        raise ImproperlyConfigured(
            "KEHOU_DB_POOL_MIN and KEHOU_DB_POOL_MAX: 0 <= min <= max and max >= 1 "
            f"(got {options['min_size']} and {options['max_size']})."
        )
    return options


def _database_config() -> dict:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'kehou.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=0)
    if config["ENGINE"] == "django.db.backends.postgresql":
        pool = _pool_options()
        if pool:
            config.setdefault("OPTIONS", {})["pool"] = pool
            # A pooled connection is checked before it is handed out: after a database
            # restart the first requests get fresh connections instead of errors.
            config["CONN_HEALTH_CHECKS"] = True
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL + IMMEDIATE: concurrent writers queue for the lock instead of failing
        # with "database is locked" (research/reliability.md section 2).
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        # A file, not memory: the shared in-memory test database locks under threads.
        # One file per test process, so parallel runs on one machine do not collide.
        config["TEST"] = {"NAME": str(VAR_DIR / f"test-kehou-{os.getpid()}.sqlite3")}
    return config


DATABASES = {"default": _database_config()}
# A "busy, try again" answer (503) asks the browser to come back after this long.
BUSY_RETRY_AFTER_SECONDS = int(os.environ.get("KEHOU_BUSY_RETRY_AFTER", "5"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Django's, behind the lockout and refusing the demo password outside the demo.
    "kehou.accounts.backends.PasswordBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Research S2: at least 8 characters (64 and more allowed), no composition rules, common
# passwords and context words refused (the school's and district's names, the user's
# phone, their child's student number, the demo password). Messages in Chinese.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "kehou.accounts.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(os.environ.get("KEHOU_PASSWORD_MIN_LENGTH", "8"))},
    },
    {"NAME": "kehou.accounts.password_validation.CommonPasswordValidator"},
    {"NAME": "kehou.accounts.password_validation.ContextWordsValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:index"
LOGOUT_REDIRECT_URL = "accounts:login"

# Pauses after repeated failed logins (kehou.accounts.lockout): per phone from one
# network address, so nobody elsewhere can lock a teacher out, and per address across all
# phones, so one machine cannot try a few passwords on each of many accounts. A try
# during a pause is not counted and does not extend it.
LOGIN_LOCKOUT = {
    "ACCOUNT_FAILURES": int(os.environ.get("KEHOU_LOGIN_FAILURE_LIMIT", "5")),
    "ACCOUNT_WINDOW_MINUTES": int(os.environ.get("KEHOU_LOGIN_WINDOW_MINUTES", "15")),
    "ADDRESS_FAILURES": int(os.environ.get("KEHOU_LOGIN_ADDRESS_FAILURE_LIMIT", "30")),
    "ADDRESS_WINDOW_MINUTES": int(os.environ.get("KEHOU_LOGIN_ADDRESS_WINDOW_MINUTES", "15")),
}
# Complaints from a school's public page (no login) per network address in a window: a
# family's or a school's shared address sends a few, a script sending hundreds is refused.
PUBLIC_COMPLAINTS_LIMIT = {
    "PER_ADDRESS": int(os.environ.get("KEHOU_PUBLIC_COMPLAINTS_PER_ADDRESS", "10")),
    "WINDOW_MINUTES": int(os.environ.get("KEHOU_PUBLIC_COMPLAINTS_WINDOW_MINUTES", "60")),
}
# The request header holding the client's address when a proxy in front sets it (nginx:
# `proxy_set_header X-Real-IP $remote_addr;` and KEHOU_CLIENT_ADDRESS_HEADER=X-Real-IP).
# Unset: REMOTE_ADDR. Never name a header that reaches kehou from the client unchanged.
LOGIN_CLIENT_ADDRESS_HEADER = os.environ.get("KEHOU_CLIENT_ADDRESS_HEADER", "")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG and os.environ.get("KEHOU_HTTPS") == "1":
    # Behind a proxy that ends TLS, gunicorn takes the scheme from X-Forwarded-Proto
    # sent by the addresses in FORWARDED_ALLOW_IPS (docs/production.md).
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # "preload" in the header lets the domain be submitted to browsers' HTTPS-only list.
    SECURE_HSTS_PRELOAD = os.environ.get("KEHOU_HSTS_PRELOAD", "1") == "1"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]

# Who may enter or replace a year of the national holiday calendar (it applies to every
# school): superusers, and bureau officers of a region at this level or above
# ("province", "city", "county"); "national" = superusers only.
CALENDAR_AUTHORITY = os.environ.get("KEHOU_CALENDAR_AUTHORITY", "city")

# Roster uploads: checked before any parsing (research/reliability.md S8).
ROSTER_MAX_UPLOAD_BYTES = int(os.environ.get("KEHOU_ROSTER_MAX_BYTES", str(10 * 1024 * 1024)))
# The sum of every part of the workbook once unzipped, checked before parsing: a real
# roster of a large school unzips to a few MB; 190 MB held a CPU for over a minute.
ROSTER_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("KEHOU_ROSTER_MAX_UNCOMPRESSED_BYTES", str(40 * 1024 * 1024))
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_MASK_CALLABLE = "kehou.lib.validators.mask_mobile"

# Background work runs in `kehou worker` (django-tasks-db), in production and in the
# embedded default alike; `kehou serve` starts it beside the web server.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Notifications (kehou.notifications): e-mail through Django's mail backends: SMTP in
# production (KEHOU_EMAIL_HOST …), one file per message under var/mail in the demo and in
# debug mode (the tests use Django's memory outbox).
EMAIL_BACKEND = os.environ.get(
    "KEHOU_EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend"
    if DEBUG or DEMO_MODE
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("KEHOU_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("KEHOU_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("KEHOU_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("KEHOU_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("KEHOU_EMAIL_USE_TLS", "") == "1"
EMAIL_USE_SSL = os.environ.get("KEHOU_EMAIL_USE_SSL", "") == "1"
EMAIL_TIMEOUT = int(os.environ.get("KEHOU_EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("KEHOU_DEFAULT_FROM_EMAIL", "kehou@localhost")
# SMS and WeChat template messages go through an adapter the deployment provides: a
# dotted path to a class with send(*, address, title, body, link) -> provider reference
# (kehou.notifications.channels.Gateway). Unset: the channel is unavailable.
# kehou.notifications.testing.RecordingGateway sends nothing and logs each message.
KEHOU_SMS_GATEWAY = os.environ.get("KEHOU_SMS_GATEWAY", "")
KEHOU_WECHAT_GATEWAY = os.environ.get("KEHOU_WECHAT_GATEWAY", "")
# A user who chose nothing gets SMS to their login phone when an SMS gateway is set.
KEHOU_SMS_BY_DEFAULT = os.environ.get("KEHOU_SMS_BY_DEFAULT", "1") == "1"
# Attempts per delivery before giving up (pauses of 1, 2, 4 … minutes between them).
KEHOU_DELIVERY_MAX_ATTEMPTS = int(os.environ.get("KEHOU_DELIVERY_MAX_ATTEMPTS", "6"))
# The address links in e-mails and messages start with (e.g. https://kehou.example.cn).
KEHOU_SITE_URL = os.environ.get("KEHOU_SITE_URL", "")

# Production writes one JSON object per line to stdout (kehou.core.logs): every error,
# with the request's path, method, user id and status and the traceback, phone numbers
# masked. Debug mode keeps plain lines for a terminal.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "kehou.core.logs.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
        },
        "plain": {
            "()": "kehou.core.logs.MaskingFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain" if DEBUG else "json",
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "kehou": {"level": os.environ.get("KEHOU_LOG_LEVEL", "INFO")},
        # Django's own handlers (the debug console, mail to ADMINS) give way to ours.
        "django": {"handlers": [], "level": "INFO"},
    },
}
