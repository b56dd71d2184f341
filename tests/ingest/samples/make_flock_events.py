"""Write `flock_events.csv` and `flock_events.xlsx`: Riverbend IL PD's event log in
Flock's own layout (docs/vendor-formats.md §4), the same events in both.

The sharing events are those of `flock_event_log.csv` (the portal's template layout),
told the way Flock's log tells them: `Key: value` lines in `Entity Details`, users as
display names or e-mails, times in UTC without a zone, newest first. Around them: the
rest of what an organization's log holds (hotlists and their entries, users, roles,
sharing settings) and blank rows. All names are fictional.

Run from the repository root: `.venv/bin/python tests/ingest/samples/make_flock_events.py`.
"""

import csv
import io
import json
import random
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent
HEADER = ["Timestamp", "User", "Event Type", "Entity Type", "Entity Details"]
# The template's actors as Flock shows them: a display name, or the e-mail of the login.
USERS = {
    "j.smith@riverbendpd.example": "Smith, Jordan",
    "Lt. Dana Whitcomb": "Whitcomb, Dana",
    "a.kowalski@riverbendpd.example": "a.kowalski@riverbendpd.example",
    "chief.r.banner@riverbendpd.example": "Banner, Ruth",
    "Flock Safety Support": "Flock Safety Support",
}
OWN_NETWORK = "Riverbend IL PD"
DOWNTOWN = "Riverbend IL PD - Downtown"
# Partners whose name Flock's log carries with a trailing space.
TRAILING_SPACE = {"Ward County TX SO", "Phoenix AZ PD", "Glendale AZ PD", "Des Moines IA PD"}
# The newest events are written ISO 8601 with Z, as some exports do.
ISO_FROM = datetime(2025, 9, 1, tzinfo=UTC)
BLANK_ROWS_AFTER = (40, 150, 260)  # data rows after which a blank row sits
TRAILING_BLANK_ROWS = 2


def template_events() -> list[dict]:
    with (HERE / "flock_event_log.csv").open(encoding="utf-8", newline="") as source:
        return list(csv.DictReader(source))


def share_details(network: str, partner: str, permissions: str) -> str:
    return f"Network Name: {network}\nPermissions: {permissions}\nReceiving Organization: {partner}"


def share_events() -> list[tuple[datetime, str, str, str, str]]:
    """(time, user, event type, entity type, details) of the network shares."""
    events = []
    for row in template_events():
        details = json.loads(row["details"] or "{}")
        # An incoming share is made by its owner and is in the owner's log, not ours.
        if details.get("direction") == "incoming":
            continue
        at = datetime.fromisoformat(row["created_at"])
        partner = row["network_name"].strip()
        shown = partner + " " if partner in TRAILING_SPACE else partner
        permissions = "Search" if row["event_type"] != "update" else "Search, Alerts"
        events.append(
            (
                at,
                USERS[row["actor"]],
                row["event_type"],
                "networkShare",
                share_details(OWN_NETWORK, shown, permissions),
            )
        )
    # Oak Prairie is also given the downtown cameras, which are later taken back: it
    # keeps its grant to the main network.
    kowalski = USERS["a.kowalski@riverbendpd.example"]
    events += [
        (
            datetime(2024, 2, 1, 16, 0, 12, 402000, tzinfo=UTC),
            kowalski,
            "create",
            "networkShare",
            share_details(DOWNTOWN, "Oak Prairie IL PD", "Search"),
        ),
        (
            datetime(2025, 6, 30, 14, 2, 55, 118000, tzinfo=UTC),
            kowalski,
            "delete",
            "networkShare",
            share_details(DOWNTOWN, "Oak Prairie IL PD", "Search"),
        ),
    ]
    return events


def other_events(rng: random.Random) -> list[tuple[datetime, str, str, str, str]]:
    """What else the log holds: none of it makes a grant."""
    start = datetime(2023, 6, 1, tzinfo=UTC)
    span = (datetime(2025, 11, 1, tzinfo=UTC) - start).total_seconds()

    def when() -> datetime:
        # Flock keeps milliseconds: `2025-08-19 13:36:30.943000`.
        return start + timedelta(milliseconds=rng.randint(0, int(span * 1000)))

    users = ["Ortega, Luis", "a.kowalski@riverbendpd.example", "Adeyemi, Rachel"]
    hotlists = ["Stolen vehicles - Riverbend", "Missing persons", "Burglary suspects 2024"]
    events = []
    for name in hotlists:
        events.append(
            (
                when(),
                rng.choice(users),
                "create",
                "customHotlist",
                f"Name: {name}\nDescription: kept by investigations\nAlerts: on",
            )
        )
        events.append(
            (when(), rng.choice(users), "update", "customHotlist", f"Name: {name}\nAlerts: off")
        )
    for _ in range(34):
        letters = "".join(rng.choice("BCDFGHJKLMNPRSTVWXZ") for _ in range(2))
        plate = f"{letters}{rng.randint(10000, 99999)}"
        events.append(
            (
                when(),
                rng.choice(users),
                rng.choice(("create", "create", "delete")),
                "Custom Hotlist Entry",
                f"Hotlist: {rng.choice(hotlists)}\nPlate: {plate}\nState: IL\n"
                f"Reason: case RB{rng.randint(23, 25)}-{rng.randint(1000, 9999)}",
            )
        )
    staff = ["Ortega, Luis", "Adeyemi, Rachel", "Peña, Javier", "Núñez, Sofia"]
    for name in staff:
        email = name.split(",")[0].casefold() + "@riverbendpd.example"
        events.append(
            (
                when(),
                "a.kowalski@riverbendpd.example",
                "create",
                "user",
                f"Name: {name}\nEmail: {email}\nRole: Investigator",
            )
        )
        events.append(
            (
                when(),
                "a.kowalski@riverbendpd.example",
                "update",
                "user",
                f"Name: {name}\nLast Login: recorded",
            )
        )
    for role in ("Investigator", "Viewer", "Admin"):
        events.append(
            (
                when(),
                "Banner, Ruth",
                "update",
                "role",
                f"Role Name: {role}\nPermissions: Search, Audit, Hotlists",
            )
        )
    for setting in ("Statewide sharing: off", "National lookup: off"):
        events.append(
            (
                when(),
                "Banner, Ruth",
                "update",
                "networkShareSettings",
                f"Network Name: {OWN_NETWORK}\n{setting}",
            )
        )
    return events


def timestamp(at: datetime) -> str:
    if at >= ISO_FROM:
        return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return at.strftime("%Y-%m-%d %H:%M:%S.%f")


def rows() -> list[list[str]]:
    events = share_events() + other_events(random.Random(11))
    events.sort(key=lambda event: event[0], reverse=True)  # newest first, as Flock lists
    out: list[list[str]] = []
    for number, (at, *rest) in enumerate(events, start=1):
        out.append([timestamp(at), *rest])
        if number in BLANK_ROWS_AFTER:
            out.append([""] * len(HEADER))
    out += [[""] * len(HEADER)] * TRAILING_BLANK_ROWS
    return out


def main() -> None:
    data = rows()
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(data)
    # Excel's "CSV UTF-8": a BOM, CRLF rows, LF inside the details cells.
    (HERE / "flock_events.csv").write_bytes(b"\xef\xbb\xbf" + text.getvalue().encode())

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Event Log"
    sheet.append(HEADER)
    for row in data:
        # A blank row keeps its empty cells, as Excel keeps formatted ones; in a data
        # row an empty cell is no cell.
        sheet.append(row if not any(row) else [cell or None for cell in row])
    workbook.properties.creator = "Flock Safety"
    # Fixed dates keep re-made files alike (openpyxl still stamps `modified` on save).
    workbook.properties.created = workbook.properties.modified = datetime(2025, 11, 7, 9, 0)
    buffer = io.BytesIO()
    workbook.save(buffer)
    # The ZIP members carry the time they were written: a fixed one instead.
    with (
        zipfile.ZipFile(buffer) as written,
        zipfile.ZipFile(HERE / "flock_events.xlsx", "w", zipfile.ZIP_DEFLATED) as fixed,
    ):
        for member in written.infolist():
            member.date_time = (2025, 11, 7, 9, 0, 0)
            fixed.writestr(member, written.read(member.filename))


if __name__ == "__main__":
    main()
