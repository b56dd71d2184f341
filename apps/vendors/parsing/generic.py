"""The portal's own CSV templates, for any vendor without a dedicated parser."""

from collections.abc import Iterator
from datetime import date

from .errors import RowError
from .flock import split_reason
from .reading import Table, row_getter
from .records import GrantRecord, SearchRecord
from .values import (
    normalize_ori,
    parse_boolean,
    parse_count,
    parse_iso_time,
    plate_hash,
    split_search_type,
)

MODES = {"one_to_one", "statewide", "national", "similar_laws"}
STATUSES = {"pending", "accepted", "denied", "revoked"}
LEVELS = {"local", "county", "state", "federal", "tribal", "private", "other"}
ISO_HINT = "Not an ISO 8601 time with Z or an offset, like 2025-10-01T14:12:09Z."


def parse_grants(table: Table, columns: dict[str, int], warnings: list[str]) -> Iterator:
    for line, row in table.rows:
        if not any(cell.strip() for cell in row):
            continue
        get = row_getter(row, columns, len(table.header))
        partner = get("partner_agency")
        if not partner:
            yield RowError(line, "partner_agency", "", "The partner agency is empty.")
            continue
        mode, status, level = (
            get("mode").lower(),
            get("status").lower(),
            get("partner_level").lower(),
        )
        if mode not in MODES:
            yield RowError(line, "mode", get("mode"), f"Not one of {', '.join(sorted(MODES))}.")
            continue
        if status not in STATUSES:
            yield RowError(
                line, "status", get("status"), f"Not one of {', '.join(sorted(STATUSES))}."
            )
            continue
        if level and level not in LEVELS:
            yield RowError(line, "partner_level", level, f"Not one of {', '.join(sorted(LEVELS))}.")
            continue
        times = {}
        for column in ("requested_at", "decided_at"):
            try:
                times[column] = parse_iso_time(get(column)) if get(column) else None
            except ValueError:
                times[column] = ValueError
                yield RowError(line, column, get(column), ISO_HINT)
        if ValueError in times.values():
            continue
        try:
            declaration = parse_boolean(get("declaration_on_file"))
        except ValueError:
            yield RowError(
                line, "declaration_on_file", get("declaration_on_file"), "Not true or false."
            )
            continue
        try:
            declared = (
                date.fromisoformat(get("declaration_date")) if get("declaration_date") else None
            )
        except ValueError:
            yield RowError(
                line, "declaration_date", get("declaration_date"), "Not a date like 2025-02-14."
            )
            continue
        yield GrantRecord(
            line=line,
            partner_name=partner[:255],
            direction="outgoing",
            data_type="detections",
            mode=mode,
            status=status,
            partner_ori=normalize_ori(get("partner_ori")),
            partner_state=get("partner_state").upper()[:2],
            partner_level=level,
            requested_at=times["requested_at"],
            decided_at=times["decided_at"],
            decided_by=get("decided_by")[:150],
            declaration_on_file=declaration,
            declaration_date=declared,
            vendor_reference=get("vendor_reference")[:100],
        )


def parse_searches(table: Table, columns: dict[str, int], warnings: list[str]) -> Iterator:
    for line, row in table.rows:
        if not any(cell.strip() for cell in row):
            continue
        get = row_getter(row, columns, len(table.header))
        search_id, agency = get("search_id"), get("searching_agency")
        if not search_id:
            yield RowError(line, "search_id", "", "The search ID is empty.")
            continue
        if not agency:
            yield RowError(line, "searching_agency", "", "The searching agency is empty.")
            continue
        try:
            searched_at = parse_iso_time(get("searched_at"))
        except ValueError:
            yield RowError(line, "searched_at", get("searched_at"), ISO_HINT)
            continue
        counts = {}
        for column in ("networks_searched", "devices_searched"):
            try:
                counts[column] = parse_count(get(column))
            except ValueError:
                counts[column] = ValueError
                yield RowError(line, column, get(column), "Not a whole number.")
        if ValueError in counts.values():
            continue
        category, reason = split_reason(get("reason"))
        search_type, is_mobile = split_search_type(get("search_type"))
        yield SearchRecord(
            line=line,
            vendor_search_id=search_id[:100],
            searched_at=searched_at,
            agency_name=agency[:255],
            agency_ori=normalize_ori(get("searching_ori")),
            searcher=get("searcher")[:150],
            reason=reason,
            reason_category=category,
            reason_redacted=False,
            case_number=get("case_number")[:100],
            networks_searched=counts["networks_searched"],
            devices_searched=counts["devices_searched"],
            search_type=search_type[:30],
            is_mobile=is_mobile,
            time_frame_start=None,
            time_frame_end=None,
            filters="",
            text_prompt="",
            plate_hash=plate_hash(get("plate")) if get("plate") else "",
        )
