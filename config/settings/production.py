"""Production: secrets have no default, so a missing one stops the start.

Checked with `DJANGO_SETTINGS_MODULE=config.settings.production manage.py check --deploy`.
"""

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
PORTAL_PLATE_HASH_KEY = env("PORTAL_PLATE_HASH_KEY")
PORTAL_FILE_KEYS = env.list("PORTAL_FILE_KEYS")
# An empty or malformed list would only fail at the first upload: refuse to start.
try:
    _file_keys_valid = bool(PORTAL_FILE_KEYS) and all(Fernet(key) for key in PORTAL_FILE_KEYS)
except ValueError:
    _file_keys_valid = False
if not _file_keys_valid:
    raise ImproperlyConfigured(
        "PORTAL_FILE_KEYS must list one or more Fernet keys, comma-separated"
    )
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
PORTAL_TOTP_REQUIRED_FOR_ADMINISTRATORS = env.bool(
    "PORTAL_TOTP_REQUIRED_FOR_ADMINISTRATORS", default=True
)

STORAGES = {
    "default": {"BACKEND": "apps.core.storage.EncryptedFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
