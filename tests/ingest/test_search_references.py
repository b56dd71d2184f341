"""The searches table holds no foreign key constraints: a load checks what they checked,
once per distinct value, and refuses a load that would reference a missing row."""

from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from apps.agencies.models import Agency
from apps.agencies.resolution import AgencyResolver
from apps.municipalities.scoping import municipality_scope
from apps.sharing.models import SearchEvent
from apps.vendors.loading import _search_references_lock, export_load
from apps.vendors.models import VendorExport
from apps.vendors.services import export_receive
from tests.ingest.test_loading import SAMPLES, chunks_of, vendor

pytestmark = pytest.mark.django_db

AUDIT = SAMPLES / "flock_network_audit_13col.csv"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def received(municipality, path: Path) -> VendorExport:
    with municipality_scope(municipality):
        return export_receive(
            municipality=municipality, vendor=vendor("flock"), kind="", original_name=path.name,
            chunks=chunks_of(path), uploaded_by=None, queue=False,
        ).export  # fmt: skip


def missing_agency_id() -> int:
    return (Agency.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


def test_a_load_whose_agency_does_not_exist_is_refused_and_stores_nothing(
    municipality_a, monkeypatch
):
    gone = missing_agency_id()
    monkeypatch.setattr(
        AgencyResolver, "resolve_many", lambda self, names, **_: dict.fromkeys(names, gone)
    )
    export = received(municipality_a, AUDIT)
    with municipality_scope(municipality_a):
        export = export_load(export_id=export.pk)

        assert export.status == VendorExport.Status.REJECTED
        assert "IntegrityError" in export.message
        assert not SearchEvent.objects.exists()


def test_the_check_names_the_missing_agency_and_passes_existing_rows(municipality_a):
    export = received(municipality_a, AUDIT)
    present = Agency.objects.create(name="Check PD")
    gone = missing_agency_id()

    with transaction.atomic(), connection.cursor() as cursor:
        _search_references_lock(cursor, export=export, agency_ids={present.pk})
        missing = pytest.raises(IntegrityError, match=f"agencies.Agency rows \\[{gone}\\]")
        with missing, transaction.atomic():
            _search_references_lock(cursor, export=export, agency_ids={present.pk, gone})


def test_the_check_refuses_an_export_that_no_longer_exists(municipality_a):
    export = received(municipality_a, AUDIT)
    with municipality_scope(municipality_a):
        VendorExport.objects.filter(pk=export.pk).delete()

    with connection.cursor() as cursor, pytest.raises(IntegrityError, match="VendorExport"):
        _search_references_lock(cursor, export=export, agency_ids=set())


def test_a_referenced_agency_cannot_be_deleted_while_searches_point_at_it(municipality_a):
    # Without the constraint, Django's PROTECT still guards the searches' agency.
    with municipality_scope(municipality_a):
        export_load(export_id=received(municipality_a, AUDIT).pk)
        agency = SearchEvent.objects.first().agency
    with pytest.raises(ProtectedError):
        agency.delete()
