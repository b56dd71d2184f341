from celery import group, shared_task
from django.conf import settings

from apps.municipalities.models import Municipality
from apps.municipalities.scoping import MunicipalityTask

from .evaluation import municipalities_changed, municipalities_evaluate, municipality_evaluate


@shared_task(base=MunicipalityTask, name="audits.evaluate_municipality")
def evaluate_municipality(*, municipality_id: int, trigger: str) -> dict:
    """Evaluate one municipality (a batch of one). Safe to run twice: the second run
    changes nothing."""
    municipality = Municipality.objects.get(pk=municipality_id)
    return municipality_evaluate(municipality=municipality, trigger=trigger).counts


@shared_task(name="audits.evaluate_batch", acks_late=True)
def evaluate_batch(*, municipality_ids: list[int], trigger: str, force: bool = True) -> int:
    """Evaluate a batch of municipalities in one transaction. Acknowledged once done: a
    worker killed in the middle leaves the message to be delivered again, and the batch,
    rolled back, runs again from the start; run twice, it changes nothing the second time.
    It reads and writes only the municipalities it was given (each query names them).
    Unless `force`, it skips those whose inputs are their last run's (checked under the
    batch's locks: an upload's run may have come first)."""
    return len(municipalities_evaluate(municipality_ids, trigger=trigger, force=force))


def batches(municipality_ids) -> list[list[int]]:
    """The municipalities in ascending id order, cut in batches of
    PORTAL_EVALUATION_BATCH_SIZE."""
    ids = sorted({int(pk) for pk in municipality_ids})
    size = max(1, settings.PORTAL_EVALUATION_BATCH_SIZE)
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def evaluations_dispatch(municipality_ids, *, trigger: str, force: bool = True) -> int:
    """Queue one evaluation per batch of municipalities; workers, on any machine sharing
    the broker and the database, take the batches in parallel. `force=False` lets each
    batch skip the municipalities whose inputs have not changed."""
    work = batches(municipality_ids)
    if work:
        group(
            evaluate_batch.s(municipality_ids=batch, trigger=trigger, force=force) for batch in work
        ).apply_async()
    return sum(len(batch) for batch in work)


@shared_task(name="audits.evaluations_dispatch")
def evaluations_queue(*, municipality_ids: list[int], trigger: str, force: bool = True) -> int:
    """`evaluations_dispatch` for the apps below audits, which queue it by name once their
    change commits (an agency edited, a rule or a term changed). Queueing the batches
    again on a redelivery only evaluates them again, which changes nothing."""
    return evaluations_dispatch(municipality_ids, trigger=trigger, force=force)


@shared_task(name="audits.evaluate_all")
def evaluate_all(trigger: str = "nightly", force: bool = False) -> int:
    """The nightly fan-out: the municipalities whose inputs changed since their last run,
    in batches, one task per batch (the others are recorded unchanged); with `force`,
    the whole state. Returns how many were queued."""
    ids = Municipality.objects.values_list("pk", flat=True)
    if not force:
        ids = municipalities_changed(ids, trigger=trigger)
    return evaluations_dispatch(ids, trigger=trigger, force=force)
