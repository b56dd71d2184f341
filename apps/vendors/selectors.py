from django.db.models import QuerySet

from apps.sharing.models import SearchEvent, SharingChange, SharingGrant

from .models import ExportRowError, VendorExport


def exports_recent(*, limit: int) -> QuerySet[VendorExport]:
    """The latest exports in the active tenant scope."""
    return exports_list()[:limit]


def exports_list() -> QuerySet[VendorExport]:
    return VendorExport.objects.select_related("vendor", "uploaded_by").order_by("-received_at")


def export_get(*, export_id: int) -> VendorExport:
    """One export of the active scope; another municipality's id raises DoesNotExist."""
    return exports_list().get(pk=export_id)


def export_row_errors(*, export: VendorExport) -> QuerySet[ExportRowError]:
    return ExportRowError.objects.filter(export=export).order_by("line", "column")


def export_searches(*, export: VendorExport) -> QuerySet[SearchEvent]:
    return SearchEvent.objects.filter(source_export=export).order_by("source_line")


def export_grants(*, export: VendorExport) -> QuerySet[SharingGrant]:
    return (
        SharingGrant.objects.filter(source_export=export)
        .select_related("agency")
        .order_by("source_line", "partner_name")
    )


def export_changes(*, export: VendorExport) -> QuerySet[SharingChange]:
    return (
        SharingChange.objects.filter(source_export=export)
        .select_related("grant")
        .order_by("occurred_at", "source_line")
    )
