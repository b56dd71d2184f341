from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from apps.accounts.models import User
from apps.core import activity
from apps.municipalities.models import Municipality

from .models import Vendor, VendorExport
from .storage import UploadEmpty, UploadTooLarge, export_store


class UploadRefused(Exception):
    """The upload was not stored; `message` says why, for the uploader."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Received:
    export: VendorExport
    already_uploaded: bool


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
            from .tasks import export_ingest

            # Queued only once the row is committed, so the worker always finds it.
            transaction.on_commit(
                lambda: export_ingest.delay(municipality_id=municipality.pk, export_id=export.pk)
            )
    return Received(export, already_uploaded=False)


def exports_stalled() -> list[tuple[int, int]]:
    """(municipality id, export id) of unfinished exports whose municipality no load holds.

    A load holds its municipality's advisory lock for its whole transaction, so a free
    lock with an unfinished export means the worker that had it is gone.
    """
    from apps.municipalities.scoping import statewide_scope

    from .loading import INGEST_LOCK

    # A fresh upload is probably still in the queue; give it time before calling it lost.
    queued_before = timezone.now() - timedelta(minutes=10)
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
