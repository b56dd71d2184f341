"""Queueing work for the workers once a change is committed, without letting a broker
outage turn a saved change into an error page."""

import logging
from collections.abc import Callable

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
