"""Which layout a file is in, decided from its header row (docs/vendor-formats.md §8)."""

import re
from dataclasses import dataclass

from .errors import FileRejected


def normalize_header(cell: str) -> str:
    cell = cell.replace("\ufeff", "").replace("\u00a0", " ").replace("\u2019", "'")
    return re.sub(r"\s+", " ", cell).strip().casefold()


@dataclass(frozen=True)
class Format:
    key: str
    label: str
    kind: str  # the VendorExport.Kind it produces
    vendor: str | None  # the vendor slug it belongs to; None = any vendor
    identifying: tuple[str, ...]
    required: tuple[str, ...]
    # (column, strftime pattern): how a date or time that Excel typed in a workbook is
    # written for that column, so the parser reads it as it reads the CSV's text. A
    # cell holding only a time takes the pattern from its first hour directive on.
    # Other columns get ISO 8601 without a zone (`2025-08-19 13:36:30.943000`).
    excel_text: tuple[tuple[str, str], ...] = ()
    # The other columns the parser reads when the header has them (the in-portal format
    # guide lists them and puts them in the format's template).
    optional: tuple[str, ...] = ()


FORMATS = (
    Format(
        "motorola_sharing_report", "Motorola Vigilant sharing report", "sharing_list", "motorola",
        ("section", "partner agency", "sharing type"),
        ("section", "partner agency", "partner ori", "partner state", "sharing type", "status",
         "requested date", "decision date", "decided by", "declaration on file",
         "declaration date"),
        excel_text=(("requested date", "%m/%d/%Y %H:%M"), ("decision date", "%m/%d/%Y %H:%M"),
                    ("declaration date", "%m/%d/%Y")),
    ),
    Format(
        "generic_grants", "portal template: sharing grants", "sharing_list", None,
        ("partner_agency", "mode", "status"),
        ("partner_agency", "mode", "status"),
        excel_text=(("declaration_date", "%Y-%m-%d"),),
        optional=("partner_ori", "partner_state", "partner_level", "requested_at", "decided_at",
                  "decided_by", "declaration_on_file", "declaration_date", "vendor_reference"),
    ),
    Format(
        "generic_searches", "portal template: searches", "network_audit", None,
        ("search_id", "searched_at", "searching_agency"),
        ("search_id", "searched_at", "searching_agency"),
        optional=("searching_ori", "searcher", "reason", "case_number", "networks_searched",
                  "devices_searched", "search_type", "plate"),
    ),
    Format(
        "flock_event_log", "portal template: Flock share events", "event_log", "flock",
        ("entity_type", "event_type", "created_at"),
        ("id", "entity_type", "event_type", "created_at", "network_name"),
        optional=("actor", "details"),
    ),
    Format(
        "flock_events", "Flock event log", "event_log", "flock",
        ("timestamp", "event type", "entity type", "entity details"),
        ("timestamp", "user", "event type", "entity type", "entity details"),
        optional=("event id",),
    ),
    Format(
        "flock_sharing_list", "Flock sharing list (SharedNetworks)", "sharing_list", "flock",
        ("organization name", "networks i'm sharing"),
        ("organization name", "networks shared with me", "networks i'm sharing"),
    ),
    Format(
        "flock_audit", "Flock network / organization audit", "network_audit", "flock",
        ("id", "org name", "search time"),
        ("id", "org name", "search time", "total networks searched", "reason"),
        excel_text=(("search time", "%m/%d/%Y, %I:%M:%S %p UTC"), ("search date", "%m/%d/%Y")),
        # With `search date`, `search time` holds the time of day only (the split variant).
        optional=("name", "license plate", "total devices searched", "time frame", "case #",
                  "filters", "search type", "text prompt", "search date"),
    ),
)  # fmt: skip
FORMATS_BY_KEY = {f.key: f for f in FORMATS}


def detect_format(header: list[str]) -> tuple[Format, dict[str, int]]:
    """The format of a header row and where each of its columns is.

    Raises FileRejected naming what was expected and what was found.
    """
    columns: dict[str, int] = {}
    for position, cell in enumerate(header):
        name = normalize_header(cell)
        if not name:
            continue
        if name in columns:
            raise FileRejected(
                "duplicate_column", f'The column "{_shown(cell)}" appears twice in the header.'
            )
        columns[name] = position
    for fmt in FORMATS:
        if all(column in columns for column in fmt.identifying):
            missing = [column for column in fmt.required if column not in columns]
            if missing:
                raise FileRejected(
                    "missing_columns",
                    f"This looks like a {fmt.label} file, but the header lacks the "
                    f"column(s): {', '.join(missing)}. Found: {_found(header)}.",
                )
            return fmt, columns
    raise FileRejected(
        "unknown_format",
        f"The header does not match any supported export. Found columns: {_found(header)}. "
        f"Expected one of — {expected_headers()}. See the format guide.",
    )


def expected_headers() -> str:
    """The columns that identify each format, as a rejection lists them."""
    return "; ".join(f"{f.label}: {', '.join(f.identifying)}" for f in FORMATS)


def _found(header: list[str]) -> str:
    shown = [_shown(cell) for cell in header if cell.strip()][:20]
    return ", ".join(shown) or "(none)"


def _shown(cell: str, limit: int = 40) -> str:
    """A header cell as a rejection message may quote it: the file is untrusted, and a
    damaged one puts control characters or a whole row in its "header"."""
    text = " ".join("".join(c if c.isprintable() else " " for c in cell[: limit * 4]).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
