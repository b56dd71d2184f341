"""The administrators' command-line path: add a municipality, ingest an export."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from apps.agencies.models import Agency
from apps.municipalities.models import Municipality
from apps.municipalities.scoping import municipality_scope
from apps.sharing.models import SearchEvent, SharingGrant
from apps.vendors.models import VendorExport

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent.parent / "ingest" / "samples"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


# --- add_municipality -------------------------------------------------------------------


def test_add_municipality_creates_it():
    output = run("add_municipality", "elm-ridge", name="Elm Ridge", county="Kane")

    municipality = Municipality.objects.get(slug="elm-ridge")
    assert (municipality.name, municipality.county, municipality.state) == (
        "Elm Ridge",
        "Kane",
        "IL",
    )
    assert "Elm Ridge" in output and "elm-ridge" in output


def test_add_municipality_brings_its_police_department_into_the_directory():
    run(
        "add_municipality", "elm-ridge", name="Elm Ridge",
        police_department="Elm Ridge Police Department", ori="IL9990777",
    )  # fmt: skip

    agency = Agency.objects.get(ori="IL9990777")
    assert (agency.name, agency.level, agency.is_confirmed) == (
        "Elm Ridge Police Department", "local", True,
    )  # fmt: skip


def test_add_municipality_refuses_a_duplicate_slug():
    run("add_municipality", "elm-ridge", name="Elm Ridge", county="Kane")

    with pytest.raises(CommandError) as error:
        run("add_municipality", "elm-ridge", name="Elm Ridge Again")

    message = str(error.value).lower()
    assert "slug" in message and "already exists" in message
    assert Municipality.objects.filter(slug="elm-ridge").count() == 1
    assert Municipality.objects.get(slug="elm-ridge").name == "Elm Ridge"


# --- ingest_export -----------------------------------------------------------------------


def test_ingest_export_loads_a_sample_and_prints_the_counts(municipality_a):
    output = run(
        "ingest_export",
        SAMPLES / "bad_rows_flock_audit.csv",
        municipality=municipality_a.slug,
        vendor="flock",
    )

    with municipality_scope(municipality_a):
        export = VendorExport.objects.get()
        assert export.status == VendorExport.Status.LOADED
        assert export.uploaded_by is None
        assert export.uploader_label == "command line"
        assert export.original_name == "bad_rows_flock_audit.csv"
        assert SearchEvent.objects.count() == 10
    assert "10 rows" in output and "3 rejected" in output and "0 duplicate" in output
    assert "flock_audit" in output


def test_ingest_export_of_a_sharing_list_loads_its_grants(municipality_a):
    output = run(
        "ingest_export",
        str(SAMPLES / "flock_sharing_list.csv"),
        municipality=municipality_a.slug,
        vendor="flock",
    )
    assert count_grants(municipality_a) == 52
    assert "52 rows" in output


def count_grants(municipality) -> int:
    with municipality_scope(municipality):
        return SharingGrant.objects.count()


def test_ingest_export_twice_says_already_uploaded(municipality_a):
    path = SAMPLES / "flock_sharing_list.csv"
    run("ingest_export", path, municipality=municipality_a.slug, vendor="flock")

    output = run("ingest_export", path, municipality=municipality_a.slug, vendor="flock")

    assert "already uploaded" in output.lower()
    assert count_grants(municipality_a) == 52
    with municipality_scope(municipality_a):
        assert VendorExport.objects.count() == 1


def test_ingest_export_unknown_municipality():
    with pytest.raises(CommandError, match="no-such-town"):
        run(
            "ingest_export",
            SAMPLES / "flock_sharing_list.csv",
            municipality="no-such-town",
            vendor="flock",
        )


def test_ingest_export_unknown_vendor_lists_the_vendors(municipality_a):
    with pytest.raises(CommandError) as error:
        run(
            "ingest_export",
            SAMPLES / "flock_sharing_list.csv",
            municipality=municipality_a.slug,
            vendor="genetec",
        )
    assert "genetec" in str(error.value)
    assert "flock" in str(error.value) and "motorola" in str(error.value)
    with municipality_scope(municipality_a):
        assert not VendorExport.objects.exists()


def test_ingest_export_missing_file(municipality_a, tmp_path):
    missing = tmp_path / "nowhere.csv"
    with pytest.raises(CommandError, match="No such file"):
        run("ingest_export", missing, municipality=municipality_a.slug, vendor="flock")


def test_ingest_export_of_a_rejected_file_gives_the_reason(municipality_a):
    with pytest.raises(CommandError) as error:
        run(
            "ingest_export",
            SAMPLES / "bad_unknown_header.csv",
            municipality=municipality_a.slug,
            vendor="flock",
        )
    message = str(error.value)
    assert "rejected" in message
    assert "does not match any supported export" in message
    with municipality_scope(municipality_a):
        assert VendorExport.objects.get().status == VendorExport.Status.REJECTED
        assert not SearchEvent.objects.exists()


def test_ingest_export_with_the_wrong_vendor_names_it(municipality_a):
    with pytest.raises(CommandError) as error:
        run(
            "ingest_export",
            SAMPLES / "flock_sharing_list.csv",
            municipality=municipality_a.slug,
            vendor="motorola",
        )
    assert "vendor" in str(error.value) and "Motorola" in str(error.value)
    assert count_grants(municipality_a) == 0


def test_ingest_export_of_an_empty_file_is_refused(municipality_a):
    with pytest.raises(CommandError, match="empty"):
        run(
            "ingest_export",
            SAMPLES / "bad_empty.csv",
            municipality=municipality_a.slug,
            vendor="flock",
        )
    with municipality_scope(municipality_a):
        assert not VendorExport.objects.exists()
