"""Motorola Vigilant LEARN "Agency Data Sharing Report", as departments hold it: a PDF
(often a scan with an OCR text layer), or the records-request workbook with one sheet
per section (docs/vendor-formats.md §5).

The report lists names only, in four sections, set in two columns. Every name becomes
a one-to-one grant accepted as of the report; dates, deciders and declarations are not
in it. Names are taken as printed: OCR damage ("CEP NTC", "Potice") is left for the
agency review, which suggests look-alikes and never merges on its own.

A record's `line` is the line of the report's text it starts on, counted from the top
of the first page (titles and footers count); in the workbook, the row counted down
through the section sheets in workbook order.
"""

import itertools
import re
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pypdfium2
from django.conf import settings
from pypdfium2 import raw

from .errors import FileRejected, RowError
from .formats import Format, normalize_header

# The sections of a LEARN sharing report, titles as printed (case, hyphens and spaces
# aside) → (direction, data type): the same in the PDF, the workbook and the CSV layout.
from .motorola import SECTIONS
from .reading import Table, _cell_text, _unreadable_workbook, check_workbook_archive
from .records import GrantRecord

LEARN_PDF = Format(
    "motorola_learn_pdf", "Motorola LEARN Agency Data Sharing Report (PDF)", "sharing_list",
    "motorola", (), (),
)  # fmt: skip
LEARN_WORKBOOK = Format(
    "motorola_learn_workbook", "Motorola LEARN sharing report workbook", "sharing_list",
    "motorola", ("organization name",), ("organization name",),
)  # fmt: skip

NAME_LIMIT = 255

_FOOTER = re.compile(r"date created:|learn agency data sharing report|^page \d+ of \d+$")
_TITLES = {"agency data sharing report", "organization name", "agency name", "agency"}
# "The X Agency is Sharing its Detection data with the following Agencies:" and the
# received sections' "The following Agencies are Sharing their … data with the X Agency:".
_SENTENCE = re.compile(r"^the\b.*\b(is|are) sharing\b|following agencies")
# A line that cannot start an agency name continues the one above it: a state or
# office in parentheses, a lower-case word, or a joining word or sign.
_CONTINUES = re.compile(r"^(\([A-Za-z]{1,3}\)|[a-z(),&/-]|(and|of|for|the)\b)")
_ENDS_OPEN = re.compile(r"([-&,/(]|\b(and|of|for|the))$", re.IGNORECASE)
# Where a right-column cell starts: past the middle of the page, after a wide gap.
_COLUMN_GAP = 12.0
# A wrapped name's next line is set at least this far right of where names start.
_INDENT = 4.0
_LINE_TOLERANCE = 3.0
# Characters closer than this (points) are one word when no space parts them.
_WORD_GAP = 2.0

_STREAM = re.compile(rb"stream\r?\n")
_FLATE = re.compile(rb"/(FlateDecode|Fl)\b")
_OTHER_CODECS = re.compile(rb"/(LZWDecode|LZW|RunLengthDecode|RL)\b")


def is_pdf(head: bytes) -> bool:
    return head.startswith(b"%PDF-")


def _section_of(text: str) -> tuple[str, str] | None:
    return SECTIONS.get(" ".join(text.casefold().replace("-", " ").split()))


def _name(text: str) -> str:
    """A name as printed, without control characters or runs of spaces."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


# --- the PDF --------------------------------------------------------------------------


def parse_pdf(path: Path) -> tuple[Format, Table, Iterator]:
    """Read the report's text layer and return its grants; FileRejected when the file
    is too large or too long, is a decompression bomb, has no text layer or no section."""
    size = path.stat().st_size
    if size > settings.PORTAL_PDF_MAX_BYTES:
        raise FileRejected(
            "too_large",
            f"The PDF is {size:,} bytes; the limit for a sharing report is "
            f"{settings.PORTAL_PDF_MAX_BYTES:,}. Upload the records-request workbook instead.",
        )
    _refuse_bombs(path, size)
    _refuse_cut(path, size)
    lines = _text_lines(path)
    items = list(_items_of(lines))
    if not any(isinstance(item, GrantRecord) for item in items) and not _found_section(lines):
        raise FileRejected(
            "unknown_format",
            "The PDF has text but none of the LEARN report's sections (Detections Shared, "
            "Detections Received, Hot List Sharing, Hot-List Received). Upload the Agency "
            "Data Sharing Report itself, or its records-request workbook.",
        )
    table = Table([], iter(()), "pdf", [], lambda: 1.0)
    return LEARN_PDF, table, iter(items)


def _refuse_bombs(path: Path, size: int) -> None:
    """Inflate every compressed stream, within a budget, before PDFium does.

    PDFium inflates a stream whole, so a small file can ask for gigabytes. A real
    report's streams inflate to tens of times their size; the budget is
    `PORTAL_PDF_MAX_INFLATE_RATIO` times the file, capped by
    `PORTAL_PDF_MAX_INFLATED_BYTES`. LZW and run-length streams cannot be measured
    without decoding them the way PDFium does, and reports do not use them.
    """
    budget = min(settings.PORTAL_PDF_MAX_INFLATED_BYTES,
                 settings.PORTAL_PDF_MAX_INFLATE_RATIO * max(size, 1024))  # fmt: skip
    data = path.read_bytes()
    spent = 0
    for match in _STREAM.finditer(data):
        dictionary = data[max(0, match.start() - 1024) : match.start()]
        dictionary = dictionary[dictionary.rfind(b"obj") + 1 :]
        if b"/Image" in dictionary:
            continue  # a text page leaves image data compressed: the text is not in it
        if _OTHER_CODECS.search(dictionary):
            raise FileRejected(
                "pdf_codec",
                "The PDF uses an old compression (LZW or run-length) the portal does not "
                "read. Print it again to PDF, or upload the records-request workbook.",
            )
        if not _FLATE.search(dictionary):
            continue
        end = data.find(b"endstream", match.end())
        inflater = zlib.decompressobj()
        try:
            spent += len(inflater.decompress(data[match.end() : end], budget - spent + 1))
        except zlib.error:
            continue  # damaged: PDFium reads what it can and gets no more out of it
        if spent > budget:
            raise FileRejected(
                "pdf_bomb",
                "The PDF would unpack to far more data than it holds; it was refused as "
                "unsafe. Print the report again to PDF, or upload the records-request "
                "workbook.",
            )


def _refuse_cut(path: Path, size: int) -> None:
    """Refuse a file cut short, in upload or in saving: it must end in `%%EOF`.

    PDFium rebuilds a missing cross-reference table and reads the pages left, so a
    cut report would load without its last names, and the next full report would
    start their grants again as new.
    """
    with path.open("rb") as file:
        file.seek(max(0, size - 1024))
        tail = file.read()
    if b"%%EOF" not in tail:
        raise FileRejected(
            "pdf_damaged",
            "The PDF is cut short: it does not end the way a PDF file ends, so names "
            "would be missing. Download or save the report again and upload it whole, or "
            "upload the records-request workbook.",
        )


@dataclass
class _Line:
    """One printed line of one column: where it starts, its text."""

    number: int  # line of the report's text, from the top of page 1
    column: int  # 0 left, 1 right (a full-width line is 0)
    x0: float
    text: str
    full_width: bool


def _text_lines(path: Path) -> list[_Line]:
    # PDFium's text page, not pdfminer's layout analysis: a 40-page report read in
    # about a second instead of half a minute (docs/benchmarks.md).
    started = time.monotonic()
    lines: list[_Line] = []
    number = 0
    pdf = None
    try:
        pdf = pypdfium2.PdfDocument(path)
        if len(pdf) > settings.PORTAL_PDF_MAX_PAGES:
            raise FileRejected(
                "too_long",
                f"The PDF has {len(pdf):,} pages; a sharing report may have at most "
                f"{settings.PORTAL_PDF_MAX_PAGES:,}. Split it, or upload the "
                "records-request workbook.",
            )
        any_text = False
        for index in range(len(pdf)):
            if time.monotonic() - started > settings.PORTAL_PDF_PARSE_SECONDS:
                raise FileRejected(
                    "too_slow",
                    f"Reading the PDF took longer than "
                    f"{settings.PORTAL_PDF_PARSE_SECONDS} seconds. Print the report "
                    "again to PDF, or upload the records-request workbook.",
                )
            page = pdf[index]
            try:
                words = _words(page)
                width = float(page.get_width())
            finally:
                page.close()
            any_text = any_text or bool(words)
            rows = _rows(words)
            lines += _page_lines(rows, width, number)
            number += len(rows)
    except FileRejected:
        raise
    except Exception as error:
        # PDFium refuses a file it cannot repair with its own error; anything else
        # raised while reading a damaged file is refused the same way.
        raise FileRejected(
            "pdf_damaged",
            f"The PDF is damaged and cannot be read ({type(error).__name__}). Open it and "
            "save or print it again as PDF, or upload the records-request workbook.",
        ) from None
    finally:
        if pdf is not None:
            pdf.close()
    if not any_text:
        raise FileRejected(
            "pdf_no_text",
            "This PDF has no text layer: it is a scanned image only, so the agency names "
            "cannot be read from it. Run it through OCR (save it as a searchable PDF) and "
            "upload that, or upload the records-request workbook (one sheet per section "
            "with an ORGANIZATION NAME column).",
        )
    return lines


def _words(page) -> list[dict]:
    """The page's words, each with its left, right and top edge (top measured down from
    the top of the page), as `_rows` and `_page_lines` take them.

    A word ends at a space or line break (PDFium's own or the file's), and where the
    next character is not on the same line or starts more than `_WORD_GAP` past the
    last one: an OCR layer often places each character on its own. Boxes are PDFium's
    loose ones, from the font's ascent and descent, so a comma's top is its line's.
    """
    textpage = page.get_textpage()
    try:
        height = float(page.get_height())
        words: list[dict] = []
        word: dict | None = None
        # Character by character: PDFium's text of a range may leave characters out or
        # add some, which would put a character beside another's box.
        for index in range(textpage.count_chars()):
            code = raw.FPDFText_GetUnicode(textpage, index)
            char = chr(code) if 0 < code <= 0x10FFFF else ""
            if not char or char.isspace() or not char.isprintable():
                word = None
                continue
            left, _bottom, right, top = textpage.get_charbox(index, loose=True)
            top = height - top
            if (
                word is None
                or abs(top - word["top"]) > _LINE_TOLERANCE
                or left - word["x1"] > _WORD_GAP
                or left < word["x0"]
            ):
                word = {"text": "", "x0": left, "x1": right, "top": top}
                words.append(word)
            word["text"] += char
            word["x1"] = max(word["x1"], right)
        return words
    finally:
        textpage.close()


def _rows(words: list[dict]) -> list[list[dict]]:
    """Words grouped into printed rows, top to bottom, each row left to right."""
    rows: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if rows and abs(word["top"] - rows[-1][0]["top"]) <= _LINE_TOLERANCE:
            rows[-1].append(word)
        else:
            rows.append([word])
    return [sorted(row, key=lambda w: w["x0"]) for row in rows]


def _page_lines(rows: list[list[dict]], width: float, first: int) -> list[_Line]:
    """Each printed row cut into its left and right cells by word position: a word
    starts the right cell when it lies past the middle of the page after a wide gap."""
    lines = []
    middle = width / 2
    for offset, row in enumerate(rows, start=1):
        cells: list[list[dict]] = [[row[0]]]
        for previous, word in itertools.pairwise(row):
            gap = word["x0"] - previous["x1"]
            if len(cells) == 1 and word["x0"] >= middle - _INDENT and gap >= _COLUMN_GAP:
                cells.append([word])
            else:
                cells[-1].append(word)
        full_width = len(cells) == 1 and row[0]["x0"] < middle - _INDENT and row[-1]["x1"] > middle
        for cell in cells:
            column = 1 if cell[0]["x0"] >= middle - _INDENT and not full_width else 0
            text = " ".join(word["text"] for word in cell)
            lines.append(_Line(first + offset, column, float(cell[0]["x0"]), text, full_width))
    return lines


def _found_section(lines: list[_Line]) -> bool:
    return any(_section_of(line.text) for line in lines)


def _items_of(lines: list[_Line]) -> Iterator:
    """Names by section, wrapped names joined, in the order of the report's lines.

    A line continues the name above it in the same column when it is set further right
    than names start there (a hanging indent), when it cannot start a name (see
    `_CONTINUES`), or when the line above ends open ("and", "-", "(").
    """
    section: tuple[str, str] | None = None
    title = ""
    in_sentence = False
    names: list[tuple[int, str, tuple[str, str], str]] = []  # line, name, section, title
    last_in_column: dict[int, int] = {}  # column → index into names
    starts: dict[int, float] = {}  # column → x where its names start
    for line in lines:
        text = _name(line.text)
        folded = text.casefold()
        if not text or _FOOTER.search(folded) or folded in _TITLES:
            continue
        found = _section_of(text)
        if found:
            section, title, in_sentence = found, text, False
            last_in_column, starts = {}, {}
            continue
        if section is None:
            continue  # the report's heading: the department's own name, its address
        # A sentence wrapped onto more lines goes on until its colon.
        if _SENTENCE.search(folded) or (in_sentence and (line.full_width or text.endswith(":"))):
            in_sentence = not text.endswith(":")
            continue
        in_sentence = False
        start = starts.setdefault(line.column, line.x0)
        if line.x0 < start:
            starts[line.column] = start = line.x0
        previous = last_in_column.get(line.column)
        if previous is not None and (
            line.x0 > start + _INDENT
            or _CONTINUES.match(text)
            or _ENDS_OPEN.search(names[previous][1])
        ):
            number, name, where, heading = names[previous]
            names[previous] = (number, f"{name} {text}", where, heading)
            continue
        last_in_column[line.column] = len(names)
        names.append((line.number, text, section, title))
    for number, name, (direction, data_type), heading in sorted(names, key=lambda n: n[0]):
        if len(name) > NAME_LIMIT:
            yield RowError(number, heading, name[:200], "Longer than an agency name can be.")
            continue
        yield _grant(number, name, direction, data_type)


def _grant(line: int, name: str, direction: str, data_type: str) -> GrantRecord:
    # The report shows current sharing only: each name is accepted as of the report.
    return GrantRecord(
        line=line,
        partner_name=name,
        direction=direction,
        data_type=data_type,
        mode="one_to_one",
        status="accepted",
    )


# --- the records-request workbook ------------------------------------------------------


def open_section_workbook(path: Path) -> tuple[Format, Table, Iterator] | None:
    """The records-request workbook (one sheet per section, each a single `ORGANIZATION
    NAME` column), or None when the workbook's sheets are not the report's sections."""
    size = path.stat().st_size
    check_workbook_archive(path, size)
    source = path.open("rb")
    try:
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
        sheets = [(sheet, _section_of(sheet.title)) for sheet in workbook.worksheets]
    except Exception as error:  # openpyxl raises many kinds on a damaged workbook
        source.close()
        raise _unreadable_workbook(error) from None
    if not any(section for _, section in sheets):
        workbook.close()
        source.close()
        return None

    def close() -> None:
        workbook.close()
        source.close()

    warnings = [
        f'The sheet "{_name(sheet.title)[:40]}" is not one of the report\'s sections; it was '
        "not read."
        for sheet, section in sheets
        if section is None
    ]
    table = Table(["organization name"], iter(()), "xlsx", warnings, lambda: 1.0, close)
    return LEARN_WORKBOOK, table, _workbook_items(sheets)


def _workbook_items(sheets) -> Iterator:
    line = 0
    for sheet, section in sheets:
        if section is None:
            continue
        title = _name(sheet.title)
        rows = sheet.iter_rows(values_only=True)
        column = None
        try:
            for row in rows:
                line += 1
                cells = [_cell_text(cell) for cell in row]
                if column is None:
                    names = [normalize_header(cell) for cell in cells]
                    if "organization name" not in names:
                        raise FileRejected(
                            "missing_columns",
                            f'The sheet "{title[:40]}" has no ORGANIZATION NAME column in its '
                            "first row. Put the agency names under that heading and upload the "
                            "workbook again.",
                        )
                    column = names.index("organization name")
                    continue
                name = _name(cells[column]) if column < len(cells) else ""
                if not name:
                    continue
                if len(name) > NAME_LIMIT:
                    yield RowError(line, title, name[:200], "Longer than an agency name can be.")
                    continue
                yield _grant(line, name, *section)
        except FileRejected:
            raise
        except Exception as error:  # the sheet's XML is only parsed as it is read
            raise _unreadable_workbook(error) from None
