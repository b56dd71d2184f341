import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from apps.accounts.models import User
from apps.core import activity, locks
from apps.core.queueing import task_named
from apps.municipalities.models import Municipality
from apps.municipalities.scoping import statewide_scope

from .models import Vendor, VendorExport
from .storage import (
    StagedUpload,
    UploadEmpty,
    UploadTooLarge,
    export_keep,
    export_path,
    export_stage,
    export_work_sweep,
)

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
        staged = export_stage(chunks, max_bytes=settings.PORTAL_UPLOAD_MAX_BYTES)
    except UploadTooLarge:
        limit = filesizeformat(settings.PORTAL_UPLOAD_MAX_BYTES)
        raise UploadRefused(
            f"The file is larger than the {limit} limit. Split it by month and upload each part."
        ) from None
    except UploadEmpty:
        raise UploadRefused("The file is empty: there is nothing to load.") from None

    sha256, size = staged.sha256, staged.size
    unqueued: list[int] = []  # filled once the row is committed, if the broker is down
    with _discarded_unless_kept(staged), transaction.atomic():
        locks.ORIGINAL.take(sha256)
        earlier = (
            VendorExport.objects.filter(sha256=sha256)
            .exclude(status=VendorExport.Status.REJECTED)
            .first()
        )
        if earlier is not None:
            # The copy stored with it stays, or was purged with it: nothing to keep.
            return Received(earlier, already_uploaded=True)
        export_keep(staged)
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
    try:
        task_named("vendors.export_ingest").delay(
            municipality_id=export.municipality_id, export_id=export.pk
        )
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
    queued_before = timezone.now() - queued_for
    with statewide_scope():
        waiting = list(
            VendorExport.objects.filter(
                Q(status=VendorExport.Status.PARSING)
                | Q(status=VendorExport.Status.RECEIVED, received_at__lt=queued_before)
            ).values_list("municipality_id", "pk")
        )
    stalled = []
    with transaction.atomic():
        for municipality_id, export_id in waiting:
            if locks.INGEST.try_take(municipality_id):
                stalled.append((municipality_id, export_id))
    return stalled


@contextmanager
def _discarded_unless_kept(staged: StagedUpload) -> Iterator[None]:
    try:
        yield
    finally:
        staged.discard()


@dataclass(frozen=True)
class Purged:
    exports: int  # exports whose original is no longer offered
    files_removed: int
    files_kept: int  # still the original of a newer export with the same content


def originals_purge(*, now: datetime | None = None) -> Purged:
    """Remove the originals of the exports received more than
    PORTAL_ORIGINAL_RETENTION_DAYS ago; what was loaded from them stays.

    Each export gets `original_purged_at` and an entry in the activity log. A file is
    removed once no export still within the period (of any municipality: the same
    content is stored once) has the same SHA-256. Exports not yet loaded or rejected
    wait. One transaction per file, under its lock, so an upload of the same content
    at that moment either finds the file gone and stores it again, or keeps it.
    Running it again finds nothing more to do.
    """
    now = now or timezone.now()
    days = settings.PORTAL_ORIGINAL_RETENTION_DAYS
    cutoff = now - timedelta(days=days)
    finished = [VendorExport.Status.LOADED, VendorExport.Status.REJECTED]
    exports = removed = kept = 0
    with statewide_scope():
        expiring = VendorExport.objects.filter(
            received_at__lt=cutoff, original_purged_at__isnull=True, status__in=finished
        )
        for sha256 in expiring.values_list("sha256", flat=True).distinct().order_by():
            with transaction.atomic():
                locks.ORIGINAL.take(sha256)
                expired = list(expiring.filter(sha256=sha256).order_by("pk"))
                if not expired:
                    continue  # another purge got there first
                VendorExport.objects.filter(pk__in=[e.pk for e in expired]).update(
                    original_purged_at=now
                )
                still_needed = VendorExport.objects.filter(
                    sha256=sha256, original_purged_at__isnull=True
                ).exists()
                if still_needed:
                    kept += 1
                else:
                    # Removed before the commit, under the lock: after it, an upload of
                    # the same content could store the file again and lose it.
                    export_path(sha256).unlink(missing_ok=True)
                    removed += 1
                for export in expired:
                    activity.record("export.original_purged", subject=export, detail={
                        "received": export.received_at.date().isoformat(),
                        "retention days": days, "sha256": sha256,
                        "file kept for a newer upload of the same content": still_needed,
                    })  # fmt: skip
                exports += len(expired)
    export_work_sweep(older_than=timedelta(days=1))
    logger.info("originals purged: %s exports, %s files removed, %s kept", exports, removed, kept)
    return Purged(exports=exports, files_removed=removed, files_kept=kept)
