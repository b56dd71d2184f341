from celery import shared_task

from .sign_in_limits import sign_in_limits_purge_stale


@shared_task(name="accounts.sign_in_limits_purge_stale")
def sign_in_limits_purge() -> int:
    """Forget quiet sign-in counts, so made-up usernames do not pile up (idempotent)."""
    return sign_in_limits_purge_stale()
