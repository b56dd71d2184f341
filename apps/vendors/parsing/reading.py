"""Open an uploaded file as a table of text cells, whatever Excel did to it.

Handles: UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode Text", tab
separated), Windows-1252, XLSX. Refuses empty, binary and undecodable files, and ZIP
archives that would unpack to far more than they weigh (zip bombs).
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import openpyxl

from .errors import FileRejected
from .formats import _shown, detect_format, expected_headers

HEAD_BYTES = 64 * 1024
# A real workbook compresses text maybe 10-20 times; anything past this is refused.
MAX_ZIP_RATIO = 100
MAX_XLSX_UNPACKED_BYTES = 2 * 1024**3

csv.field_size_limit(16 * 1024 * 1024)


@dataclass
class Table:
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    encoding: str
    warnings: list[str] = field(default_factory=list)
    progress: Callable[[], float] = lambda: 0.0  # fraction of the file read so far
    close: Callable[[], None] = lambda: None
    sheet_name: str = ""  # a workbook's sheet title: Flock dates its sharing list there


def open_table(path: Path) -> Table:
    size = path.stat().st_size
    with path.open("rb") as probe:
        head = probe.read(HEAD_BYTES)
    if not head.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise FileRejected("empty", "The file is empty: there is nothing to load.")
    if head.startswith(b"PK\x03\x04"):
        return _open_xlsx(path, size)
    encoding, warnings = _detect_encoding(path, head)
    return _open_csv(path, size, encoding, warnings)


def _binary() -> FileRejected:
    return FileRejected(
        "binary",
        "This is not a text file (it contains binary data). Upload the CSV or XLSX "
        "export as the vendor produced it.",
    )


def _unrecognised_encoding() -> FileRejected:
    return FileRejected(
        "encoding",
        "The file's text encoding could not be recognised. Save it as UTF-8 CSV and "
        "upload it again.",
    )


def _detect_encoding(path: Path, head: bytes) -> tuple[str, list[str]]:
    # A BOM decides the encoding, but the text must still decode: a truncated or
    # damaged file would otherwise fail half-way through the load.
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        if b"\x00" in head:
            raise _binary()
        if _decodes_as(path, "utf-8"):
            return "utf-8", []
        if not _decodes_as(path, "cp1252"):
            raise _unrecognised_encoding()
        return "cp1252", ["The file is not UTF-8; it was read as Windows-1252."]
    if not _decodes_as(path, encoding):
        raise _unrecognised_encoding()
    return encoding, []


def _decodes_as(path: Path, encoding: str) -> bool:
    """Check the whole file, chunk by chunk: a stray byte deep in a file still counts.

    Raises FileRejected when the text holds a NUL character: no text export has one,
    and PostgreSQL cannot store it (past the first bytes, or in UTF-16, the byte test
    of `_detect_encoding` does not see it).
    """
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as source:
        try:
            while chunk := source.read(1024 * 1024):
                if "\x00" in decoder.decode(chunk):
                    raise _binary()
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _open_csv(path: Path, size: int, encoding: str, warnings: list[str]) -> Table:
    binary = path.open("rb")
    text = io.TextIOWrapper(binary, encoding=encoding, errors="strict", newline="")
    first_line = text.readline()
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    text.seek(0)
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        binary.close()
        raise FileRejected("empty", "The file is empty: there is nothing to load.") from None
    except csv.Error as error:
        binary.close()
        raise FileRejected(
            "malformed", f"The header line cannot be read as CSV: {error}."
        ) from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        while True:
            line = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise FileRejected(
                    "malformed", f"Line {line} cannot be read as CSV: {error}."
                ) from None
            yield line, record

    def progress() -> float:
        return binary.tell() / size if size else 1.0

    return Table(header, rows(), encoding, warnings, progress, binary.close)


def _open_xlsx(path: Path, size: int) -> Table:
    check_workbook_archive(path, size)
    return _open_checked_xlsx(path, size)


def check_workbook_archive(path: Path, size: int) -> None:
    """Refuse a ZIP that is damaged, is not a workbook, or would unpack to far more than
    it weighs (a zip bomb), before any of it is inflated."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            unpacked = sum(member.file_size for member in members)
    # A damaged directory also raises NotImplementedError (an unknown ZIP version or
    # method) and UnicodeDecodeError (a member name flagged UTF-8 that is not).
    except (zipfile.BadZipFile, NotImplementedError, UnicodeDecodeError):
        raise FileRejected("binary", "The file looks like a ZIP archive but is damaged.") from None
    if "xl/workbook.xml" not in names:
        raise FileRejected(
            "binary", "The file is a ZIP archive, not an Excel workbook. Upload the CSV or XLSX."
        )
    if unpacked > MAX_XLSX_UNPACKED_BYTES or unpacked > MAX_ZIP_RATIO * max(size, 1):
        raise FileRejected(
            "zip_bomb",
            "The workbook would unpack to far more data than it holds "
            f"({unpacked:,} bytes from {size:,}); it was refused as unsafe.",
        )


def _open_checked_xlsx(path: Path, size: int) -> Table:
    # A file object, not the path: stored files have no extension, which openpyxl checks.
    source = path.open("rb")
    try:
        # Read-only: rows are parsed as they are read, so memory stays flat whatever
        # the sheet's length.
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
        sheets = list(workbook.worksheets)
    except Exception as error:  # openpyxl raises many kinds on a damaged workbook
        source.close()
        raise _unreadable_workbook(error) from None

    def close() -> None:
        workbook.close()
        source.close()

    try:
        found, warnings = _find_export_sheet(sheets)
    except BaseException:
        close()
        raise
    sheet, total_rows, values, header_line, header, patterns = found
    state = {"line": header_line}

    def rows() -> Iterator[tuple[int, list[str]]]:
        while True:
            try:
                record = next(values)
            except StopIteration:
                return
            except Exception as error:
                raise _unreadable_workbook(error) from None
            state["line"] += 1
            texts = [_cell_text(cell) for cell in record]
            for position, pattern in patterns:
                if position < len(record) and isinstance(record[position], date | time):
                    texts[position] = _cell_text(record[position], pattern)
            yield state["line"], texts

    return Table(
        header, rows(), "xlsx", warnings, lambda: min(state["line"] / total_rows, 1.0), close,
        sheet_name=str(sheet.title or ""),
    )  # fmt: skip


# A header may sit under a few rows of titles or notes, which people add above the
# vendor's header when they answer a records request.
ROWS_ABOVE_HEADER = 5
SHEETS_NAMED = 10  # at most this many sheet names in a refusal


def _find_export_sheet(sheets: list) -> tuple[tuple, list[str]]:
    """The first sheet whose header names a known format, as (sheet, its rows after the
    header, the header's row number, the header, [(column position, date pattern)]),
    and warnings about the sheets it leaves out. Raises FileRejected when none does."""
    found = None
    incomplete: FileRejected | None = None
    looked_at: list[str] = []
    others: list[str] = []
    for sheet in sheets:
        title = _shown(str(sheet.title or ""))
        if found is not None:
            # Only to say so: a second export in the workbook is not loaded with the first.
            try:
                if _sheet_header(sheet) is not None:
                    others.append(f'"{title}"')
            except FileRejected:
                pass
            continue
        looked_at.append(title)
        try:
            found = _sheet_header(sheet)
        except FileRejected as rejection:
            if rejection.code not in ("missing_columns", "duplicate_column"):
                raise
            incomplete = incomplete or FileRejected(
                rejection.code, f'Sheet "{title}": {rejection.message}'
            )
    if found is None:
        if incomplete is not None:
            raise incomplete
        if not looked_at:
            raise FileRejected("empty", "The workbook has no sheets: there is nothing to load.")
        named = ", ".join(f'"{title}"' for title in looked_at[:SHEETS_NAMED])
        if len(looked_at) > SHEETS_NAMED:
            named += f" and {len(looked_at) - SHEETS_NAMED} more"
        raise FileRejected(
            "unknown_format",
            "No sheet of the workbook has a header the portal reads (looked at the first "
            f"{ROWS_ABOVE_HEADER + 1} rows of the sheets {named}). Expected one of — "
            f"{expected_headers()}. See the format guide.",
        )
    sheet, total_rows, values, line, header, fmt, columns = found
    warnings = []
    if sheet is not sheets[0] or line != 1:
        title = _shown(str(sheet.title or ""))
        warnings.append(f'The export was read from the sheet "{title}", header on row {line}.')
    if others:
        warnings.append(
            f"The sheet(s) {', '.join(others[:SHEETS_NAMED])} also hold an export and were not "
            "read: save each as a file of its own and upload it."
        )
    patterns = [(columns[name], pattern) for name, pattern in fmt.excel_text if name in columns]
    return (sheet, total_rows, values, line, header, patterns), warnings


def _sheet_header(sheet) -> tuple | None:
    """(sheet, its row count, its rows after the header, the header's row number, the
    header, format, columns) when one of the sheet's first rows is a known header; None
    when none is. Raises FileRejected for a header that names a format but lacks some
    of its columns."""
    total_rows = sheet.max_row or 1
    # Tools other than Excel may declare a sheet's size wrong, and openpyxl stops at
    # the declared size: read what the sheet holds instead.
    sheet.reset_dimensions()
    values = sheet.iter_rows(values_only=True)
    for line in range(1, ROWS_ABOVE_HEADER + 2):
        try:
            record = next(values)
        except StopIteration:
            return None
        except Exception as error:  # the sheet's XML is only parsed as it is read
            raise _unreadable_workbook(error) from None
        header = [_cell_text(cell) for cell in record]
        if not any(cell.strip() for cell in header):
            continue
        try:
            fmt, columns = detect_format(header)
        except FileRejected as rejection:
            if rejection.code == "unknown_format":
                continue
            raise
        return sheet, total_rows, values, line, header, fmt, columns
    return None


def _unreadable_workbook(error: Exception) -> FileRejected:
    return FileRejected(
        "binary",
        f"The workbook could not be read ({type(error).__name__}). "
        "Open it in Excel, save it again as .xlsx or CSV, and upload that.",
    )


def _cell_text(value, pattern: str = "") -> str:
    """A workbook cell as the CSV export would hold it. `pattern` (strftime) writes a
    date or time Excel typed the way the column's format writes it; a time alone takes
    the pattern from its first hour directive on."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # as Excel writes them to CSV
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):  # a datetime too
        if pattern:
            return value.strftime(pattern)
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, time):
        hour = min((at for at in (pattern.find("%H"), pattern.find("%I")) if at >= 0), default=-1)
        return value.strftime(pattern[hour:]) if hour >= 0 else value.isoformat()
    return str(value)


def row_getter(row: list[str], columns: dict[str, int], width: int) -> Callable[[str], str]:
    """`get(column_name)`: the stripped cell, "" where the row is short or lacks it."""
    if len(row) < width:
        row = row + [""] * (width - len(row))

    def get(name: str) -> str:
        index = columns.get(name)
        return row[index].strip() if index is not None else ""

    return get
