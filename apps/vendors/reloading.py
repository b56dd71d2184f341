"""Load again, from their stored originals, exports a corrected parser reads differently.

Flock sharing lists (SharedNetworks) used to be read the wrong way round: the listed
networks as partners. Their grants are wrong, so `exports_reload` removes what those
exports wrote and loads them again, oldest upload first, then evaluates each
municipality again so findings on the wrong grants close and the right ones open.
"""

from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from apps.audits.evaluation import municipality_evaluate
from apps.audits.models import EvaluationRun
from apps.core import locks
from apps.municipalities.models import Municipality
from apps.municipalities.scoping import municipality_scope, statewide_scope
from apps.sharing.models import SharingChange, SharingGrant
from apps.sharing.ungranted import ungranted_refresh

from .loading import export_load
from .models import ExportRowError, VendorExport

# Formats whose exports only write grants and their history, so their effect can be
# removed and rebuilt from the files.
RELOADABLE_FORMATS = ("flock_sharing_list", "motorola_sharing_report", "generic_grants")


@dataclass
class ReloadOutcome:
    municipality: Municipality
    vendor_name: str
    reloaded: list[VendorExport] = field(default_factory=list)
    skipped: str = ""  # why nothing was done, when nothing was
    evaluation: EvaluationRun | None = None


def exports_reload(*, format_key: str, municipality: Municipality | None = None) -> list:
    """Re-load every loaded export of `format_key` (of one municipality, or all) and
    evaluate each affected municipality again. Returns one outcome per municipality and
    vendor. Safe to run again: an interrupted run is finished by the next one."""
    if format_key not in RELOADABLE_FORMATS:
        raise ValueError(f"{format_key} exports cannot be re-loaded")
    with statewide_scope():
        exports = VendorExport.objects.filter(
            file_format=format_key,
            # RECEIVED: reset by an earlier run that stopped before loading it again.
            status__in=(VendorExport.Status.LOADED, VendorExport.Status.RECEIVED),
        )
        if municipality is not None:
            exports = exports.filter(municipality=municipality)
        groups = sorted(
            {(e.municipality_id, e.vendor_id) for e in exports.only("municipality", "vendor")}
        )
        municipalities = Municipality.objects.in_bulk({m for m, _ in groups})
    outcomes = []
    for municipality_id, vendor_id in groups:
        tenant = municipalities[municipality_id]
        with municipality_scope(tenant):
            outcomes.append(_reload_group(tenant, vendor_id, format_key))
    return outcomes


def _reload_group(tenant: Municipality, vendor_id: int, format_key: str) -> ReloadOutcome:
    exports = list(
        VendorExport.objects.select_related("vendor")
        .filter(
            vendor_id=vendor_id,
            file_format=format_key,
            status__in=(VendorExport.Status.LOADED, VendorExport.Status.RECEIVED),
        )
        .order_by("received_at", "pk")
    )
    outcome = ReloadOutcome(tenant, exports[0].vendor.name)
    purged = [e.original_name for e in exports if e.original_purged_at]
    if purged:
        # Without every original the history cannot be rebuilt; leave it as it is.
        outcome.skipped = f"original(s) purged: {', '.join(purged)}"
        return outcome
    # Committed before loading: each load reports progress on the export's row through
    # a second connection, which would wait for this transaction's lock on that row.
    with transaction.atomic():
        # A load's locks: the grants and the rollup of what they cover change together.
        locks.INGEST.take(tenant.pk)
        locks.SEARCHES.take(shared=True)
        SharingChange.objects.filter(source_export__in=exports).delete()
        # Grants these exports made and nothing else ever touched.
        SharingGrant.objects.filter(vendor_id=vendor_id).exclude(
            Exists(SharingChange.objects.filter(grant=OuterRef("pk")))
        ).delete()
        ExportRowError.objects.filter(export__in=exports).delete()
        VendorExport.objects.filter(pk__in=[e.pk for e in exports]).update(
            status=VendorExport.Status.RECEIVED,
            progress_percent=0,
            rows_processed=0,
            rows_loaded=0,
            rows_rejected=0,
            rows_duplicate=0,
            period_start=None,
            period_end=None,
            warnings=[],
            message="",
            finished_at=None,
        )
        with connection.cursor() as cursor:
            ungranted_refresh(cursor, municipality_ids=[tenant.pk])
    for export in exports:
        outcome.reloaded.append(export_load(export_id=export.pk))
    outcome.evaluation = municipality_evaluate(
        municipality=tenant, trigger=EvaluationRun.Trigger.MANUAL
    )
    return outcome
