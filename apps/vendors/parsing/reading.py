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
from datetime import datetime
from pathlib import Path

from .errors import FileRejected

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
    import openpyxl

    # A file object, not the path: stored files have no extension, which openpyxl checks.
    source = path.open("rb")
    try:
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as error:  # openpyxl raises many kinds on a damaged workbook
        source.close()
        raise _unreadable_workbook(error) from None

    def close() -> None:
        workbook.close()
        source.close()

    total_rows = sheet.max_row or 1
    values = sheet.iter_rows(values_only=True)
    try:
        header = [_cell_text(cell) for cell in next(values)]
    except StopIteration:
        close()
        raise FileRejected("empty", "The workbook's first sheet is empty.") from None
    except Exception as error:  # the sheet's XML is only parsed as it is read
        close()
        raise _unreadable_workbook(error) from None
    state = {"line": 1}

    def rows() -> Iterator[tuple[int, list[str]]]:
        while True:
            try:
                record = next(values)
            except StopIteration:
                return
            except Exception as error:
                raise _unreadable_workbook(error) from None
            state["line"] += 1
            yield state["line"], [_cell_text(cell) for cell in record]

    return Table(header, rows(), "xlsx", [], lambda: min(state["line"] / total_rows, 1.0), close)


def _unreadable_workbook(error: Exception) -> FileRejected:
    return FileRejected(
        "binary",
        f"The workbook could not be read ({type(error).__name__}). "
        "Open it in Excel, save it again as .xlsx or CSV, and upload that.",
    )


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%m/%d/%Y, %I:%M:%S %p UTC")
    return str(value)


def row_getter(row: list[str], columns: dict[str, int], width: int) -> Callable[[str], str]:
    """`get(column_name)`: the stripped cell, "" where the row is short or lacks it."""
    if len(row) < width:
        row = row + [""] * (width - len(row))

    def get(name: str) -> str:
        index = columns.get(name)
        return row[index].strip() if index is not None else ""

    return get
