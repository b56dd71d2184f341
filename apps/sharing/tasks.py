from config.celery_app import app

from .partitions import searches_partitions_ensure as ensure


@app.task(name="sharing.searches_partitions_ensure")
def searches_partitions_ensure(months_ahead: int = 3) -> list[str]:
    """Daily: create the searches' partitions of this month and the next `months_ahead`.
    Idempotent: existing months are left as they are."""
    return ensure(months_ahead=months_ahead)
