"""Settings shared by every environment; values come from the environment.

See https://docs.djangoproject.com/en/5.2/ref/settings/ and
https://django-environ.readthedocs.io/ for the variable formats.
"""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_tables2",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "apps.accounts",
    "apps.municipalities",
    "apps.agencies",
    "apps.vendors",
    "apps.sharing",
    "apps.compliance",
    "apps.audits",
    "apps.core",
    "apps.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "apps.core.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "apps.core.security.PortalLoginRequiredMiddleware",
    "apps.core.activity.ActivityContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "apps.core.security.SessionLimitsMiddleware",
    "apps.accounts.two_factor.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "apps.municipalities.middleware.TenantScopeMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "apps.core.context_processors.portal",
            ],
        },
    },
]

DATABASES = {"default": env.db_url("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Server-side parameter binding: psycopg sends the values apart from the SQL text instead
# of interpolating them. (It does not prepare statements: Django leaves psycopg's
# `prepare_threshold` unset, so every statement is planned afresh.)
# https://docs.djangoproject.com/en/5.2/ref/databases/#server-side-parameters-binding
DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = env.bool(
    "DATABASE_SERVER_SIDE_BINDING", default=True
)
# No JIT compilation: the portal's statements run for milliseconds to a few seconds, and
# compiling them cost more than it saved (an evaluation rule over a batch of 200
# municipalities: 612 ms, 380 ms of it JIT). A DATABASE_URL may set its own options.
DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sign-in limits (apps/accounts/sign_in_limits.py): failures are counted per username
# across addresses and per client address across usernames. Past the free failures each
# try waits a doubling delay (capped); at the lock limit the key is locked for the
# lockout period (0: until an administrator lifts it). Counts restart after a quiet day.
PORTAL_SIGN_IN_USERNAME_FREE_FAILURES = env.int("PORTAL_SIGN_IN_USERNAME_FREE_FAILURES", default=3)
PORTAL_SIGN_IN_USERNAME_LOCK_FAILURES = env.int("PORTAL_SIGN_IN_USERNAME_LOCK_FAILURES", default=10)
PORTAL_SIGN_IN_ADDRESS_FREE_FAILURES = env.int("PORTAL_SIGN_IN_ADDRESS_FREE_FAILURES", default=10)
PORTAL_SIGN_IN_ADDRESS_LOCK_FAILURES = env.int("PORTAL_SIGN_IN_ADDRESS_LOCK_FAILURES", default=50)
PORTAL_SIGN_IN_FIRST_DELAY_SECONDS = env.int("PORTAL_SIGN_IN_FIRST_DELAY_SECONDS", default=2)
PORTAL_SIGN_IN_MAX_DELAY_SECONDS = env.int("PORTAL_SIGN_IN_MAX_DELAY_SECONDS", default=300)
PORTAL_SIGN_IN_LOCKOUT_MINUTES = env.int("PORTAL_SIGN_IN_LOCKOUT_MINUTES", default=60)
PORTAL_SIGN_IN_QUIET_HOURS = env.float("PORTAL_SIGN_IN_QUIET_HOURS", default=24)
# Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR networks); with
# none, the client is REMOTE_ADDR (apps/core/client_address.py).
PORTAL_TRUSTED_PROXIES = env.list("PORTAL_TRUSTED_PROXIES", default=[])

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
# A session ends after this long without a request, and this long after signing in.
PORTAL_SESSION_IDLE_MINUTES = env.int("PORTAL_SESSION_IDLE_MINUTES", default=30)
PORTAL_SESSION_MAX_HOURS = env.float("PORTAL_SESSION_MAX_HOURS", default=12)
CSRF_COOKIE_HTTPONLY = True
# Two-factor sign-in (TOTP): optional for everyone, required for administrators when on.
PORTAL_TOTP_REQUIRED_FOR_ADMINISTRATORS = env.bool(
    "PORTAL_TOTP_REQUIRED_FOR_ADMINISTRATORS", default=False
)
OTP_TOTP_ISSUER = "ALPR Sharing Audit Portal"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/Chicago"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("PORTAL_MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media")))
# Uploaded files are encrypted at rest (apps/core/encrypted_files.py) under these Fernet
# keys: the first encrypts, all decrypt, so a key is rotated by putting a new one first.
PORTAL_FILE_KEYS = env.list("PORTAL_FILE_KEYS", default=[])
STORAGES = {
    "default": {"BACKEND": "apps.core.storage.EncryptedFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

REDIS_URL = env("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "nightly-evaluation": {
        "task": "audits.evaluate_all",
        "schedule": crontab(hour=2, minute=30),
        "kwargs": {"trigger": "nightly"},
    },
    "requeue-stalled-exports": {
        "task": "vendors.exports_requeue_stalled",
        "schedule": 600.0,
    },
    "purge-expired-originals": {
        "task": "vendors.originals_purge",
        "schedule": crontab(hour=3, minute=15),
    },
    "searches-partitions-ahead": {
        "task": "sharing.searches_partitions_ensure",
        "schedule": crontab(hour=1, minute=45),
    },
    "purge-stale-sign-in-limits": {
        "task": "accounts.sign_in_limits_purge_stale",
        "schedule": 3600.0,
    },
}
# A task is only acknowledged once done, so a task longer than the visibility timeout
# would be delivered twice; keep the timeout above the longest ingest.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 6 * 3600}

# --- Timeouts: a service that is down fails a request within seconds, never holds it ---
# Without a socket timeout, publishing to a Redis that accepts connections but does not
# answer waits forever (kombu's Redis transport options: https://docs.celeryq.dev/projects/
# kombu/en/stable/reference/kombu.transport.redis.html). A refused connection fails at
# once; with these a hung broker fails a publish after 3 s. Kept above the 1 s BRPOP
# timeout workers poll with.
CELERY_BROKER_TRANSPORT_OPTIONS["socket_connect_timeout"] = 2
CELERY_BROKER_TRANSPORT_OPTIONS["socket_timeout"] = 3
# A PostgreSQL server that does not answer fails a connection after 5 s instead of the
# operating system's minutes (libpq's connect_timeout; a DATABASE_URL may set its own).
DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
# --- end of timeouts ---

DJANGO_TABLES2_TEMPLATE = "django_tables2/table.html"

# The state whose law the portal audits; agencies elsewhere are out of state (2-130(c)).
PORTAL_HOME_STATE = env("PORTAL_HOME_STATE", default="IL")
# Municipalities per evaluation task in the nightly run (and `evaluate --all`): each batch
# is one transaction, every rule one statement over it.
PORTAL_EVALUATION_BATCH_SIZE = env.int("PORTAL_EVALUATION_BATCH_SIZE", default=200)
# The labelled corpora (`reason,label,note`) the term editor classifies to show what a
# change would flip, by name, each a list of files; a file not installed is skipped and
# the page says so. "development": the app's corpora (apps/compliance/corpora/__init__.py);
# "held-out": the corpus written blind, frozen with the tests.
PORTAL_REASON_CORPORA = {
    "development": [
        BASE_DIR / "apps/compliance/corpora" / name
        for name in (
            "reason_corpus.csv",
            "reason_holdout.csv",
            "reason_train.csv",
            "reason_contrast.csv",
            "reason_ordinary.csv",
        )
    ],
    "held-out": [BASE_DIR / "tests/compliance/reason_blind.csv"],
}
# Uploads larger than this are refused before they are stored.
PORTAL_UPLOAD_MAX_BYTES = env.int("PORTAL_UPLOAD_MAX_BYTES", default=512 * 1024 * 1024)
# A LEARN sharing report PDF: refused past these, before or while it is read (a real
# report is well under a megabyte a page and some tens of pages).
PORTAL_PDF_MAX_BYTES = env.int("PORTAL_PDF_MAX_BYTES", default=64 * 1024 * 1024)
PORTAL_PDF_MAX_PAGES = env.int("PORTAL_PDF_MAX_PAGES", default=500)
PORTAL_PDF_PARSE_SECONDS = env.int("PORTAL_PDF_PARSE_SECONDS", default=120)
PORTAL_PDF_MAX_INFLATE_RATIO = env.int("PORTAL_PDF_MAX_INFLATE_RATIO", default=200)
PORTAL_PDF_MAX_INFLATED_BYTES = env.int("PORTAL_PDF_MAX_INFLATED_BYTES", default=256 * 1024**2)
# Uploaded originals are purged this many days after they were received; what was
# loaded from them stays.
PORTAL_ORIGINAL_RETENTION_DAYS = env.int("PORTAL_ORIGINAL_RETENTION_DAYS", default=730)
# How long searches are kept, in months (`manage.py searches_retention`). 2-130 sets no
# retention limit; the default, 84 months (seven years), is the portal's choice, not the
# law's: long enough to reopen any finding of recent years from its searches. Set it to
# the records schedule the state adopts.
PORTAL_SEARCH_RETENTION_MONTHS = env.int("PORTAL_SEARCH_RETENTION_MONTHS", default=84)
# A lock taken out of the one order of apps/core/locks.py raises LockOrderError (always
# with DEBUG); without it, the error is only logged.
PORTAL_CHECK_LOCK_ORDER = env.bool("PORTAL_CHECK_LOCK_ORDER", default=False)
# Plates are kept only as HMAC-SHA256 under this key, enough to count repeats.
PORTAL_PLATE_HASH_KEY = env("PORTAL_PLATE_HASH_KEY", default="")

# The banner that says the data on screen is fictional.
PORTAL_DEMO_MODE = env.bool("PORTAL_DEMO_MODE", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
