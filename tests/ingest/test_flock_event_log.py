"""Flock's event log in Flock's own layout (`Timestamp, User, Event Type, Entity Type,
Entity Details`), as CSV and as XLSX: issue 11, acceptance 3.

The samples are `tests/ingest/samples/flock_events.{csv,xlsx}`, made by
`make_flock_events.py` from the same events (see the samples' README)."""

import csv
import io
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest

from apps.audits.evaluation import municipality_evaluate
from apps.audits.models import Finding
from apps.municipalities.scoping import municipality_scope
from apps.sharing.models import SharingChange, SharingGrant
from apps.vendors.parsing import IgnoredRow, RowError, SharingEventRecord, parse_export
from apps.vendors.parsing.flock_events import entity_details, parse_event_time
from tests.ingest.test_loading import ICE, grant, upload, utc

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "samples"
CSV_SAMPLE = SAMPLES / "flock_events.csv"
XLSX_SAMPLE = SAMPLES / "flock_events.xlsx"
DETECTIVE = "Smith, Jordan"
SHARE_EVENTS = 231  # 229 outgoing shares of the template log, plus Oak Prairie's downtown
IGNORED = 58  # 34 hotlist entries, 8 user, 6 hotlist, 3 role, 2 settings events, 5 blank
KINGS = "Kings County Sheriff's Office CA"
HEADER = "Timestamp,User,Event Type,Entity Type,Entity Details"


def items_of(path: Path) -> list:
    parsed = parse_export(path)
    try:
        assert parsed.format.key == "flock_events"
        return list(parsed.items)
    finally:
        parsed.table.close()


def grants_of(municipality) -> set[tuple]:
    with municipality_scope(municipality):
        return {
            (*row[:-1], tuple(row[-1]))
            for row in SharingGrant.objects.values_list(
                "partner_name", "direction", "status", "decided_by", "decided_at", "networks"
            )
        }


def evaluate(municipality) -> None:
    with municipality_scope(municipality):
        municipality_evaluate(municipality=municipality, trigger="manual")


def write_csv(path: Path, rows: list[list[str]], header: str = HEADER) -> Path:
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerows(rows)
    path.write_text(header + "\r\n" + text.getvalue(), encoding="utf-8")
    return path


def share(at: str, user: str, event: str, partner: str, network: str = "Riverbend IL PD"):
    details = f"Network Name: {network}\nPermissions: Search\nReceiving Organization: {partner}"
    return [at, user, event, "networkShare", details]


# --- parsing ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", [CSV_SAMPLE, XLSX_SAMPLE], ids=["csv", "xlsx"])
def test_the_real_layout_is_detected_and_counts_other_entities_and_blank_rows_as_ignored(path):
    items = items_of(path)

    assert not [item for item in items if isinstance(item, RowError)]
    events = [item for item in items if isinstance(item, SharingEventRecord)]
    ignored = [item for item in items if isinstance(item, IgnoredRow)]
    assert len(events) == SHARE_EVENTS
    assert len(ignored) == IGNORED
    assert {item.what for item in ignored} == {
        "blank row", "Custom Hotlist Entry", "customHotlist", "user", "role",
        "networkShareSettings",
    }  # fmt: skip
    assert {event.direction for event in events} == {"outgoing"}


def test_csv_and_xlsx_give_the_same_events():
    def events(path: Path) -> list[tuple]:
        return sorted(
            (e.event_id, e.event_type, e.occurred_at, e.partner_name, e.actor, e.network_name)
            for e in items_of(path)
            if isinstance(e, SharingEventRecord)
        )

    assert events(CSV_SAMPLE) == events(XLSX_SAMPLE)


def test_entity_details_are_read_as_key_value_lines():
    details = entity_details(
        "Network Name: Riverbend IL PD - Downtown\r\nPermissions: Search, Alerts\n"
        "no colon here\nReceiving Organization: Ward County TX SO \nReceiving Organization: x"
    )

    assert details == {
        "network name": "Riverbend IL PD - Downtown",
        "permissions": "Search, Alerts",
        "receiving organization": "Ward County TX SO",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-08-19 13:36:30.943000", utc(2025, 8, 19, 13, 36, 30, microsecond=943000)),
        ("2025-08-19T13:36:30.943Z", utc(2025, 8, 19, 13, 36, 30, microsecond=943000)),
        ("2025-08-19T08:36:30-05:00", utc(2025, 8, 19, 13, 36, 30)),
        ("08/19/2025, 01:36:30 PM UTC", utc(2025, 8, 19, 13, 36, 30)),  # a date cell
    ],
)
def test_event_times_without_a_zone_are_utc(text, expected):
    assert parse_event_time(text) == expected


def test_a_share_row_that_cannot_be_read_is_a_row_error_and_the_others_still_load(tmp_path):
    path = write_csv(tmp_path / "events.csv", [
        share("2025-08-19 13:36:30.943000", DETECTIVE, "create", "Marina CA PD"),
        share("19/08/2025 13:36", DETECTIVE, "create", "Kings County CA SO"),
        ["2025-08-19 13:37:00.000000", DETECTIVE, "create", "networkShare", "Permissions: x"],
        share("2025-08-19 13:38:00.000000", DETECTIVE, "accept", "Casa Grande AZ PD"),
        ["2025-08-19 13:39:00.000000", DETECTIVE, "create", "", "Name: x"],
    ])  # fmt: skip

    items = items_of(path)

    assert [item.partner_name for item in items if isinstance(item, SharingEventRecord)] == [
        "Marina CA PD"
    ]
    # A row's line is the line it starts on: each share's details take three.
    assert [(e.line, e.column) for e in items if isinstance(e, RowError)] == [
        (5, "Timestamp"), (8, "Entity Details"), (9, "Event Type"), (12, "Entity Type"),
    ]  # fmt: skip


# --- acceptance 3: grants, one bulk-acceptance finding, the ignored count shown ---------


@pytest.mark.parametrize("path", [CSV_SAMPLE, XLSX_SAMPLE], ids=["csv", "xlsx"])
def test_acceptance_3_grants_one_bulk_finding_naming_the_user_and_ignored_rows_on_the_page(
    path, municipality_a, clerk_a, client
):
    export = upload(municipality_a, path)
    evaluate(municipality_a)

    assert export.status == "loaded"
    assert export.file_format == "flock_events"
    assert (export.rows_loaded, export.rows_rejected, export.rows_ignored) == (
        SHARE_EVENTS, 0, IGNORED,
    )  # fmt: skip
    with municipality_scope(municipality_a):
        burst = SharingChange.objects.filter(actor=DETECTIVE, old_status="", new_status="accepted")
        times = sorted(burst.values_list("occurred_at", flat=True))
        assert burst.count() == 214
        assert times[-1] - times[0] < timedelta(minutes=4)
        bulk = list(Finding.objects.filter(rule_code="BULK_ACCEPTANCE"))
    assert len(bulk) == 1
    assert DETECTIVE in bulk[0].subject_label
    assert bulk[0].summary.startswith(f"{DETECTIVE} accepted 214 sharing requests")
    assert ICE in bulk[0].summary  # among them ICE, though that share was deleted later

    ice = grant(municipality_a, "ICE ERO Chicago [Federal]")
    assert ice.status == SharingGrant.Status.REVOKED
    assert ice.status_changed_at == utc(2025, 9, 23, 15, 10, 33, microsecond=517000)
    assert ice.agency.name == ICE
    # Trailing spaces of Flock's names are not part of the partner.
    assert grant(municipality_a, "Ward County TX SO").decided_by == DETECTIVE

    client.force_login(clerk_a)
    page = client.get(f"/m/{municipality_a.slug}/exports/{export.pk}/").content.decode()
    assert "Rows ignored (not about sharing, or blank)" in page
    assert f'<dd data-role="ignored">{IGNORED}</dd>' in page
    assert "34 Custom Hotlist Entry" in page


def test_the_csv_and_the_workbook_give_identical_grants(municipality_a, municipality_b):
    upload(municipality_a, CSV_SAMPLE)
    upload(municipality_b, XLSX_SAMPLE)

    assert grants_of(municipality_a) == grants_of(municipality_b)
    # One per receiving organization of a create or delete (an update of a share the
    # portal never saw makes none).
    assert len(grants_of(municipality_a)) == 219


def test_a_partner_keeps_its_grant_until_its_last_shared_network_is_deleted(municipality_a):
    upload(municipality_a, CSV_SAMPLE)

    oak = grant(municipality_a, "Oak Prairie IL PD")
    assert oak.status == SharingGrant.Status.ACCEPTED
    assert oak.networks == ["Riverbend IL PD"]  # the downtown cameras were taken back
    lowes = grant(municipality_a, "Lowe's Home Centers")
    assert lowes.status == SharingGrant.Status.REVOKED
    assert lowes.networks == []


# --- deduplication without Event Id ----------------------------------------------------


def test_an_overlapping_log_without_event_ids_adds_only_its_new_events(municipality_a, tmp_path):
    first = write_csv(tmp_path / "events_august.csv", [
        share("2025-08-19 13:36:30.943000", DETECTIVE, "create", "Marina CA PD"),
        share("2025-08-19 13:36:31.101000", DETECTIVE, "create", KINGS + " "),
    ])  # fmt: skip
    # The next month's export repeats the end of August, newest first, the second time
    # with the time written ISO 8601 with Z.
    second = write_csv(tmp_path / "events_september.csv", [
        share("2025-09-02 08:00:00.000000", "Lopez, Fernando", "delete", "Marina CA PD"),
        share("2025-08-19T13:36:31.101Z", DETECTIVE, "create", KINGS),
        share("2025-08-19 13:36:30.943000", DETECTIVE, "create", "Marina CA PD"),
    ])  # fmt: skip

    upload(municipality_a, first)
    again = upload(municipality_a, second)

    assert (again.rows_loaded, again.rows_duplicate) == (1, 2)
    with municipality_scope(municipality_a):
        assert SharingChange.objects.count() == 3
    marina = grant(municipality_a, "Marina CA PD")
    assert (marina.status, marina.decided_by) == (SharingGrant.Status.REVOKED, "Lopez, Fernando")


def test_an_event_id_column_is_used_when_present(municipality_a, tmp_path):
    header = HEADER + ",Event Id"
    rows = [
        [*share("2025-08-19 13:36:30.943000", DETECTIVE, "create", "Marina CA PD"), "ev-1"],
        # The same row under another id is another event, and one without an id falls
        # back to the row's hash.
        [*share("2025-08-19 13:36:30.943000", DETECTIVE, "create", "Marina CA PD"), "ev-2"],
        [*share("2025-08-19 13:36:32.000000", DETECTIVE, "create", "Casa Grande AZ PD"), ""],
    ]

    upload(municipality_a, write_csv(tmp_path / "events.csv", rows, header))

    with municipality_scope(municipality_a):
        ids = set(SharingChange.objects.values_list("vendor_event_id", flat=True))
    assert {"ev-1", "ev-2"} < ids
    assert len(ids) == 3
    assert [i for i in ids if i.startswith("row-sha256:")]


def test_a_workbook_with_date_cells_is_read_too(municipality_a, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    cell = share("", DETECTIVE, "create", "Marina CA PD")
    sheet.append([utc(2025, 8, 19, 13, 36, 30).replace(tzinfo=None), *cell[1:]])
    path = tmp_path / "events.xlsx"
    workbook.save(path)

    export = upload(municipality_a, path)

    assert (export.file_format, export.rows_loaded) == ("flock_events", 1)
    assert grant(municipality_a, "Marina CA PD").decided_at == utc(2025, 8, 19, 13, 36, 30)
