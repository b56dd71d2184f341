"""Parse a vendor export into records: detect the layout, then yield records and row
errors. Nothing here touches the database; `apps.vendors.loading` does."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from . import flock, flock_events, generic, learn, motorola
from .errors import FileRejected, RowError
from .formats import FORMATS_BY_KEY, Format, detect_format
from .reading import Table, open_table
from .records import GrantRecord, IgnoredRow, SearchRecord, SharingEventRecord

PARSERS = {
    "flock_audit": flock.parse_audit,
    "flock_sharing_list": flock.parse_sharing_list,
    "flock_event_log": flock.parse_event_log,
    "flock_events": flock_events.parse_events,
    "motorola_sharing_report": motorola.parse_report,
    "generic_grants": generic.parse_grants,
    "generic_searches": generic.parse_searches,
}

__all__ = [
    "FORMATS_BY_KEY",
    "FileRejected",
    "GrantRecord",
    "IgnoredRow",
    "ParsedExport",
    "RowError",
    "SearchRecord",
    "SharingEventRecord",
    "parse_export",
]


@dataclass
class ParsedExport:
    format: Format
    table: Table
    items: Iterator  # SearchRecord / GrantRecord / SharingEventRecord / IgnoredRow / RowError

    @property
    def warnings(self) -> list[str]:
        return self.table.warnings


def parse_export(path: Path) -> ParsedExport:
    """Open `path`, detect its format and return a lazy stream of its rows.

    Raises FileRejected for files that cannot be loaded at all. The caller closes
    `table` when done.
    """
    with path.open("rb") as probe:
        head = probe.read(8)
    # A LEARN report comes as a PDF or as a workbook of its sections, which no header
    # row identifies: both are recognised before the tables (apps/vendors/parsing/learn.py).
    if learn.is_pdf(head):
        return ParsedExport(*learn.parse_pdf(path))
    if head.startswith(b"PK\x03\x04") and (workbook := learn.open_section_workbook(path)):
        return ParsedExport(*workbook)
    table = open_table(path)
    try:
        fmt, columns = detect_format(table.header)
    except FileRejected:
        table.close()
        raise
    items = PARSERS[fmt.key](table, columns, table.warnings)
    return ParsedExport(fmt, table, items)
