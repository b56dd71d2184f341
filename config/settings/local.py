"""Developer machine: `make run`. A throwaway secret, demo banner shown.

Debug is off unless DJANGO_DEBUG=true, so a missing page or an error shows the portal's
own 404 and 500 pages, as people will see them, instead of Django's technical pages.
"""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-development-only-not-a-secret")
PORTAL_DEMO_MODE = env.bool("PORTAL_DEMO_MODE", default=True)
PORTAL_CHECK_LOCK_ORDER = env.bool("PORTAL_CHECK_LOCK_ORDER", default=True)
PORTAL_PLATE_HASH_KEY = env("PORTAL_PLATE_HASH_KEY", default="local-development-plate-key")
PORTAL_FILE_KEYS = env.list(
    "PORTAL_FILE_KEYS", default=["F5OD7D_j2mjHQQEFAWI3Em4vo_s_5Ku6nhfYXFDny6I="]
)
# runserver serves no static file with debug off: WhiteNoise serves them straight from
# static/ (no collectstatic), and picks up edited files without a restart.
# https://whitenoise.readthedocs.io/en/stable/django.html#WHITENOISE_USE_FINDERS
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
