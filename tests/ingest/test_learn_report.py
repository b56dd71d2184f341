"""Motorola LEARN "Agency Data Sharing Report" as departments hold it: the PDF (printed
or scanned with an OCR text layer) and the records-request workbook.

The samples come from `tests/ingest/samples/make_learn_reports.py`; what each should
give is the list of names that script prints, section by section.
"""

import zlib
from pathlib import Path

import pytest

from apps.agencies.models import Agency
from apps.agencies.naming import parse_agency_name
from apps.agencies.selectors import review_queue
from apps.municipalities.scoping import municipality_scope
from apps.sharing.models import SharingGrant
from apps.vendors.models import VendorExport
from apps.vendors.parsing import FileRejected, GrantRecord, parse_export
from tests.ingest.samples.make_learn_reports import OCR_DAMAGED, OCR_SECTION, SECTIONS, report_pdf
from tests.ingest.test_loading import upload
from tests.municipalities.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "samples"
REPORT = SAMPLES / "learn_sharing_report.pdf"
OCR_REPORT = SAMPLES / "learn_sharing_report_ocr.pdf"
IMAGE_ONLY = SAMPLES / "learn_sharing_report_image_only.pdf"
WORKBOOK = SAMPLES / "learn_sharing_report.xlsx"
PLACES = {
    "Detections Shared": ("outgoing", "detections"),
    "Detections Received": ("incoming", "detections"),
    "Hot List Sharing": ("outgoing", "hot_list"),
    "Hot-List Received": ("incoming", "hot_list"),
}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def records_of(path: Path) -> list[GrantRecord]:
    parsed = parse_export(path)
    try:
        return list(parsed.items)
    finally:
        parsed.table.close()


def grants_of(municipality) -> set[tuple[str, str, str, str, str]]:
    with municipality_scope(municipality):
        return set(
            SharingGrant.objects.values_list(
                "partner_name", "direction", "data_type", "status", "mode"
            )
        )


def expected_grants(sections: dict[str, list[str]]) -> set[tuple[str, str, str, str, str]]:
    return {
        (name, *PLACES[title], "accepted", "one_to_one")
        for title, names in sections.items()
        for name in names
    }


def rejection(path: Path) -> FileRejected:
    """What refused the file, at opening or while its rows were read."""
    with pytest.raises(FileRejected) as raised:
        records_of(path)
    return raised.value


# --- the printed report -----------------------------------------------------------------


def test_the_multi_page_report_gives_each_section_its_names_with_wrapped_names_joined():
    records = records_of(REPORT)

    by_section = {
        title: sorted(r.partner_name for r in records if (r.direction, r.data_type) == place)
        for title, place in PLACES.items()
    }
    assert {title: len(names) for title, names in by_section.items()} == {
        "Detections Shared": 114, "Detections Received": 13,
        "Hot List Sharing": 7, "Hot-List Received": 5,
    }  # fmt: skip
    assert by_section == {title: sorted(names) for title, names in SECTIONS.items()}
    names = {record.partner_name for record in records}
    # Names set on two lines come back whole, in either column and across sections.
    assert (
        "Lakeshore Metropolitan Narcotics and Violent Crimes Interagency Task Force (WI)" in names
    )
    assert (
        "Prairie Region Metropolitan Enforcement Group Auto Theft and Burglary Task Force (IL)"
        in names
    )
    assert not any(name.startswith(("Auto Theft", "Crimes ", "Information ")) for name in names)
    # Titles, the sentence and the footers are not agencies.
    assert not any(
        word in name for name in names for word in ("Date Created", "Page ", "following", "Report")
    )
    assert all(record.status == "accepted" and record.mode == "one_to_one" for record in records)
    assert all(record.requested_at is None and record.decided_at is None for record in records)
    lines = [record.line for record in records]
    assert lines == sorted(lines) and lines[0] > 1


def test_the_report_loads_as_accepted_one_to_one_grants_of_each_section():
    municipality = MunicipalityFactory()

    export = upload(municipality, REPORT, vendor_slug="motorola")

    assert export.status == VendorExport.Status.LOADED, export.message
    assert export.file_format == "motorola_learn_pdf"
    assert export.kind == VendorExport.Kind.SHARING_LIST
    assert export.rows_loaded == 139 and export.rows_rejected == 0
    assert grants_of(municipality) == expected_grants(SECTIONS)


def test_the_upload_form_offers_pdf_files_and_says_which_pdf_it_reads():
    from apps.vendors.forms import ExportUploadForm

    field = ExportUploadForm()["file"]

    assert ".pdf" in field.field.widget.attrs["accept"].split(",")
    assert 'accept=".csv,.txt,.xlsx,.pdf"' in str(field)
    assert "LEARN Agency Data Sharing Report as PDF" in field.help_text


def test_the_records_request_workbook_gives_the_same_grants_as_the_report_it_mirrors():
    from_pdf, from_workbook = MunicipalityFactory(), MunicipalityFactory()

    upload(from_pdf, REPORT, vendor_slug="motorola")
    export = upload(from_workbook, WORKBOOK, vendor_slug="motorola")

    assert export.status == VendorExport.Status.LOADED, export.message
    assert export.file_format == "motorola_learn_workbook"
    assert grants_of(from_workbook) == grants_of(from_pdf) == expected_grants(SECTIONS)


def test_a_workbook_section_sheet_without_its_heading_is_refused_with_what_to_do(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Detections Shared"
    book.active.append(["Agency"])
    book.active.append(["Riverbend Police Department (IL)"])
    path = tmp_path / "learn.xlsx"
    book.save(path)

    refused = rejection(path)

    assert refused.code == "missing_columns"
    assert "ORGANIZATION NAME" in refused.message and "Detections Shared" in refused.message


# --- scans --------------------------------------------------------------------------------


def directory_agency(name: str) -> Agency:
    return Agency.objects.create(
        name=name, normalized_name=parse_agency_name(name).normalized,
        state=parse_agency_name(name).state, level="other", is_confirmed=True,
    )  # fmt: skip


def test_ocr_damaged_names_go_to_review_with_suggestions_and_are_never_merged():
    meant = {damaged: directory_agency(real) for damaged, real in OCR_DAMAGED.items()}
    municipality = MunicipalityFactory()

    export = upload(municipality, OCR_REPORT, vendor_slug="motorola")

    assert export.status == VendorExport.Status.LOADED, export.message
    assert {name for name, *_ in grants_of(municipality)} == set(OCR_SECTION)
    queue = {item.agency.name: item for item in review_queue(limit=500)}
    for damaged, agency in meant.items():
        with municipality_scope(municipality):
            grant = SharingGrant.objects.select_related("agency").get(partner_name=damaged)
        # A new agency awaiting review, the one it was meant to be suggested beside it.
        assert grant.agency.is_confirmed is False, damaged
        assert grant.agency_id != agency.pk, damaged
        item = queue[grant.agency.name]
        assert agency in item.candidates, (damaged, item.candidates)
        with municipality_scope(municipality):
            assert not SharingGrant.objects.filter(agency=agency).exists()


def test_a_pdf_without_a_text_layer_is_refused_saying_so_and_what_to_upload():
    municipality = MunicipalityFactory()

    export = upload(municipality, IMAGE_ONLY, vendor_slug="motorola")

    assert export.status == VendorExport.Status.REJECTED
    assert "no text layer" in export.message
    assert "searchable PDF" in export.message and "workbook" in export.message
    assert grants_of(municipality) == set()


# --- damage and guards -----------------------------------------------------------------------


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.9])
def test_a_truncated_report_is_a_clean_refusal(cut, tmp_path):
    data = REPORT.read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: int(len(data) * cut)])

    refused = rejection(path)

    assert refused.code in {"pdf_damaged", "pdf_no_text"}
    assert refused.message.endswith(".") and "upload" in refused.message


def test_a_report_of_too_many_pages_or_bytes_or_too_slow_is_refused(settings):
    settings.PORTAL_PDF_MAX_PAGES = 2
    assert rejection(REPORT).code == "too_long"
    settings.PORTAL_PDF_MAX_PAGES = 500
    settings.PORTAL_PDF_MAX_BYTES = 1_000
    assert rejection(REPORT).code == "too_large"
    settings.PORTAL_PDF_MAX_BYTES = 64 * 1024 * 1024
    settings.PORTAL_PDF_PARSE_SECONDS = 0
    assert rejection(REPORT).code == "too_slow"
    settings.PORTAL_PDF_PARSE_SECONDS = 120
    assert records_of(REPORT)


def pdf_with_content(stream: bytes, filters: str = "/FlateDecode") -> bytes:
    """A one-page PDF whose content stream is `stream`, as given (compressed or not)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter %s >>\nstream\n" % (len(stream), filters.encode())
        + stream
        + b"\nendstream",
    ]
    body, offsets = b"%PDF-1.4\n", []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return body + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref,
    )  # fmt: skip


def test_a_decompression_bomb_is_refused_before_it_is_inflated(tmp_path):
    path = tmp_path / "bomb.pdf"
    # 64 MB of spaces in about 64 KB: a thousand times what the file holds.
    path.write_bytes(pdf_with_content(zlib.compress(b" " * 64 * 1024**2, 9)))

    refused = rejection(path)

    assert refused.code == "pdf_bomb"
    assert "unsafe" in refused.message


def test_an_lzw_compressed_stream_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "lzw.pdf"
    path.write_bytes(pdf_with_content(b"\x80\x0b\x60\x50\x22\x0c\x0c\x85\x01", "/LZWDecode"))

    refused = rejection(path)

    assert refused.code == "pdf_codec"
    assert "workbook" in refused.message


def test_a_name_missing_from_the_next_report_ends_its_grant(tmp_path):
    municipality = MunicipalityFactory()
    upload(municipality, REPORT, vendor_slug="motorola")
    later = tmp_path / "learn_next.pdf"
    report_pdf(later, {**SECTIONS, "Detections Shared": SECTIONS["Detections Shared"][1:]})

    export = upload(municipality, later, vendor_slug="motorola")

    assert export.status == VendorExport.Status.LOADED, export.message
    with municipality_scope(municipality):
        ended = SharingGrant.objects.get(partner_name="DHS-HSI (Newark NJ)", data_type="detections")
        kept = SharingGrant.objects.get(partner_name="DHS-HSI (Newark NJ)", data_type="hot_list")
    assert ended.status == SharingGrant.Status.REVOKED
    assert kept.status == SharingGrant.Status.ACCEPTED
