"""Queueing work for the workers once a change is committed, without letting a broker
outage turn a saved change into an error page.

Every task of the portal is an `AfterCommitTask` (the Celery app's `task_cls`, see
`config/celery_app.py`), so a service queues one with `delay_on_commit`. A service names
a task of its own app or of an app above it with `task_named`, never by importing the
tasks module: tasks import services, so an import back would close a circle, and an app
may not import the apps above it (the import contracts in pyproject.toml).
"""

import functools
import logging
from collections.abc import Callable

from celery import current_app
from celery.contrib.django.task import DjangoTask
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnreachable

logger = logging.getLogger(__name__)


def publish_after_commit(send: Callable[[], object], *, what: str) -> None:
    """Call `send` (a task's `delay`, a dispatch) once the transaction commits.

    If the broker cannot be reached the change stays committed and the failure is logged
    with `what`; the nightly evaluation of every municipality catches up with it. (Uploads
    have their own path, `apps.vendors.services.export_queue`, which also tells the user.)
    """

    def run() -> None:
        try:
            send()
        except BrokerUnreachable:
            logger.warning("broker unreachable, not queued: %s", what, exc_info=True)

    transaction.on_commit(run)


class AfterCommitTask(DjangoTask):
    """The base class of the portal's tasks: `delay_on_commit` queues the task once the
    caller's transaction commits (at once outside one), so a worker always finds the rows
    it is given, and a broker that cannot be reached is logged instead of raised."""

    def delay_on_commit(self, *args, **kwargs) -> None:
        publish_after_commit(
            functools.partial(self.delay, *args, **kwargs), what=f"{self.name} {kwargs}"
        )


def task_named(name: str) -> AfterCommitTask:
    """The task registered as `name` (e.g. "audits.evaluate_municipality")."""
    app = current_app
    if name not in app.tasks:
        # A worker imports every app's tasks module at start; a web process or a command
        # does it here, the first time it queues a task.
        app.loader.import_default_modules()
    return app.tasks[name]
