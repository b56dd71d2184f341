"""The export pages as an uploader reads them: partly loaded exports, rows by the page,
what a rejected file leaves behind, and the format guide with its templates.

Files are loaded into PostgreSQL by the real loader (no worker: `export_load` is called
in the test's own transaction, as tests/ingest/test_loading.py does).
"""

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.municipalities.scoping import municipality_scope, statewide_scope
from apps.vendors.loading import export_load
from apps.vendors.models import Vendor, VendorExport
from apps.vendors.parsing import FORMATS_BY_KEY, IgnoredRow, RowError, parse_export
from apps.vendors.parsing.formats import normalize_header
from apps.vendors.parsing.learn import LEARN_PDF, LEARN_WORKBOOK
from apps.vendors.services import export_receive
from apps.vendors.tasks import originals_purge
from tests.vendors.factories import VendorExportFactory

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parent.parent / "ingest" / "samples"
FORMULA_STARTS = ("=", "+", "-", "@")
NEXT = "Next 50 \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK}"
PREVIOUS = "\N{SINGLE LEFT-POINTING ANGLE QUOTATION MARK} Previous 50"
EVERY_FORMAT = {*FORMATS_BY_KEY, LEARN_PDF.key, LEARN_WORKBOOK.key}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def vendor(slug: str) -> Vendor:
    found, _ = Vendor.objects.get_or_create(slug=slug, defaults={"name": slug.title()})
    return found


def upload(municipality, path: Path, *, vendor_slug: str = "flock") -> VendorExport:
    with municipality_scope(municipality):
        received = export_receive(
            municipality=municipality, vendor=vendor(vendor_slug), kind="",
            original_name=path.name, chunks=[path.read_bytes()], uploaded_by=None, queue=False,
        )  # fmt: skip
        return export_load(export_id=received.export.pk)


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def lines_shown(html: str, heading_id: str) -> list[int]:
    """The line numbers of the rows a section's table shows, in order."""
    body = section(html, heading_id)
    body = body[body.index("<tbody>") : body.index("</tbody>")]
    return [int(n) for n in re.findall(r'<tr><td class="num">(\d+)</td>', body)]


def link(html: str, text: str) -> str:
    found = re.search(rf'<a href="([^"]+)"[^>]*>{re.escape(text)}</a>', html)
    assert found, f"no link {text!r}"
    return found.group(1).replace("&amp;", "&")


def detail_url(export: VendorExport) -> str:
    return f"/m/{export.municipality.slug}/exports/{export.pk}/"


# --- partly loaded ------------------------------------------------------------------------


def test_an_export_with_rejected_rows_shows_as_partly_loaded_wherever_its_status_shows(
    client, clerk_a, municipality_a
):
    export = upload(municipality_a, SAMPLES / "bad_rows_flock_audit.csv")
    assert (export.status, export.rows_loaded, export.rows_rejected) == ("loaded", 10, 3)
    client.force_login(clerk_a)
    badge = '<span class="status status-amber">Loaded, 3 rows rejected</span>'

    listing = page(client, f"/m/{municipality_a.slug}/exports/")
    detail = page(client, detail_url(export))
    home = page(client, f"/m/{municipality_a.slug}/")

    assert badge in listing
    assert badge in home
    assert 'class="status status-amber" data-role="status">Loaded, 3 rows rejected<' in detail
    for html in (listing, detail, home):
        assert "status-loaded" not in html
    downloaded = client.get(f"/m/{municipality_a.slug}/exports/?export=csv")
    assert "Loaded, 3 rows rejected" in downloaded.content.decode("utf-8-sig")


def test_an_export_loaded_whole_stays_green(client, clerk_a, municipality_a):
    export = upload(municipality_a, SAMPLES / "flock_network_audit_13col.csv")
    client.force_login(clerk_a)

    listing = page(client, f"/m/{municipality_a.slug}/exports/")

    assert export.rows_rejected == 0
    assert '<span class="status status-loaded">Loaded</span>' in listing
    assert "rejected</span>" not in listing


def test_the_export_list_reads_the_same_number_of_queries_for_few_and_many_exports(
    client, clerk_a, municipality_a
):
    client.force_login(clerk_a)
    url = f"/m/{municipality_a.slug}/exports/"

    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            page(client, url)
        return len(captured)

    def add_partly_loaded(count: int) -> None:
        for _ in range(count):
            VendorExportFactory(municipality=municipality_a, status="loaded", rows_rejected=2)

    add_partly_loaded(1)
    queries_for_list()  # the first request of a session reads more (the session itself)
    few = queries_for_list()
    add_partly_loaded(12)
    many = queries_for_list()

    assert page(client, url).count("Loaded, 2 rows rejected") == 13
    assert many == few


# --- rows by the page ---------------------------------------------------------------------


def searches_file(tmp_path: Path, *, good: int, bad: int) -> Path:
    """A generic search log: `good` searches, then `bad` rows whose time has no zone."""
    path = tmp_path / "searches.csv"
    with path.open("w", newline="") as target:
        writer = csv.writer(target)
        writer.writerow(["search_id", "searched_at", "searching_agency", "reason"])
        for n in range(good):
            writer.writerow([f"S-{n:05d}", "2025-10-01T14:12:09Z", "Ward County TX SO", "theft"])
        for n in range(bad):
            writer.writerow([f"B-{n:05d}", "2025-10-01 14:12:09", "Ward County TX SO", "theft"])
    return path


def test_an_exports_searches_come_fifty_to_a_page_with_links_between_pages(
    client, clerk_a, municipality_a, tmp_path
):
    export = upload(municipality_a, searches_file(tmp_path, good=120, bad=0), vendor_slug="other")
    assert export.rows_loaded == 120
    client.force_login(clerk_a)

    first = page(client, detail_url(export))
    second = page(client, detail_url(export) + link(first, NEXT))
    third = page(client, detail_url(export) + link(second, NEXT))
    back = page(client, detail_url(export) + link(third, PREVIOUS))

    assert lines_shown(first, "searches") == list(range(2, 52))
    assert lines_shown(second, "searches") == list(range(52, 102))
    assert lines_shown(third, "searches") == list(range(102, 122))
    assert NEXT not in section(third, "searches")
    assert "First page" not in section(first, "searches")
    assert lines_shown(back, "searches") == list(range(52, 102))
    assert "Searches from this file (120)" in first


def test_a_line_of_the_file_can_be_opened_directly(client, clerk_a, municipality_a, tmp_path):
    export = upload(municipality_a, searches_file(tmp_path, good=120, bad=0), vendor_slug="other")
    client.force_login(clerk_a)

    html = page(client, detail_url(export) + "?searches_line=97")

    assert lines_shown(html, "searches") == list(range(97, 122))
    assert lines_shown(page(client, detail_url(export) + link(html, PREVIOUS)),
                       "searches") == list(range(47, 97))  # fmt: skip


def test_rejected_rows_have_pages_of_their_own_and_paging_one_keeps_the_others_place(
    client, clerk_a, municipality_a, tmp_path
):
    export = upload(municipality_a, searches_file(tmp_path, good=60, bad=70), vendor_slug="other")
    assert (export.rows_loaded, export.rows_rejected) == (60, 70)
    client.force_login(clerk_a)

    first = page(client, detail_url(export))
    searches_page_2 = page(client, detail_url(export) + link(section(first, "searches"),
                                                             NEXT))  # fmt: skip
    both_on_page_2 = page(
        client, detail_url(export) + link(section(searches_page_2, "errors"), NEXT)
    )

    assert lines_shown(first, "errors") == list(range(62, 112))
    assert lines_shown(both_on_page_2, "errors") == list(range(112, 132))
    assert lines_shown(both_on_page_2, "searches") == list(range(52, 62))


def test_a_page_of_searches_counts_nothing(client, clerk_a, municipality_a, tmp_path):
    export = upload(municipality_a, searches_file(tmp_path, good=120, bad=0), vendor_slug="other")
    client.force_login(clerk_a)
    first = page(client, detail_url(export))

    with CaptureQueriesContext(connection) as captured:
        page(client, detail_url(export) + link(first, NEXT))

    counts = [q["sql"] for q in captured if "COUNT(" in q["sql"].upper()]
    assert counts == []


# --- a rejected file ----------------------------------------------------------------------


def test_a_rejected_file_is_said_to_be_kept_until_its_date_and_downloads(
    client, clerk_a, municipality_a
):
    export = upload(municipality_a, SAMPLES / "bad_unknown_header.csv")
    assert export.status == "rejected"
    client.force_login(clerk_a)

    html = page(client, detail_url(export))

    kept_until = timezone.localdate(export.received_at + timedelta(days=730))
    assert f"kept, encrypted, until {kept_until:%b} {kept_until.day}, {kept_until.year}" in html
    assert "Nothing from this file was kept" not in html
    download_url = link(html, "download the file as received")
    response = client.post(download_url, {"reason": "checking why it was refused"})
    assert response.status_code == 200
    received = b"".join(response.streaming_content)
    assert received == (SAMPLES / "bad_unknown_header.csv").read_bytes()


def test_a_rejected_file_whose_original_was_purged_offers_no_download(
    client, clerk_a, municipality_a
):
    export = upload(municipality_a, SAMPLES / "bad_unknown_header.csv")
    with statewide_scope():
        VendorExport.objects.filter(pk=export.pk).update(
            received_at=timezone.now() - timedelta(days=731)
        )
    originals_purge()
    client.force_login(clerk_a)

    html = page(client, detail_url(export))

    assert "The file as received was deleted on" in html
    assert "download the file as received" not in html
    assert f"/exports/{export.pk}/file/" not in html
    refused = client.post(f"{detail_url(export)}file/", {"reason": "checking"})
    assert refused.status_code == 404


def test_an_administrator_is_told_the_rejected_file_is_kept_but_offered_no_download(
    client, administrator, municipality_a
):
    export = upload(municipality_a, SAMPLES / "bad_unknown_header.csv")
    client.force_login(administrator)

    html = page(client, detail_url(export))

    assert "The file as received is kept, encrypted, until" in html
    assert f"/exports/{export.pk}/file/" not in html


def test_the_rejection_message_links_to_the_format_guide(client, clerk_a, municipality_a):
    export = upload(municipality_a, SAMPLES / "bad_unknown_header.csv")
    client.force_login(clerk_a)

    html = page(client, detail_url(export))

    guide = f"/m/{municipality_a.slug}/formats/"
    assert "Found columns: Date, Amount, Vendor, Memo" in html
    assert f'See the <a href="{guide}">format guide</a>.' in html


# --- the format guide ---------------------------------------------------------------------


def test_the_format_guide_lists_every_layout_the_parser_accepts(client, clerk_a, municipality_a):
    client.force_login(clerk_a)

    html = page(client, f"/m/{municipality_a.slug}/formats/")

    listed = set(re.findall(r'data-format="([a-z_]+)"', html))
    assert listed == EVERY_FORMAT
    flock_audit = section(html, "flock_audit")
    assert "<code>Org Name</code></td><td>required" in flock_audit
    assert "<code>Total Devices Searched</code></td><td>optional" in flock_audit
    assert "Flock Safety" in flock_audit


def test_the_upload_form_and_the_guide_link_to_each_other(client, clerk_a, municipality_a):
    client.force_login(clerk_a)

    uploads = page(client, f"/m/{municipality_a.slug}/exports/")

    guide_url = f"/m/{municipality_a.slug}/formats/"
    assert f'<a href="{guide_url}">format guide</a>' in uploads
    assert f'href="/m/{municipality_a.slug}/exports/"' in page(client, guide_url)


# A value for each column a parser needs filled in, to add one data row to a template.
ROW_VALUES = {
    "id": "d96e4aea-77c3-4c5e-bd72-d78f480298c3",
    "org name": "Ward County TX SO",
    "search time": "11/14/2025, 09:53:36 AM UTC",
    "total networks searched": "3",
    "reason": "stolen vehicle",
    "organization name": "Ward County TX SO",
    "networks i'm sharing": "Alder Park IL PD - LPR",
    "timestamp": "2025-08-19 13:36:30.943000",
    "user": "Lopez, Fernando",
    "event type": "create",
    "entity type": "networkShare",
    "entity details": "Network Name: Alder Park IL PD - LPR\n"
    "Receiving Organization: Ward County TX SO",
    "entity_type": "networkShare",
    "event_type": "create",
    "created_at": "2024-04-16T19:02:05Z",
    "network_name": "Ward County TX SO",
    "section": "Detections Shared",
    "partner agency": "CBP-NTC",
    "sharing type": "One-to-One",
    "status": "accepted",
    "partner_agency": "CBP-NTC",
    "mode": "one_to_one",
    "search_id": "S-1",
    "searched_at": "2025-10-01T14:12:09Z",
    "searching_agency": "Ward County TX SO",
}
TEMPLATES = [
    (key, extension)
    for key in sorted(EVERY_FORMAT - {LEARN_PDF.key})
    for extension in (("xlsx",) if key == LEARN_WORKBOOK.key else ("csv", "xlsx"))
]


def header_and_filled_copy(content: bytes, extension: str, tmp_path: Path):
    """The template's header cells per sheet, and a copy with one data row added."""
    if extension == "csv":
        header = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        row = [ROW_VALUES.get(normalize_header(cell), "") for cell in header]
        filled = io.StringIO()
        csv.writer(filled).writerow(row)
        path = tmp_path / "filled.csv"
        path.write_bytes(content + filled.getvalue().encode())
        return {"": header}, path
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    headers = {}
    for sheet in workbook.worksheets:
        header = [cell.value for cell in sheet[1]]
        headers[sheet.title] = header
        sheet.append([ROW_VALUES.get(normalize_header(cell), "") for cell in header])
    path = tmp_path / "filled.xlsx"
    workbook.save(path)
    return headers, path


@pytest.mark.parametrize(("key", "extension"), TEMPLATES)
def test_each_template_downloads_has_no_formula_and_reads_back_as_its_own_format(
    client, clerk_a, municipality_a, tmp_path, key, extension
):
    client.force_login(clerk_a)
    guide = page(client, f"/m/{municipality_a.slug}/formats/")
    url = f"/m/{municipality_a.slug}/formats/{key}.{extension}"
    assert f'href="{url}"' in guide

    response = client.get(url)

    assert response.status_code == 200
    assert f'filename="{key}-template.{extension}"' in response["Content-Disposition"]
    headers, filled = header_and_filled_copy(response.content, extension, tmp_path)
    cells = [cell for header in headers.values() for cell in header]
    assert cells and all(cell and not str(cell).startswith(FORMULA_STARTS) for cell in cells)
    parsed = parse_export(filled)
    try:
        items = list(parsed.items)
    finally:
        parsed.table.close()
    assert parsed.format.key == key
    assert [item for item in items if isinstance(item, RowError | IgnoredRow)] == []
    assert len(items) == len(headers)  # the one row added to each sheet


def test_templates_hold_the_columns_of_the_sample_files(client, clerk_a, municipality_a):
    """The templates against the hand-made samples (tests/ingest/samples/README.md):
    each template's header is the sample's, but for columns the portal does not read."""
    client.force_login(clerk_a)

    def template_columns(key: str) -> set[str]:
        content = client.get(f"/m/{municipality_a.slug}/formats/{key}.csv").content
        return {normalize_header(c) for c in next(csv.reader(io.StringIO(content.decode())))}

    def sample_columns(name: str) -> set[str]:
        with (SAMPLES / name).open(newline="", encoding="utf-8-sig") as source:
            return {normalize_header(c) for c in next(csv.reader(source))}

    for key, sample in [("generic_grants", "generic_grants.csv"),
                        ("generic_searches", "generic_searches.csv"),
                        ("flock_event_log", "flock_event_log.csv"),
                        ("motorola_sharing_report", "motorola_sharing_report.csv"),
                        ("flock_sharing_list", "flock_sharing_list.csv")]:  # fmt: skip
        assert template_columns(key) == sample_columns(sample), key
    assert template_columns("flock_events") == sample_columns("flock_events.csv") | {"event id"}
    flock_13 = sample_columns("flock_network_audit_13col.csv")
    assert template_columns("flock_audit") == flock_13 - {"moderation"} | {"total devices searched"}


def test_a_layout_without_a_template_and_an_unknown_layout_are_not_found(
    client, clerk_a, municipality_a
):
    client.force_login(clerk_a)
    base = f"/m/{municipality_a.slug}/formats/"

    assert client.get(f"{base}{LEARN_PDF.key}.csv").status_code == 404
    assert client.get(f"{base}{LEARN_WORKBOOK.key}.csv").status_code == 404
    assert client.get(f"{base}payroll.csv").status_code == 404
    assert client.get(f"{base}generic_grants.pdf").status_code == 404


def test_a_signed_out_visitor_is_sent_to_sign_in_from_the_guide_and_its_templates(
    client, municipality_a
):
    for url in (f"/m/{municipality_a.slug}/formats/",
                f"/m/{municipality_a.slug}/formats/generic_grants.csv"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_state_staff_reach_the_guide_from_a_municipality(client, auditor, municipality_a):
    client.force_login(auditor)

    html = page(client, f"/m/{municipality_a.slug}/formats/")

    assert set(re.findall(r'data-format="([a-z_]+)"', html)) == EVERY_FORMAT
