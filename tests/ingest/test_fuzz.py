"""Fuzzing the upload parsers with hypothesis.

Whatever a municipality uploads, parsing ends in records and row errors, or in one
`FileRejected` whose message a clerk can read; any other exception is a crash. A load
commits every good row of a file or none of them.

Files are built from each format's real header (the spellings and cell values of the
sample exports of that format, `tests/ingest/samples/`), then shuffled, respelled and
corrupted: random column order, case and spacing; huge fields, deeply quoted cells,
control characters, boundary dates, wrong encodings, truncated and spliced bytes.
Examples are derandomized, so CI runs the same files on every run, and no example
database is written: a failure prints the file that caused it.
"""

import csv
import io
import itertools
import json
import random
import re
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from apps.municipalities.scoping import municipality_scope
from apps.sharing.models import SearchEvent, SharingChange, SharingGrant
from apps.vendors.models import ExportRowError, VendorExport
from apps.vendors.parsing import (
    FORMATS_BY_KEY,
    PARSERS,
    FileRejected,
    GrantRecord,
    IgnoredRow,
    RowError,
    SearchRecord,
    SharingEventRecord,
    parse_export,
)
from apps.vendors.parsing.formats import normalize_header
from tests.ingest.samples import make_learn_reports as learn_samples
from tests.ingest.test_loading import TRANSACTIONAL, load, receive
from tests.municipalities.factories import MunicipalityFactory

SAMPLES = Path(__file__).parent / "samples"

# The acceptance floor: each parser's test builds at least this many files, in CI too.
EXAMPLES_PER_PARSER = 2_000
FUZZ = settings(
    max_examples=EXAMPLES_PER_PARSER,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
# Damaged bytes and wrong encodings get many files rejected before their parser; at
# least this many of a format's files must get past the format detection.
REACHED_PARSER = EXAMPLES_PER_PARSER * 2 // 5
# Loads hit PostgreSQL; fewer of them keep the file within its time budget.
LOADS = settings(FUZZ, max_examples=100)

RECORD_TYPES = {
    "network_audit": SearchRecord,
    "sharing_list": GrantRecord,
    "event_log": SharingEventRecord,
}
# A rejection is shown on the export's page and stored: a paragraph, not the file.
MAX_MESSAGE_LENGTH = 2_000
HUGE_FIELD = 100_000


# --- the real layouts, read from the samples -----------------------------------------


@dataclass
class Layout:
    """How the samples of one format spell its columns, and what their cells hold."""

    spellings: dict[str, list[str]] = field(default_factory=dict)  # name → header cells
    values: dict[str, list[str]] = field(default_factory=dict)  # name → cell values
    rows: list[dict[str, str]] = field(default_factory=list)  # name → value, per row
    json_keys: list[str] = field(default_factory=list)  # keys of JSON objects in cells

    def add_row(self, row: dict[str, str]) -> None:
        if row not in self.rows:
            self.rows.append(row)
        for name, value in row.items():
            known = self.values.setdefault(name, [])
            if value not in known and len(known) < 40:
                known.append(value)
            for _, key, _ in json_slots(json_object(value)):
                if isinstance(key, str) and key not in self.json_keys:
                    self.json_keys.append(key)


@cache
def sample_layouts() -> dict[str, Layout]:
    layouts: dict[str, Layout] = {}
    for path in sorted(SAMPLES.iterdir()):
        if path.suffix not in (".csv", ".xlsx"):
            continue
        try:
            parsed = parse_export(path)
        except FileRejected:
            continue
        layout = layouts.setdefault(parsed.format.key, Layout())
        try:
            names = [normalize_header(cell) for cell in parsed.table.header]
            for cell, name in zip(parsed.table.header, names, strict=True):
                spellings = layout.spellings.setdefault(name, [])
                if name and cell not in spellings:
                    spellings.append(cell)
            for _, row in parsed.table.rows:
                layout.add_row(dict(zip(names, row, strict=False)))
        finally:
            parsed.table.close()
    for layout in layouts.values():
        layout.rows = one_of_each_kind(layout.rows)
    return layouts


def one_of_each_kind(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """One row per combination of the values of the columns that hold few distinct
    values (event types, sections, statuses…), so that a rare kind of row, such as
    the six updates among 233 events, is drawn as often as a common one."""
    names = {name for row in rows for name in row}
    few = sorted(name for name in names if len({row.get(name) for row in rows}) <= 12)
    kinds: dict[tuple, dict[str, str]] = {}
    for row in rows:
        kinds.setdefault(tuple(row.get(name, "") for name in few), row)
    return list(kinds.values())


def layout_of(key: str) -> Layout:
    return sample_layouts()[key]


# --- cell values ---------------------------------------------------------------------

# The first and last moments a datetime holds come up often: an offset from them leaves
# the range.
moments = st.sampled_from((datetime.min, datetime.max)) | st.datetimes()
offsets = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))


def _clock12(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    meridiem = "AM" if moment.hour < 12 else "PM"
    return f"{hour:02}:{moment.minute:02}:{moment.second:02} {meridiem} UTC"


def _us_date(moment: datetime) -> str:
    return f"{moment.month:02}/{moment.day:02}/{moment.year:04}"


# Every way the documented formats write a time (docs/vendor-formats.md), for any
# moment from year 1 to 9999 and any offset.
TIME_LAYOUTS: tuple[Callable[[datetime, timezone], str], ...] = (
    lambda moment, _: f"{_us_date(moment)}, {_clock12(moment)}",
    lambda moment, _: _clock12(moment),
    lambda moment, _: f"{_us_date(moment)} {moment.hour:02}:{moment.minute:02}",
    lambda moment, _: _us_date(moment),
    lambda moment, _: moment.date().isoformat(),
    lambda moment, zone: moment.replace(tzinfo=zone).isoformat(),
    lambda moment, _: moment.isoformat() + "Z",
    lambda moment, _: moment.isoformat(),
)
times = st.builds(
    lambda layout, moment, zone: layout(moment, zone),
    st.sampled_from(TIME_LAYOUTS),
    moments,
    offsets,
)
counts = st.one_of(
    st.integers().map(str),
    st.integers(min_value=0).map("{:,}".format),
    st.integers(1, 6_000).map(lambda digits: "9" * digits),
    st.text("0123456789,. -+\u0660\u00b2", max_size=12),
)


@cache
def json_values(key: str):
    """JSON documents whose object keys are often those the format's samples use."""
    keys = st.sampled_from(layout_of(key).json_keys or ["key"]) | st.text(max_size=8)
    scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=4),
        max_leaves=12,
    )


def json_object(text: str) -> dict | None:
    if not text.startswith("{"):
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def json_slots(node) -> list[tuple[dict | list, str | int, object]]:
    """(container, key, value) of every value inside a JSON document, depth first."""
    if isinstance(node, dict):
        pairs = list(node.items())
    elif isinstance(node, list):
        pairs = list(enumerate(node))
    else:
        return []
    slots = []
    for key, value in pairs:
        slots += [(node, key, value), *json_slots(value)]
    return slots


def json_changed(text: str, choice: int, replacement) -> str:
    """A real JSON object with one value, at any depth, replaced: the keys the parser
    looks for, holding values of types it may not expect."""
    document = json_object(text)
    slots = json_slots(document)
    if slots:
        container, key, _ = slots[choice % len(slots)]
        container[key] = replacement
    return json.dumps(document)


@cache
def json_texts(key: str):
    return st.one_of(
        json_values(key).map(json.dumps),
        # Deep nesting: a JSON parser that recurses must not take the worker down.
        st.builds(
            lambda opening, depth: opening * depth,
            st.sampled_from(("[", '{"a":')),
            st.integers(1, 100_000),
        ),
        # A number past the 4,300 digits Python converts to int.
        st.integers(4_000, 6_000).map(lambda digits: "[" + "7" * digits + "]"),
    )


def csv_quoted(text: str, depth: int) -> str:
    """`text` CSV-quoted `depth` times over: every level doubles the quotes inside."""
    for _ in range(depth):
        text = '"' + text.replace('"', '""') + '"'
    return text


huge_texts = st.builds(
    lambda piece, length: (piece * (length // len(piece) + 1))[:length],
    st.text(min_size=1, max_size=6),
    st.integers(1_000, HUGE_FIELD),
)
short_texts = st.text(max_size=40)


def spliced(value: str, position: int, insert: str, remove: int) -> str:
    position = min(position, len(value))
    return value[:position] + insert + value[position + remove :]


@cache
def cell_values(key: str, name: str, *, mutations_only: bool = False):
    """Anything a cell might hold, the column's real values first (they shrink best).

    Built once per column: hypothesis validates every new strategy object, which costs
    more than drawing from it.
    """
    samples = layout_of(key).values.get(name)
    real = st.sampled_from(samples) if samples else short_texts
    others = st.one_of(
        st.builds(spliced, real, st.integers(0, 60), short_texts, st.integers(0, 3)),
        short_texts,
        times,
        counts,
        json_texts(key),
        st.builds(csv_quoted, real | short_texts, st.integers(1, 12)),
        huge_texts,
    )
    # A real value half the time, so that whole rows are often good enough to reach
    # the end of a parser.
    return st.one_of(real, others) if samples and not mutations_only else others


# --- header cells --------------------------------------------------------------------

CASES = (str, str.upper, str.lower, str.title, str.swapcase)
# No tabs: a header with more tabs than commas is read as tab-separated (docs §1.2).
GAPS = (" ", "  ", "\u00a0", " \u00a0 ")
PADDINGS = ("", " ", "\u00a0", "  ")
RESPELLINGS = tuple(itertools.product(CASES, GAPS, PADDINGS))


def respelled(spelling: str, respelling: tuple[Callable[[str], str], str, str]) -> str:
    case, gap, padding = respelling
    return padding + case(spelling).replace(" ", gap) + padding


@cache
def header_cells(key: str, name: str):
    """A real spelling of a column in another case, with other spaces around and inside."""
    spellings = layout_of(key).spellings[name]
    return st.builds(respelled, st.sampled_from(spellings), st.sampled_from(RESPELLINGS))


@cache
def unknown_columns(key: str):
    """Up to two header cells of any text that is none of the format's columns."""
    known = set(layout_of(key).spellings)
    return st.lists(
        short_texts.filter(lambda cell: normalize_header(cell) not in known),
        unique_by=normalize_header,
        max_size=2,
    )


def draw_header(draw, key: str) -> list[tuple[str, str]]:
    """(column name, header cell) in random order: every required column (rarely one
    left out), any of the optional ones the samples show, sometimes unknown columns
    (named "")."""
    layout = layout_of(key)
    required = list(FORMATS_BY_KEY[key].required)
    optional = [name for name in layout.spellings if name and name not in required]
    names = list(required)
    if draw(st.integers(0, 15)) == 0:
        names.remove(draw(st.sampled_from(required)))
    names += [name for name in optional if draw(st.booleans())]
    columns = [(name, draw(header_cells(key, name))) for name in names]
    columns += [("", cell) for cell in draw(unknown_columns(key))]
    return draw(st.permutations(columns))


@cache
def real_rows(key: str):
    return st.sampled_from(layout_of(key).rows)


@cache
def mutations(key: str, name: str):
    return cell_values(key, name, mutations_only=True)


def draw_rows(draw, key: str, names: list[str]) -> list[list[str]]:
    """Up to 4 rows: a real row of the samples with a few cells changed, or one made of
    any cells. A row may be cut short or run past the header."""
    table = []
    for _ in range(draw(st.integers(0, 4))):
        if draw(st.booleans()):
            real = draw(real_rows(key))
            row = [real.get(name, "") for name in names]
            for position in draw(st.lists(st.integers(0, len(row) - 1), max_size=3)):
                if json_object(row[position]) is not None and draw(st.booleans()):
                    row[position] = json_changed(
                        row[position], draw(st.integers(0, 20)), draw(json_values(key))
                    )
                else:
                    row[position] = draw(mutations(key, names[position]))
        else:
            row = [draw(cell_values(key, name)) for name in names]
        row = row[: draw(st.integers(0, len(row)))] if draw(st.booleans()) else row
        row += draw(st.lists(short_texts, max_size=2))
        table.append(row)
    return table


# --- files ---------------------------------------------------------------------------


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-16-be+bom":
        return b"\xfe\xff" + text.encode("utf-16-be", errors="replace")
    return text.encode(encoding, errors="replace")


# utf-8-sig, utf-16 and utf-32 carry a BOM; utf-16-le does not (a wrong encoding).
# UTF-8, the templates' encoding, comes up most.
ENCODINGS = (
    "utf-8", "utf-8", "utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "utf-16-be+bom",
    "cp1252", "latin-1", "utf-16-le", "utf-32",
)  # fmt: skip


def render_csv(table: list[list[str]], *, delimiter: str, terminator: str, quoting: str) -> str:
    if quoting == "none":
        # No quoting at all: delimiters, quotes and line breaks in cells break the file.
        return "".join(delimiter.join(row) + terminator for row in table)
    buffer = io.StringIO()
    mode = csv.QUOTE_ALL if quoting == "all" else csv.QUOTE_MINIMAL
    csv.writer(buffer, delimiter=delimiter, lineterminator=terminator, quoting=mode).writerows(
        table
    )
    return buffer.getvalue()


def draw_damage(draw, data: bytes) -> bytes:
    """The bytes as they are (most of the time), cut short, or with bytes spliced in or
    overwritten."""
    damage = draw(st.sampled_from(("none",) * 4 + ("truncate", "insert", "overwrite")))
    if damage == "none" or not data:
        return data
    position = draw(st.integers(0, len(data)))
    if damage == "truncate":
        return data[:position]
    patch = draw(st.binary(min_size=1, max_size=16))
    end = position + (len(patch) if damage == "overwrite" else 0)
    return data[:position] + patch + data[end:]


@st.composite
def csv_exports(draw, key: str, *, damaged: bool = True) -> bytes:
    """A file in the format `key`, from its real header and rows, shuffled, respelled,
    fuzzed, encoded in one of many ways, and (if `damaged`) often cut or spliced."""
    columns = draw_header(draw, key)
    table = draw_rows(draw, key, [name for name, _ in columns])
    layout = {
        "delimiter": draw(st.sampled_from((",", "\t"))),
        "terminator": draw(st.sampled_from(("\r\n", "\n", "\r"))),
    }
    quoting = draw(st.sampled_from(("minimal", "all", "none")))
    # Only the rows go unquoted: an unquoted header tests the format detection, which
    # the arbitrary bytes tests cover, and would keep most files from the parser.
    text = render_csv(
        [[cell for _, cell in columns]], quoting="all" if quoting == "all" else "minimal", **layout
    ) + render_csv(table, quoting=quoting, **layout)
    data = _encode(text, draw(st.sampled_from(ENCODINGS)))
    return draw_damage(draw, data) if damaged else data


def _xlsx_cell(value: str):
    """A text cell as openpyxl can write it (XML forbids control characters)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


xlsx_scalars = st.one_of(
    st.none(),
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 31)),
    st.dates(min_value=date(1900, 3, 1)),
    st.times(),
    st.booleans(),
)
# Numbers, dates and times in place of some text cells: (position in the row, value).
typed_cells = st.lists(st.tuples(st.integers(0, 20), xlsx_scalars), max_size=3)


@st.composite
def workbooks(draw, key: str) -> bytes:
    """A workbook of the format `key` written by openpyxl, with fuzzed cells, maybe
    behind a notes sheet and under title rows (the sheet is found by its header), maybe
    damaged."""
    columns = draw_header(draw, key)
    names = [name for name, _ in columns]
    above = draw(st.lists(st.lists(short_texts.map(_xlsx_cell), max_size=3), max_size=2))
    table = [*above, [_xlsx_cell(cell) for _, cell in columns]]
    for row in draw_rows(draw, key, names):
        row = [_xlsx_cell(cell) for cell in row]
        for position, value in draw(typed_cells):
            if row:
                row[position % len(row)] = value
        table.append(row)
    # Written once everything is drawn: a workbook abandoned half-way complains when
    # it is garbage-collected.
    notes = draw(st.booleans())
    workbook = openpyxl.Workbook(write_only=True)
    if notes:
        workbook.create_sheet("Notes").append(["Export as received from the vendor"])
    sheet = workbook.create_sheet("Export")
    for row in table:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    members = unzipped(buffer.getvalue())
    # openpyxl stamps the save time in the properties and the ZIP entries: fixed ones
    # make the same draws give the same bytes, so hypothesis can replay an example.
    members["docProps/core.xml"] = real_workbook_members()["docProps/core.xml"]
    return draw_damage(draw, zip_of(members))


def unzipped(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zip_of(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            entry = zipfile.ZipInfo(name, date_time=(2025, 9, 1, 12, 0, 0))
            entry.compress_type = compression
            archive.writestr(entry, data)
    return buffer.getvalue()


@cache
def real_workbook_members() -> dict[str, bytes]:
    return unzipped((SAMPLES / "flock_network_audit.xlsx").read_bytes())


def _declare_sizes(data: bytes, size: int) -> bytes:
    """Rewrite every member's declared unpacked size, in local and central headers."""
    patched = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = patched.find(signature)
        while start != -1:
            if start + offset + 4 <= len(patched):
                struct.pack_into("<I", patched, start + offset, size)
            start = patched.find(signature, start + 4)
    return bytes(patched)


# zipfile cuts a name at its first NUL; an empty name cannot be written.
member_names = st.text(
    st.characters(codec="utf-8", exclude_characters="\x00/"), min_size=1, max_size=20
)


@st.composite
def zip_archives(draw) -> bytes:
    """ZIP archives from a real workbook's members: some dropped, mutated, replaced by
    random ones, compressed or stored, with true or lying declared sizes."""
    members = real_workbook_members()
    kept = draw(st.lists(st.sampled_from(sorted(members)), unique=True))
    contents = {}
    for name in kept:
        data = members[name]
        contents[name] = draw_damage(draw, data)
    for name in draw(st.lists(st.sampled_from(sorted(members)) | member_names)):
        contents[name] = draw(st.binary(max_size=64))
    compression = draw(st.sampled_from((zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED)))
    data = zip_of(contents, compression)
    lie = draw(st.sampled_from(("none", "huge", "small")))
    if lie == "huge":
        data = _declare_sizes(data, draw(st.integers(2**20, 2**32 - 1)))
    elif lie == "small":
        data = _declare_sizes(data, draw(st.integers(0, 64)))
    return draw_damage(draw, data)


def header_line(key: str) -> bytes:
    layout = layout_of(key)
    cells = [layout.spellings[name][0] for name in FORMATS_BY_KEY[key].required]
    return (",".join(cells) + "\r\n").encode()


# --- the property --------------------------------------------------------------------


def assert_readable(message: str) -> None:
    """A sentence a clerk can read on the export page: a capital letter or a number
    first, a full stop last, no control characters, a paragraph at most."""
    assert isinstance(message, str), message
    assert message[:1].isupper() or message[:1].isdigit(), message[:300]
    assert message.endswith("."), message[:300]
    assert message.isprintable(), ascii(message[:300])
    assert len(message) <= MAX_MESSAGE_LENGTH, f"{len(message)} characters: {message[:300]}"


@dataclass
class Tally:
    """What the examples of one test came to, to show that they reached the parsers."""

    examples: int = 0
    formats: Counter = field(default_factory=Counter)  # files detected, by format key
    rejections: Counter = field(default_factory=Counter)  # by FileRejected code
    records: int = 0
    row_errors: int = 0
    workbooks: int = 0  # files detected that were workbooks


def check_parse(path: Path, tally: Tally) -> None:
    """Parse `path` to the end and check what comes out. Any exception but FileRejected
    propagates and fails the example."""
    tally.examples += 1
    try:
        export = parse_export(path)
    except FileRejected as rejection:
        assert_readable(rejection.message)
        tally.rejections[rejection.code] += 1
        return
    tally.formats[export.format.key] += 1
    tally.workbooks += export.table.encoding == "xlsx"
    try:
        items = list(export.items)
    except FileRejected as rejection:  # a row the reader cannot get past
        assert_readable(rejection.message)
        tally.rejections[rejection.code] += 1
        return
    finally:
        export.table.close()
    record_type = RECORD_TYPES[export.format.kind]
    last_line = 2
    for item in items:
        # An event log counts the rows that are not about sharing (IgnoredRow).
        assert isinstance(item, RowError | IgnoredRow | record_type), item
        assert isinstance(item.line, int) and item.line >= last_line, (item.line, last_line)
        last_line = item.line
        if isinstance(item, RowError):
            assert item.column.strip(), item
            assert isinstance(item.value, str), item
            assert_readable(item.message)
            tally.row_errors += 1
        else:
            times = [value for value in fields_of(item) if isinstance(value, datetime)]
            assert all(value.utcoffset() == timedelta(0) for value in times), item
            tally.records += 1
    assert all(isinstance(warning, str) and warning for warning in export.warnings)


def fields_of(record) -> list:
    names = getattr(record, "_fields", None) or record.__slots__
    return [getattr(record, name) for name in names]


def fuzz(strategy, path: Path, *, known: tuple[bytes, ...] = (), config=FUZZ) -> Tally:
    """Run the property over the `known` files, then `strategy`'s; return what they came
    to."""
    tally = Tally()

    @config
    @given(strategy)
    def property_holds(data: bytes) -> None:
        path.write_bytes(data)
        check_parse(path, tally)

    for data in known:
        property_holds = example(data)(property_holds)
    property_holds()
    return tally


# --- files that failed before a fix --------------------------------------------------


def csv_lines(*lines: str) -> bytes:
    return "".join(line + "\r\n" for line in lines).encode()


EVENT_LOG_HEADER = "id,entity_type,event_type,created_at,network_name,details"


def event(kind: str = "create", at: str = "2024-04-16T19:02:05Z", details: str = "") -> str:
    return f"c32fa35a-820a-4034-bd80-e2cd3fea1ed3,networkShare,{kind},{at},Phoenix AZ PD,{details}"


def zip_with_version(members: dict[str, bytes], version: int) -> bytes:
    """An archive whose central directory asks for a newer ZIP version than zipfile has."""
    data = bytearray(zip_of(members))
    struct.pack_into("<H", data, data.find(b"PK\x01\x02") + 6, version)
    return bytes(data)


# Replayed before the generated files on every run, whatever the generator's seed does.
# Each failed the property before a fix in apps/vendors/parsing: an exception other than
# FileRejected, or a rejection nobody could read. All but the `changes` ones were found
# by the tests below (and shrunk by hypothesis); those were found by reading the parser.
FAILED_BEFORE: dict[str, tuple[bytes, ...]] = {
    "bytes": (
        b"\xff\xfem",  # a UTF-16 BOM, then half a character: UnicodeDecodeError
        b"\xef\xbb\xbf\x80mode,status\r\n",  # a UTF-8 BOM, then no UTF-8
        # UTF-32 read as UTF-16: NUL characters, quoted in the rejection message.
        "mode,status\r\n".encode("utf-32"),
        # Control characters and a 100 KB "column name", quoted in the rejection.
        b"Date,\x1b[31mAmount\x07\r\n",
        b"x" * 100_000 + b",Amount\r\n",
    ),
    "flock_event_log": (
        # json.loads raises ValueError, not JSONDecodeError, past 4,300 digits …
        csv_lines(EVENT_LOG_HEADER, event(details="9" * 4_301)),
        # … and RecursionError on deep nesting.
        csv_lines(EVENT_LOG_HEADER, event(details="[" * 100_000)),
        # `changes` other than {"status": [old, new]}: AttributeError, TypeError.
        csv_lines(EVENT_LOG_HEADER, event("update", details='"{""changes"": [1]}"')),
        csv_lines(EVENT_LOG_HEADER, event("update", details='"{""changes"": {""status"": 5}}"')),
        # An offset that takes the time before year 1 in UTC: OverflowError.
        csv_lines(EVENT_LOG_HEADER, event(at="0001-01-01T00:00:00+01:00")),
    ),
    "generic_searches": (
        csv_lines(
            "search_id,searching_agency,search_type,plate,searched_at",
            "LKB-2025-000101,Ward County TX SO,lookup,RVX4821,0001-01-01000+0001",
        ),
    ),
    "motorola_sharing_report": (
        # 20:00 Central on the last day of 9999 is past it in UTC: OverflowError.
        csv_lines(
            "Section,Partner Agency,Requested Date,Partner State,Sharing Type,Status,"
            "Partner ORI,Decision Date,Decided By,Declaration On File,Declaration Date",
            "Detections Shared,DHS-HSI (Newark NJ),12/31/9999 20:0,NJ,One-to-One,Accepted,,"
            "04/16/2024 14:02,det.jsmith,No,",
        ),
    ),
}


@cache
def zip_failures() -> tuple[bytes, ...]:
    members = real_workbook_members()
    return (
        # A member name flagged UTF-8 that is not: UnicodeDecodeError.
        zip_of({**members, "é.xml": b""}).replace("é".encode(), b"\xc3("),
        # "zip file version 6.4": NotImplementedError.
        zip_with_version(members, 64),
        # The sheet's XML cut short, read only when the rows are: ParseError.
        zip_of({**members, "xl/worksheets/sheet1.xml": members["xl/worksheets/sheet1.xml"][:184]}),
    )


# --- the tests -----------------------------------------------------------------------


def test_every_format_has_a_parser_and_samples_to_fuzz_from():
    assert set(PARSERS) == set(FORMATS_BY_KEY)
    for key, fmt in FORMATS_BY_KEY.items():
        layout = layout_of(key)
        assert set(fmt.required) <= set(layout.spellings), key
        assert any(layout.values.get(name) for name in fmt.required), key


@pytest.mark.parametrize("key", sorted(FORMATS_BY_KEY))
def test_fuzzed_csv_and_xlsx_files_end_in_records_row_errors_or_a_readable_rejection(key, tmp_path):
    # One file in four a workbook: every format is accepted as XLSX too (docs §1.5).
    files = st.one_of(csv_exports(key), csv_exports(key), csv_exports(key), workbooks(key))
    tally = fuzz(files, tmp_path / "upload", known=FAILED_BEFORE.get(key, ()))

    assert tally.examples >= EXAMPLES_PER_PARSER
    # Enough files reached this format's parser (never another's), workbooks among
    # them, and gave records, row errors and rejections.
    assert set(tally.formats) == {key}, tally
    assert tally.formats[key] >= REACHED_PARSER, tally
    assert tally.workbooks >= EXAMPLES_PER_PARSER // 20, tally
    assert tally.records and tally.row_errors and tally.rejections, tally


def test_arbitrary_bytes_end_in_records_row_errors_or_a_readable_rejection(tmp_path):
    tally = fuzz(st.binary(max_size=4_096), tmp_path / "upload", known=FAILED_BEFORE["bytes"])

    assert tally.examples >= EXAMPLES_PER_PARSER
    assert tally.rejections, tally


def test_arbitrary_bytes_after_a_real_header_end_in_records_row_errors_or_a_rejection(tmp_path):
    files = st.builds(
        lambda key, tail: header_line(key) + tail,
        st.sampled_from(sorted(FORMATS_BY_KEY)),
        st.binary(max_size=4_096),
    )
    tally = fuzz(files, tmp_path / "upload")

    assert tally.examples >= EXAMPLES_PER_PARSER
    assert set(tally.formats) == set(FORMATS_BY_KEY), tally
    assert tally.row_errors, tally


def test_fuzzed_workbooks_of_any_format_end_in_records_row_errors_or_a_readable_rejection(
    tmp_path,
):
    files = st.sampled_from(sorted(FORMATS_BY_KEY)).flatmap(workbooks)
    tally = fuzz(files, tmp_path / "upload")

    assert tally.examples >= EXAMPLES_PER_PARSER
    assert set(tally.formats) == set(FORMATS_BY_KEY), tally
    assert tally.workbooks >= REACHED_PARSER, tally
    assert tally.records and tally.row_errors and tally.rejections, tally


def test_malformed_zip_archives_end_in_records_or_a_readable_rejection(tmp_path):
    tally = fuzz(zip_archives(), tmp_path / "upload", known=zip_failures())

    assert tally.examples >= EXAMPLES_PER_PARSER
    # Each ZIP check refused some archives, and some got as far as the rows.
    assert {"binary", "zip_bomb"} <= set(tally.rejections), tally
    assert tally.formats["flock_audit"], tally


# --- no partial load -----------------------------------------------------------------


def vendor_slug(key: str) -> str:
    return FORMATS_BY_KEY[key].vendor or "other"


def rows_of(export: VendorExport, model) -> int:
    """Rows of `model` that cite a line of `export` (line 0: a grant ended by its absence)."""
    if model is SharingGrant:
        return SharingGrant.objects.filter(source_export=export, source_line__gt=0).count()
    return model.objects.filter(source_export=export).count()


LOADED_MODELS = {
    "network_audit": SearchEvent,
    "sharing_list": SharingGrant,
    "event_log": SharingChange,
}


@TRANSACTIONAL
def test_a_fuzzed_upload_is_loaded_whole_or_rejected_with_nothing_loaded(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "upload"
    statuses: Counter = Counter()
    keys = st.sampled_from(sorted(FORMATS_BY_KEY))

    @LOADS
    # Whole files: the damaged ones rarely get past the format detection, which the
    # tests above cover; these go on to the database.
    @given(keys.flatmap(lambda key: st.tuples(st.just(key), csv_exports(key, damaged=False))))
    def load_is_whole_or_nothing(case: tuple[str, bytes]) -> None:
        key, data = case
        if not data.strip():
            return  # refused at upload, before any export exists
        path.write_bytes(data)
        municipality = MunicipalityFactory()
        received = receive(municipality, path, vendor_slug=vendor_slug(key), name="upload.csv")
        export = load(municipality, received.export.pk)
        export.refresh_from_db()
        statuses[export.status] += 1
        with municipality_scope(municipality):
            loaded = {model: rows_of(export, model) for model in LOADED_MODELS.values()}
            row_errors = ExportRowError.objects.filter(export=export).count()
        if export.status == VendorExport.Status.REJECTED:
            assert_readable(export.message)
            assert loaded == dict.fromkeys(loaded, 0), (export.message, loaded)
            assert row_errors == 0
            return
        assert export.status == VendorExport.Status.LOADED, export.status
        assert row_errors == export.rows_rejected
        kind = FORMATS_BY_KEY[key].kind
        in_table = loaded[LOADED_MODELS[kind]]
        if kind == "event_log":
            # An update of a share the portal never saw counts as loaded but adds no row.
            assert in_table <= export.rows_loaded
        else:
            assert in_table == export.rows_loaded, (in_table, export.rows_loaded)

    load_is_whole_or_nothing()

    assert statuses[VendorExport.Status.REJECTED] and statuses[VendorExport.Status.LOADED]
    assert set(statuses) == {VendorExport.Status.REJECTED, VendorExport.Status.LOADED}


# --- LEARN reports: PDFs and the records-request workbook ----------------------------

LEARN_SAMPLES = ("learn_sharing_report.pdf", "learn_sharing_report_ocr.pdf",
                 "learn_sharing_report_image_only.pdf")  # fmt: skip
# Names as OCR and clerks write them: any Latin-1 letters, digits, punctuation, spaces
# (what the report's standard font can print).
learn_names = st.text(
    st.characters(codec="latin-1", categories=("L", "N", "P", "S", "Zs")), max_size=120
)
# A real section title three times in four: most reports must reach the names.
learn_titles = st.one_of(*[st.sampled_from(sorted(learn_samples.SECTIONS))] * 3, short_texts)


# Each example is cheap: reportlab draws a few small reports and openpyxl writes a few
# workbook skeletons once per session; an example lays out its names, writes the PDF's
# objects or the sheets' XML itself, and damages the bytes.
LEARN_BASES = 4  # one-page reports drawn with reportlab, damaged as they are


@cache
def learn_base_pdfs() -> tuple[bytes, ...]:
    """The samples and small one-page reports as reportlab writes them (compressed
    streams, its own cross-reference table), drawn once."""
    drawn = []
    for number, invisible in zip(range(LEARN_BASES), (False, True, False, True), strict=True):
        titles = sorted(learn_samples.SECTIONS)
        report = learn_samples.Report(invisible=invisible)
        if number % 2 == 0:
            report.title()
        title = titles[number % len(titles)] if number < 3 else "Statewide Sharing"
        report.section(title, learn_samples.OCR_SECTION[: 2 + number])
        buffer = io.BytesIO()
        report.save(buffer)
        drawn.append(buffer.getvalue())
    return (*((SAMPLES / name).read_bytes() for name in LEARN_SAMPLES), *drawn)


def _pdf_string(text: str) -> bytes:
    """`text` as a PDF literal string in WinAnsi (Latin-1 here), with what must be escaped
    escaped; what Latin-1 cannot hold becomes `?`."""
    data = text.encode("latin-1", "replace")
    for plain, escaped in ((b"\\", b"\\\\"), (b"(", b"\\("), (b")", b"\\)"),
                           (b"\r", b"\\r"), (b"\n", b"\\n")):  # fmt: skip
        data = data.replace(plain, escaped)
    return b"(" + data + b")"


def learn_pdf_of(report: learn_samples.Report, *, compress: bool) -> bytes:
    """The report's pages (with their footers) as a PDF written directly: Helvetica in
    WinAnsi, one content stream a page, a correct cross-reference table. What
    `Report.save` makes with reportlab, in a fraction of the time."""
    jitter = random.Random(len(report.pages))
    pages = []
    total = len(report.pages)
    for number, lines in enumerate(report.pages, start=1):
        footer = (f"Date Created: {learn_samples.CREATED}    LEARN Agency Data Sharing "
                  f"Report    Page {number} of {total}")  # fmt: skip
        content = []
        for x, y, font, text in [*lines, (learn_samples.LEFT, 36, learn_samples.FONT, footer)]:
            mode = b""
            if report.invisible:  # an OCR layer, slightly off the printed line
                x, y = x + jitter.uniform(-1.5, 1.5), y + jitter.uniform(-1, 1)
                mode = b"3 Tr "
            size = b"/F1 10" if font == learn_samples.FONT else b"/F2 12"
            content.append(b"BT %s Tf %s%.2f %.2f Td %s Tj ET" % (size, mode, x, y,
                                                                  _pdf_string(text)))  # fmt: skip
        stream = b"\n".join(content)
        pages.append(zlib.compress(stream) if compress else stream)
    kids = b" ".join(b"%d 0 R" % (5 + 2 * index) for index in range(len(pages)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(pages)),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
    ]
    for index, stream in enumerate(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>" % (6 + 2 * index)
        )
        codec = b" /Filter /FlateDecode" if compress else b""
        objects.append(b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(stream), codec, stream))
    body, offsets = b"%PDF-1.4\n", []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return body + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref,
    )  # fmt: skip


@st.composite
def learn_pdfs(draw) -> bytes:
    """A report laid out like the samples, with any sections and names (sometimes as a
    scan's invisible text layer), or a sample or small report as reportlab wrote it;
    then often cut or spliced."""
    if draw(st.integers(0, 3)) == 0:
        return draw_damage(draw, draw(st.sampled_from(learn_base_pdfs())))
    sections = draw(
        st.dictionaries(learn_titles, st.lists(learn_names, max_size=8), min_size=1, max_size=4)
    )
    report = learn_samples.Report(invisible=draw(st.booleans()))
    if draw(st.booleans()):
        report.title()
    for title, names in sections.items():
        report.section(title, names)
    return draw_damage(draw, learn_pdf_of(report, compress=draw(st.booleans())))


def _sheet_title(text: str) -> str:
    """`text` as Excel allows a sheet to be named."""
    return re.sub(r"[\\/?*\[\]:']", "", _xlsx_cell(text))[:31].strip() or "Sheet"


@cache
def learn_workbook_skeleton(sheets: int) -> dict[str, bytes]:
    """A workbook of `sheets` empty sheets named `@@SHEET1@@`… as openpyxl writes it,
    with its date, date-time and time styles (1, 2, 3 as openpyxl numbers them)."""
    workbook = openpyxl.Workbook(write_only=True)
    for number in range(1, sheets + 1):
        sheet = workbook.create_sheet(f"@@SHEET{number}@@")
        if number == 1:  # the typed cells put their number formats in the styles
            sheet.append([datetime(2025, 1, 2, 3, 4), date(2025, 1, 2), time(3, 4)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    members = unzipped(buffer.getvalue())
    members["docProps/core.xml"] = real_workbook_members()["docProps/core.xml"]
    return members


def _sheet_cell(reference: str, value) -> str:
    """One cell of a worksheet's XML, the way openpyxl writes it."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = f'<t xml:space="preserve">{escape(value)}</t>'
        return f'<c r="{reference}" t="inlineStr"><is>{text}</is></c>'
    if isinstance(value, bool):
        return f'<c r="{reference}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{reference}" t="n"><v>{value!r}</v></c>'
    style = 1 if isinstance(value, datetime) else 2 if isinstance(value, date) else 3
    return f'<c r="{reference}" s="{style}" t="n"><v>{to_excel(value)!r}</v></c>'


def _sheet_row(line: int, row: list) -> str:
    return "".join(
        _sheet_cell(f"{get_column_letter(column)}{line}", value)
        for column, value in enumerate(row, start=1)
    )


def learn_workbook_of(sheets: dict[str, list[list]]) -> bytes:
    """The workbook of these sheets and rows, its XML written here into the skeleton."""
    members = dict(learn_workbook_skeleton(len(sheets)))
    book = members["xl/workbook.xml"].decode()
    for number, (title, rows) in enumerate(sheets.items(), start=1):
        book = book.replace(f'"@@SHEET{number}@@"', quoteattr(title))
        cells = "".join(
            f'<row r="{line}">{_sheet_row(line, row)}</row>'
            for line, row in enumerate(rows, start=1)
        )
        path = f"xl/worksheets/sheet{number}.xml"
        skeleton = members[path]
        start = skeleton.index(b"<sheetData")
        end = skeleton.find(b"</sheetData>") + len(b"</sheetData>")
        if end < len(b"</sheetData>"):  # written empty: <sheetData />
            end = skeleton.index(b"/>", start) + 2
        data = f"<sheetData>{cells}</sheetData>".encode()
        members[path] = skeleton[:start] + data + skeleton[end:]
    members["xl/workbook.xml"] = book.encode()
    return zip_of(members)


@st.composite
def learn_workbooks(draw) -> bytes:
    """The records-request workbook: section sheets (and others) with a heading row
    that may be missing, names and typed cells, maybe damaged."""
    titles = draw(st.lists(learn_titles.map(_sheet_title), min_size=1, max_size=4,
                           unique_by=str.casefold))  # fmt: skip
    sheets = {}
    for title in titles:
        rows = []
        if draw(st.integers(0, 7)):
            rows.append([draw(st.sampled_from(("ORGANIZATION NAME", "organization  name ")))])
        for name in draw(st.lists(learn_names | short_texts, max_size=6)):
            rows.append([_xlsx_cell(name), *draw(st.lists(xlsx_scalars, max_size=2))])
        sheets[title] = rows
    return draw_damage(draw, learn_workbook_of(sheets))


def test_fuzzed_learn_pdfs_end_in_grants_row_errors_or_a_readable_rejection(tmp_path):
    tally = fuzz(learn_pdfs(), tmp_path / "upload")

    assert tally.examples >= EXAMPLES_PER_PARSER
    assert tally.formats["motorola_learn_pdf"] >= REACHED_PARSER, tally
    assert tally.records and tally.rejections["pdf_damaged"], tally
    assert tally.rejections["pdf_no_text"] and tally.rejections["unknown_format"], tally


def test_fuzzed_learn_workbooks_end_in_grants_or_a_readable_rejection(tmp_path):
    tally = fuzz(learn_workbooks(), tmp_path / "upload")

    assert tally.examples >= EXAMPLES_PER_PARSER
    assert tally.formats["motorola_learn_workbook"] >= REACHED_PARSER, tally
    assert tally.records and tally.rejections["missing_columns"], tally
