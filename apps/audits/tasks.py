from celery import group

from apps.municipalities.models import Municipality
from apps.municipalities.scoping import MunicipalityTask
from config.celery_app import app

from .evaluation import municipality_evaluate


@app.task(base=MunicipalityTask, name="audits.evaluate_municipality")
def evaluate_municipality(*, municipality_id: int, trigger: str) -> dict:
    """Evaluate one municipality. Safe to run twice: the second run changes nothing."""
    municipality = Municipality.objects.get(pk=municipality_id)
    return municipality_evaluate(municipality=municipality, trigger=trigger).counts


def evaluations_dispatch(municipality_ids, *, trigger: str) -> int:
    """Queue one evaluation per municipality; workers take them in parallel."""
    ids = sorted(set(municipality_ids))
    if ids:
        group(
            evaluate_municipality.s(municipality_id=pk, trigger=trigger) for pk in ids
        ).apply_async()
    return len(ids)


@app.task(name="audits.evaluate_all")
def evaluate_all(trigger: str = "nightly") -> int:
    """The nightly fan-out: one task per municipality."""
    return evaluations_dispatch(Municipality.objects.values_list("pk", flat=True), trigger=trigger)
