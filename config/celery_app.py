"""The portal's Celery application.

Configuration is read from Django settings under the ``CELERY_`` prefix, so the
broker and schedules live next to the rest of the configuration.
"""

import json
import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

# Every task is an AfterCommitTask: services queue them with `delay_on_commit`.
app = Celery("portal", task_cls="apps.core.queueing:AfterCommitTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(bind=True, name="portal.messages_restore_orphaned")
def messages_restore_orphaned(self) -> int:
    """Put back in their queue the messages of tasks that a dead worker had taken.

    A task is acknowledged only once it is done (task_acks_late), so a worker killed in
    the middle of one leaves its message among the broker's unacknowledged ones, where
    Redis hands it out again only after the visibility timeout: hours (see settings).
    1. Read the unacknowledged messages first: one delivered after this is not looked at.
    2. Ask the live workers which tasks they hold: running, reserved or scheduled.
    3. Restore every message of step 1 whose task none holds. One acknowledged in the
       meantime is gone from the broker, and kombu's restore then does nothing.
    A live worker too busy to answer within the timeout is taken for dead and its task
    runs twice; the tasks allow it, each is idempotent.
    """
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        client = channel.client
        unacknowledged = client.hgetall(channel.unacked_key)
        if not unacknowledged:
            return 0
        inspect = app.control.inspect(timeout=1.0)
        active = inspect.active()
        if not active:
            return 0  # not even this worker answered: nothing can be told apart
        held = {self.request.id}
        for replies in (active, inspect.reserved() or {}, inspect.scheduled() or {}):
            for tasks in replies.values():
                held.update(task.get("id") or task["request"]["id"] for task in tasks)
        restored = 0
        for tag, payload in unacknowledged.items():
            task_id = json.loads(payload)[0].get("headers", {}).get("id")
            if task_id and task_id not in held:
                channel.qos.restore_by_tag(tag, client=client)
                restored += 1
        return restored


@worker_ready.connect
def restore_orphaned_on_start(**kwargs) -> None:
    """A worker that starts after a crash takes up again the tasks the crash interrupted."""
    messages_restore_orphaned.delay()
