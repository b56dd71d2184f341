"""Developer machine: `make run`. Debug on, a throwaway secret, demo banner shown."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-development-only-not-a-secret")
PORTAL_DEMO_MODE = env.bool("PORTAL_DEMO_MODE", default=True)
PORTAL_PLATE_HASH_KEY = env("PORTAL_PLATE_HASH_KEY", default="local-development-plate-key")
PORTAL_FILE_KEYS = env.list(
    "PORTAL_FILE_KEYS", default=["F5OD7D_j2mjHQQEFAWI3Em4vo_s_5Ku6nhfYXFDny6I="]
)
