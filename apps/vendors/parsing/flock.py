"""Flock Safety exports: network/organization audits, sharing lists, event logs."""

import json
import re
from collections.abc import Iterator
from datetime import date

from .errors import RowError
from .reading import Table
from .records import GrantRecord, SearchRecord, SharingEventRecord
from .values import (
    is_redacted,
    parse_count,
    parse_flock_time,
    parse_iso_time,
    plate_hasher,
    split_search_type,
)

# Flock's 2026 reason dropdown; the text after " - " is optional.
# Matched as Flock spells them: free text such as "narcotics - sold ice" is not a category.
REASON_CATEGORIES = frozenset(
    (
        "Immigration (civil/administrative)",
        "Immigration (criminal)",
        "Reproductive health (investigation)",
        "Wanted Person (Arrest Warrant/Fugitive)",
        "Stolen Vehicle",
        "Stolen Plate",
        "Missing Person",
        "Missing Person (Endangered)",
        "Narcotics",
        "Investigation",
        "Other",
    )
)
REDACTED_TEXT = "[redacted]"
SEARCH_TYPES = frozenset(
    {"lookup", "search", "convoy", "visual", "freeform", "multiGeo", "apiLookup"}
)


def split_reason(reason: str) -> tuple[str, str]:
    """(category, reason) for `Category - text`; ("", reason) for free text."""
    head, separator, _ = reason.partition(" -")
    if separator and head.strip() in REASON_CATEGORIES:
        return head.strip(), reason.strip()
    return "", reason.strip()


# Distinct cells kept per column by `parse_audit` before it starts afresh: names,
# reasons and types repeat across a file, a case number may not.
_CELLS_KEPT = 50_000

# `parse_audit` builds each SearchRecord from its values in this order, without
# keywords (a million rows): a record whose fields move must not load silently askew.
if SearchRecord._fields != (
    "line", "vendor_search_id", "searched_at", "agency_name", "agency_ori", "searcher",
    "reason", "reason_category", "reason_redacted", "case_number", "networks_searched",
    "devices_searched", "search_type", "is_mobile", "time_frame_start", "time_frame_end",
    "filters", "text_prompt", "plate_hash",
):  # fmt: skip
    raise ImportError("SearchRecord's fields changed: update parse_audit's positional record")


def parse_audit(table: Table, columns: dict[str, int], warnings: list[str]) -> Iterator:
    # Absent optional columns point at a blank cell appended to every row, so the
    # per-row code below (run millions of times) needs no branches for them.
    blank = len(table.header)

    def at(name: str) -> int:
        return columns.get(name, blank)

    c_id, c_org, c_time = at("id"), at("org name"), at("search time")
    c_date, c_name, c_plate = at("search date"), at("name"), at("license plate")
    c_networks, c_devices = at("total networks searched"), at("total devices searched")
    c_frame, c_reason, c_case = at("time frame"), at("reason"), at("case #")
    c_type, c_filters, c_prompt = at("search type"), at("filters"), at("text prompt")
    split_date = "search date" in columns
    unreadable_frames = 0
    odd_ids: set[str] = set()
    odd_types: set[str] = set()
    hash_plate = plate_hasher()
    new_record = tuple.__new__  # SearchRecord's fields in order, without its keywords
    # What each distinct cell of the columns whose values repeat reads as: most rows of
    # a file name one of a few hundred agencies, reasons, searchers and counts.
    orgs: dict[str, str] = {}  # "" for an empty or redacted name
    reasons: dict[str, tuple[str, str, bool]] = {}
    types: dict[str, tuple[str, bool]] = {}
    searchers: dict[str, str] = {}
    cases: dict[str, str] = {}
    counts: dict[str, int | None] = {}  # only cells that read as a count

    for line, row in table.rows:
        if len(row) != blank:
            row = (row + [""] * blank)[:blank]
        row.append("")
        search_id = row[c_id].strip()
        if not search_id and not any(cell.strip() for cell in row):
            continue
        if not search_id or is_redacted(search_id):
            yield RowError(line, "ID", search_id, "The search ID is empty or redacted.")
            continue
        if len(search_id) != 36 and len(odd_ids) < 5:
            odd_ids.add(search_id)
        cell = row[c_org]
        org = orgs.get(cell)
        if org is None:
            org = cell.strip()
            org = "" if is_redacted(org) else org[:255]
            orgs[cell] = _kept(orgs, org)
        if not org:
            yield RowError(line, "Org Name", cell.strip(), "The searching organization is empty.")
            continue
        raw_time = row[c_time].strip()
        if split_date:
            raw_time = f"{row[c_date].strip()}, {raw_time}"
        try:
            searched_at = parse_flock_time(raw_time)
        except ValueError:
            yield RowError(
                line, "Search Time", raw_time,
                "Not a time like 11/14/2025, 09:53:36 AM UTC.",
            )  # fmt: skip
            continue
        cell = row[c_networks]
        networks = counts.get(cell, counts)
        if networks is counts:
            try:
                networks = counts[cell] = _kept(counts, parse_count(cell))
            except ValueError:
                yield RowError(line, "Total Networks Searched", cell, "Not a whole number.")
                continue
        cell = row[c_devices]
        devices = counts.get(cell, counts)
        if devices is counts:
            try:
                devices = counts[cell] = _kept(counts, parse_count(cell))
            except ValueError:
                yield RowError(line, "Total Devices Searched", cell, "Not a whole number.")
                continue
        frame_start = frame_end = None
        frame = row[c_frame]
        if frame:
            parts = frame.splitlines()
            if len(parts) != 2 or not (first := parts[0].strip()) or not (last := parts[1].strip()):
                # Blank lines or padding around the two times: the general form.
                parts = [part.strip() for part in parts if part.strip()]
                first, last = parts if len(parts) == 2 else ("", "")
            if first or parts:
                try:
                    frame_start, frame_end = parse_flock_time(first), parse_flock_time(last)
                except ValueError:
                    frame_start = frame_end = None
                    unreadable_frames += 1
        cell = row[c_reason]
        reading = reasons.get(cell)
        if reading is None:
            if is_redacted(cell):
                reading = ("", "", True)
            else:
                category, reason = split_reason(cell)
                reading = (category[:100], reason, False)
            reasons[cell] = _kept(reasons, reading)
        cell = row[c_type]
        search_type = types.get(cell)
        if search_type is None:
            base, is_mobile = split_search_type(cell)
            if base not in SEARCH_TYPES and base:
                odd_types.add(base)
            search_type = types[cell] = _kept(types, (base[:30], is_mobile))
        cell = row[c_name]
        searcher = searchers.get(cell)
        if searcher is None:
            searcher = cell.strip()
            searcher = REDACTED_TEXT if is_redacted(searcher) else searcher[:150]
            searchers[cell] = _kept(searchers, searcher)
        cell = row[c_case]
        case_number = cases.get(cell)
        if case_number is None:
            case_number = cell.strip()
            case_number = REDACTED_TEXT if is_redacted(case_number) else case_number[:100]
            cases[cell] = _kept(cases, case_number)
        plate = row[c_plate].strip()
        yield new_record(SearchRecord, (
            line,
            search_id.lower()[:100],  # vendor_search_id
            searched_at,
            org,  # agency_name
            "",  # agency_ori
            searcher,
            reading[1],  # reason
            reading[0],  # reason_category
            reading[2],  # reason_redacted
            case_number,
            networks,  # networks_searched
            devices,  # devices_searched
            search_type[0],
            search_type[1],  # is_mobile
            frame_start,  # time_frame_start
            frame_end,  # time_frame_end
            row[c_filters].strip(),
            row[c_prompt].strip(),
            hash_plate(plate) if plate and not is_redacted(plate) else "",
        ))  # fmt: skip
    if unreadable_frames:
        warnings.append(f"{unreadable_frames} Time Frame cell(s) could not be read; kept empty.")
    if odd_ids:
        warnings.append(f"Some IDs are not Flock UUIDs, e.g. {', '.join(sorted(odd_ids))}.")
    if odd_types:
        warnings.append(f"Unknown search types kept as written: {', '.join(sorted(odd_types))}.")


def _kept(cache: dict, value):
    """`value`, after emptying `cache` when it holds `_CELLS_KEPT` cells (a column whose
    cells rarely repeat must not grow it for ever)."""
    if len(cache) >= _CELLS_KEPT:
        cache.clear()
    return value


def _network_names(cell: str) -> list[str]:
    names: list[str] = []
    for item in cell.split(","):
        name = item.strip()[:255]
        if name and name not in names:
            names.append(name)
    return names


def parse_sharing_list(table: Table, columns: dict[str, int], warnings: list[str]) -> Iterator:
    """Flock's SharedNetworks export: each row is one partner organization.

    `Networks I'm Sharing` lists the uploader's own networks this partner may search
    (an outgoing grant to the partner), `Networks Shared With Me` the partner's networks
    the uploader may search (an incoming grant). The listed names are networks, never
    partners: they are kept on the grant, as what it covers.
    """
    c_org = columns["organization name"]
    c_in, c_out = columns["networks shared with me"], columns["networks i'm sharing"]
    width = len(table.header)
    sharing_nothing = 0
    for line, row in table.rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < width:
            row = row + [""] * (width - len(row))
        partner = row[c_org].strip()
        outgoing, incoming = _network_names(row[c_out]), _network_names(row[c_in])
        if not partner:
            yield RowError(line, "Organization Name", "", "The organization name is empty.")
            continue
        if not outgoing and not incoming:
            sharing_nothing += 1  # a partner listed with nothing either way: no grant
            continue
        for direction, networks in (("outgoing", outgoing), ("incoming", incoming)):
            if networks:
                yield GrantRecord(
                    line=line,
                    partner_name=partner[:255],
                    direction=direction,
                    data_type="detections",
                    mode="one_to_one",
                    status="accepted",
                    networks=tuple(networks),
                )
    if sharing_nothing:
        warnings.append(
            f"{sharing_nothing} partner row(s) list no network either way; no grant was made "
            "for them."
        )


_MONTHS = {
    name: number
    for number, names in enumerate(
        (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
         ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
         ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
         ("december", "dec")),
        start=1,
    )
    for name in names
}  # fmt: skip
_NAMED_DATE = re.compile(r"(?<!\d)(\d{4})[ _.-]?([A-Za-z]{3,9})[ _.-]?(\d{1,2})(?!\d)")
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{4})[_.-](\d{1,2})[_.-](\d{1,2})(?!\d)")


def snapshot_date(text: str) -> date | None:
    """The date Flock writes into a SharedNetworks sheet or file name
    (`SharedNetworks_2025_December_30`, also `..._2025-12-30`); None when it has none."""
    found = _NAMED_DATE.search(text)
    if found and found.group(2).casefold() in _MONTHS:
        year, month, day = int(found.group(1)), _MONTHS[found.group(2).casefold()], found.group(3)
    else:
        found = _NUMERIC_DATE.search(text)
        if not found:
            return None
        year, month, day = int(found.group(1)), int(found.group(2)), found.group(3)
    try:
        return date(year, month, int(day))
    except ValueError:
        return None


# Share states in Flock's event details, as grant statuses.
_EVENT_STATUS = {"active": "accepted", "pending": "pending", "paused": "revoked"}
_EVENT_TYPES = {"create", "update", "delete"}


def parse_event_log(table: Table, columns: dict[str, int], warnings: list[str]) -> Iterator:
    c = columns
    ignored = unreadable_details = 0
    for line, row in table.rows:
        if not any(cell.strip() for cell in row):
            continue
        row = row + [""] * (len(table.header) - len(row))
        if row[c["entity_type"]].strip().casefold() != "networkshare":
            ignored += 1
            continue
        event_id = row[c["id"]].strip()
        if not event_id:
            yield RowError(line, "id", "", "The event id is empty.")
            continue
        event_type = row[c["event_type"]].strip().casefold()
        if event_type not in _EVENT_TYPES:
            yield RowError(
                line, "event_type", row[c["event_type"]], "Not create, update or delete."
            )
            continue
        try:
            occurred_at = parse_iso_time(row[c["created_at"]])
        except ValueError:
            yield RowError(
                line, "created_at", row[c["created_at"]],
                "Not an ISO 8601 time with Z or an offset, like 2024-04-16T19:02:05Z.",
            )  # fmt: skip
            continue
        partner = row[c["network_name"]].strip()
        if not partner:
            yield RowError(line, "network_name", "", "The network name is empty.")
            continue
        details = _details(row[c["details"]] if "details" in c else "")
        if details is None:
            unreadable_details += 1
            details = {}
        direction = details.get("direction", "outgoing")
        if direction not in ("outgoing", "incoming"):
            direction = "outgoing"
        if event_type == "delete":
            new_status = "revoked"
        elif event_type == "create":
            new_status = _EVENT_STATUS.get(str(details.get("status", "active")), "accepted")
        else:
            # Any JSON may stand where `{"status": [old, new]}` is expected.
            changes = details.get("changes")
            change = changes.get("status") if isinstance(changes, dict) else None
            new_status = (
                _EVENT_STATUS.get(str(change[-1]), "")
                if isinstance(change, list) and change
                else ""
            )
        yield SharingEventRecord(
            line=line,
            event_id=event_id[:100],
            event_type=event_type,
            occurred_at=occurred_at,
            partner_name=partner[:255],
            direction=direction,
            new_status=new_status,
            actor=row[c["actor"]].strip()[:150] if "actor" in c else "",
        )
    if ignored:
        warnings.append(f"{ignored} event(s) about other things than network shares were skipped.")
    if unreadable_details:
        warnings.append(f"{unreadable_details} details cell(s) were not valid JSON; ignored.")


def _details(text: str) -> dict | None:
    """The details object; None when the cell is not a JSON object."""
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # also a number past 4300 digits, deep nesting
        return None
    return value if isinstance(value, dict) else None
