"""The command-line path: `evaluate` and `export_findings`."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command

from apps.agencies.models import Agency
from apps.audits.models import EvaluationRun, Finding
from apps.compliance.models import Rule
from apps.municipalities.scoping import municipality_scope
from tests.vendors.factories import VendorExportFactory

from .factories import AgencyFactory, SearchEventFactory, SharingGrantFactory

pytestmark = pytest.mark.django_db

COLUMNS = ["rule", "severity", "status", "municipality", "agency", "subject", "citation",
           "evidence", "first_seen", "last_seen", "summary"]  # fmt: skip
HYPERLINK = '=HYPERLINK("http://evil.example/x","Click")'


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def all_findings(*municipalities) -> list[Finding]:
    found = []
    for municipality in municipalities:
        with municipality_scope(municipality):
            found += list(Finding.objects.all())
    return found


@pytest.fixture
def ice():
    return Agency.objects.get(ori="VTICE0900")


@pytest.fixture
def data(municipality_a, municipality_b, ice):
    """Alder Park shares with ICE and is searched for immigration; Birch Hollow shares
    with a private company whose name is a spreadsheet formula."""
    sharing = VendorExportFactory(municipality=municipality_a, original_name="shared_a.csv")
    grant = SharingGrantFactory(
        municipality=municipality_a,
        agency=ice,
        partner_name="ICE ERO Chicago [Federal]",
        source_export=sharing,
        source_line=152,
    )
    audit = VendorExportFactory(municipality=municipality_a, original_name="network_audit_a.csv")
    ward = AgencyFactory(name="Ward County TX SO", level=Agency.Level.COUNTY)
    for line, day in ((40, 2), (12, 5)):
        SearchEventFactory(
            municipality=municipality_a,
            agency=ward,
            reason="ICE detainer",
            reason_label="immigration",
            source_export=audit,
            source_line=line,
            searched_at=datetime(2025, 3, day, 10, tzinfo=UTC),
        )
    evil = AgencyFactory(name=HYPERLINK, level=Agency.Level.PRIVATE, state="IL")
    SharingGrantFactory(
        municipality=municipality_b,
        agency=evil,
        partner_name=HYPERLINK,
        source_export=VendorExportFactory(municipality=municipality_b, original_name="b.csv"),
        source_line=9,
    )
    return {"grant": grant, "ward": ward, "evil": evil}


@pytest.fixture
def evaluated(data, municipality_a, municipality_b):
    run("evaluate", all=True)
    return data


# --- evaluate -------------------------------------------------------------------------


def test_evaluate_one_municipality_prints_its_counts(data, municipality_a, municipality_b):
    output = run("evaluate", municipality=municipality_a.slug)

    assert output.startswith("alder-park: ")
    assert "opened 3" in output  # ICE grant, immigration searches, searches by no grant
    assert "updated 0" in output and "closed 0" in output and "unchanged 0" in output
    assert "birch-hollow" not in output
    with municipality_scope(municipality_a):
        assert {f.rule_code for f in Finding.objects.all()} == {
            "BLOCKED_AGENCY_GRANT",
            "IMMIGRATION_SEARCH",
            "SEARCH_WITHOUT_GRANT",
        }
        assert EvaluationRun.objects.get().trigger == "manual"
    assert all_findings(municipality_b) == []

    again = run("evaluate", municipality=municipality_a.slug)

    assert "opened 0" in again and "unchanged 3" in again


def test_evaluate_all_prints_one_line_per_municipality(data, municipality_a, municipality_b):
    output = run("evaluate", all=True)

    lines = output.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["alder-park", "birch-hollow"]
    assert "opened 3" in lines[0]
    assert "opened 1" in lines[1]
    for municipality in (municipality_a, municipality_b):
        with municipality_scope(municipality):
            assert EvaluationRun.objects.filter(outcome="succeeded").count() == 1


def test_evaluate_needs_a_known_municipality_or_all(db):
    with pytest.raises(CommandError):
        run("evaluate", municipality="nowhere")
    with pytest.raises(CommandError):
        run("evaluate")


# --- export_findings ------------------------------------------------------------------


def test_export_json_lists_every_finding_with_its_law_and_evidence(
    evaluated, municipality_a, municipality_b, ice
):
    rows = json.loads(run("export_findings", format="json"))

    stored = all_findings(municipality_a, municipality_b)
    assert len(rows) == len(stored) == 4
    citations = dict(Rule.objects.filter(pack__state="IL").values_list("code", "citation"))
    for row in rows:
        assert set(COLUMNS) <= set(row)
        finding = next(
            f for f in stored if f.rule_code == row["rule"] and f.subject_label == row["subject"]
        )
        assert row["severity"] == finding.severity
        assert row["status"] == finding.status == "open"
        assert row["municipality"] == finding.municipality.name
        assert row["citation"] == citations[row["rule"]] and "2-130(" in row["citation"]
        assert datetime.fromisoformat(row["first_seen"]) == finding.first_seen_at
        assert datetime.fromisoformat(row["last_seen"]) == finding.last_seen_at

    by_rule = {(row["municipality"], row["rule"]): row for row in rows}
    blocked = by_rule[("Alder Park", "BLOCKED_AGENCY_GRANT")]
    assert blocked["agency"] == ice.name
    assert blocked["severity"] == "critical"
    assert "2-130(b)(2)" in blocked["citation"]
    assert blocked["evidence"] == "shared_a.csv line 152"
    assert blocked["first_seen"].startswith("2024-04-16")
    searches = by_rule[("Alder Park", "IMMIGRATION_SEARCH")]
    assert searches["agency"] == "Ward County TX SO"
    assert searches["evidence"] == "network_audit_a.csv lines 12, 40"
    assert searches["first_seen"].startswith("2025-03-02")
    assert searches["last_seen"].startswith("2025-03-05")
    private = by_rule[("Birch Hollow", "PRIVATE_ENTITY_GRANT")]
    assert private["agency"] == HYPERLINK  # JSON is data, not a spreadsheet
    assert private["evidence"] == "b.csv line 9"


def test_export_csv_lists_every_finding_and_defuses_formulas(
    evaluated, municipality_a, municipality_b, ice
):
    output = run("export_findings", format="csv")

    reader = csv.reader(io.StringIO(output))
    header = next(reader)
    assert header == COLUMNS
    rows = [dict(zip(header, row, strict=True)) for row in reader]
    assert len(rows) == len(all_findings(municipality_a, municipality_b)) == 4

    by_rule = {(row["municipality"], row["rule"]): row for row in rows}
    blocked = by_rule[("Alder Park", "BLOCKED_AGENCY_GRANT")]
    assert (blocked["severity"], blocked["status"], blocked["agency"]) == (
        "critical",
        "open",
        ice.name,
    )
    assert blocked["citation"] == Rule.objects.get(code="BLOCKED_AGENCY_GRANT").citation
    assert blocked["evidence"] == "shared_a.csv line 152"
    assert blocked["first_seen"].startswith("2024-04-16")
    assert blocked["last_seen"].startswith("2024-04-16")
    searches = by_rule[("Alder Park", "IMMIGRATION_SEARCH")]
    assert searches["evidence"] == "network_audit_a.csv lines 12, 40"

    private = by_rule[("Birch Hollow", "PRIVATE_ENTITY_GRANT")]
    assert private["agency"] == "'" + HYPERLINK
    assert private["subject"] == "'" + HYPERLINK
    assert "2-130(a)" in private["citation"]
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value


def test_export_limited_to_one_municipality(evaluated, municipality_a, municipality_b):
    rows = json.loads(run("export_findings", format="json", municipality=municipality_b.slug))
    assert [(row["municipality"], row["rule"]) for row in rows] == [
        ("Birch Hollow", "PRIVATE_ENTITY_GRANT")
    ]

    output = run("export_findings", format="csv", municipality=municipality_a.slug)
    rows = list(csv.DictReader(io.StringIO(output)))
    assert len(rows) == 3
    assert {row["municipality"] for row in rows} == {"Alder Park"}

    with pytest.raises(CommandError):
        run("export_findings", format="csv", municipality="nowhere")


def test_export_shows_a_closed_findings_status(evaluated, municipality_a):
    grant = evaluated["grant"]
    with municipality_scope(municipality_a):
        grant.status = "revoked"
        grant.status_changed_at = datetime(2025, 9, 23, tzinfo=UTC)
        grant.save()
    run("evaluate", municipality=municipality_a.slug)

    rows = json.loads(run("export_findings", format="json", municipality=municipality_a.slug))

    statuses = {row["rule"]: row["status"] for row in rows}
    assert statuses["BLOCKED_AGENCY_GRANT"] == "closed"
    assert statuses["IMMIGRATION_SEARCH"] == "open"
