"""Loading uploaded vendor exports into the database (`export_receive` + `export_load`).

Expected values come from `tests/ingest/samples/README.md` and `docs/vendor-formats.md`,
never from the loader's output. Every test loads real sample files into PostgreSQL.
"""

import hashlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from apps.agencies.models import Agency
from apps.municipalities.scoping import municipality_scope, statewide_scope
from apps.sharing.models import SearchEvent, SharingChange, SharingGrant
from apps.vendors.loading import export_load
from apps.vendors.models import ExportRowError, Vendor, VendorExport
from apps.vendors.parsing.values import plate_hash
from apps.vendors.services import UploadRefused, export_receive
from apps.vendors.storage import export_open, export_path

pytestmark = pytest.mark.django_db

# A search load stages rows in temporary tables dropped when its transaction commits:
# tests that load searches twice must commit between loads. The seeded federal
# agencies and vendors (data migrations) are restored for them.
TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SAMPLES = Path(__file__).parent / "samples"
VENDOR_NAMES = {
    "flock": "Flock Safety",
    "motorola": "Motorola Solutions (Vigilant)",
    "other": "Other vendor (portal template)",
}
ICE = "U.S. Immigration and Customs Enforcement"
HSI = "Homeland Security Investigations"


def utc(*parts: int, microsecond: int = 0) -> datetime:
    return datetime(*parts, microsecond=microsecond, tzinfo=UTC)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def vendor(slug: str) -> Vendor:
    found, _ = Vendor.objects.get_or_create(slug=slug, defaults={"name": VENDOR_NAMES[slug]})
    return found


def chunks_of(path: Path, size: int = 64 * 1024):
    with path.open("rb") as source:
        while chunk := source.read(size):
            yield chunk


def receive(municipality, path: Path, *, vendor_slug="flock", kind="", user=None, name=None):
    with municipality_scope(municipality):
        return export_receive(
            municipality=municipality,
            vendor=vendor(vendor_slug),
            kind=kind,
            original_name=name or path.name,
            chunks=chunks_of(path),
            uploaded_by=user,
            queue=False,
        )


def load(municipality, export_id: int) -> VendorExport:
    with municipality_scope(municipality):
        return export_load(export_id=export_id)


def upload(municipality, path: Path, **options) -> VendorExport:
    """Receive and load one file; the upload must be new."""
    received = receive(municipality, path, **options)
    assert received.already_uploaded is False
    return load(municipality, received.export.pk)


def count(model, municipality, **filters) -> int:
    with municipality_scope(municipality):
        return model.objects.filter(**filters).count()


def grant(municipality, partner_name: str, *, direction="outgoing", data_type="detections"):
    with municipality_scope(municipality):
        return SharingGrant.objects.select_related("agency").get(
            partner_name=partner_name, direction=direction, data_type=data_type
        )


def changes(municipality, found: SharingGrant) -> list[tuple]:
    with municipality_scope(municipality):
        return list(
            SharingChange.objects.filter(grant=found)
            .order_by("occurred_at", "pk")
            .values_list("old_status", "new_status", "actor", "occurred_at", "source_line")
        )


# --- every sample loads with the README's counts -----------------------------------------

# file, vendor, chosen kind, loaded, rejected, duplicate, stored kind, format,
# first search time (= period start), last search day (None: not in the README)
SEARCH_FILES = [
    (
        "flock_network_audit_13col.csv", "flock", "", 25, 0, 0, "network_audit", "flock_audit",
        utc(2025, 10, 3, 14, 12, 9), date(2025, 11, 2),
    ),
    (
        "flock_network_audit_overlap_next_month.csv", "flock", "", 10, 0, 0, "network_audit",
        "flock_audit", None, date(2025, 11, 19),
    ),
    (
        "flock_network_audit_14col_devices.csv", "flock", "", 15, 0, 0, "network_audit",
        "flock_audit", utc(2025, 9, 2, 15, 20, 44), date(2025, 9, 28),
    ),
    (
        "flock_network_audit_2026_no_name_plate.csv", "flock", "", 15, 0, 0, "network_audit",
        "flock_audit", utc(2026, 1, 5, 14, 22, 31), date(2026, 2, 9),
    ),
    (
        "flock_org_audit_split_date_time.csv", "flock", "organization_audit", 10, 0, 0,
        "organization_audit", "flock_audit", utc(2025, 8, 1, 13, 5, 22), date(2025, 8, 27),
    ),
    (
        "flock_network_audit.xlsx", "flock", "", 10, 0, 0, "network_audit", "flock_audit",
        utc(2025, 9, 1, 17, 25, 40), date(2025, 9, 27),
    ),
    (
        "generic_searches.csv", "other", "", 20, 0, 0, "network_audit", "generic_searches",
        utc(2025, 10, 1, 14, 12, 9), None,
    ),
    (
        "bad_utf16_excel.csv", "flock", "", 6, 0, 0, "network_audit", "flock_audit",
        utc(2025, 9, 22, 14, 12, 9), None,
    ),
    (
        "bad_cp1252.csv", "flock", "", 5, 0, 0, "network_audit", "flock_audit",
        utc(2025, 9, 15, 12, 40, 11), None,
    ),
    (
        "bad_rows_flock_audit.csv", "flock", "", 10, 3, 0, "network_audit", "flock_audit",
        utc(2025, 9, 1, 13, 10), None,
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    (
        "name", "vendor_slug", "chosen", "loaded", "rejected", "duplicate", "kind", "fmt",
        "first", "last_day",
    ),
    SEARCH_FILES,
    ids=[row[0] for row in SEARCH_FILES],
)  # fmt: skip
def test_every_search_sample_loads_with_the_readme_counts(
    municipality_a, clerk_a, name, vendor_slug, chosen, loaded, rejected, duplicate, kind, fmt,
    first, last_day,
):  # fmt: skip
    export = upload(
        municipality_a, SAMPLES / name, vendor_slug=vendor_slug, kind=chosen, user=clerk_a
    )

    assert export.status == VendorExport.Status.LOADED, export.message
    assert export.message == ""
    assert (export.rows_loaded, export.rows_rejected, export.rows_duplicate) == (
        loaded,
        rejected,
        duplicate,
    )
    assert export.rows_processed == loaded + rejected + duplicate
    assert export.file_format == fmt
    assert export.kind == kind
    assert export.progress_percent == 100
    assert export.finished_at is not None
    assert export.uploaded_by == clerk_a
    if first is not None:
        assert export.period_start == first
    assert export.period_end is not None and export.period_end >= export.period_start
    if last_day is not None:
        assert export.period_end.astimezone(UTC).date() == last_day
    with municipality_scope(municipality_a):
        searches = SearchEvent.objects.filter(source_export=export)
        assert searches.count() == loaded
        assert SearchEvent.objects.count() == loaded
        assert ExportRowError.objects.filter(export=export).count() == rejected
        expected_origin = "organization" if kind == "organization_audit" else "network"
        assert set(searches.values_list("origin", flat=True)) == {expected_origin}
        if first is not None:
            assert searches.filter(searched_at=first).exists()
        assert not SharingGrant.objects.exists()


def test_cp1252_file_records_its_encoding_warning(municipality_a):
    export = upload(municipality_a, SAMPLES / "bad_cp1252.csv")
    assert any("Windows-1252" in warning for warning in export.warnings), export.warnings
    with municipality_scope(municipality_a):
        first = SearchEvent.objects.get(vendor_search_id="131fe8c3-4340-4e1f-914a-d11484cb327e")
    assert first.searcher == "Ofc. J. Peña"
    assert first.reason == "\u201cstolen vehicle\u201d"


# file, vendor, loaded, stored kind, format, period start, period end
GRANT_FILES = [
    ("flock_sharing_list.csv", "flock", 52, "sharing_list", "flock_sharing_list", None, None),
    (
        "flock_event_log.csv", "flock", 233, "event_log", "flock_event_log",
        utc(2023, 6, 12, 15, 4, 11, microsecond=218000),
        utc(2025, 11, 6, 15, 48, 14, microsecond=377000),
    ),
    (
        "motorola_sharing_report.csv", "motorola", 40, "sharing_list",
        "motorola_sharing_report", None, None,
    ),
    ("generic_grants.csv", "other", 12, "sharing_list", "generic_grants", None, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "vendor_slug", "loaded", "kind", "fmt", "start", "end"),
    GRANT_FILES,
    ids=[row[0] for row in GRANT_FILES],
)
def test_every_grant_sample_loads_with_the_readme_counts(
    municipality_a, name, vendor_slug, loaded, kind, fmt, start, end
):
    export = upload(municipality_a, SAMPLES / name, vendor_slug=vendor_slug)

    assert export.status == VendorExport.Status.LOADED, export.message
    assert (export.rows_loaded, export.rows_rejected, export.rows_duplicate) == (loaded, 0, 0)
    assert export.file_format == fmt
    assert export.kind == kind
    assert (export.period_start, export.period_end) == (start, end)
    assert count(SearchEvent, municipality_a) == 0
    assert count(SharingGrant, municipality_a) > 0


@pytest.mark.parametrize(
    ("name", "statuses"),
    [
        ("motorola_sharing_report.csv", {"accepted": 31, "revoked": 4, "pending": 3, "denied": 2}),
        ("generic_grants.csv", {"accepted": 9, "revoked": 1, "pending": 1, "denied": 1}),
    ],
)
def test_grant_statuses_match_the_readme(municipality_a, name, statuses):
    vendor_slug = "motorola" if name.startswith("motorola") else "other"
    export = upload(municipality_a, SAMPLES / name, vendor_slug=vendor_slug)
    with municipality_scope(municipality_a):
        grants = SharingGrant.objects.filter(source_export=export)
        assert grants.count() == sum(statuses.values())
        for status, expected in statuses.items():
            assert grants.filter(status=status).count() == expected, status


# --- rows land field by field ----------------------------------------------------------


def test_a_flock_search_lands_field_by_field(municipality_a):
    export = upload(municipality_a, SAMPLES / "flock_network_audit_13col.csv")
    with municipality_scope(municipality_a):
        search = SearchEvent.objects.select_related("agency").get(
            vendor_search_id="d96e4aea-77c3-4c5e-bd72-d78f480298c3"
        )
        assert search.municipality_id == municipality_a.pk
        assert search.vendor.slug == "flock"
        assert search.source_export_id == export.pk
        assert search.source_line == 2
        assert search.origin == SearchEvent.Origin.NETWORK
        assert search.searched_at == utc(2025, 10, 3, 14, 12, 9)
        assert search.agency_name == "Ward County TX SO"
        assert search.agency.state == "TX"
        assert search.agency.normalized_name == "ward county sheriffs office"
        assert search.agency.is_confirmed is False
        assert search.searcher == "Sgt. R. Delgado"
        assert search.reason == "stolen vehicle"
        assert search.reason_category == ""
        assert search.reason_redacted is False
        assert search.case_number == "WCSO-25-3381"
        assert search.networks_searched == 1847
        assert search.devices_searched is None
        assert search.search_type == "lookup"
        assert search.is_mobile is False
        assert search.time_frame_start == utc(2025, 9, 3, 14, 12)
        assert search.time_frame_end == utc(2025, 10, 3, 14, 12)
        assert search.filters == ""
        assert search.text_prompt == ""
        # The plate is kept only as a keyed hash.
        assert search.plate_hash == plate_hash("RVX4821")
        assert len(search.plate_hash) == 64 and "RVX4821" not in search.plate_hash

        # Every Ward County row points at one agency; other README facts land too.
        ward_rows = SearchEvent.objects.filter(agency_name="Ward County TX SO")
        assert ward_rows.count() == 5
        assert set(ward_rows.values_list("agency_id", flat=True)) == {search.agency_id}
        ice_rows = SearchEvent.objects.filter(agency_name="ICE ERO Chicago [Federal]")
        assert ice_rows.count() == 2
        assert set(ice_rows.values_list("agency__name", flat=True)) == {ICE}
        assert SearchEvent.objects.get(agency_name="HSI Chicago [Federal]").agency.name == HSI
        zero = SearchEvent.objects.get(vendor_search_id="582fa1a4-cc64-4a52-a147-6812f76b63cc")
        assert (zero.networks_searched, zero.source_line) == (0, 12)
        blank_frame = SearchEvent.objects.get(
            vendor_search_id="10605720-3438-46fb-b4ba-728f9e0ae914"
        )
        assert blank_frame.source_line == 32
        assert blank_frame.time_frame_start is None and blank_frame.time_frame_end is None
        assert SearchEvent.objects.filter(is_mobile=True).count() == 7
        assert SearchEvent.objects.filter(
            reason='suspect vehicle "silver Tahoe", armed robbery'
        ).exists()
        assert SearchEvent.objects.filter(searcher="Dep. L. Muñoz").exists()
        # No stored value anywhere holds the plate itself.
        for row in SearchEvent.objects.values():
            assert not any("RVX4821" in str(value) for value in row.values())


def test_split_date_time_organization_audit_lands_with_origin_organization(municipality_a):
    upload(
        municipality_a,
        SAMPLES / "flock_org_audit_split_date_time.csv",
        kind=VendorExport.Kind.ORGANIZATION_AUDIT,
    )
    with municipality_scope(municipality_a):
        search = SearchEvent.objects.get(vendor_search_id="d874c6b7-de9d-4a72-aec4-97cdadcbdaa9")
        assert search.origin == SearchEvent.Origin.ORGANIZATION
        assert search.searched_at == utc(2025, 8, 1, 13, 5, 22)
        assert search.plate_hash == plate_hash("CZ 50917") == plate_hash("CZ50917")
        assert search.source_line == 2
        assert search.case_number == "RB25-5120"
        row_8 = SearchEvent.objects.get(source_line=16)
        assert (row_8.networks_searched, row_8.reason) == (0, ".")


def test_bad_rows_file_loads_the_good_rows_and_records_three_row_errors(municipality_a):
    export = upload(municipality_a, SAMPLES / "bad_rows_flock_audit.csv")

    assert export.status == VendorExport.Status.LOADED
    assert (export.rows_loaded, export.rows_rejected, export.rows_duplicate) == (10, 3, 0)
    with municipality_scope(municipality_a):
        errors = list(ExportRowError.objects.filter(export=export).order_by("line"))
        searches = SearchEvent.objects.filter(source_export=export)
        assert searches.count() == 10
        assert searches.values("vendor_search_id").distinct().count() == 10
        ids = set(searches.values_list("vendor_search_id", flat=True))
        assert "568d3d85-8e92-4aa7-8184-9ea12e71d68c" not in ids
        assert "3fab94bc-a6c0-4286-9fdc-6c624960c09d" not in ids
        assert "84bf79b6-f625-4696-beaf-923018de7177" in ids
        assert not searches.filter(agency_name="Pleasant Valley IL Police Department").exists()
        assert searches.get(source_line=9).networks_searched == 0
        first = searches.get(vendor_search_id="b5048c29-607f-4b38-a76a-5b9340e6a02e")
        assert (first.source_line, first.networks_searched) == (2, 1840)
        assert first.searched_at == utc(2025, 9, 1, 13, 10)
        assert (
            searches.get(vendor_search_id="84bf79b6-f625-4696-beaf-923018de7177").source_line == 23
        )

    assert [(e.line, e.column) for e in errors] == [
        (7, "Search Time"),
        (12, "Total Networks Searched"),
        (18, "ID"),
    ]
    assert all(e.municipality_id == municipality_a.pk for e in errors)
    time_error, count_error, id_error = errors
    assert "09/31/2025, 25:05:37 PM UTC" in time_error.value
    assert "time" in time_error.message.lower()
    assert count_error.value == "approx. 1500"
    assert "number" in count_error.message.lower()
    assert id_error.value == ""
    assert "id" in id_error.message.lower() and "empty" in id_error.message.lower()


# --- files that cannot be loaded -------------------------------------------------------


def assert_nothing_loaded(municipality) -> None:
    assert count(SearchEvent, municipality) == 0
    assert count(SharingGrant, municipality) == 0
    assert count(SharingChange, municipality) == 0
    assert count(ExportRowError, municipality) == 0


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("bad_binary.csv", ["not a text file"]),
        ("bad_unknown_header.csv", ["does not match", "Date, Amount, Vendor, Memo"]),
    ],
)
def test_unreadable_files_end_rejected_with_a_message_and_load_nothing(municipality_a, name, words):
    export = upload(municipality_a, SAMPLES / name)

    assert export.status == VendorExport.Status.REJECTED
    for word in words:
        assert word.lower() in export.message.lower(), export.message
    assert export.finished_at is not None
    assert (export.rows_loaded, export.rows_rejected, export.rows_duplicate) == (0, 0, 0)
    assert_nothing_loaded(municipality_a)


def test_unknown_header_message_lists_the_accepted_formats(municipality_a):
    export = upload(municipality_a, SAMPLES / "bad_unknown_header.csv")
    assert "Flock network / organization audit" in export.message
    assert "Motorola" in export.message


def test_empty_file_is_refused_with_a_message_and_loads_nothing(municipality_a):
    with pytest.raises(UploadRefused) as refused:
        receive(municipality_a, SAMPLES / "bad_empty.csv")
    assert "empty" in refused.value.message.lower()
    assert count(VendorExport, municipality_a) == 0
    assert_nothing_loaded(municipality_a)


def test_whitespace_only_file_ends_rejected_as_empty(municipality_a, tmp_path):
    path = tmp_path / "blank.csv"
    path.write_bytes(b"\xef\xbb\xbf \r\n\r\n  \r\n")
    export = upload(municipality_a, path)
    assert export.status == VendorExport.Status.REJECTED
    assert "empty" in export.message.lower()
    assert_nothing_loaded(municipality_a)


# --- uploading twice, overlapping months ------------------------------------------------


def test_the_same_file_uploaded_twice_is_loaded_once(municipality_a):
    path = SAMPLES / "flock_network_audit_13col.csv"
    first = upload(municipality_a, path)

    again = receive(municipality_a, path, name="renamed copy.csv")
    assert again.already_uploaded is True
    assert again.export.pk == first.pk
    assert load(municipality_a, again.export.pk).rows_loaded == 25
    assert count(VendorExport, municipality_a) == 1
    assert count(SearchEvent, municipality_a) == 25


def test_the_same_sharing_list_uploaded_twice_adds_no_grants_or_changes(municipality_a):
    path = SAMPLES / "flock_sharing_list.csv"
    upload(municipality_a, path)
    changes_before = count(SharingChange, municipality_a)

    assert receive(municipality_a, path).already_uploaded is True
    assert count(SharingGrant, municipality_a) == 52
    assert count(SharingChange, municipality_a) == changes_before == 52


@TRANSACTIONAL
def test_overlapping_monthly_files_are_deduplicated_on_the_search_id(municipality_a):
    first = upload(municipality_a, SAMPLES / "flock_network_audit_13col.csv")
    second = upload(municipality_a, SAMPLES / "flock_network_audit_overlap_next_month.csv")

    assert (first.rows_loaded, first.rows_duplicate) == (25, 0)
    assert (second.rows_loaded, second.rows_rejected, second.rows_duplicate) == (6, 0, 4)
    with municipality_scope(municipality_a):
        assert SearchEvent.objects.count() == 31
        assert SearchEvent.objects.values("vendor_search_id").distinct().count() == 31
        # The repeated rows keep citing the file they were first loaded from.
        for search_id in (
            "004413f3-925a-4971-863d-0094df59d669",
            "ba2fe310-422a-48e1-b608-15202a56c466",
            "34e8bab4-f791-49b5-ae6a-8f27f85f64c1",
            "3316ee13-1935-41f1-ba43-d31ccf4a4524",
        ):
            assert SearchEvent.objects.get(vendor_search_id=search_id).source_export_id == first.pk
        new = SearchEvent.objects.filter(source_export=second)
        assert new.count() == 6
        assert new.filter(vendor_search_id="9eea02f0-7b9b-4607-8ce9-dd207289bdd5").exists()
        assert new.filter(vendor_search_id="99729cbb-aea0-4355-b39f-144e118ed181").exists()
        nov_14 = new.get(source_line=18)
        assert nov_14.searched_at == utc(2025, 11, 14, 9, 53, 36)
        assert nov_14.reason == "inv"
        redacted = new.get(source_line=14)
        assert redacted.reason_redacted is True
        assert redacted.agency.name == ICE


def test_a_rejected_file_can_be_uploaded_again_with_the_right_vendor(municipality_a):
    path = SAMPLES / "flock_sharing_list.csv"
    wrong = upload(municipality_a, path, vendor_slug="motorola")

    assert wrong.status == VendorExport.Status.REJECTED
    assert "Motorola" in wrong.message and "vendor" in wrong.message.lower()
    assert "Flock" in wrong.message
    assert_nothing_loaded(municipality_a)

    again = receive(municipality_a, path, vendor_slug="flock")
    assert again.already_uploaded is False
    assert again.export.pk != wrong.pk
    right = load(municipality_a, again.export.pk)
    assert right.status == VendorExport.Status.LOADED
    assert right.rows_loaded == 52
    assert count(SharingGrant, municipality_a) == 52
    with municipality_scope(municipality_a):
        assert VendorExport.objects.get(pk=wrong.pk).status == VendorExport.Status.REJECTED


def test_choosing_the_wrong_kind_is_rejected_naming_the_files_format(municipality_a):
    export = upload(
        municipality_a,
        SAMPLES / "flock_network_audit_13col.csv",
        kind=VendorExport.Kind.SHARING_LIST,
    )
    assert export.status == VendorExport.Status.REJECTED
    assert "Flock network / organization audit" in export.message
    assert "Sharing list" in export.message
    assert_nothing_loaded(municipality_a)


@pytest.mark.parametrize(
    ("name", "vendor_slug"),
    [
        ("flock_network_audit_13col.csv", "flock"),
        ("bad_rows_flock_audit.csv", "flock"),
        ("flock_sharing_list.csv", "flock"),
        ("flock_event_log.csv", "flock"),
        ("motorola_sharing_report.csv", "motorola"),
    ],
)
def test_loading_a_finished_export_again_changes_nothing(municipality_a, name, vendor_slug):
    export = upload(municipality_a, SAMPLES / name, vendor_slug=vendor_slug)

    def snapshot():
        with municipality_scope(municipality_a):
            saved = VendorExport.objects.get(pk=export.pk)
            return (
                saved.status,
                saved.rows_loaded,
                saved.rows_rejected,
                saved.rows_duplicate,
                saved.finished_at,
                saved.period_start,
                saved.period_end,
                sorted(SearchEvent.objects.values_list("id", "vendor_search_id", "agency_id")),
                sorted(ExportRowError.objects.values_list("id", "line", "column")),
                sorted(SharingGrant.objects.values_list("id", "status", "status_changed_at")),
                sorted(SharingChange.objects.values_list("id", "new_status", "occurred_at")),
                Agency.objects.count(),
            )

    before = snapshot()
    again = load(municipality_a, export.pk)
    assert again.status == VendorExport.Status.LOADED
    assert snapshot() == before


# --- storage ---------------------------------------------------------------------------


def test_an_upload_over_the_limit_is_refused_and_leaves_no_file(
    municipality_a, settings, media_root
):
    settings.PORTAL_UPLOAD_MAX_BYTES = 4096
    path = SAMPLES / "flock_network_audit_13col.csv"  # 5431 bytes
    assert path.stat().st_size > settings.PORTAL_UPLOAD_MAX_BYTES

    with municipality_scope(municipality_a), pytest.raises(UploadRefused) as refused:
        export_receive(
            municipality=municipality_a,
            vendor=vendor("flock"),
            kind="",
            original_name=path.name,
            chunks=chunks_of(path, size=1024),
            uploaded_by=None,
            queue=False,
        )
    assert "limit" in refused.value.message.lower()
    incoming = Path(media_root) / "exports" / "incoming"
    assert list(incoming.iterdir()) == []
    stored = [p for p in Path(media_root).rglob("*") if p.is_file()]
    assert stored == []
    assert count(VendorExport, municipality_a) == 0


def test_the_stored_file_is_named_by_its_sha256_only(municipality_a, media_root):
    path = SAMPLES / "flock_network_audit_13col.csv"
    content = path.read_bytes()
    sha = hashlib.sha256(content).hexdigest()

    received = receive(municipality_a, path, name="../../etc/Maple Grove audit.csv")
    export = received.export
    assert export.sha256 == sha
    assert export.size == len(content)
    stored = export_path(export.sha256)
    assert stored.relative_to(media_root).as_posix() == f"exports/{sha[:2]}/{sha}"
    assert stored.read_bytes() != content  # encrypted at rest (tests/vendors/test_originals.py)
    with export_open(export.sha256) as decrypted:
        assert decrypted.read() == content
    files = [p for p in Path(media_root).rglob("*") if p.is_file()]
    assert files == [stored]
    for found in Path(media_root).rglob("*"):
        assert "Maple" not in str(found) and "audit" not in found.name
        assert "flock_network_audit" not in str(found)


# --- grants: Flock sharing list --------------------------------------------------------


def test_flock_sharing_list_gives_40_outgoing_and_12_incoming_accepted_grants(municipality_a):
    export = upload(municipality_a, SAMPLES / "flock_sharing_list.csv")
    with municipality_scope(municipality_a):
        grants = SharingGrant.objects.filter(source_export=export)
        assert grants.filter(direction="outgoing", status="accepted").count() == 40
        assert grants.filter(direction="incoming", status="accepted").count() == 12
        assert grants.count() == 52
        # One partner per row: line 2 is Riverbend IL PD, line 22 a partner sharing nothing.
        assert grants.get(direction="outgoing", source_line=2).partner_name == "Riverbend IL PD"
        assert not grants.filter(source_line=22).exists()
        assert set(grants.values_list("mode", flat=True)) == {"one_to_one"}
        names = set(grants.filter(direction="outgoing").values_list("partner_name", flat=True))
        # Names are stripped of their trailing spaces and keep their tags.
        assert "Prairie View Apartments HOA" in names
        assert "Old Town IL PD [Inactive]" in names
        assert "Kettle County IL SO - Duplicate - do not use" in names
        assert not any(name != name.strip() for name in names)
        assert grants.get(direction="incoming", partner_name="Riverbend IL PD")
        # One change per new grant, from nothing to accepted.
        assert SharingChange.objects.filter(source_export=export).count() == 52

    ice = grant(municipality_a, "ICE ERO Chicago [Federal]")
    assert ice.agency.name == ICE
    assert ice.agency.is_confirmed is True
    assert grant(municipality_a, "HSI Chicago [Federal]").agency.name == HSI
    assert "inactive" in grant(municipality_a, "Old Town IL PD [Inactive]").agency.tags
    assert "turned_off" in grant(municipality_a, "Elm Crossing IL PD [turned off]").agency.tags


def test_a_later_sharing_list_without_ice_revokes_that_grant_only(municipality_a, tmp_path):
    original = SAMPLES / "flock_sharing_list.csv"
    first = upload(municipality_a, original)
    lines = original.read_bytes().split(b"\r\n")
    ice_rows = [line for line in lines if line.startswith(b"ICE ERO Chicago [Federal] ,")]
    assert len(ice_rows) == 1
    later = tmp_path / "flock_sharing_list_later.csv"
    later.write_bytes(b"\r\n".join(line for line in lines if line not in ice_rows))

    second = upload(municipality_a, later)

    assert second.status == VendorExport.Status.LOADED
    ice = grant(municipality_a, "ICE ERO Chicago [Federal]")
    assert ice.status == SharingGrant.Status.REVOKED
    assert ice.source_export_id == second.pk
    assert ice.status_changed_at >= first.received_at
    history = changes(municipality_a, ice)
    assert [(old, new) for old, new, *_ in history] == [("", "accepted"), ("accepted", "revoked")]
    with municipality_scope(municipality_a):
        revoked = SharingChange.objects.get(grant=ice, new_status="revoked")
        assert revoked.source_export_id == second.pk
        others = SharingGrant.objects.exclude(pk=ice.pk)
        assert others.count() == 51
        assert set(others.values_list("status", flat=True)) == {"accepted"}
        assert SharingChange.objects.filter(source_export=second).count() == 1


# --- grants: Flock event log -----------------------------------------------------------

BURST_START = utc(2024, 4, 16, 19, 2, 5)
BURST_END = utc(2024, 4, 16, 19, 5, 53)


def test_event_log_shows_the_214_grant_burst(municipality_a):
    upload(municipality_a, SAMPLES / "flock_event_log.csv")
    with municipality_scope(municipality_a):
        burst = SharingChange.objects.filter(
            actor="j.smith@riverbendpd.example",
            old_status="",
            new_status="accepted",
            occurred_at__range=(BURST_START, BURST_END),
        )
        assert burst.count() == 214
        assert burst.values("grant").distinct().count() == 214
        times = list(burst.values_list("occurred_at", flat=True))
        assert max(times) - min(times) <= timedelta(minutes=4)
        assert set(burst.values_list("source_line", flat=True)) == set(range(10, 224))

        grants = SharingGrant.objects.filter(requested_at__range=(BURST_START, BURST_END))
        assert grants.count() == 214
        assert set(grants.values_list("direction", flat=True)) == {"outgoing"}
        still_accepted = grants.filter(status="accepted")
        # Simon Property Group, ICE, HSI, Lowe's (deleted) and Ward County (paused)
        # changed later; every other burst grant still shows its burst decision.
        assert still_accepted.count() == 209
        assert set(still_accepted.values_list("decided_by", flat=True)) == {
            "j.smith@riverbendpd.example"
        }
        decided = list(still_accepted.values_list("decided_at", flat=True))
        assert min(decided) >= BURST_START and max(decided) <= BURST_END
        assert max(decided) - min(decided) <= timedelta(minutes=4)

    # Trailing spaces are stripped from network names.
    incoming = grant(municipality_a, "Maple Grove IL PD", direction="incoming")
    assert incoming.decided_by == "Flock Safety Support"
    ward = grant(municipality_a, "Ward County TX SO")
    assert ward.status == SharingGrant.Status.REVOKED  # paused: data no longer flows
    assert ward.decided_by == "chief.r.banner@riverbendpd.example"


def test_event_log_ends_the_ice_grant_at_its_delete_event(municipality_a):
    export = upload(municipality_a, SAMPLES / "flock_event_log.csv")
    ice = grant(municipality_a, "ICE ERO Chicago [Federal]")

    assert ice.agency.name == ICE
    assert ice.status == SharingGrant.Status.REVOKED
    revoked_at = utc(2025, 9, 23, 15, 10, 33, microsecond=517000)
    assert ice.status_changed_at == revoked_at
    assert ice.decided_at == revoked_at
    assert ice.decided_by == "a.kowalski@riverbendpd.example"
    assert ice.requested_at == utc(2024, 4, 16, 19, 5, 36, microsecond=465000)
    assert (ice.source_export_id, ice.source_line) == (export.pk, 229)
    assert changes(municipality_a, ice) == [
        (
            "",
            "accepted",
            "j.smith@riverbendpd.example",
            utc(2024, 4, 16, 19, 5, 36, microsecond=465000),
            211,
        ),
        ("accepted", "revoked", "a.kowalski@riverbendpd.example", revoked_at, 229),
    ]
    hsi = grant(municipality_a, "HSI Chicago [Federal]")
    assert hsi.agency.name == HSI
    assert hsi.status == SharingGrant.Status.REVOKED
    assert hsi.source_line == 230


def test_loading_the_same_events_from_a_resaved_copy_adds_no_changes(municipality_a, tmp_path):
    original = SAMPLES / "flock_event_log.csv"
    upload(municipality_a, original)
    with municipality_scope(municipality_a):
        grants_before = sorted(
            SharingGrant.objects.values_list(
                "id", "status", "status_changed_at", "decided_by", "source_export_id"
            )
        )
        changes_before = SharingChange.objects.count()

    resaved = tmp_path / "flock_event_log (1).csv"
    resaved.write_bytes(original.read_bytes() + b"\r\n")
    second = upload(municipality_a, resaved)

    assert second.status == VendorExport.Status.LOADED
    assert count(SharingChange, municipality_a) == changes_before
    with municipality_scope(municipality_a):
        assert not SharingChange.objects.filter(source_export=second).exists()
        assert (
            sorted(
                SharingGrant.objects.values_list(
                    "id", "status", "status_changed_at", "decided_by", "source_export_id"
                )
            )
            == grants_before
        )


def test_a_resaved_event_log_reports_its_events_as_duplicates(municipality_a, tmp_path):
    """docs §4: the event `id` is the deduplication key, so events loaded before are
    duplicates, not newly loaded rows."""
    original = SAMPLES / "flock_event_log.csv"
    upload(municipality_a, original)
    resaved = tmp_path / "flock_event_log (1).csv"
    resaved.write_bytes(original.read_bytes() + b"\r\n")

    second = upload(municipality_a, resaved)

    assert (second.rows_loaded, second.rows_duplicate) == (0, 233)


def test_an_event_log_uploaded_after_a_sharing_list_still_records_its_history(
    municipality_a, tmp_path
):
    """The event log is what shows who accepted what and when (DOMAIN: the "200 at
    once" pattern); a sharing list uploaded first must not hide that history."""
    sharing_list = tmp_path / "riverbend_sharing_list.csv"
    sharing_list.write_text(
        "Organization Name,Networks Shared With Me,Networks I'm Sharing\r\n"
        'Riverbend IL PD,"Oak Prairie IL PD ","ICE ERO Chicago [Federal] , '
        'HSI Chicago [Federal] , Phoenix AZ PD "\r\n',
        encoding="utf-8",
    )
    upload(municipality_a, sharing_list)
    log = upload(municipality_a, SAMPLES / "flock_event_log.csv")

    ice = grant(municipality_a, "ICE ERO Chicago [Federal]")
    from_log = [change for change in changes(municipality_a, ice) if change[4] in (211, 229)]
    assert [(old, new, actor) for old, new, actor, *_ in from_log] == [
        ("", "accepted", "j.smith@riverbendpd.example"),
        ("accepted", "revoked", "a.kowalski@riverbendpd.example"),
    ]
    with municipality_scope(municipality_a):
        burst = SharingChange.objects.filter(
            source_export=log,
            actor="j.smith@riverbendpd.example",
            new_status="accepted",
            occurred_at__range=(BURST_START, BURST_END),
        )
        assert burst.count() == 214


# --- grants: Motorola report -----------------------------------------------------------


def test_motorola_report_grants_land_with_agencies_declarations_and_utc_times(municipality_a):
    export = upload(municipality_a, SAMPLES / "motorola_sharing_report.csv", vendor_slug="motorola")
    assert export.status == VendorExport.Status.LOADED

    hsi = grant(municipality_a, "DHS-HSI (Newark NJ)")
    assert hsi.agency.name == HSI
    assert hsi.status == SharingGrant.Status.ACCEPTED
    assert hsi.mode == SharingGrant.Mode.ONE_TO_ONE
    # 11/02/2023 10:14 and 04/16/2024 14:02 are Central Daylight Time (UTC-5).
    assert hsi.requested_at == utc(2023, 11, 2, 15, 14)
    assert hsi.decided_at == utc(2024, 4, 16, 19, 2)
    assert hsi.decided_by == "det.jsmith"
    assert hsi.declaration_on_file is False
    assert hsi.declaration_date is None
    assert (hsi.source_export_id, hsi.source_line) == (export.pk, 2)
    pending = grant(municipality_a, "DHS-HSI (Newark NJ)", data_type="hot_list")
    assert pending.status == SharingGrant.Status.PENDING
    assert pending.agency_id == hsi.agency_id
    assert pending.source_line == 36

    # 01/08/2024 09:31 is Central Standard Time (UTC-6).
    ward = grant(municipality_a, "Ward County TX SO")
    assert ward.requested_at == utc(2024, 1, 8, 15, 31)
    assert ward.agency.state == "TX"
    assert ward.declaration_on_file is False

    phoenix = grant(municipality_a, "Phoenix AZ PD")
    assert phoenix.declaration_on_file is True
    assert phoenix.declaration_date == date(2024, 2, 1)
    assert phoenix.source_line == 5
    assert grant(municipality_a, "Kenosha WI PD").declaration_date == date(2022, 9, 30)
    assert grant(municipality_a, "Madison WI PD").declaration_date == date(2025, 7, 18)

    lesc = grant(municipality_a, "ICE LESC (Williston VT)")
    assert lesc.agency.name == ICE  # by ORI VTICE0900
    assert lesc.status == SharingGrant.Status.REVOKED
    assert lesc.decided_at == utc(2025, 9, 23, 15, 15)
    assert lesc.decided_by == "chief.akowalski"
    assert grant(municipality_a, "CBP-NTC").agency.name == "U.S. Customs and Border Protection"
    assert (
        grant(municipality_a, "San Diego Sector Border Patrol (CA)").agency.name
        == "U.S. Border Patrol"
    )
    national = grant(municipality_a, "National Sharing (All LEARN Agencies)", data_type="hot_list")
    assert national.mode == SharingGrant.Mode.NATIONAL
    assert national.decided_at == utc(2024, 4, 16, 19, 6)
    similar = grant(municipality_a, "Similar Laws Group (IL)")
    assert similar.mode == SharingGrant.Mode.SIMILAR_LAWS

    with municipality_scope(municipality_a):
        burst = SharingGrant.objects.filter(
            decided_by="det.jsmith",
            status="accepted",
            decided_at__range=(utc(2024, 4, 16, 19, 2), utc(2024, 4, 16, 19, 6)),
        )
        assert burst.count() == 19
        received = SharingGrant.objects.filter(direction="incoming")
        assert received.filter(data_type="detections").count() == 6
        assert received.filter(data_type="hot_list").count() == 4


# --- tenancy ---------------------------------------------------------------------------


@TRANSACTIONAL
def test_an_export_of_one_municipality_is_invisible_to_another(municipality_a, municipality_b):
    path = SAMPLES / "flock_network_audit_13col.csv"
    export = upload(municipality_a, path)
    upload(municipality_a, SAMPLES / "bad_rows_flock_audit.csv")
    upload(municipality_a, SAMPLES / "flock_sharing_list.csv")

    with municipality_scope(municipality_b):
        assert not VendorExport.objects.filter(pk=export.pk).exists()
        assert VendorExport.objects.count() == 0
        assert SearchEvent.objects.count() == 0
        assert ExportRowError.objects.count() == 0
        assert SharingGrant.objects.count() == 0
        assert SharingChange.objects.count() == 0
    with municipality_scope(municipality_a):
        assert VendorExport.objects.count() == 3

    # The same file is new for the other municipality and loads there on its own.
    received = receive(municipality_b, path)
    assert received.already_uploaded is False
    assert received.export.pk != export.pk
    loaded = load(municipality_b, received.export.pk)
    assert (loaded.rows_loaded, loaded.rows_duplicate) == (25, 0)
    with statewide_scope():
        assert SearchEvent.objects.filter(municipality=municipality_b).count() == 25
        assert SearchEvent.objects.filter(municipality=municipality_a).count() == 35
