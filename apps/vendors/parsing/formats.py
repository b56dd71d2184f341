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


FORMATS = (
    Format(
        "motorola_sharing_report", "Motorola Vigilant sharing report", "sharing_list", "motorola",
        ("section", "partner agency", "sharing type"),
        ("section", "partner agency", "partner ori", "partner state", "sharing type", "status",
         "requested date", "decision date", "decided by", "declaration on file",
         "declaration date"),
    ),
    Format(
        "generic_grants", "portal template: sharing grants", "sharing_list", None,
        ("partner_agency", "mode", "status"),
        ("partner_agency", "mode", "status"),
    ),
    Format(
        "generic_searches", "portal template: searches", "network_audit", None,
        ("search_id", "searched_at", "searching_agency"),
        ("search_id", "searched_at", "searching_agency"),
    ),
    Format(
        "flock_event_log", "Flock sharing event log", "event_log", "flock",
        ("entity_type", "event_type", "created_at"),
        ("id", "entity_type", "event_type", "created_at", "network_name"),
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
    ),
)  # fmt: skip
FORMATS_BY_KEY = {f.key: f for f in FORMATS}


def detect_format(header: list[str], *, workbook: bool = False) -> tuple[Format, dict[str, int]]:
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
    candidates = [f for f in FORMATS if not workbook or f.key == "flock_audit"]
    for fmt in candidates:
        if all(column in columns for column in fmt.identifying):
            missing = [column for column in fmt.required if column not in columns]
            if missing:
                raise FileRejected(
                    "missing_columns",
                    f"This looks like a {fmt.label} file, but the header lacks the "
                    f"column(s): {', '.join(missing)}. Found: {_found(header)}.",
                )
            return fmt, columns
    expected = "; ".join(f"{f.label}: {', '.join(f.identifying)}" for f in candidates)
    raise FileRejected(
        "unknown_format",
        f"The header does not match any supported export. Found columns: {_found(header)}. "
        f"Expected one of — {expected}. See the format guide.",
    )


def _found(header: list[str]) -> str:
    shown = [_shown(cell) for cell in header if cell.strip()][:20]
    return ", ".join(shown) or "(none)"


def _shown(cell: str, limit: int = 40) -> str:
    """A header cell as a rejection message may quote it: the file is untrusted, and a
    damaged one puts control characters or a whole row in its "header"."""
    text = " ".join("".join(c if c.isprintable() else " " for c in cell[: limit * 4]).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
