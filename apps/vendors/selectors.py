from dataclasses import dataclass

from django.db.models import Model, QuerySet

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


@dataclass(frozen=True)
class RowsPage:
    """Rows of one export in file order, and whether rows come before and after them."""

    rows: list
    has_previous: bool
    has_next: bool


def export_rows_page(
    rows: QuerySet,
    *,
    line: str,
    size: int,
    after: tuple[int, int] | None = None,
    before: tuple[int, int] | None = None,
    from_line: int | None = None,
) -> RowsPage:
    """One page of `rows` ordered by (`line`, id), found by keyset rather than offset.

    A page starts after the (line, id) of the previous page's last row, ends before the
    next page's first, or starts at a line of the file; the (export, line) index finds
    it as fast on the 20,000th page of a million searches as on the first, and nothing
    is counted. Several rows may share a line (a sharing list's incoming and outgoing
    grants of one partner): the id keeps them apart.
    """
    if before is not None:
        before_line, before_id = before
        found = list(
            rows.filter(**{f"{line}__lte": before_line})
            .exclude(**{line: before_line, "id__gte": before_id})
            .order_by(f"-{line}", "-id")[: size + 1]
        )
        if found:
            return RowsPage(found[:size][::-1], has_previous=len(found) > size, has_next=True)
        after = None  # nothing before it: the first page
    chosen = rows
    if after is not None:
        after_line, after_id = after
        chosen = rows.filter(**{f"{line}__gte": after_line}).exclude(
            **{line: after_line, "id__lte": after_id}
        )
    elif from_line is not None:
        chosen = rows.filter(**{f"{line}__gte": from_line})
    found = list(chosen.order_by(line, "id")[: size + 1])
    if after is not None:
        has_previous = True
    elif from_line is not None:
        has_previous = rows.filter(**{f"{line}__lt": from_line}).exists()
    else:
        has_previous = False
    return RowsPage(found[:size], has_previous=has_previous, has_next=len(found) > size)


def row_key(row: Model, *, line: str) -> tuple[int, int]:
    """Where a row stands in its export's file order: (line, id)."""
    return getattr(row, line), row.id


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
