"""Vendor export parsing, checked against the samples and their README.

Every expected value below comes from `tests/ingest/samples/README.md` or from
`docs/vendor-formats.md`; nothing is copied from the parser's output. No database is
used: only `plate_hash` reads a setting (`PORTAL_PLATE_HASH_KEY`).
"""

import csv
import io
import time
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path

import openpyxl
import pytest

from apps.vendors.parsing import (
    FORMATS_BY_KEY,
    FileRejected,
    GrantRecord,
    RowError,
    SearchRecord,
    SharingEventRecord,
    parse_export,
)
from apps.vendors.parsing.values import plate_hash

SAMPLES = Path(__file__).parent / "samples"

FLOCK_13_HEADER = (
    "ID,Name,Org Name,Total Networks Searched,Time Frame,License Plate,Reason,Case #,"
    "Filters,Search Time,Search Type,Text Prompt,Moderation"
)
EVENT_LOG_HEADER = "id,entity_type,event_type,actor,created_at,network_name,details"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def assert_aware_utc(value: datetime | None) -> None:
    if value is not None:
        assert value.tzinfo is not None, value
        assert value.utcoffset() == timedelta(0), value


# --- reading helpers -----------------------------------------------------------------


@dataclass(frozen=True)
class Parsed:
    key: str
    encoding: str
    header: list[str]
    warnings: list[str]
    items: list

    @property
    def records(self) -> list:
        return [item for item in self.items if not isinstance(item, RowError)]

    @property
    def errors(self) -> list[RowError]:
        return [item for item in self.items if isinstance(item, RowError)]

    def at(self, line: int):
        """The one record that starts on `line`."""
        found = [record for record in self.records if record.line == line]
        assert len(found) == 1, f"{len(found)} records on line {line}"
        return found[0]


def parse(path: Path) -> Parsed:
    export = parse_export(path)
    try:
        items = list(export.items)
    finally:
        export.table.close()
    # Warnings may be added while the rows are read, so they are taken afterwards.
    return Parsed(
        export.format.key, export.table.encoding, export.table.header, export.warnings, items
    )


@cache
def sample(name: str) -> Parsed:
    return parse(SAMPLES / name)


def rejection(path: Path) -> FileRejected:
    with pytest.raises(FileRejected) as caught:
        parse_export(path)
    return caught.value


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# The samples read without the parser (csv module / openpyxl), to find their plates.
RAW_ENCODINGS = {"bad_utf16_excel.csv": ("utf-16", "\t"), "bad_cp1252.csv": ("cp1252", ",")}


def raw_column(name: str, column: str) -> list[str]:
    path = SAMPLES / name
    if path.suffix == ".xlsx":
        workbook = openpyxl.load_workbook(path, read_only=True)
        rows = [["" if cell is None else str(cell) for cell in row] for row in
                workbook.worksheets[0].iter_rows(values_only=True)]  # fmt: skip
        workbook.close()
    else:
        encoding, delimiter = RAW_ENCODINGS.get(name, ("utf-8-sig", ","))
        text = path.read_bytes().decode(encoding)
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header = [" ".join(cell.split()).casefold() for cell in rows[0]]
    index = header.index(column)
    return [row[index] for row in rows[1:] if len(row) > index]


# --- every sample: format, encoding, counts, line numbers ----------------------------


def lines_of_two_line_rows(count: int) -> list[int]:
    """Row k on lines 2k-2k+1: every row holds a two-line Time Frame."""
    return [2 * k for k in range(1, count + 1)]


SEARCH_SAMPLES = [
    # file, format, encoding, record lines, distinct IDs
    (
        "flock_network_audit_13col.csv", "flock_audit", "utf-8",
        lines_of_two_line_rows(16) + list(range(33, 50, 2)),
        25,
    ),
    (
        "flock_network_audit_overlap_next_month.csv", "flock_audit", "utf-8",
        lines_of_two_line_rows(10), 10,
    ),
    (
        "flock_network_audit_14col_devices.csv", "flock_audit", "utf-8",
        lines_of_two_line_rows(15), 15,
    ),
    (
        "flock_network_audit_2026_no_name_plate.csv", "flock_audit", "utf-8-sig",
        lines_of_two_line_rows(15), 15,
    ),
    (
        "flock_org_audit_split_date_time.csv", "flock_audit", "utf-8",
        lines_of_two_line_rows(10), 10,
    ),
    ("flock_network_audit.xlsx", "flock_audit", "xlsx", list(range(2, 12)), 10),
    ("bad_utf16_excel.csv", "flock_audit", "utf-16", [2, 4, 6, 8, 9, 11], 6),
    ("bad_cp1252.csv", "flock_audit", "cp1252", [2, 4, 6, 8, 10], 5),
    (
        "bad_rows_flock_audit.csv", "flock_audit", "utf-8",
        [2, 4, 6, 9, 11, 14, 16, 20, 22, 23],
        10,
    ),
    ("generic_searches.csv", "generic_searches", "utf-8", list(range(2, 22)), 20),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "key", "encoding", "lines", "distinct_ids"),
    SEARCH_SAMPLES,
    ids=[row[0] for row in SEARCH_SAMPLES],
)
def test_each_search_sample_yields_the_documented_rows_on_the_documented_lines(
    name, key, encoding, lines, distinct_ids
):
    parsed = sample(name)
    assert parsed.key == key
    assert parsed.encoding == encoding
    assert all(isinstance(record, SearchRecord) for record in parsed.records)
    assert [record.line for record in parsed.records] == lines
    assert len({record.vendor_search_id for record in parsed.records}) == distinct_ids
    for record in parsed.records:
        assert_aware_utc(record.searched_at)
        assert_aware_utc(record.time_frame_start)
        assert_aware_utc(record.time_frame_end)


@pytest.mark.parametrize(
    ("name", "key", "kind", "count"),
    [
        ("flock_sharing_list.csv", "flock_sharing_list", GrantRecord, 52),
        ("flock_event_log.csv", "flock_event_log", SharingEventRecord, 233),
        ("motorola_sharing_report.csv", "motorola_sharing_report", GrantRecord, 40),
        ("generic_grants.csv", "generic_grants", GrantRecord, 12),
    ],
)
def test_each_sharing_sample_is_detected_and_yields_only_records(name, key, kind, count):
    parsed = sample(name)
    assert parsed.key == key
    assert parsed.encoding == "utf-8"
    assert parsed.errors == []
    assert len(parsed.records) == count
    assert all(isinstance(record, kind) for record in parsed.records)


@pytest.mark.parametrize(
    "name",
    [
        "flock_network_audit_13col.csv",
        "flock_network_audit_overlap_next_month.csv",
        "flock_network_audit_14col_devices.csv",
        "flock_network_audit_2026_no_name_plate.csv",
        "flock_org_audit_split_date_time.csv",
        "flock_network_audit.xlsx",
        "bad_utf16_excel.csv",
        "bad_cp1252.csv",
        "generic_searches.csv",
    ],
)
def test_valid_search_samples_have_no_row_errors(name):
    assert sample(name).errors == []


# --- first rows, field by field ------------------------------------------------------

FIRST_ROWS = {
    "flock_network_audit_13col.csv": {
        "line": 2,
        "vendor_search_id": "d96e4aea-77c3-4c5e-bd72-d78f480298c3",
        "searched_at": utc(2025, 10, 3, 14, 12, 9),
        "agency_name": "Ward County TX SO",
        "agency_ori": "",
        "searcher": "Sgt. R. Delgado",
        "reason": "stolen vehicle",
        "reason_category": "",
        "reason_redacted": False,
        "case_number": "WCSO-25-3381",
        "networks_searched": 1847,
        "devices_searched": None,
        "search_type": "lookup",
        "is_mobile": False,
        "time_frame_start": utc(2025, 9, 3, 14, 12),
        "time_frame_end": utc(2025, 10, 3, 14, 12),
        "filters": "",
        "text_prompt": "",
        "plate": "RVX4821",
    },
    # Rows 1-4 repeat the last 4 rows of the 13-column file (checked separately).
    "flock_network_audit_overlap_next_month.csv": {
        "line": 2,
        "vendor_search_id": "004413f3-925a-4971-863d-0094df59d669",
        "searched_at": utc(2025, 10, 31, 18, 9, 13),
        "agency_name": "Riverbend IL PD",
        "agency_ori": "",
        "searcher": "Ofc. T. Nguyen",
        "reason": "Agg Battery 24-01234 follow up",
        "reason_category": "",
        "reason_redacted": False,
        "case_number": "24-01234",
        "networks_searched": 3,
        "devices_searched": None,
        "search_type": "lookup",
        "is_mobile": False,
        "time_frame_start": utc(2025, 10, 28, 18, 9),
        "time_frame_end": utc(2025, 10, 31, 18, 9),
        "filters": "",
        "text_prompt": "",
        "plate": "CZ 48213",
    },
    "flock_network_audit_14col_devices.csv": {
        "line": 2,
        "vendor_search_id": "7734e1b3-1f0a-4897-800f-33288a61cf10",
        "searched_at": utc(2025, 9, 2, 15, 20, 44),
        "agency_name": "Ward County TX SO",
        "agency_ori": "",
        "searcher": "Dep. T. Reinholt",
        "reason": "ICE detainer",
        "reason_category": "",
        "reason_redacted": False,
        "case_number": "",
        "networks_searched": 1838,
        "devices_searched": 20911,
        "search_type": "search",
        "is_mobile": False,
        "time_frame_start": utc(2025, 8, 3, 15, 20),
        "time_frame_end": utc(2025, 9, 2, 15, 20),
        "filters": "",
        "text_prompt": "",
        "plate": "",
    },
    "flock_network_audit_2026_no_name_plate.csv": {
        "line": 2,
        "vendor_search_id": "7f1875ff-383c-4ea2-b5c2-52dc1ee15af5",
        "searched_at": utc(2026, 1, 5, 14, 22, 31),
        "agency_name": "Ward County TX SO",
        "agency_ori": "",
        "searcher": "",
        "reason": "Immigration (civil/administrative) -",
        "reason_category": "Immigration (civil/administrative)",
        "reason_redacted": False,
        "case_number": "",
        "networks_searched": 1902,
        "devices_searched": None,
        "search_type": "search",
        "is_mobile": False,
        "time_frame_start": utc(2025, 12, 6, 14, 22),
        "time_frame_end": utc(2026, 1, 5, 14, 22),
        "filters": "",
        "text_prompt": "",
        "plate": "",
    },
    "flock_org_audit_split_date_time.csv": {
        "line": 2,
        "vendor_search_id": "d874c6b7-de9d-4a72-aec4-97cdadcbdaa9",
        "searched_at": utc(2025, 8, 1, 13, 5, 22),
        "agency_name": "Riverbend IL PD",
        "agency_ori": "",
        "searcher": "Ofc. R. Adeyemi",
        "reason": "stolen vehicle",
        "reason_category": "",
        "reason_redacted": False,
        "case_number": "RB25-5120",
        "networks_searched": 1847,
        "devices_searched": None,
        "search_type": "lookup",
        "is_mobile": False,
        "time_frame_start": utc(2025, 7, 2, 13, 5),
        "time_frame_end": utc(2025, 8, 1, 13, 5),
        "filters": "",
        "text_prompt": "",
        "plate": "CZ 50917",
    },
    "flock_network_audit.xlsx": {
        "line": 2,
        "vendor_search_id": "9bdbaa4a-5e20-4cb5-800a-e24ed93ae419",
        "searched_at": utc(2025, 9, 1, 17, 25, 40),
        "agency_name": "Ward County TX SO",
        "agency_ori": "",
        "searcher": "Dep. A. Fuentes",
        "reason": "ICE detainer",
        "reason_category": "",
        "reason_redacted": False,
        "case_number": "",
        "networks_searched": 1836,
        "devices_searched": None,
        "search_type": "search",
        "is_mobile": False,
        "time_frame_start": utc(2025, 8, 2, 17, 25),
        "time_frame_end": utc(2025, 9, 1, 17, 25),
        "filters": "",
        "text_prompt": "",
        "plate": "",
    },
    "bad_utf16_excel.csv": {
        "line": 2,
        "vendor_search_id": "6e218a6b-ffd6-4ded-aa3b-d6984dff88f4",
        "searched_at": utc(2025, 9, 22, 14, 12, 9),
        "agency_name": "Ward County TX SO",
        "agency_ori": "",
        "searcher": "Sgt. R. Delgado",
        "reason": "stolen vehicle",
        "reason_category": "",
        "reason_redacted": False,
        "case_number": "WCSO-25-3290",
        "networks_searched": 1846,
        "devices_searched": None,
        "search_type": "lookup",
        "is_mobile": False,
        "time_frame_start": utc(2025, 8, 23, 14, 12),
        "time_frame_end": utc(2025, 9, 22, 14, 12),
        "filters": "",
        "text_prompt": "",
        "plate": "RVX4821",
    },
    "bad_cp1252.csv": {
        "line": 2,
        "vendor_search_id": "131fe8c3-4340-4e1f-914a-d11484cb327e",
        "searched_at": utc(2025, 9, 15, 12, 40, 11),
        "agency_name": "Riverbend IL PD",
        "agency_ori": "",
        "searcher": "Ofc. J. Pe\u00f1a",
        "reason": "\u201cstolen vehicle\u201d",
        "reason_category": "",
        "reason_redacted": False,
        "case_number": "RB25-6702",
        "networks_searched": 3,
        "devices_searched": None,
        "search_type": "lookup",
        "is_mobile": False,
        "time_frame_start": utc(2025, 9, 14, 12, 40),
        "time_frame_end": utc(2025, 9, 15, 12, 40),
        "filters": "",
        "text_prompt": "",
        "plate": "CZ 51102",
    },
    "bad_rows_flock_audit.csv": {
        "line": 2,
        "vendor_search_id": "b5048c29-607f-4b38-a76a-5b9340e6a02e",
        "searched_at": utc(2025, 9, 1, 13, 10, 0),
        "agency_name": "Ward County TX SO",
        "agency_ori": "",
        "searcher": "Sgt. R. Delgado",
        "reason": "stolen vehicle",
        "reason_category": "",
        "reason_redacted": False,
        "case_number": "WCSO-25-3102",
        "networks_searched": 1840,
        "devices_searched": None,
        "search_type": "lookup",
        "is_mobile": False,
        "time_frame_start": utc(2025, 8, 2, 13, 10),
        "time_frame_end": utc(2025, 9, 1, 13, 10),
        "filters": "",
        "text_prompt": "",
        "plate": "RVX4821",
    },
    "generic_searches.csv": {
        "line": 2,
        "vendor_search_id": "LKB-2025-000101",
        "searched_at": utc(2025, 10, 1, 14, 12, 9),
        "agency_name": "Ward County TX SO",
        "agency_ori": "",
        "searcher": "Sgt. R. Delgado",
        "reason": "stolen vehicle",
        "reason_category": "",
        "reason_redacted": False,
        "case_number": "WCSO-25-3381",
        "networks_searched": 1847,
        "devices_searched": 20940,
        "search_type": "lookup",
        "is_mobile": False,
        "time_frame_start": None,
        "time_frame_end": None,
        "filters": "",
        "text_prompt": "",
        "plate": "RVX4821",
    },
}


@pytest.mark.parametrize("name", list(FIRST_ROWS))
def test_the_first_search_of_each_sample_matches_the_readme_field_by_field(name):
    fields = dict(FIRST_ROWS[name])
    plate = fields.pop("plate")
    expected = {**fields, "plate_hash": plate_hash(plate) if plate else ""}
    assert set(expected) == set(SearchRecord._fields)

    record = sample(name).records[0]

    assert record._asdict() == expected
    assert_aware_utc(record.searched_at)
    assert_aware_utc(record.time_frame_start)
    assert_aware_utc(record.time_frame_end)


def test_the_plate_hash_is_the_keyed_hash_of_the_normalised_plate():
    assert plate_hash("RVX4821") == plate_hash("rvx-4821") == plate_hash(" RVX 4821 ")
    assert plate_hash("RVX4821") != plate_hash("RVX4822")
    assert "RVX4821" not in plate_hash("RVX4821").upper()


PLATE_COLUMNS = {
    "flock_network_audit_13col.csv": "license plate",
    "flock_network_audit_overlap_next_month.csv": "license plate",
    "flock_network_audit_14col_devices.csv": "license plate",
    "flock_org_audit_split_date_time.csv": "license plate",
    "flock_network_audit.xlsx": "license plate",
    "bad_utf16_excel.csv": "license plate",
    "bad_cp1252.csv": "license plate",
    "bad_rows_flock_audit.csv": "license plate",
    "generic_searches.csv": "plate",
}


@pytest.mark.parametrize("name", list(PLATE_COLUMNS))
def test_no_searched_plate_appears_anywhere_in_the_records(name):
    plates = {
        plate.strip()
        for plate in raw_column(name, PLATE_COLUMNS[name])
        if plate.strip() and plate.strip().lower() not in ("***", "redacted")
    }
    assert plates, "the sample has plates to hide"
    forbidden = plates | {plate.replace(" ", "") for plate in plates}
    for record in sample(name).records:
        text = repr(record._asdict()).upper()
        leaked = [plate for plate in forbidden if plate.upper() in text]
        assert not leaked, f"line {record.line} shows {leaked}"
    hashes = {record.plate_hash for record in sample(name).records if record.plate_hash}
    assert hashes <= {plate_hash(plate) for plate in plates}


# --- flock_network_audit_13col.csv ---------------------------------------------------

THIRTEEN = "flock_network_audit_13col.csv"


def test_the_13_column_audit_reads_25_searches_and_its_last_row():
    parsed = sample(THIRTEEN)
    assert len(parsed.records) == 25
    last = parsed.records[-1]
    assert last.vendor_search_id == "3316ee13-1935-41f1-ba43-d31ccf4a4524"
    assert last.searched_at == utc(2025, 11, 2, 11, 58, 5)


def test_24_searches_have_a_two_line_time_frame_and_the_api_lookup_has_none():
    parsed = sample(THIRTEEN)
    framed = [r for r in parsed.records if r.time_frame_start and r.time_frame_end]
    assert len(framed) == 24
    assert all(r.time_frame_start < r.time_frame_end for r in framed)
    lookup = parsed.at(32)
    assert lookup.vendor_search_id == "10605720-3438-46fb-b4ba-728f9e0ae914"
    assert lookup.search_type == "apiLookup"
    assert lookup.time_frame_start is None
    assert lookup.time_frame_end is None
    assert lookup.searcher == "[redacted]"


def test_zero_networks_searched_is_kept_as_zero_not_unknown():
    record = sample(THIRTEEN).at(12)
    assert record.vendor_search_id == "582fa1a4-cc64-4a52-a147-6812f76b63cc"
    assert record.agency_name == "Oak Prairie IL PD"
    assert record.networks_searched == 0


def test_the_raw_13_column_file_has_7_star_and_7_redacted_cells():
    """The sample itself, read without the parser, as the README counts it."""
    text = (SAMPLES / THIRTEEN).read_text(encoding="utf-8")
    cells = [cell.strip() for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    assert cells.count("***") == 7
    assert cells.count("REDACTED") == 7


def test_redacted_cells_become_redaction_markers_and_never_blank():
    parsed = sample(THIRTEEN)
    # Name: REDACTED on lines 8 and 35, *** on lines 18 and 32.
    assert {r.line for r in parsed.records if r.searcher == "[redacted]"} == {8, 18, 32, 35}
    # Case #: REDACTED on lines 8, 18, 28, 35.
    assert {r.line for r in parsed.records if r.case_number == "[redacted]"} == {8, 18, 28, 35}
    # Reason: REDACTED only on line 35.
    redacted_reason = parsed.at(35)
    assert redacted_reason.agency_name == "ICE ERO Chicago [Federal]"
    assert redacted_reason.reason == ""
    assert redacted_reason.reason_redacted is True
    assert [r.line for r in parsed.records if r.reason_redacted] == [35]
    # License Plate: *** on lines 8, 18, 28, 35, 47 -> no hash at all.
    for line in (8, 18, 28, 35, 47):
        assert parsed.at(line).plate_hash == ""
    # A blank reason is not a redacted one, and an unredacted row keeps its values.
    assert parsed.at(2).searcher == "Sgt. R. Delgado"
    assert parsed.at(2).reason_redacted is False


def test_mobile_search_types_set_the_flag_and_keep_the_base_type():
    parsed = sample(THIRTEEN)
    mobile = {r.line: r.search_type for r in parsed.records if r.is_mobile}
    assert mobile == {
        6: "lookup",
        14: "search",
        28: "lookup",
        33: "search",
        39: "visual",
        45: "freeform",
        47: "lookup",
    }
    assert not any("mobile" in r.search_type.lower() for r in parsed.records)


def test_the_13_column_audit_keeps_its_organisations_raw_with_their_tags():
    agencies = Counter(r.agency_name for r in sample(THIRTEEN).records)
    assert agencies["ICE ERO Chicago [Federal]"] == 2
    assert agencies["HSI Chicago [Federal]"] == 1
    assert agencies["Ward County TX SO"] == 5
    assert agencies["Pleasant Valley IL Police Department"] == 1
    pleasant_valley = next(
        r for r in sample(THIRTEEN).records
        if r.agency_name == "Pleasant Valley IL Police Department"
    )  # fmt: skip
    assert pleasant_valley.reason == "assist HSI"


def test_a_quoted_reason_keeps_its_comma_and_quotes_and_utf8_names_decode():
    parsed = sample(THIRTEEN)
    assert parsed.records[14].reason == 'suspect vehicle "silver Tahoe", armed robbery'
    assert parsed.records[13].searcher == "Dep. L. Mu\u00f1oz"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (26, "Police service call - theft from auto"),
        (39, "campus theft - bike"),
    ],
)
def test_free_text_reasons_with_a_dash_are_not_split_into_a_category(line, reason):
    record = sample(THIRTEEN).at(line)
    assert record.reason == reason
    assert record.reason_category == ""


# --- flock_network_audit_overlap_next_month.csv --------------------------------------

OVERLAP = "flock_network_audit_overlap_next_month.csv"


def test_the_next_months_export_repeats_the_last_four_searches_identically():
    repeated = sample(OVERLAP).records[:4]
    originals = sample(THIRTEEN).records[-4:]
    assert [r.vendor_search_id for r in repeated] == [
        "004413f3-925a-4971-863d-0094df59d669",
        "ba2fe310-422a-48e1-b608-15202a56c466",
        "34e8bab4-f791-49b5-ae6a-8f27f85f64c1",
        "3316ee13-1935-41f1-ba43-d31ccf4a4524",
    ]
    for copy, original in zip(repeated, originals, strict=True):
        assert copy._replace(line=0) == original._replace(line=0)


def test_the_two_monthly_exports_together_hold_31_distinct_searches():
    first = {r.vendor_search_id for r in sample(THIRTEEN).records}
    second = [r.vendor_search_id for r in sample(OVERLAP).records]
    assert len(second) == 10
    new = [search_id for search_id in second if search_id not in first]
    assert len(new) == 6
    assert new[0] == "9eea02f0-7b9b-4607-8ce9-dd207289bdd5"
    assert new[-1] == "99729cbb-aea0-4355-b39f-144e118ed181"
    assert len(first | set(second)) == 31


def test_the_overlap_file_reads_a_morning_time_and_a_redacted_federal_reason():
    parsed = sample(OVERLAP)
    morning = parsed.at(18)
    assert morning is parsed.records[8]
    assert morning.searched_at == utc(2025, 11, 14, 9, 53, 36)
    assert morning.reason == "inv"
    redacted = parsed.records[6]
    assert redacted.agency_name == "ICE ERO Chicago [Federal]"
    assert redacted.reason == ""
    assert redacted.reason_redacted is True


# --- flock_network_audit_14col_devices.csv -------------------------------------------

FOURTEEN = "flock_network_audit_14col_devices.csv"


def test_the_14_column_header_is_found_in_any_order_case_and_spacing():
    parsed = sample(FOURTEEN)
    assert parsed.header == [
        "Search Time", "ID", " org name", " total networks searched",
        "Total Devices Searched", "NAME", "License  Plate", "Reason ", "case #",
        "Time Frame", "search type", "Filters", "Text Prompt", "Moderation",
    ]  # fmt: skip
    assert parsed.key == "flock_audit"
    assert len(parsed.records) == 15
    # Every column landed where it belongs despite the shuffled, messy header.
    assert all(r.devices_searched is not None for r in parsed.records)
    assert all(r.time_frame_start and r.time_frame_end for r in parsed.records)


def test_the_14_column_audit_reads_devices_and_large_network_counts():
    parsed = sample(FOURTEEN)
    second = parsed.at(4)
    assert second.vendor_search_id == "32c8e7ed-a1a1-40d7-938f-6ef1f4a8edd4"
    assert second.agency_name == "Brazos Ridge County TX SO"
    assert second.reason == "had an abortion, search for female"
    assert second.networks_searched == 6811
    assert second.devices_searched == 83417
    assert parsed.records[5].devices_searched == 0


def test_the_14_column_audit_keeps_federal_orgs_reasons_and_freeform_prompts():
    parsed = sample(FOURTEEN)
    cbp = parsed.records[3]
    assert cbp.agency_name == "U.S. Customs and Border Protection [Federal]"
    assert cbp.reason == "CBP pilot query"
    assert cbp.searcher == "[redacted]"
    assert cbp.case_number == "[redacted]"
    assert cbp.plate_hash == ""
    reasons = {r.reason for r in parsed.records}
    assert {
        "Border Patrol assist",
        "USBP assist",
        "HSI request",
        "immigration status check",
        "wanted subject - DOB 04/12/1988",
        "protest follow up",
        "custody dispute - ex wife vehicle",
        "personal",
        "narcotics - ice sale",
    } <= reasons
    freeform = parsed.records[12]
    assert freeform.search_type == "freeform"
    assert freeform.text_prompt == "white box truck no markings"


# --- flock_network_audit_2026_no_name_plate.csv --------------------------------------

AUDIT_2026 = "flock_network_audit_2026_no_name_plate.csv"


def test_the_bom_is_removed_before_the_header_is_read():
    parsed = sample(AUDIT_2026)
    assert (SAMPLES / AUDIT_2026).read_bytes().startswith(b"\xef\xbb\xbf")
    assert parsed.header[0] == "ID"
    assert parsed.key == "flock_audit"
    assert len(parsed.records) == 15


def test_the_2026_export_without_name_and_plate_leaves_them_empty():
    records = sample(AUDIT_2026).records
    assert all(r.searcher == "" for r in records)
    assert all(r.plate_hash == "" for r in records)


@pytest.mark.parametrize(
    ("row", "agency", "category", "reason"),
    [
        (1, "Ward County TX SO",
         "Immigration (civil/administrative)", "Immigration (civil/administrative) -"),
        (2, "Riverbend IL PD", "Stolen Vehicle", "Stolen Vehicle -"),
        (3, "Harris County TX SO", "Immigration (criminal)", "Immigration (criminal) -"),
        (4, "Phoenix AZ PD", "Wanted Person (Arrest Warrant/Fugitive)",
         "Wanted Person (Arrest Warrant/Fugitive) - Criminal Justice Purpose"),
        (6, "ICE ERO Chicago [Federal]", "Immigration (civil/administrative)",
         "Immigration (civil/administrative) - ERO request"),
        (9, "Pleasant Valley IL Police Department", "Narcotics", "Narcotics - ice sale"),
        (10, "Ward County TX SO", "Other", "Other - inv"),
        (11, "Harris County TX SO", "Other", "Other -"),
        (12, "Pleasant Valley IL Police Department", "Immigration (criminal)",
         "Immigration (criminal) - HSI task force"),
    ],
)  # fmt: skip
def test_2026_dropdown_reasons_give_a_category_and_keep_the_full_text(
    row, agency, category, reason
):
    record = sample(AUDIT_2026).records[row - 1]
    assert record.line == 2 * row
    assert record.agency_name == agency
    assert record.reason_category == category
    assert record.reason == reason
    assert record.reason_redacted is False


# --- flock_org_audit_split_date_time.csv ---------------------------------------------

SPLIT = "flock_org_audit_split_date_time.csv"


def test_split_search_date_and_time_combine_into_one_utc_instant():
    parsed = sample(SPLIT)
    assert parsed.records[0].searched_at == utc(2025, 8, 1, 13, 5, 22)
    assert parsed.records[-1].searched_at == utc(2025, 8, 27, 14, 50, 3)
    assert all(r.searched_at.date() >= date(2025, 8, 1) for r in parsed.records)
    assert all(r.agency_name == "Riverbend IL PD" for r in parsed.records)


def test_the_organisation_audit_keeps_zero_networks_and_its_reasons():
    parsed = sample(SPLIT)
    dot = parsed.at(16)
    assert dot.networks_searched == 0
    assert dot.reason == "."
    assert parsed.records[1].reason == "assist HSI"
    assert parsed.records[4].reason == "retail theft - Lowe's"
    assert parsed.records[4].reason_category == ""
    assert parsed.records[5].reason == "immigration status check"
    assert parsed.records[9].reason == "ICE detainer"


# --- flock_network_audit.xlsx --------------------------------------------------------

XLSX = "flock_network_audit.xlsx"


def test_the_workbook_is_read_with_sheet_rows_as_line_numbers():
    parsed = sample(XLSX)
    assert parsed.key == "flock_audit"
    assert parsed.encoding == "xlsx"
    assert [r.line for r in parsed.records] == list(range(2, 12))
    assert parsed.records[-1].vendor_search_id == "a09488ec-eb6a-4f6d-a3d5-5b051d744134"


def test_workbook_numeric_cells_empty_cells_and_redaction_are_read_like_csv():
    parsed = sample(XLSX)
    assert parsed.records[0].networks_searched == 1836
    assert parsed.at(6).networks_searched == 0
    assert parsed.at(6).agency_name == "Oak Prairie IL PD"
    fusion = parsed.at(8)
    assert fusion.search_type == "apiLookup"
    assert fusion.agency_name == "Prairie Region IL Fusion Center"
    assert fusion.time_frame_start is None
    assert fusion.time_frame_end is None
    redacted = parsed.at(11)
    assert redacted.reason == ""
    assert redacted.reason_redacted is True
    framed = [r for r in parsed.records if r.line != 8]
    assert all(r.time_frame_start and r.time_frame_end for r in framed)


# --- bad_utf16_excel.csv, bad_cp1252.csv ---------------------------------------------


def test_utf16_tab_separated_text_is_accepted_despite_its_nul_bytes():
    assert b"\x00" in (SAMPLES / "bad_utf16_excel.csv").read_bytes()[:8192]
    parsed = sample("bad_utf16_excel.csv")
    assert parsed.key == "flock_audit"
    assert parsed.encoding == "utf-16"
    assert len(parsed.records) == 6
    assert len({r.vendor_search_id for r in parsed.records}) == 6
    blank_frame = parsed.at(8)
    assert blank_frame.search_type == "apiLookup"
    assert blank_frame.time_frame_start is None
    assert parsed.records[1].searcher == "Dep. L. Mu\u00f1oz"


def test_windows_1252_text_is_decoded_with_a_warning():
    parsed = sample("bad_cp1252.csv")
    assert parsed.encoding == "cp1252"
    assert len(parsed.records) == 5
    assert parsed.records[-1].line == 10  # 11 lines
    assert any("Windows-1252" in warning for warning in parsed.warnings)
    texts = {r.searcher for r in parsed.records} | {r.reason for r in parsed.records}
    assert {
        "Ofc. J. Pe\u00f1a",
        "\u201cstolen vehicle\u201d",
        "narcotics \u2013 sold ice",
        "suspect\u2019s vehicle \u2013 \u201cgray Altima\u201d",
        "Ofc. S. N\u00fa\u00f1ez",
        "robbery at Caf\u00e9 Ol\u00e9",
        "\u201cICE detainer\u201d",
    } <= texts


def test_utf8_samples_raise_no_encoding_warning():
    assert sample(THIRTEEN).warnings == []
    assert sample(AUDIT_2026).warnings == []


# --- bad_rows_flock_audit.csv --------------------------------------------------------

BAD_ROWS = "bad_rows_flock_audit.csv"


def test_exactly_three_rows_fail_with_their_line_and_column():
    errors = sample(BAD_ROWS).errors
    assert [(e.line, e.column, e.value) for e in errors] == [
        (7, "Search Time", "09/31/2025, 25:05:37 PM UTC"),
        (12, "Total Networks Searched", "approx. 1500"),
        (18, "ID", ""),
    ]
    assert all(error.message for error in errors)


def test_the_other_ten_rows_of_the_bad_rows_file_are_imported():
    parsed = sample(BAD_ROWS)
    ids = [r.vendor_search_id for r in parsed.records]
    assert len(ids) == len(set(ids)) == 10
    assert "568d3d85-8e92-4aa7-8184-9ea12e71d68c" not in ids
    assert "3fab94bc-a6c0-4286-9fdc-6c624960c09d" not in ids
    assert not any(r.agency_name == "Pleasant Valley IL Police Department" for r in parsed.records)
    assert parsed.at(9).networks_searched == 0
    assert parsed.records[-1].line == 23
    assert parsed.records[-1].vendor_search_id == "84bf79b6-f625-4696-beaf-923018de7177"
    assert [r.line for r in parsed.records if r.time_frame_start is None] == [6, 11, 22]


# --- whole-file rejections -----------------------------------------------------------


def test_an_empty_file_is_rejected_as_empty():
    assert rejection(SAMPLES / "bad_empty.csv").code == "empty"


def test_a_png_renamed_to_csv_is_rejected_as_binary():
    assert rejection(SAMPLES / "bad_binary.csv").code == "binary"


def test_an_unknown_header_is_rejected_naming_found_and_expected_columns():
    error = rejection(SAMPLES / "bad_unknown_header.csv")
    assert error.code == "unknown_format"
    assert "Date, Amount, Vendor, Memo" in error.message
    for fmt in FORMATS_BY_KEY.values():
        assert ", ".join(fmt.identifying) in error.message, fmt.key


# --- flock_sharing_list.csv ----------------------------------------------------------

SHARING = "flock_sharing_list.csv"


def test_the_sharing_list_gives_one_grant_per_partner_and_direction_on_its_row():
    parsed = sample(SHARING)
    records = parsed.records
    outgoing = [r for r in records if r.direction == "outgoing"]
    incoming = [r for r in records if r.direction == "incoming"]
    assert len({r.partner_name for r in outgoing}) == len(outgoing) == 40
    assert len({r.partner_name for r in incoming}) == len(incoming) == 12
    # One partner per row (41 rows: line 22 lists a partner sharing nothing either way).
    assert [r.line for r in outgoing] == [*range(2, 22), *range(23, 43)]
    assert outgoing[0].partner_name == "Riverbend IL PD"
    assert outgoing[-1].partner_name == "Prairie View Apartments HOA"
    assert incoming[0].partner_name == "Riverbend IL PD"
    assert incoming[-1].partner_name == "Simon Property Group"
    assert parsed.warnings == [
        "1 partner row(s) list no network either way; no grant was made for them."
    ]
    # A snapshot: no dates.
    assert all(r.requested_at is None and r.decided_at is None for r in records)


def test_sharing_list_grants_keep_the_networks_they_cover_never_as_partners():
    records = sample(SHARING).records
    own = ("Maple Grove IL PD - LPR", "Maple Grove IL PD - Downtown", "Maple Grove IL Public Works")
    assert {r.networks for r in records if r.direction == "outgoing"} == {own}
    riverbend = next(
        r for r in records if r.direction == "incoming" and r.partner_name == "Riverbend IL PD"
    )
    assert riverbend.networks == ("Riverbend IL PD - LPR", "Riverbend IL PD - Mobile")
    assert not {r.partner_name for r in records} & set(own)


def test_sharing_list_names_are_stripped_and_keep_their_tags():
    records = sample(SHARING).records
    names = {r.partner_name for r in records}
    assert all(name == name.strip() and name for name in names)
    outgoing = {r.partner_name for r in records if r.direction == "outgoing"}
    assert {
        "ICE ERO Chicago [Federal]",
        "HSI Chicago [Federal]",
        "U.S. Marshals Service - NDIL [Federal]",
        "Ward County TX SO",
        "Harris County TX SO",
        "Phoenix AZ PD",
        "Brazos Ridge County TX SO",
        "Lowe's Home Centers",
        "Simon Property Group",
        "The Home Depot",
        "Prairie View Apartments HOA",
        "Northfield Commons Mall Security",
        "Kettle River Tribal Police (WI)",
        "Old Town IL PD [Inactive]",
        "Elm Crossing IL PD [turned off]",
        "Harlow IL PD - DNU",
        "Kettle County IL SO - Duplicate - do not use",
        "Prairie State University Police",
        "Pleasant Valley IL Police Department",
    } <= outgoing
    assert "Maple Grove IL PD" not in names  # the uploading organisation itself


# --- flock_event_log.csv -------------------------------------------------------------

EVENTS = "flock_event_log.csv"


def test_the_event_log_reads_233_distinct_events_on_lines_2_to_234():
    records = sample(EVENTS).records
    assert [r.line for r in records] == list(range(2, 235))
    assert len({r.event_id for r in records}) == 233
    assert Counter(r.event_type for r in records) == {"create": 223, "update": 6, "delete": 4}
    for record in records:
        assert_aware_utc(record.occurred_at)


def test_the_first_event_matches_the_readme():
    assert sample(EVENTS).records[0] == SharingEventRecord(
        line=2,
        event_id="c32fa35a-820a-4034-bd80-e2cd3fea1ed3",
        event_type="create",
        occurred_at=utc(2023, 6, 12, 15, 4, 11, 218000),
        partner_name="Oak Prairie IL PD",
        direction="outgoing",
        new_status="accepted",
        actor="a.kowalski@riverbendpd.example",
    )


def test_the_burst_is_214_outgoing_shares_created_by_one_actor_in_under_4_minutes():
    burst = [r for r in sample(EVENTS).records if 10 <= r.line <= 223]
    assert len(burst) == 214
    assert {r.actor for r in burst} == {"j.smith@riverbendpd.example"}
    assert {r.event_type for r in burst} == {"create"}
    assert {r.direction for r in burst} == {"outgoing"}
    assert {r.new_status for r in burst} == {"accepted"}
    assert len({r.partner_name for r in burst}) == 214
    assert (burst[0].partner_name, burst[0].occurred_at) == (
        "Juniper Falls IL PD",
        utc(2024, 4, 16, 19, 2, 5),
    )
    assert (burst[-1].partner_name, burst[-1].occurred_at) == (
        "Glendale AZ PD",
        utc(2024, 4, 16, 19, 5, 53),
    )
    assert burst[-1].occurred_at - burst[0].occurred_at == timedelta(minutes=3, seconds=48)
    partners = {r.partner_name for r in burst}
    assert {"Ward County TX SO", "Phoenix AZ PD", "Lowe's Home Centers",
            "Simon Property Group"} <= partners  # fmt: skip
    # Outside the burst j.smith creates nothing.
    others = [r for r in sample(EVENTS).records if not 10 <= r.line <= 223]
    assert not [r for r in others if r.event_type == "create" and r.actor.startswith("j.smith")]


def test_the_federal_shares_are_created_in_the_burst_and_deleted_later():
    parsed = sample(EVENTS)
    hsi = parsed.at(66)
    assert (hsi.event_id, hsi.partner_name) == (
        "f3fde486-22cb-45e4-a237-fea9c98e2460",
        "HSI Chicago [Federal]",
    )
    ice = parsed.at(211)
    assert ice.event_id == "15c59e40-8821-4f7d-9c6f-a382fa376aad"
    assert ice.partner_name == "ICE ERO Chicago [Federal]"
    assert ice.occurred_at == utc(2024, 4, 16, 19, 5, 36, 465000)
    assert ice.new_status == "accepted"

    assert parsed.at(229) == SharingEventRecord(
        line=229,
        event_id="fa295dc1-5c56-429e-90d9-8227cd356097",
        event_type="delete",
        occurred_at=utc(2025, 9, 23, 15, 10, 33, 517000),
        partner_name="ICE ERO Chicago [Federal]",
        direction="outgoing",
        new_status="revoked",
        actor="a.kowalski@riverbendpd.example",
    )
    hsi_delete = parsed.at(230)
    assert (hsi_delete.event_type, hsi_delete.partner_name, hsi_delete.new_status) == (
        "delete",
        "HSI Chicago [Federal]",
        "revoked",
    )
    assert {r.new_status for r in parsed.records if r.event_type == "delete"} == {"revoked"}


@pytest.mark.parametrize(
    ("line", "partner", "actor"),
    [
        (4, "Maple Grove IL PD", "Flock Safety Support"),
        (8, "Kettle County IL SO", "Lt. Dana Whitcomb"),
    ],
)
def test_incoming_shares_have_their_trailing_space_stripped(line, partner, actor):
    record = sample(EVENTS).at(line)
    assert record.partner_name == partner
    assert record.direction == "incoming"
    assert record.actor == actor


def test_actors_may_be_display_names_and_empty_details_default_to_outgoing():
    parsed = sample(EVENTS)
    assert parsed.at(227).actor == "Lt. Dana Whitcomb"
    last = parsed.at(234)
    assert last.event_type == "update"
    assert last.direction == "outgoing"
    assert last.new_status == ""  # an update that changes no status


# --- motorola_sharing_report.csv -----------------------------------------------------

MOTOROLA = "motorola_sharing_report.csv"


def test_the_motorola_report_reads_40_grants_one_per_line():
    records = sample(MOTOROLA).records
    assert [r.line for r in records] == list(range(2, 42))
    assert Counter(r.status for r in records) == {
        "accepted": 31,
        "revoked": 4,
        "pending": 3,
        "denied": 2,
    }


@pytest.mark.parametrize(
    ("lines", "direction", "data_type"),
    [
        (range(2, 27), "outgoing", "detections"),  # Detections Shared
        (range(27, 33), "incoming", "detections"),  # Detections Received
        (range(33, 38), "outgoing", "hot_list"),  # Hot List Sharing
        (range(38, 42), "incoming", "hot_list"),  # Hot-List Received
    ],
)
def test_motorola_sections_give_direction_and_data_type(lines, direction, data_type):
    parsed = sample(MOTOROLA)
    section = [r for r in parsed.records if r.line in lines]
    assert len(section) == len(lines)
    assert {(r.direction, r.data_type) for r in section} == {(direction, data_type)}


def test_the_first_motorola_row_matches_the_readme():
    assert sample(MOTOROLA).records[0] == GrantRecord(
        line=2,
        partner_name="DHS-HSI (Newark NJ)",
        direction="outgoing",
        data_type="detections",
        mode="one_to_one",
        status="accepted",
        partner_ori="",
        partner_state="NJ",
        partner_level="",
        requested_at=utc(2023, 11, 2, 15, 14),
        decided_at=utc(2024, 4, 16, 19, 2),
        decided_by="det.jsmith",
        declaration_on_file=False,
        declaration_date=None,
        vendor_reference="",
    )


def test_motorola_times_are_central_time_with_daylight_saving():
    parsed = sample(MOTOROLA)
    # 04/16/2024 14:02 CDT (UTC-5)
    assert parsed.at(2).decided_at == utc(2024, 4, 16, 19, 2)
    # 12/14/2023 16:02 CST (UTC-6)
    assert parsed.at(4).requested_at == utc(2023, 12, 14, 22, 2)
    for record in parsed.records:
        assert_aware_utc(record.requested_at)
        assert_aware_utc(record.decided_at)


def test_the_motorola_burst_is_19_decisions_by_det_jsmith_within_4_minutes():
    parsed = sample(MOTOROLA)
    burst = [r for r in parsed.records if r.decided_by == "det.jsmith"]
    assert [r.line for r in burst] == [*range(2, 20), 35]
    assert all(r.status == "accepted" for r in burst)
    times = [r.decided_at for r in burst]
    assert min(times) == utc(2024, 4, 16, 19, 2)
    assert max(times) == utc(2024, 4, 16, 19, 6)
    assert max(times) - min(times) <= timedelta(minutes=4)
    assert parsed.at(35).mode == "national"
    assert parsed.at(35).data_type == "hot_list"
    assert parsed.at(15).partner_name == "Lowe's Home Centers"
    assert parsed.at(16).partner_name == "U.S. Marshals Service - NDIL"
    assert (parsed.at(17).partner_name, parsed.at(17).mode) == (
        "Similar Laws Group (IL)",
        "similar_laws",
    )
    assert (parsed.at(18).partner_name, parsed.at(18).mode) == (
        "National Sharing (All LEARN Agencies)",
        "national",
    )


@pytest.mark.parametrize(
    ("line", "partner", "ori", "revoked_at"),
    [
        (20, "ICE LESC (Williston VT)", "VTICE0900", utc(2025, 9, 23, 15, 15)),
        (21, "CBP-NTC", "", utc(2025, 9, 23, 15, 16)),
        (22, "San Diego Sector Border Patrol (CA)", "", utc(2025, 9, 23, 15, 17)),
    ],
)
def test_revoked_federal_grants_carry_the_revocation_time_and_who(line, partner, ori, revoked_at):
    record = sample(MOTOROLA).at(line)
    assert record.partner_name == partner
    assert record.partner_ori == ori
    assert record.status == "revoked"
    assert record.decided_at == revoked_at
    assert record.decided_by == "chief.akowalski"


@pytest.mark.parametrize(
    ("line", "partner", "declared"),
    [
        (5, "Phoenix AZ PD", date(2024, 2, 1)),
        (7, "Lake County IN SO", date(2024, 3, 18)),
        (8, "Kenosha WI PD", date(2022, 9, 30)),
        (24, "Madison WI PD", date(2025, 7, 18)),
    ],
)
def test_out_of_state_partners_with_a_declaration_on_file(line, partner, declared):
    record = sample(MOTOROLA).at(line)
    assert record.partner_name == partner
    assert record.declaration_on_file is True
    assert record.declaration_date == declared


@pytest.mark.parametrize(
    ("line", "partner"),
    [
        (3, "Ward County TX SO"),
        (4, "Harris County TX SO"),
        (6, "Maricopa County AZ SO"),
        (9, "Tulsa OK PD"),
        (10, "Brazos Ridge County TX SO"),
        (19, "El Paso TX PD"),
        (25, "Laredo TX PD"),
    ],
)
def test_out_of_state_partners_without_a_declaration(line, partner):
    record = sample(MOTOROLA).at(line)
    assert record.partner_name == partner
    assert record.declaration_on_file is False
    assert record.declaration_date is None


def test_pending_and_statewide_motorola_rows():
    parsed = sample(MOTOROLA)
    laredo = parsed.at(25)
    assert (laredo.status, laredo.decided_at, laredo.decided_by) == ("pending", None, "")
    hsi_hot_list = parsed.at(36)
    assert (hsi_hot_list.partner_name, hsi_hot_list.status, hsi_hot_list.data_type) == (
        "DHS-HSI (Newark NJ)",
        "pending",
        "hot_list",
    )
    assert parsed.at(2).partner_name == "DHS-HSI (Newark NJ)"
    assert parsed.at(2).declaration_on_file is False
    statewide = {r.line: (r.status, r.direction) for r in parsed.records if r.mode == "statewide"}
    assert statewide == {32: ("pending", "incoming"), 34: ("accepted", "outgoing")}


# --- generic_grants.csv --------------------------------------------------------------

GRANTS = "generic_grants.csv"


def test_the_first_generic_grant_matches_the_readme():
    assert sample(GRANTS).records[0] == GrantRecord(
        line=2,
        partner_name="ICE ERO Chicago",
        direction="outgoing",
        data_type="detections",
        mode="one_to_one",
        status="accepted",
        partner_ori="",
        partner_state="IL",
        partner_level="federal",
        requested_at=utc(2024, 4, 10, 14, 12),
        decided_at=utc(2024, 4, 16, 19, 3, 27),
        decided_by="det.jsmith",
        declaration_on_file=False,
        declaration_date=None,
        vendor_reference="GEN-000101",
    )


def test_generic_grants_count_statuses_modes_and_levels_by_line():
    records = sample(GRANTS).records
    assert [r.line for r in records] == list(range(2, 14))
    assert {r.direction for r in records} == {"outgoing"}
    assert Counter(r.status for r in records) == {
        "accepted": 9,
        "revoked": 1,
        "pending": 1,
        "denied": 1,
    }
    by_line = {r.line: r for r in records}
    assert by_line[3].status == "revoked"
    assert by_line[3].partner_ori == "VTICE0900"
    assert by_line[3].decided_at == utc(2025, 9, 23, 15, 15)
    assert by_line[7].status == "pending"
    assert by_line[13].status == "denied"
    assert Counter(r.mode for r in records) == {
        "one_to_one": 9,
        "statewide": 1,
        "national": 1,
        "similar_laws": 1,
    }
    assert (by_line[9].mode, by_line[10].mode, by_line[13].mode) == (
        "statewide",
        "national",
        "similar_laws",
    )
    assert Counter(r.partner_level for r in records) == {
        "federal": 3,
        "county": 2,
        "local": 3,
        "other": 2,
        "private": 1,
        "tribal": 1,
    }
    assert [r.line for r in records if r.partner_level == "federal"] == [2, 3, 12]
    assert (by_line[11].partner_name, by_line[11].partner_level) == (
        "Lowe's Home Centers",
        "private",
    )


def test_a_pending_generic_grant_with_blank_optional_fields():
    record = sample(GRANTS).records[5]
    assert record.line == 7
    assert record.partner_name == "Harris County TX SO"
    assert record.decided_at is None
    assert record.decided_by == ""
    assert record.declaration_on_file is False
    assert record.declaration_date is None
    assert record.vendor_reference == ""


def test_generic_declarations_accept_true_false_no_and_blank():
    by_line = {r.line: r for r in sample(GRANTS).records}
    assert (by_line[5].partner_name, by_line[5].declaration_date) == (
        "Phoenix AZ PD",
        date(2025, 2, 14),
    )
    assert (by_line[6].partner_name, by_line[6].declaration_date) == (
        "Kenosha WI PD",
        date(2022, 9, 30),
    )
    assert [line for line, r in by_line.items() if r.declaration_on_file] == [5, 6]


# --- generic_searches.csv ------------------------------------------------------------

SEARCHES = "generic_searches.csv"


def test_generic_search_ids_run_from_101_to_120_one_per_line():
    records = sample(SEARCHES).records
    assert [(r.line, r.vendor_search_id) for r in records] == [
        (k + 1, f"LKB-2025-{100 + k:06d}") for k in range(1, 21)
    ]


@pytest.mark.parametrize(
    ("line", "instant"),
    [
        (3, utc(2025, 10, 3, 2, 47, 55)),  # 2025-10-02T21:47:55-05:00
        (4, utc(2025, 10, 3, 16, 5, 41)),  # 2025-10-03T11:05:41-05:00
        (8, utc(2025, 10, 7, 22, 41, 15)),  # 2025-10-07T17:41:15-05:00
        (14, utc(2025, 10, 13, 17, 44, 12)),  # 2025-10-13T12:44:12-05:00
        (19, utc(2025, 10, 18, 14, 2, 14)),  # 2025-10-18T09:02:14-05:00
        (2, utc(2025, 10, 1, 14, 12, 9)),  # Z
    ],
)
def test_generic_search_offsets_are_converted_to_utc(line, instant):
    searched_at = sample(SEARCHES).at(line).searched_at
    assert searched_at == instant
    assert_aware_utc(searched_at)


def test_generic_search_plates_hash_alike_when_they_repeat():
    records = sample(SEARCHES).records
    hashed = [r for r in records if r.plate_hash]
    assert len(hashed) == 9
    assert len({r.plate_hash for r in hashed}) == 8
    by_line = {r.line: r for r in records}
    assert by_line[7].plate_hash == by_line[19].plate_hash == plate_hash("BX 40912")


def test_generic_searches_keep_blank_reasons_unknown_devices_and_zero_counts():
    by_line = {r.line: r for r in sample(SEARCHES).records}
    blank = by_line[16]
    assert blank.vendor_search_id == "LKB-2025-000115"
    assert blank.reason == ""
    assert blank.reason_redacted is False
    assert [line for line, r in by_line.items() if r.devices_searched is None] == [5, 10, 16, 19]
    assert (by_line[7].networks_searched, by_line[7].devices_searched) == (0, 0)
    assert by_line[15].reason == "had an abortion, search for female"
    assert by_line[15].devices_searched == 83417
    agencies = {r.agency_name for r in by_line.values()}
    assert {"ICE ERO Chicago", "HSI Chicago", "U.S. Customs and Border Protection"} <= agencies
    assert not any("[" in agency for agency in agencies)


# --- tiny files built for one rule each ----------------------------------------------


def test_a_zip_bomb_disguised_as_a_workbook_is_refused_quickly(tmp_path):
    path = tmp_path / "audit.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            zeros = bytes(1024 * 1024)
            for _ in range(300):  # 300 MiB of zeros
                member.write(zeros)
    assert path.stat().st_size < 1024 * 1024

    started = time.monotonic()
    error = rejection(path)
    elapsed = time.monotonic() - started

    assert error.code == "zip_bomb"
    assert elapsed < 2.0


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "export.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("readme.txt", "not a spreadsheet")
    error = rejection(path)
    assert error.code == "binary"
    assert "workbook" in error.message.lower()


def test_a_workbook_may_hold_the_portals_grants_template(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["partner_agency", "mode", "status"])
    workbook.active.append(["Ward County TX SO", "one_to_one", "accepted"])
    path = tmp_path / "grants.xlsx"
    workbook.save(path)
    parsed = parse(path)
    assert parsed.key == "generic_grants"
    assert [record.partner_name for record in parsed.records] == ["Ward County TX SO"]


def test_a_native_date_cell_in_a_workbook_is_taken_as_utc(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["ID", "Org Name", "Total Networks Searched", "Reason", "Search Time"])
    native_time = datetime(2025, 10, 3, 14, 12, 9)
    workbook.active.append(
        ["d96e4aea-77c3-4c5e-bd72-d78f480298c3", "Ward County TX SO", 1847.0, "inv", native_time]
    )
    path = tmp_path / "audit.xlsx"
    workbook.save(path)
    (record,) = parse(path).records
    assert record.searched_at == utc(2025, 10, 3, 14, 12, 9)
    assert record.networks_searched == 1847


def test_a_header_naming_a_column_twice_is_refused(tmp_path):
    path = write(
        tmp_path,
        "dup.csv",
        "ID,Org Name,Total Networks Searched,Reason,Search Time, org  NAME\r\n",
    )
    error = rejection(path)
    assert error.code == "duplicate_column"
    assert "org" in error.message.lower()


def test_a_flock_audit_without_reason_is_refused_naming_the_column(tmp_path):
    path = write(
        tmp_path,
        "no_reason.csv",
        "ID,Name,Org Name,Total Networks Searched,Search Time\r\n"
        "d96e4aea-77c3-4c5e-bd72-d78f480298c3,Sgt. R. Delgado,Ward County TX SO,1847,"
        '"10/03/2025, 02:12:09 PM UTC"\r\n',
    )
    error = rejection(path)
    assert error.code == "missing_columns"
    assert "reason" in error.message.lower()


def test_a_typographic_apostrophe_in_the_sharing_list_header_is_accepted(tmp_path):
    path = write(
        tmp_path,
        "shared.csv",
        "Organization Name,Networks Shared With Me,Networks I\u2019m Sharing\r\n"
        'ICE ERO Chicago [Federal] ,"","Maple Grove IL PD - LPR , Maple Grove IL Public Works "\r\n'
        'Riverbend IL PD,"Riverbend IL PD - LPR ",""\r\n',
    )
    parsed = parse(path)
    assert parsed.key == "flock_sharing_list"
    assert [(r.direction, r.partner_name, r.networks) for r in parsed.records] == [
        ("outgoing", "ICE ERO Chicago [Federal]",
         ("Maple Grove IL PD - LPR", "Maple Grove IL Public Works")),
        ("incoming", "Riverbend IL PD", ("Riverbend IL PD - LPR",)),
    ]  # fmt: skip


def test_a_row_shorter_than_the_header_is_parsed_with_blank_missing_cells(tmp_path):
    path = write(
        tmp_path,
        "short.csv",
        FLOCK_13_HEADER + "\r\n"
        "d96e4aea-77c3-4c5e-bd72-d78f480298c3,Sgt. R. Delgado,Ward County TX SO,1847,,"
        'RVX4821,stolen vehicle,WCSO-25-3381,,"10/03/2025, 02:12:09 PM UTC"\r\n',
    )
    parsed = parse(path)
    assert parsed.errors == []
    (record,) = parsed.records
    assert record.vendor_search_id == "d96e4aea-77c3-4c5e-bd72-d78f480298c3"
    assert record.searched_at == utc(2025, 10, 3, 14, 12, 9)
    assert record.search_type == ""
    assert record.is_mobile is False
    assert record.text_prompt == ""
    assert record.plate_hash == plate_hash("RVX4821")


def test_flock_ids_are_stored_lowercased(tmp_path):
    path = write(
        tmp_path,
        "upper.csv",
        FLOCK_13_HEADER + "\r\n"
        "D96E4AEA-77C3-4C5E-BD72-D78F480298C3,,Ward County TX SO,1847,,,inv,,,"
        '"10/03/2025, 02:12:09 PM UTC",lookup,,\r\n',
    )
    (record,) = parse(path).records
    assert record.vendor_search_id == "d96e4aea-77c3-4c5e-bd72-d78f480298c3"


def test_blank_rows_are_skipped_silently_and_do_not_shift_line_numbers(tmp_path):
    row = '{id},,Ward County TX SO,"6,811",,,inv,,,"10/03/2025, 02:12:09 PM UTC",lookup,,\r\n'
    path = write(
        tmp_path,
        "blank.csv",
        FLOCK_13_HEADER
        + "\r\n"
        + row.format(id="d96e4aea-77c3-4c5e-bd72-d78f480298c3")
        + ",,,,,,,,,,,,\r\n"
        + row.format(id="851b92b1-c05d-4ae5-959a-4e8aec5fb525"),
    )
    parsed = parse(path)
    assert parsed.errors == []
    assert [r.line for r in parsed.records] == [2, 4]
    assert [r.networks_searched for r in parsed.records] == [6811, 6811]  # thousands comma


@pytest.mark.parametrize(
    ("search_id", "search_time", "column"),
    [
        ("***", "10/03/2025, 02:12:09 PM UTC", "ID"),
        ("REDACTED", "10/03/2025, 02:12:09 PM UTC", "ID"),
        ("d96e4aea-77c3-4c5e-bd72-d78f480298c3", "REDACTED", "Search Time"),
        ("d96e4aea-77c3-4c5e-bd72-d78f480298c3", "10/03/2025, 02:12:09 PM CST", "Search Time"),
    ],
)
def test_redacted_keys_and_non_utc_times_are_row_errors(tmp_path, search_id, search_time, column):
    path = write(
        tmp_path,
        "keys.csv",
        FLOCK_13_HEADER + "\r\n"
        f'{search_id},,Ward County TX SO,1847,,,inv,,,"{search_time}",lookup,,\r\n',
    )
    parsed = parse(path)
    assert parsed.records == []
    assert [(e.line, e.column) for e in parsed.errors] == [(2, column)]


def test_a_file_holding_only_a_bom_and_whitespace_is_empty(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf \r\n")
    assert rejection(path).code == "empty"


def test_bytes_undefined_in_windows_1252_are_an_encoding_error(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(FLOCK_13_HEADER.encode() + b"\r\nabc\x81def\r\n")
    assert rejection(path).code == "encoding"


def test_an_undefined_windows_1252_byte_deep_in_the_file_is_still_an_encoding_error(tmp_path):
    """§1.1: the whole file is judged, not only its first bytes (here past 64 KiB)."""
    row = (
        "d96e4aea-77c3-4c5e-bd72-d78f480298c3,Ofc. J. Pe\xf1a,Ward County TX SO,1847,,,inv,,,"
        '"10/03/2025, 02:12:09 PM UTC",lookup,,\r\n'
    ).encode("cp1252")
    path = tmp_path / "long.csv"
    path.write_bytes(FLOCK_13_HEADER.encode() + b"\r\n" + row * 1000 + b"x\x81y\r\n")
    assert path.stat().st_size > 64 * 1024
    with pytest.raises(FileRejected) as caught:
        parse(path)
    assert caught.value.code == "encoding"


def test_an_event_without_an_id_is_a_row_error(tmp_path):
    path = write(
        tmp_path,
        "events.csv",
        EVENT_LOG_HEADER + "\r\n"
        ",networkShare,create,a.kowalski@riverbendpd.example,2024-04-16T19:02:05Z,"
        'Oak Prairie IL PD,"{""direction"":""outgoing""}"\r\n',
    )
    parsed = parse(path)
    assert parsed.records == []
    assert [(e.line, e.column) for e in parsed.errors] == [(2, "id")]


@pytest.mark.parametrize(
    ("reason", "category"),
    [
        ("Immigration (civil/administrative) -", "Immigration (civil/administrative)"),
        ("Stolen Vehicle - blue Civic", "Stolen Vehicle"),
        ("narcotics - sold ice", ""),
        ("missing person - elderly male", ""),
        ("Agg Battery - 24-01234", ""),
    ],
)
def test_only_flock_dropdown_categories_are_split_from_the_reason(reason, category):
    from apps.vendors.parsing.flock import split_reason

    assert split_reason(reason) == (category, reason)
