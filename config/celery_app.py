"""The portal's Celery application.

Configuration is read from Django settings under the ``CELERY_`` prefix, so the
broker and schedules live next to the rest of the configuration.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
