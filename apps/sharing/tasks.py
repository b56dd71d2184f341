from celery import shared_task

from apps.core.queueing import task_named

from .partitions import searches_partitions_ensure as ensure
from .services import reasons_reclassify_all


@shared_task(name="sharing.searches_partitions_ensure")
def searches_partitions_ensure(months_ahead: int = 3) -> list[str]:
    """Daily: create the searches' partitions of this month and the next `months_ahead`.
    Idempotent: existing months are left as they are."""
    return ensure(months_ahead=months_ahead)


@shared_task(name="sharing.reasons_reclassify")
def reasons_reclassify() -> int:
    """After a term change: relabel stored searches, evaluate the municipalities touched.
    Returns how many municipalities are queued for evaluation. Run twice, the second run
    finds no label to change."""
    touched = reasons_reclassify_all()
    if touched:
        task_named("audits.evaluations_dispatch").delay_on_commit(
            municipality_ids=touched, trigger="terms"
        )
    return len(touched)
