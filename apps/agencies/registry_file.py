"""Read ICE's list of 287(g) partner agencies as ICE publishes it (XLSX) or saved as CSV.

The file is refused whole, with a message saying what to do, when it is too large, not
a workbook or text, a ZIP that would unpack to far more than it weighs, or lacks one of
ICE's columns; as the portal's uploads are (`apps/vendors/parsing/reading.py`, which
the directory may not import: it ranks below the uploads). Workbooks are read
streaming, through defusedxml (openpyxl uses it when installed), with the values Excel
computed rather than formulas. Cell text is data: a name like `=HYPERLINK(…)` is kept
as written; pages escape it and the portal's exports write it as text.
"""

import codecs
import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from .naming import US_STATES, normalize_words

# ICE's list is a workbook of some 100 KB and about 1,300 rows: a file far larger, or of
# far more rows (blank ones too: a sheet of a million empty rows is read all the same),
# is not that list.
MAX_FILE_BYTES = 10 * 1024**2
MAX_UNPACKED_BYTES = 100 * 1024**2
MAX_ROWS = 20_000
# A real workbook compresses text maybe 10-20 times; anything past this is refused.
MAX_ZIP_RATIO = 100
# A header may sit under a title row or two.
ROWS_ABOVE_HEADER = 5

REQUIRED_COLUMNS = ("STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE", "SIGNED")
OPTIONAL_COLUMNS = ("MOA", "ADDENDUM")

STATE_CODES = {
    "ALABAMA": "AL", "ALASKA": "AK", "ARIZONA": "AZ", "ARKANSAS": "AR", "CALIFORNIA": "CA",
    "COLORADO": "CO", "CONNECTICUT": "CT", "DELAWARE": "DE", "DISTRICT OF COLUMBIA": "DC",
    "FLORIDA": "FL", "GEORGIA": "GA", "HAWAII": "HI", "IDAHO": "ID", "ILLINOIS": "IL",
    "INDIANA": "IN", "IOWA": "IA", "KANSAS": "KS", "KENTUCKY": "KY", "LOUISIANA": "LA",
    "MAINE": "ME", "MARYLAND": "MD", "MASSACHUSETTS": "MA", "MICHIGAN": "MI",
    "MINNESOTA": "MN", "MISSISSIPPI": "MS", "MISSOURI": "MO", "MONTANA": "MT",
    "NEBRASKA": "NE", "NEVADA": "NV", "NEW HAMPSHIRE": "NH", "NEW JERSEY": "NJ",
    "NEW MEXICO": "NM", "NEW YORK": "NY", "NORTH CAROLINA": "NC", "NORTH DAKOTA": "ND",
    "OHIO": "OH", "OKLAHOMA": "OK", "OREGON": "OR", "PENNSYLVANIA": "PA",
    "RHODE ISLAND": "RI", "SOUTH CAROLINA": "SC", "SOUTH DAKOTA": "SD", "TENNESSEE": "TN",
    "TEXAS": "TX", "UTAH": "UT", "VERMONT": "VT", "VIRGINIA": "VA", "WASHINGTON": "WA",
    "WEST VIRGINIA": "WV", "WISCONSIN": "WI", "WYOMING": "WY", "PUERTO RICO": "PR",
    "GUAM": "GU", "US VIRGIN ISLANDS": "VI", "VIRGIN ISLANDS": "VI", "AMERICAN SAMOA": "AS",
    "NORTHERN MARIANA ISLANDS": "MP",
}  # fmt: skip

# Excel's error values and the spreadsheet's own "not available" in the COUNTY column.
_NOT_AVAILABLE = re.compile(r"^#(N/?A|REF!|VALUE!|NAME\?)$", re.IGNORECASE)
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y", "%B %d, %Y", "%b %d, %Y")


class RegistryFileRejected(ValueError):
    """The whole file cannot be imported; the message says why and what to do."""


@dataclass(frozen=True)
class PublishedRow:
    """One agreement as ICE lists it, trimmed; `line` is the row's number in the file."""

    line: int
    state: str
    agency_name: str
    agency_type: str
    county: str
    support_text: str
    signed_on: date | None
    moa_label: str
    addendum_label: str


@dataclass
class RegistryFile:
    rows: list[PublishedRow]
    problems: list[str]  # rows left out, with why
    sha256: str  # of the bytes the rows were read from


def registry_file_read(path: Path) -> RegistryFile:
    """Every row of the file with an agency, or RegistryFileRejected. The file is read
    once: the rows and the SHA-256 come from the same bytes."""
    with path.open("rb") as source:
        data = source.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise RegistryFileRejected(
            f"The file is over {MAX_FILE_BYTES:,} bytes, the limit for ICE's list (a "
            "workbook of about 100 KB): it is not that list."
        )
    if not data[: 64 * 1024].strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise RegistryFileRejected("The file is empty: there is nothing to import.")
    cells = _workbook_rows(data) if data.startswith(b"PK\x03\x04") else _text_rows(data)
    published = _published_rows(cells)
    published.sha256 = hashlib.sha256(data).hexdigest()
    return published


def _workbook_rows(data: bytes) -> Iterator[list]:
    size = len(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, NotImplementedError, UnicodeDecodeError):
        raise RegistryFileRejected("The file looks like a ZIP archive but is damaged.") from None
    if "xl/workbook.xml" not in {member.filename for member in members}:
        raise RegistryFileRejected("The file is a ZIP archive, not an Excel workbook.")
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES or unpacked > MAX_ZIP_RATIO * max(size, 1):
        raise RegistryFileRejected(
            f"The workbook would unpack to far more data than it holds ({unpacked:,} bytes "
            f"from {size:,}; ICE's list unpacks to at most "
            f"{MAX_UNPACKED_BYTES // 1024**2} MB); it was refused as unsafe."
        )
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged workbook
        raise _unreadable(error) from None
    try:
        # ICE's list is the first sheet.
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # read what the sheet holds, not what it declares
        try:
            for record in sheet.iter_rows(values_only=True):
                yield list(record)
        except Exception as error:  # the sheet's XML is only parsed as it is read
            raise _unreadable(error) from None
    finally:
        workbook.close()


def _unreadable(error: Exception) -> RegistryFileRejected:
    return RegistryFileRejected(
        f"The workbook could not be read ({type(error).__name__}). Open it in Excel, save "
        "it again as .xlsx or CSV, and import that."
    )


def _text_rows(data: bytes) -> Iterator[list]:
    head = data[: 64 * 1024]
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif b"\x00" in head:
        raise _binary()
    else:
        candidates = ["utf-8", "cp1252"]
    text = next(
        (decoded for name in candidates if (decoded := _decoded(data, name)) is not None), None
    )
    if text is None:
        raise RegistryFileRejected(
            "The file's text encoding could not be recognised. Save it as UTF-8 CSV."
        )
    if "\x00" in text:  # no text export holds one
        raise _binary()
    first_line = text.partition("\n")[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as error:
        raise RegistryFileRejected(f"The file cannot be read as CSV: {error}.") from None


def _decoded(data: bytes, encoding: str) -> str | None:
    """The whole file as text (a stray byte deep in it counts too), or None."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _binary() -> RegistryFileRejected:
    return RegistryFileRejected("This is not a CSV or XLSX file (it holds binary data).")


def _header_name(cell) -> str:
    return " ".join(str(cell or "").split()).upper()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def state_code(text: str) -> str:
    """`TEXAS ` and `tx` give `TX`; anything else gives ""."""
    words = normalize_words(text).upper()
    if words in US_STATES:
        return words
    return STATE_CODES.get(words, "")


def signed_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    # A date saved from Excel to CSV may carry a time of day: "9/22/2025 0:00".
    for candidate in dict.fromkeys((text, text.split(" ")[0])):
        for pattern in _DATE_FORMATS:
            try:
                return datetime.strptime(candidate, pattern).date()
            except ValueError:
                continue
    return None


def _published_rows(cells: Iterator[list]) -> RegistryFile:
    columns: dict[str, int] = {}
    seen_header = []
    header_line = 0
    for header_line, record in enumerate(cells, start=1):
        names = [_header_name(cell) for cell in record]
        if set(REQUIRED_COLUMNS) <= set(names):
            columns = {name: names.index(name) for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
                       if name in names}  # fmt: skip
            break
        if any(names):
            seen_header.append(names)
        if header_line > ROWS_ABOVE_HEADER:
            break
    if not columns:
        # Name the columns missing from the row that looks most like a header.
        best = max(seen_header, key=lambda names: len(set(names) & set(REQUIRED_COLUMNS)),
                   default=[])  # fmt: skip
        missing = [name for name in REQUIRED_COLUMNS if name not in best]
        raise RegistryFileRejected(
            f"The file lacks ICE's column(s) {', '.join(missing)}. ICE's list has the "
            f"columns {', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)} (MOA and ADDENDUM "
            "may be left out), in a header row near the top."
        )
    rows: list[PublishedRow] = []
    problems: list[str] = []
    for line, record in enumerate(cells, start=header_line + 1):
        # Every row read counts, blank or not: reading them is the cost.
        if line > MAX_ROWS:
            raise RegistryFileRejected(
                f"The file has more than {MAX_ROWS:,} rows (blank ones counted): ICE's list "
                "has about 1,300. Delete the rows under the list and import it again."
            )
        values = {name: record[at] if at < len(record) else None for name, at in columns.items()}
        if not any(_text(value) for value in values.values()):
            continue  # blank rows under the list
        name = _text(values["LAW ENFORCEMENT AGENCY"])[:255]
        state = state_code(_text(values["STATE"]))
        if not name or not state:
            problems.append(
                f"Row {line}: "
                + ("no agency name" if not name else f"unknown state “{_text(values['STATE'])}”")
                + ", left out."
            )
            continue
        county = _text(values["COUNTY"])
        signed = signed_date(values["SIGNED"])
        if signed is None and _text(values["SIGNED"]):
            problems.append(f"Row {line}: the date “{_text(values['SIGNED'])}” is not read.")
        rows.append(
            PublishedRow(
                line=line,
                state=state,
                agency_name=name,
                agency_type=_text(values["TYPE"])[:60],
                county="" if _NOT_AVAILABLE.match(county) else county[:100],
                support_text=_text(values["SUPPORT TYPE"])[:100],
                signed_on=signed,
                moa_label=_text(values.get("MOA"))[:100],
                addendum_label=_text(values.get("ADDENDUM"))[:100],
            )
        )
    return RegistryFile(rows, problems, sha256="")
