from datetime import timedelta

from celery import shared_task
from celery.signals import worker_ready

from apps.audits.tasks import evaluate_municipality
from apps.municipalities.scoping import MunicipalityTask

from .loading import export_load
from .models import VendorExport
from .services import exports_stalled
from .services import originals_purge as purge


@shared_task(base=MunicipalityTask, name="vendors.export_ingest")
def export_ingest(*, municipality_id: int, export_id: int) -> str:
    """Load one uploaded export, then re-evaluate its municipality.

    Idempotent: a finished export is left as it is. The evaluation is queued whenever
    the export is loaded, also on a redelivery (evaluating twice changes nothing), so a
    worker that dies between the two steps loses no evaluation.
    """
    export = export_load(export_id=export_id)
    if export.status == VendorExport.Status.LOADED:
        evaluate_municipality.delay(municipality_id=municipality_id, trigger="upload")
    return export.status


@shared_task(name="vendors.exports_requeue_stalled")
def exports_requeue_stalled(queued_for_seconds: int = 600) -> int:
    """Queue again every export that waits but that no worker is loading (a worker died),
    or that has waited `queued_for_seconds` without being started (its message is lost)."""
    stalled = exports_stalled(queued_for=timedelta(seconds=queued_for_seconds))
    for municipality_id, export_id in stalled:
        export_ingest.delay(municipality_id=municipality_id, export_id=export_id)
    return len(stalled)


@worker_ready.connect
def requeue_stalled_on_start(**kwargs) -> None:
    """A worker that starts after a crash picks up the loads the crash interrupted, and
    after a broker outage the uploads that could not be queued or that a broker restarted
    without its data lost. So at start every waiting export counts, however fresh; one
    still in the queue is then queued twice, and the second load finds it done."""
    exports_requeue_stalled.delay(queued_for_seconds=0)


@shared_task(name="vendors.originals_purge")
def originals_purge() -> int:
    """Daily: remove the uploaded originals past PORTAL_ORIGINAL_RETENTION_DAYS.
    Idempotent: a purged export is not purged again."""
    return purge().exports
