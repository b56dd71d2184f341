"""Motorola Vigilant LEARN sharing report, in the portal's documented layout."""

import re
from collections.abc import Iterator

from .errors import RowError
from .reading import Table, row_getter
from .records import GrantRecord
from .values import normalize_ori, parse_boolean, parse_central_time, parse_us_date

SECTIONS = {
    "detections shared": ("outgoing", "detections"),
    "detections received": ("incoming", "detections"),
    "hot list sharing": ("outgoing", "hot_list"),
    "hot list shared": ("outgoing", "hot_list"),
    "hot list received": ("incoming", "hot_list"),
}
MODES = {"onetoone": "one_to_one", "statewide": "statewide", "national": "national",
         "similarlaws": "similar_laws"}  # fmt: skip
STATUSES = {"pending", "accepted", "denied", "revoked"}


def parse_report(table: Table, columns: dict[str, int], warnings: list[str]) -> Iterator:
    c = columns
    for line, row in table.rows:
        if not any(cell.strip() for cell in row):
            continue
        get = row_getter(row, c, len(table.header))

        section = SECTIONS.get(" ".join(get("section").casefold().replace("-", " ").split()))
        if section is None:
            yield RowError(
                line, "Section", get("section"), "Not one of the report's four sections."
            )
            continue
        mode = MODES.get(re.sub(r"[\s\-_]", "", get("sharing type").casefold()))
        if mode is None:
            yield RowError(
                line, "Sharing Type", get("sharing type"),
                "Not One-to-One, Statewide, National or Similar Laws.",
            )  # fmt: skip
            continue
        status = get("status").casefold()
        if status not in STATUSES:
            yield RowError(
                line, "Status", get("status"), "Not Pending, Accepted, Denied or Revoked."
            )
            continue
        partner = get("partner agency")
        if not partner:
            yield RowError(line, "Partner Agency", "", "The partner agency is empty.")
            continue
        try:
            requested = parse_central_time(get("requested date")) if get("requested date") else None
        except ValueError:
            yield RowError(line, "Requested Date", get("requested date"), "Not MM/DD/YYYY HH:MM.")
            continue
        try:
            decided = parse_central_time(get("decision date")) if get("decision date") else None
        except ValueError:
            yield RowError(line, "Decision Date", get("decision date"), "Not MM/DD/YYYY HH:MM.")
            continue
        try:
            declaration = parse_boolean(get("declaration on file"))
        except ValueError:
            yield RowError(
                line, "Declaration On File", get("declaration on file"), "Not Yes or No."
            )
            continue
        try:
            declared = parse_us_date(get("declaration date")) if get("declaration date") else None
        except ValueError:
            yield RowError(line, "Declaration Date", get("declaration date"), "Not MM/DD/YYYY.")
            continue
        direction, data_type = section
        yield GrantRecord(
            line=line,
            partner_name=partner[:255],
            direction=direction,
            data_type=data_type,
            mode=mode,
            status=status,
            partner_ori=normalize_ori(get("partner ori")),
            partner_state=get("partner state").upper()[:2],
            requested_at=requested,
            decided_at=decided,
            decided_by=get("decided by")[:150],
            declaration_on_file=declaration,
            declaration_date=declared,
        )
