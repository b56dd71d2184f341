"""Flock's own event log, as Flock produces it (docs/vendor-formats.md §4).

Header `Timestamp, User, Event Type, Entity Type, Entity Details`, sometimes with
`Event Id`. The log records everything done in the organization (hotlists, users,
roles, sharing); only `networkShare` events are about sharing. Their `Entity Details`
cell holds `Key: value` lines:

    Network Name: Riverbend IL PD - LPR
    Permissions: search
    Receiving Organization: Ward County TX SO

A networkShare event is taken by the network's owner, so in a municipality's own log
every share is one of its networks given to the receiving organization: an outgoing
grant, whose partner is the receiving organization.
"""

import hashlib
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

from .errors import RowError
from .reading import Table
from .records import IgnoredRow, SharingEventRecord
from .values import parse_flock_time

# What each event does to the share: a create gives access, a delete takes it away.
# An update changes a share's settings (its permissions), not whether it exists.
_NEW_STATUS = {"create": "accepted", "update": "", "delete": "revoked"}
SHARE_ENTITY = "networkshare"
# Organization-wide sharing settings: not a share with anyone, so no grant (see the
# format guide); counted apart in the warning so that an auditor looks at them.
SETTINGS_ENTITY = "networksharesettings"


def parse_events(table: Table, columns: dict[str, int], warnings: list[str]) -> Iterator:
    width = len(table.header)
    c_time, c_user = columns["timestamp"], columns["user"]
    c_event, c_entity = columns["event type"], columns["entity type"]
    c_details, c_id = columns["entity details"], columns.get("event id")
    ignored: Counter[str] = Counter()
    for line, row in table.rows:
        if len(row) < width:
            row = row + [""] * (width - len(row))
        if not any(cell.strip() for cell in row):
            ignored["blank row"] += 1
            yield IgnoredRow(line, "blank row")
            continue
        entity = row[c_entity].strip()
        if not entity:
            yield RowError(line, "Entity Type", "", "The entity type is empty.")
            continue
        if entity.casefold() != SHARE_ENTITY:
            ignored[entity[:40]] += 1
            yield IgnoredRow(line, entity[:40])
            continue
        event_type = row[c_event].strip().casefold()
        if event_type not in _NEW_STATUS:
            yield RowError(line, "Event Type", row[c_event], "Not create, update or delete.")
            continue
        try:
            occurred_at = parse_event_time(row[c_time])
        except ValueError:
            yield RowError(
                line, "Timestamp", row[c_time],
                "Not a time like 2025-08-19 13:36:30.943000 (UTC) or 2025-08-19T13:36:30Z.",
            )  # fmt: skip
            continue
        details = entity_details(row[c_details])
        partner = details.get("receiving organization", "")
        if not partner:
            yield RowError(
                line, "Entity Details", row[c_details],
                "The details name no receiving organization (a line "
                "\"Receiving Organization: …\").",
            )  # fmt: skip
            continue
        actor = row[c_user].strip()
        event_id = row[c_id].strip() if c_id is not None else ""
        yield SharingEventRecord(
            line=line,
            event_id=event_id[:100] or row_hash(occurred_at, actor, event_type, details),
            event_type=event_type,
            occurred_at=occurred_at,
            partner_name=partner[:255],
            direction="outgoing",
            new_status=_NEW_STATUS[event_type],
            actor=actor[:150],
            network_name=details.get("network name", "")[:255],
        )
    if ignored:
        kinds = ", ".join(f"{count} {what}" for what, count in ignored.most_common())
        warnings.append(
            f"{ignored.total()} row(s) are not about network shares and were counted, "
            f"not loaded: {kinds}."
        )
    if settings_rows := sum(n for what, n in ignored.items() if what.casefold() == SETTINGS_ENTITY):
        warnings.append(
            f"{settings_rows} networkShareSettings event(s) change the organization's sharing "
            "settings, not a share with one partner; they made no grant. Check them in the "
            "file."
        )


def parse_event_time(text: str) -> datetime:
    """`2025-08-19 13:36:30.943000` (UTC, as Flock writes it), ISO 8601 with `Z` or an
    offset, or `08/19/2025, 01:36:30 PM UTC` (a workbook's date cell, as the reader
    writes it); ValueError otherwise."""
    stripped = text.strip()
    if stripped.endswith(" UTC"):
        return parse_flock_time(stripped)
    value = datetime.fromisoformat(stripped)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # an offset that takes it past year 9999 or before year 1
        raise ValueError("out of range") from None


def entity_details(cell: str) -> dict[str, str]:
    """The `Key: value` lines of a details cell, keys in lower case; the first of a
    repeated key counts, and lines without a colon are left out."""
    details: dict[str, str] = {}
    for text in cell.splitlines():
        key, colon, value = text.partition(":")
        key = " ".join(key.split()).casefold()
        if colon and key and key not in details:
            details[key] = value.strip()
    return details


def row_hash(occurred_at: datetime, actor: str, event_type: str, details: dict) -> str:
    """An id for an event that has none: the same event in an overlapping log, read from
    CSV or from the workbook, gets the same one, so a re-upload adds nothing."""
    parts = [occurred_at.isoformat(), actor, event_type, *sorted(f"{k}={v}" for k, v in
             details.items())]  # fmt: skip
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"row-sha256:{digest[:48]}"
