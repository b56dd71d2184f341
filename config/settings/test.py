"""Test settings: the real PostgreSQL and Redis, never SQLite or eager Celery."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = "test-only-secret-key-with-enough-length-for-hmac-0123456789"  # noqa: S105
DEBUG = False
# Argon2 is deliberately slow; tests create hundreds of users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Keep test tasks off the queue a running `make run` worker listens on.
CELERY_TASK_DEFAULT_QUEUE = "portal-test"
PORTAL_DEMO_MODE = False
PORTAL_CHECK_LOCK_ORDER = True
PORTAL_PLATE_HASH_KEY = "test-plate-key"
PORTAL_FILE_KEYS = ["P0rYq-ZXlEyhN295-UjEFdwg-_ViJ0Au0Uboi3Dc2_Q="]
STORAGES = {
    "default": {"BACKEND": "apps.core.storage.EncryptedFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded files of the test run stay out of the working tree (a worker started by a test
# is told where with PORTAL_MEDIA_ROOT).
MEDIA_ROOT = Path(
    env("PORTAL_MEDIA_ROOT", default=str(Path(tempfile.gettempdir()) / "portal-test-media"))
)
