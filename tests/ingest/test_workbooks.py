"""Every format is read from a workbook as from its CSV (docs/vendor-formats.md §1.5).

Each format's CSV samples are written as XLSX the way Excel would type them (numbers,
dates, times and booleans as typed cells), on the second sheet behind a notes sheet,
and must give the same records, row errors and warnings as the CSV. The test iterates
FORMATS, so a new format is covered as soon as it has a CSV sample.
"""

import csv
import dataclasses
import io
import re
import zipfile
from datetime import date, datetime, time
from functools import cache
from pathlib import Path

import openpyxl
import pytest

from apps.vendors.parsing import FORMATS_BY_KEY, FileRejected, parse_export

SAMPLES = Path(__file__).parent / "samples"

NOTES = [
    ["Records request 2025-118: vendor export, as received"],
    ["Prepared by the city clerk's office"],
]
TITLE_ROWS = [["Riverbend IL Police Department"], []]


@cache
def csv_samples() -> dict[str, list[Path]]:
    """The good CSV samples, by the format the portal detects in them."""
    samples: dict[str, list[Path]] = {}
    for path in sorted(SAMPLES.glob("*.csv")):
        if path.name.startswith("bad_"):
            continue
        export = parse_export(path)
        export.table.close()
        samples.setdefault(export.format.key, []).append(path)
    return samples


# What Excel (US locale) makes of a typed-in or CSV-opened cell. Numbers with a leading
# zero or past 15 digits, and decimals, are left as text: Excel would change their
# digits, which no reader could undo.
WHOLE = re.compile(r"-?(?:[1-9]\d{0,14}|0)")
GROUPED = re.compile(r"[1-9]\d{0,2}(?:,\d{3})+")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
US_DATE = re.compile(r"\d{2}/\d{2}/\d{4}")
US_MINUTE = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}")
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?")
CLOCK = re.compile(r"\d{2}:\d{2}:\d{2} [AP]M")


def excel_typed(text: str):
    if text == "":
        return None
    if text.upper() in ("TRUE", "FALSE"):
        return text.upper() == "TRUE"
    if WHOLE.fullmatch(text) or GROUPED.fullmatch(text):
        return int(text.replace(",", ""))
    if ISO_DATE.fullmatch(text):
        return date.fromisoformat(text)
    if US_DATE.fullmatch(text):
        return datetime.strptime(text, "%m/%d/%Y").date()
    if US_MINUTE.fullmatch(text):
        return datetime.strptime(text, "%m/%d/%Y %H:%M")
    if ISO_MOMENT.fullmatch(text):
        return datetime.fromisoformat(text)
    if CLOCK.fullmatch(text):
        return datetime.strptime(text, "%I:%M:%S %p").time()
    return text


def csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text("utf-8-sig"), newline="")))


def as_workbook(path: Path, rows: list[list], *, above_header: list[list] = ()) -> Path:
    """`rows` on the second sheet of a workbook, behind a notes sheet."""
    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "Notes"
    for row in NOTES:
        notes.append(row)
    export = workbook.create_sheet("Export")
    for row in [*above_header, *rows]:
        export.append(row)
    workbook.save(path)
    return path


def parsed(path: Path) -> tuple[str, list, list[str]]:
    export = parse_export(path)
    try:
        items = list(export.items)
    finally:
        export.table.close()
    return export.format.key, items, export.warnings


def without_line(item):
    if hasattr(item, "_replace"):
        return item._replace(line=0)
    return dataclasses.replace(item, line=0)


@pytest.mark.parametrize("title_rows", [0, 2], ids=["header-on-row-1", "two-title-rows"])
@pytest.mark.parametrize("key", sorted(FORMATS_BY_KEY))
def test_every_format_read_from_a_typed_workbook_gives_the_records_of_its_csv(
    key, title_rows, tmp_path
):
    samples = csv_samples().get(key)
    assert samples, f"{key} has no CSV sample in tests/ingest/samples/ to compare with"
    for sample in samples:
        rows = csv_rows(sample)
        typed = [rows[0], *([excel_typed(cell) for cell in row] for row in rows[1:])]
        above = TITLE_ROWS[:title_rows]
        workbook = as_workbook(tmp_path / f"{sample.stem}.xlsx", typed, above_header=above)

        csv_key, csv_items, csv_warnings = parsed(sample)
        xlsx_key, xlsx_items, xlsx_warnings = parsed(workbook)

        assert xlsx_key == csv_key == key
        assert [without_line(item) for item in xlsx_items] == [
            without_line(item) for item in csv_items
        ], sample.name
        header_row = title_rows + 1
        assert xlsx_warnings == [
            f'The export was read from the sheet "Export", header on row {header_row}.',
            *csv_warnings,
        ]
        # Line numbers are the sheet's row numbers.
        assert all(item.line > header_row for item in xlsx_items)


def test_the_samples_hold_cells_excel_types_as_numbers_and_dates():
    """The comparison above means something only if Excel would type some cells."""
    kinds = set()
    for paths in csv_samples().values():
        for path in paths:
            for row in csv_rows(path)[1:]:
                kinds |= {type(excel_typed(cell)) for cell in row}
    assert {int, date, datetime} <= kinds


def test_a_workbook_whose_sheets_match_nothing_is_refused_naming_its_sheets(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Notes"
    workbook.active.append(["Exported for the council meeting"])
    budget = workbook.create_sheet("Budget 2025")
    budget.append(["Date", "Amount", "Vendor"])
    budget.append([date(2025, 10, 1), 1249.0, "Flock Group Inc"])
    workbook.save(tmp_path / "budget.xlsx")

    with pytest.raises(FileRejected) as caught:
        parse_export(tmp_path / "budget.xlsx")

    assert caught.value.code == "unknown_format"
    assert '"Notes", "Budget 2025"' in caught.value.message
    assert "organization name, networks i'm sharing" in caught.value.message


def test_a_sheet_with_an_incomplete_header_is_refused_naming_the_sheet_and_the_column(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "SharedNetworks_2025_December_30"
    workbook.active.append(["Organization Name", "Networks I'm Sharing"])
    workbook.save(tmp_path / "shared.xlsx")

    with pytest.raises(FileRejected) as caught:
        parse_export(tmp_path / "shared.xlsx")

    assert caught.value.code == "missing_columns"
    assert caught.value.message.startswith('Sheet "SharedNetworks_2025_December_30": ')
    assert "networks shared with me" in caught.value.message


def test_a_second_sheet_holding_an_export_is_named_in_a_warning(tmp_path):
    rows = [["partner_agency", "mode", "status"], ["Ward County TX SO", "one_to_one", "accepted"]]
    workbook = openpyxl.Workbook()
    workbook.active.title = "October"
    november = workbook.create_sheet("November")
    for row in rows:
        workbook.active.append(row)
        november.append(row)
    workbook.save(tmp_path / "grants.xlsx")

    key, items, warnings = parsed(tmp_path / "grants.xlsx")

    assert key == "generic_grants"
    assert len(items) == 1
    assert any('"November" also hold an export' in warning for warning in warnings)


def test_a_sheet_declaring_too_small_a_size_is_read_to_its_last_row(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["partner_agency", "mode", "status"])
    for number in range(5):
        workbook.active.append([f"Partner {number} PD", "one_to_one", "accepted"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    # Some tools other than Excel write a wrong <dimension>: here, the header alone.
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(tmp_path / "g.xlsx", "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:C1"', data)
            target.writestr(name, data)

    _, items, _ = parsed(tmp_path / "g.xlsx")

    assert [item.partner_name for item in items] == [f"Partner {n} PD" for n in range(5)]


def test_excel_dates_and_times_are_written_as_each_column_expects(tmp_path):
    header = ["ID", "Org Name", "Total Networks Searched", "Reason", "Search Date", "Search Time"]
    row = ["d96e4aea-77c3-4c5e-bd72-d78f480298c3", "Ward County TX SO", 1847, "inv",
           date(2025, 10, 3), time(14, 12, 9)]  # fmt: skip
    path = as_workbook(tmp_path / "split.xlsx", [header, row])

    _, (record,), _ = parsed(path)

    assert record.searched_at.isoformat() == "2025-10-03T14:12:09+00:00"
