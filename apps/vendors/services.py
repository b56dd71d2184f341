import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from apps.accounts.models import User
from apps.core import activity
from apps.municipalities.models import Municipality

from .models import Vendor, VendorExport
from .storage import UploadEmpty, UploadTooLarge, export_store

logger = logging.getLogger(__name__)


class UploadRefused(Exception):
    """The upload was not stored; `message` says why, for the uploader."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Received:
    export: VendorExport
    already_uploaded: bool
    # False when the broker could not be reached: the export waits, stored and "received",
    # for the requeue a worker runs when it starts.
    queued: bool = True


def export_receive(
    *,
    municipality: Municipality,
    vendor: Vendor,
    kind: str,
    original_name: str,
    chunks,
    uploaded_by: User | None,
    queue: bool = True,
) -> Received:
    """Store an uploaded file and, unless it was uploaded before, queue it for loading.

    `kind` is a VendorExport.Kind value or "" to detect it from the file. The same
    file (same SHA-256) uploaded again for the same municipality is recognised and
    returns the earlier export instead of loading it twice.
    """
    try:
        sha256, size, _ = export_store(chunks, max_bytes=settings.PORTAL_UPLOAD_MAX_BYTES)
    except UploadTooLarge:
        limit = filesizeformat(settings.PORTAL_UPLOAD_MAX_BYTES)
        raise UploadRefused(
            f"The file is larger than the {limit} limit. Split it by month and upload each part."
        ) from None
    except UploadEmpty:
        raise UploadRefused("The file is empty: there is nothing to load.") from None

    unqueued: list[int] = []  # filled once the row is committed, if the broker is down
    with transaction.atomic():
        earlier = (
            VendorExport.objects.filter(sha256=sha256)
            .exclude(status=VendorExport.Status.REJECTED)
            .first()
        )
        if earlier is not None:
            return Received(earlier, already_uploaded=True)
        export = VendorExport(
            municipality=municipality,
            vendor=vendor,
            kind=kind,
            original_name=original_name[:255],
            sha256=sha256,
            size=size,
            uploaded_by=uploaded_by,
        )
        try:
            with transaction.atomic():
                export.full_clean()
                export.save()
        except (IntegrityError, ValidationError):
            # The same file, uploaded twice at the same moment: the other one won.
            earlier = (
                VendorExport.objects.filter(sha256=sha256)
                .exclude(status=VendorExport.Status.REJECTED)
                .first()
            )
            if earlier is None:
                raise
            return Received(earlier, already_uploaded=True)
        activity.record(
            "export.uploaded",
            subject=export,
            detail={"file name": original_name, "bytes": size,
                    "sha256": export.sha256, "vendor": vendor.slug, "kind": kind},
            actor=uploaded_by,
        )  # fmt: skip
        if queue:

            def publish() -> None:
                if not export_queue(export=export):
                    unqueued.append(export.pk)

            # Queued only once the row is committed, so the worker always finds it.
            transaction.on_commit(publish)
    return Received(export, already_uploaded=False, queued=queue and not unqueued)


def export_queue(*, export: VendorExport) -> bool:
    """Queue the load of a committed export; False when the broker cannot be reached.

    Publishing gives up within seconds (see the broker timeouts in settings) instead of
    holding the request; the export then stays stored and "received" until a worker that
    starts requeues it (exports_stalled).
    """
    from .tasks import export_ingest

    try:
        export_ingest.delay(municipality_id=export.municipality_id, export_id=export.pk)
    except BrokerUnreachable:
        logger.warning("broker unreachable; export %s waits for a worker", export.pk, exc_info=True)
        return False
    return True


def exports_stalled(*, queued_for: timedelta = timedelta(minutes=10)) -> list[tuple[int, int]]:
    """(municipality id, export id) of unfinished exports whose municipality no load holds.

    A load holds its municipality's advisory lock for its whole transaction, so a free
    lock with an unfinished export means the worker that had it is gone. An export not yet
    started counts once it has waited `queued_for`: before that it is probably still in
    the queue.
    """
    from apps.municipalities.scoping import statewide_scope

    from .loading import INGEST_LOCK

    queued_before = timezone.now() - queued_for
    with statewide_scope():
        waiting = list(
            VendorExport.objects.filter(
                Q(status=VendorExport.Status.PARSING)
                | Q(status=VendorExport.Status.RECEIVED, received_at__lt=queued_before)
            ).values_list("municipality_id", "pk")
        )
    stalled = []
    with transaction.atomic(), connection.cursor() as cursor:
        for municipality_id, export_id in waiting:
            cursor.execute(
                "SELECT pg_try_advisory_xact_lock(%s, %s)", [INGEST_LOCK, municipality_id]
            )
            if cursor.fetchone()[0]:
                stalled.append((municipality_id, export_id))
    return stalled
