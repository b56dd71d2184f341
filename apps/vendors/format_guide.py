"""The in-portal format guide: every layout the parser accepts, described for the people
who upload files, with header-only templates built from the parser's own column lists.

The layouts and their columns come from the parsing registry (`parsing.FORMATS` and the
LEARN report's two formats), so the guide cannot list a column the parser does not read;
what is written here is only the prose around them. A layout without prose fails the
guide's tests, not silently.
"""

import io
from dataclasses import dataclass

from openpyxl import Workbook

from apps.core.spreadsheets import safe_cell

from .parsing.formats import FORMATS, Format
from .parsing.learn import LEARN_PDF, LEARN_WORKBOOK


@dataclass(frozen=True)
class About:
    summary: str
    file_types: str
    source: str
    notes: str = ""


# In the order the guide shows them: each vendor's own layouts, then the portal's.
ABOUT: dict[str, About] = {
    "flock_audit": About(
        "Flock's Network Audit (searches of your cameras by anyone, your own staff "
        "included) or Organization Audit (searches by your own staff across every network "
        "they reach): one row per search. The two look alike; say which on the upload form "
        "if it is an organization audit.",
        "CSV or XLSX, as Flock exports it (also Excel's “Unicode Text”, tab-separated).",
        "Flock's export, as seen in public-records releases. Flock removed officers' names "
        "and plates from network audits in December 2025; some agencies add Total Devices "
        "Searched or split Search Date from Search Time. Every variant is read.",
        "Search Time reads like 11/14/2025, 09:53:36 AM UTC; Time Frame holds two such "
        "times on two lines of one cell. Cells that are *** or REDACTED are kept as "
        "redacted. Monthly files overlap: a search already loaded (same ID) is not loaded "
        "twice. Plates are kept only as a keyed hash.",
    ),
    "flock_sharing_list": About(
        "Flock's SharedNetworks list: one row per partner organization. Networks I'm "
        "Sharing lists your own networks that partner can search (data you share out); "
        "Networks Shared With Me lists the partner's networks you can search.",
        "XLSX as Flock produces it (one sheet named for its date, such as "
        "SharedNetworks_2025_December_30), or saved as CSV.",
        "Flock's export. It carries no dates: the sheet's or the file's date makes it a "
        "snapshot, and a partner missing from a later list has its sharing ended between "
        "the two lists' dates.",
        "Lists in a cell are separated by commas.",
    ),
    "flock_events": About(
        "Flock's activity log of your organization: one row per event. Network-share "
        "events (networkShare) make and end grants; hotlists, users, roles and blank rows "
        "are counted, not loaded.",
        "XLSX as Flock produces it, or saved as CSV.",
        "Flock's export, as seen in a public-records release. Entity Details holds "
        "“Key: value” lines: Network Name, Permissions, Receiving Organization.",
        "Timestamp reads like 2025-08-19 13:36:30.943000 (UTC) or 2025-08-19T13:36:30Z.",
    ),
    "flock_event_log": About(
        "The portal's own layout for a share history typed by hand or converted from "
        "another tool: one row per create, update or delete of a network share.",
        "CSV or XLSX.",
        "The portal's layout, not Flock's: for the log Flock gives you, use “Flock event "
        "log” above.",
        "created_at is ISO 8601 with Z or an offset, like 2024-04-16T19:02:05Z; details is "
        'a JSON object such as {"direction": "outgoing", "status": "active"}.',
    ),
    "motorola_learn_pdf": About(
        "Motorola Vigilant LEARN's Agency Data Sharing Report as LEARN prints it: agency "
        "names in four sections (Detections Shared, Detections Received, Hot List Sharing, "
        "Hot-List Received), set in two columns. Each name becomes a one-to-one grant, "
        "accepted as of the report.",
        "PDF with a text layer: printed to PDF, or scanned and made searchable (OCR). A "
        "scan without text is refused.",
        "The report as departments hold it. It shows names only: no dates, no decider, no "
        "declaration. Names damaged by OCR are kept as printed, for the state's agency "
        "review to match.",
    ),
    "motorola_learn_workbook": About(
        "The same report as departments release it for records requests: one sheet per "
        "section, named after it, each with an ORGANIZATION NAME column.",
        "XLSX.",
        "As departments release it. Sheets that are not one of the four sections are "
        "skipped, each named in a warning.",
    ),
    "motorola_sharing_report": About(
        "Motorola LEARN sharing with statuses, dates and deciders: for what LEARN's screens "
        "show but its report does not (pending and denied requests, revocations, who "
        "decided and when, declarations, statewide and national sharing).",
        "CSV or XLSX.",
        "The portal's own layout: Motorola's export layout is not public. Copy what LEARN "
        "shows into these columns.",
        "Section is one of the report's four sections; Sharing Type One-to-One, Statewide, "
        "National or Similar Laws; Status Pending, Accepted, Denied or Revoked; dates "
        "MM/DD/YYYY HH:MM in Central time; Declaration On File Yes or No.",
    ),
    "generic_grants": About(
        "The portal's template for the sharing grants of a vendor without a layout of its "
        "own: one row per grant of your data to a partner (data shared out).",
        "CSV (UTF-8) or XLSX.",
        "The portal's template.",
        "mode is one_to_one, statewide, national or similar_laws; status pending, accepted, "
        "denied or revoked; partner_level local, county, state, federal, tribal, private or "
        "other (blank: the portal decides); times ISO 8601 with an offset or Z, like "
        "2024-04-16T14:03:27-05:00; declaration_date like 2025-02-14.",
    ),
    "generic_searches": About(
        "The portal's template for the search log of a vendor without a layout of its own: "
        "one row per search of your municipality's data.",
        "CSV (UTF-8) or XLSX.",
        "The portal's template.",
        "searched_at is ISO 8601 with an offset or Z, like 2025-10-01T14:12:09Z; "
        "search_id must be unique (a search already loaded is not loaded twice); plates "
        "are kept only as a keyed hash.",
    ),
}

# Columns that change how another column is read: listed in the guide, left out of the
# template, so that a filled-in template reads as the common layout.
VARIANT_COLUMNS = {
    ("flock_audit", "search date"): "only in the split variant, where Search Time then "
    "holds the time of day alone",
}

# The LEARN workbook's sheets, titled as the report prints its sections.
LEARN_SECTION_SHEETS = ("Detections Shared", "Detections Received", "Hot List Sharing",
                        "Hot-List Received")  # fmt: skip
_ACRONYMS = {"id": "ID", "ori": "ORI"}


def accepted_formats() -> dict[str, Format]:
    """Every layout the parser accepts, by key."""
    return {fmt.key: fmt for fmt in (*FORMATS, LEARN_PDF, LEARN_WORKBOOK)}


@dataclass(frozen=True)
class Column:
    name: str
    note: str = ""
    in_template: bool = True


@dataclass(frozen=True)
class GuideEntry:
    format: Format
    about: About
    required: tuple[Column, ...]
    optional: tuple[Column, ...]
    template_types: tuple[str, ...]  # file extensions the template downloads as

    @property
    def key(self) -> str:
        return self.format.key


def guide_entries() -> list[GuideEntry]:
    """The guide's layouts in the order it shows them; KeyError for a layout that the
    parser accepts and the guide does not describe."""
    formats = accepted_formats()
    order = list(ABOUT)
    return [_entry(fmt) for fmt in sorted(formats.values(), key=lambda f: order.index(f.key))]


def guide_entry(key: str) -> GuideEntry | None:
    fmt = accepted_formats().get(key)
    return _entry(fmt) if fmt else None


def _entry(fmt: Format) -> GuideEntry:
    if fmt is LEARN_PDF:
        template_types: tuple[str, ...] = ()  # a report is printed by LEARN, not filled in
    elif fmt is LEARN_WORKBOOK:
        template_types = ("xlsx",)  # sheets per section: no CSV can hold them
    else:
        template_types = ("csv", "xlsx")
    return GuideEntry(
        format=fmt,
        about=ABOUT[fmt.key],
        required=tuple(Column(written(fmt, c)) for c in fmt.required),
        optional=tuple(
            Column(written(fmt, c), VARIANT_COLUMNS[(fmt.key, c)], in_template=False)
            if (fmt.key, c) in VARIANT_COLUMNS
            else Column(written(fmt, c))
            for c in fmt.optional
        ),
        template_types=template_types,
    )


def written(fmt: Format, column: str) -> str:
    """A column as the layout's files spell it. The parser keeps names casefolded and
    matches a header ignoring case and spacing, so any spelling reads the same."""
    if fmt is LEARN_WORKBOOK:
        return column.upper()
    if any("_" in name for name in (*fmt.required, *fmt.optional)):
        return column  # the portal's snake_case templates
    return " ".join(_ACRONYMS.get(word, word[:1].upper() + word[1:]) for word in column.split())


def template_header(entry: GuideEntry) -> list[str]:
    """The header row of a layout's template: its required columns, then the optional
    ones that do not change how others are read."""
    return [c.name for c in (*entry.required, *entry.optional) if c.in_template]


def learn_workbook_template() -> bytes:
    """The records-request workbook's template: one sheet per section, header only."""
    workbook = Workbook(write_only=True)
    header = [safe_cell(name) for name in template_header(_entry(LEARN_WORKBOOK))]
    for title in LEARN_SECTION_SHEETS:
        workbook.create_sheet(title).append(header)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
