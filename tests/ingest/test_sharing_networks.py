"""Flock SharedNetworks exports read as Flock produces them: one partner per row, own
networks kept on the grants, snapshots that end grants between two dates, and the
command that re-loads lists read the old way (issue 11, acceptance 1 and 2).

Expected counts come from the generator (tests/ingest/samples/make_flock_sharing_list.py)
and the samples README, not from the loader.
"""

import importlib.util
from datetime import datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.audits.evaluation import municipality_evaluate
from apps.audits.models import Finding
from apps.municipalities.scoping import municipality_scope
from apps.sharing.models import SharingChange, SharingGrant
from apps.vendors import parsing
from apps.vendors.models import VendorExport
from apps.vendors.parsing.records import GrantRecord

from .test_loading import SAMPLES, upload

pytestmark = pytest.mark.django_db

LARGE_XLSX = SAMPLES / "flock_shared_networks.xlsx"
LARGE_CSV = SAMPLES / "flock_shared_networks.csv"

_spec = importlib.util.spec_from_file_location(
    "make_flock_sharing_list", SAMPLES / "make_flock_sharing_list.py"
)
make = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make)

OWN = [name.strip() for name in make.OWN_NETWORKS]
BLOCKED_ROWS = {
    "ICE ERO Chicago [Federal]",
    "ICE HSI Phoenix [Federal]",
    "CBP Office of Field Operations - Chicago [Federal]",
    "U.S. Customs and Border Protection [Federal]",
}


def local(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=timezone.get_default_timezone())


def evaluate(municipality):
    with municipality_scope(municipality):
        return municipality_evaluate(municipality=municipality, trigger="manual")


def grants_of(municipality) -> set[tuple]:
    with municipality_scope(municipality):
        return {
            (g.partner_name, g.direction, tuple(g.networks), g.status, g.agency.name)
            for g in SharingGrant.objects.select_related("agency")
        }


def blocked_findings(municipality, **filters) -> dict[str, Finding]:
    with municipality_scope(municipality):
        return {
            f.subject_label: f
            for f in Finding.objects.filter(rule_code="BLOCKED_AGENCY_GRANT", **filters)
        }


# --- acceptance 1 ----------------------------------------------------------------------


def test_a_400_partner_sharednetworks_workbook_gives_one_grant_per_partner_and_direction(
    municipality_a,
):
    export = upload(municipality_a, LARGE_XLSX)

    assert export.status == VendorExport.Status.LOADED, export.message
    assert export.file_format == "flock_sharing_list"
    # 400 rows: 80 share nothing out, 67 receive nothing (60 + the 7 federal rows).
    assert (export.rows_loaded, export.rows_rejected, export.rows_duplicate) == (653, 0, 0)
    assert export.warnings == [
        "5 partner row(s) list no network either way; no grant was made for them."
    ]
    with municipality_scope(municipality_a):
        grants = SharingGrant.objects.all()
        assert grants.filter(direction="outgoing", status="accepted").count() == 320
        assert grants.filter(direction="incoming", status="accepted").count() == 333
        # The dozen own networks are what each outgoing grant covers, never a partner.
        assert not grants.filter(partner_name__in=OWN).exists()
        assert {tuple(g.networks) for g in grants.filter(direction="outgoing")} == {tuple(OWN)}
        incoming = grants.get(direction="incoming", partner_name="Marshwood WA County SO")
        assert incoming.networks == [
            "Marshwood WA County SO - Schools",
            "Marshwood WA County SO - LPR",
        ]
        # The sheet's name dates the snapshot.
        assert export.period_start == export.period_end == local(2025, 12, 30)
        assert set(grants.values_list("last_listed_at", flat=True)) == {local(2025, 12, 30)}


def test_the_federal_ice_and_cbp_rows_give_blocked_agency_grant_findings(municipality_a):
    upload(municipality_a, LARGE_XLSX)

    evaluate(municipality_a)

    findings = blocked_findings(municipality_a, status="open")
    assert set(findings) == BLOCKED_ROWS
    with municipality_scope(municipality_a):
        agencies = {f.agency.name for f in findings.values()}
    assert "U.S. Immigration and Customs Enforcement" in agencies


def test_the_csv_twin_of_the_workbook_gives_identical_grants(municipality_a, municipality_b):
    upload(municipality_a, LARGE_XLSX)
    upload(municipality_b, LARGE_CSV)

    from_workbook = grants_of(municipality_a)
    assert len(from_workbook) == 653
    assert grants_of(municipality_b) == from_workbook


def test_a_csv_saved_under_the_sheets_name_keeps_its_date_other_names_use_the_upload_time(
    municipality_a, municipality_b
):
    dated = upload(municipality_a, LARGE_CSV, name="SharedNetworks_2025_December_30.csv")
    undated = upload(municipality_b, LARGE_CSV)

    assert dated.period_end == local(2025, 12, 30)
    assert undated.period_end is None
    with municipality_scope(municipality_b):
        listed = set(SharingGrant.objects.values_list("last_listed_at", flat=True))
        assert listed == {VendorExport.objects.get(pk=undated.pk).received_at}


def test_the_demo_sharing_list_reads_the_same_from_its_workbook_and_its_csv(
    municipality_a, municipality_b
):
    upload(municipality_a, SAMPLES / "flock_sharing_list.xlsx")
    upload(municipality_b, SAMPLES / "flock_sharing_list.csv")

    assert len(grants_of(municipality_a)) == 52
    assert grants_of(municipality_b) == grants_of(municipality_a)


# --- acceptance 2: snapshots -------------------------------------------------------------


def _january_without_ice(tmp_path: Path) -> Path:
    rows = [row for row in make.large_rows() if row[0].strip() != "ICE ERO Chicago [Federal]"]
    assert len(rows) == make.LARGE_ROWS - 1
    path = tmp_path / "SharedNetworks January.xlsx"
    make.write_xlsx(path, rows, sheet="SharedNetworks_2026_January_30")
    return path


def test_a_blocked_partner_gone_from_the_next_snapshot_ends_between_the_two_dates(
    municipality_a, clerk_a, client, tmp_path
):
    december = upload(municipality_a, LARGE_XLSX)
    evaluate(municipality_a)
    assert "ICE ERO Chicago [Federal]" in blocked_findings(municipality_a, status="open")

    january = upload(municipality_a, _january_without_ice(tmp_path))
    evaluate(municipality_a)

    with municipality_scope(municipality_a):
        ice = SharingGrant.objects.get(partner_name="ICE ERO Chicago [Federal]")
        assert ice.status == SharingGrant.Status.REVOKED
        assert ice.last_listed_at == local(2025, 12, 30)
        assert ice.status_changed_at == local(2026, 1, 30)
        ended = SharingChange.objects.get(grant=ice, new_status="revoked")
        assert (ended.last_listed_at, ended.occurred_at) == (
            local(2025, 12, 30),
            local(2026, 1, 30),
        )
        assert ended.source_export_id == january.pk and ended.source_line == 0
        assert SharingChange.objects.filter(source_export=january).count() == 1
        assert december.pk != january.pk
    closed = blocked_findings(municipality_a, status="closed")
    assert set(closed) == {"ICE ERO Chicago [Federal]"}
    cause = closed["ICE ERO Chicago [Federal]"].close_cause
    assert "between Dec 30, 2025" in cause and "Jan 30, 2026" in cause
    assert "SharedNetworks January.xlsx" in cause
    assert set(blocked_findings(municipality_a, status="open")) == BLOCKED_ROWS - set(closed)

    # The closed finding stays listed, and its page gives the dates.
    client.force_login(clerk_a)
    listing = client.get(f"/m/{municipality_a.slug}/findings/", {"status": "closed"})
    assert "ICE ERO Chicago [Federal]" in listing.content.decode()
    detail = client.get(
        f"/m/{municipality_a.slug}/findings/{closed['ICE ERO Chicago [Federal]'].pk}/"
    )
    assert "Dec 30, 2025" in detail.content.decode()
    assert "Jan 30, 2026" in detail.content.decode()


def test_an_older_snapshot_loaded_late_ends_nothing(municipality_a, tmp_path):
    rows = [row for row in make.large_rows() if row[0].strip() != "ICE ERO Chicago [Federal]"]
    older = tmp_path / "SharedNetworks November.xlsx"
    make.write_xlsx(older, rows, sheet="SharedNetworks_2025_November_30")
    upload(municipality_a, LARGE_XLSX)

    upload(municipality_a, older)

    with municipality_scope(municipality_a):
        ice = SharingGrant.objects.get(partner_name="ICE ERO Chicago [Federal]")
        assert ice.status == SharingGrant.Status.ACCEPTED
        assert not SharingGrant.objects.exclude(status="accepted").exists()


# --- existing data: lists read the old way -----------------------------------------------


def _read_the_old_way(table, columns, warnings):
    """The parser as it was: the listed networks taken for partners."""
    c_in = columns["networks shared with me"]
    c_out = columns["networks i'm sharing"]
    for line, row in table.rows:
        row = row + [""] * (len(table.header) - len(row))
        for direction, column in (("outgoing", c_out), ("incoming", c_in)):
            for name in {item.strip() for item in row[column].split(",") if item.strip()}:
                yield GrantRecord(line, name, direction, "detections", "one_to_one", "accepted")


def test_reload_exports_rebuilds_grants_of_lists_read_the_old_way_and_evaluates_again(
    municipality_a, monkeypatch
):
    with monkeypatch.context() as patch:
        patch.setitem(parsing.PARSERS, "flock_sharing_list", _read_the_old_way)
        export = upload(municipality_a, LARGE_XLSX)
    evaluate(municipality_a)
    with municipality_scope(municipality_a):
        assert SharingGrant.objects.filter(partner_name__in=OWN).count() == 12
    assert blocked_findings(municipality_a) == {}

    call_command("reload_exports", "--format", "flock_sharing_list")

    with municipality_scope(municipality_a):
        grants = SharingGrant.objects.all()
        assert not grants.filter(partner_name__in=OWN).exists()
        assert grants.filter(direction="outgoing").count() == 320
        assert grants.filter(direction="incoming").count() == 333
        assert not SharingChange.objects.exclude(old_status="").exists()
        reloaded = VendorExport.objects.get(pk=export.pk)
        assert reloaded.status == VendorExport.Status.LOADED
        assert reloaded.rows_loaded == 653
    assert set(blocked_findings(municipality_a, status="open")) == BLOCKED_ROWS
