"""ICE's 287(g) partners under Illinois' pack (issue 15, acceptance 2): sharing with a
partner, and a partner's searches, judged by the agreements in force; ICE's list imported
by the real import service, the grants and searches uploaded as a clerk uploads them.

Galveston County's sheriff holds three agreements in the list: jail enforcement (signed
Jun 8, 2020), warrant service officer (Mar 26, 2025) and task force (Jul 23, 2025).
"""

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from apps.agencies.models import Agency, ImmigrationAgreement
from apps.agencies.services import registry_import
from apps.audits.evaluation import municipality_evaluate
from apps.audits.models import EvaluationRun, Finding
from apps.compliance.models import Rule
from apps.municipalities.scoping import municipality_scope, statewide_scope
from apps.sharing.models import SearchEvent, SharingGrant
from apps.vendors.models import VendorExport
from tests.accounts.factories import UserFactory
from tests.agencies.test_287g import write_csv
from tests.audits.plans import searches_statement
from tests.ingest.test_loading import upload
from tests.municipalities.factories import MembershipFactory, MunicipalityFactory
from tests.vendors.factories import VendorExportFactory

from .factories import SEARCHED, SearchEventFactory, SharingGrantFactory
from .test_batches import wait_for
from .test_fingerprints import nightly, shift_today

pytestmark = pytest.mark.django_db

GALVESTON = [
    ["TEXAS", "Galveston County Sheriff's Office", "County", "Galveston County",
     "Jail Enforcement Model", date(2020, 6, 8), "link", ""],
    ["TEXAS", "Galveston County Sheriff's Office", "County", "Galveston County",
     "Warrant Service Officer", date(2025, 3, 26), "link", ""],
    ["TEXAS", "Galveston County Sheriff's Office", "County", "Galveston County",
     "Task Force Model", date(2025, 7, 23), "link", ""],
]  # fmt: skip
ARP = [["TEXAS", "Arp Police Department", "Municipality", "Smith County", "Task Force Model",
        date(2025, 9, 22), "link", ""]]  # fmt: skip

GRANT_COLUMNS = ["partner_agency", "partner_ori", "partner_state", "partner_level", "mode",
                 "status", "requested_at", "decided_at", "decided_by", "declaration_on_file",
                 "declaration_date", "vendor_reference"]  # fmt: skip
SEARCH_COLUMNS = ["search_id", "searched_at", "searching_agency", "searching_ori", "searcher",
                  "reason", "case_number", "networks_searched", "devices_searched",
                  "search_type", "plate"]  # fmt: skip
# Galveston's searches of the municipality's data (line 2 on): two with ICE reasons, two
# others while its agreements were in force, and one from before its first agreement.
# Riverbend's own police searches for ICE too, but holds no agreement.
SEARCHES = [
    ("GS-1", "2025-10-01T14:12:09Z", "Galveston County TX SO", "ICE"),
    ("GS-2", "2025-10-02T21:47:55Z", "Galveston County TX SO", "stolen vehicle"),
    ("GS-3", "2025-10-03T11:05:41Z", "Galveston County TX SO", "ICE ERO detainer"),
    ("GS-4", "2025-10-04T20:33:02Z", "Galveston County TX SO", "Agg Battery 25-01234"),
    ("GS-5", "2020-05-01T15:00:00Z", "Galveston County TX SO", "stolen vehicle"),
    ("GS-6", "2025-10-05T09:00:00Z", "Oak Lawn IL PD", "ICE"),
]


def _csv(path: Path, columns: list[str], rows: list[list]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows(rows)
    return path


@pytest.fixture
def riverbend(galveston, settings, tmp_path):
    """An Illinois municipality that shares with Galveston's sheriff and Oak Lawn's police,
    and whose search log shows both searching, uploaded as a clerk uploads them."""
    settings.MEDIA_ROOT = tmp_path / "media"
    municipality = MunicipalityFactory(name="Riverbend", state="IL")
    grants = _csv(tmp_path / "riverbend_grants.csv", GRANT_COLUMNS, [
        ["Galveston County TX SO", "", "TX", "county", "one_to_one", "accepted",
         "2024-04-10T09:12:00Z", "2024-04-16T19:02:41Z", "det.jsmith", "true", "2024-04-01",
         "GEN-1"],
        ["Oak Lawn IL PD", "", "IL", "local", "one_to_one", "accepted",
         "2024-04-10T09:12:00Z", "2024-04-16T19:03:00Z", "det.jsmith", "false", "", "GEN-2"],
    ])  # fmt: skip
    searches = _csv(tmp_path / "riverbend_searches.csv", SEARCH_COLUMNS, [
        [key, at, agency, "", "", reason, "", "12", "", "search", ""]
        for key, at, agency, reason in SEARCHES
    ])  # fmt: skip
    for path in (grants, searches):
        export = upload(municipality, path, vendor_slug="other")
        assert export.status == VendorExport.Status.LOADED, export.message
    return municipality


def ice_list(tmp_path: Path, name: str, rows: list[list]) -> Path:
    return write_csv(tmp_path / name, rows)


def evaluated(municipality) -> dict[str, Finding]:
    """The municipality's 287(g) findings after an evaluation, by subject key."""
    with municipality_scope(municipality):
        municipality_evaluate(municipality=municipality, trigger="manual")
        return {
            f.subject_key: f
            for f in Finding.objects.filter(rule_code__startswith="IMMIGRATION_PARTNER")
        }


def test_sharing_with_a_listed_sheriff_and_its_searches_make_the_287g_findings(
    riverbend, galveston, tmp_path
):
    registry_import(path=ice_list(tmp_path, "ice_287g.csv", GALVESTON + ARP))
    with municipality_scope(riverbend):
        labels = dict(SearchEvent.objects.values_list("reason", "reason_label"))
        grant = SharingGrant.objects.get(agency=galveston)
    # The classifier, not this test, labels the reasons.
    assert labels["ICE"] == labels["ICE ERO detainer"] == "immigration"
    assert labels["stolen vehicle"] == labels["Agg Battery 25-01234"] == "none"

    findings = evaluated(riverbend)

    assert set(findings) == {
        f"grant:{grant.pk}",
        f"agency:{galveston.pk}:immigration-reasons",
        f"agency:{galveston.pk}:other-reasons",
    }
    shared = findings[f"grant:{grant.pk}"]
    assert (shared.rule_code, shared.severity, shared.status) == (
        "IMMIGRATION_PARTNER_GRANT", "high", "open",
    )  # fmt: skip
    assert shared.summary == (
        "Data is shared with Galveston County TX SO, a 287(g) partner of ICE (jail "
        "enforcement, signed June 8, 2020; warrant service officer, signed March 26, 2025; "
        "task force, signed July 23, 2025); it could search since April 16, 2024."
    )
    assert shared.evidence["agreements"] == [
        {"model": "jail_enforcement", "text": "Jail Enforcement Model", "signed_on": "2020-06-08"},
        {"model": "warrant_service_officer", "text": "Warrant Service Officer",
         "signed_on": "2025-03-26"},
        {"model": "task_force", "text": "Task Force Model", "signed_on": "2025-07-23"},
    ]  # fmt: skip
    assert shared.evidence["files"][0]["name"] == "riverbend_grants.csv"
    assert shared.evidence["files"][0]["lines"] == [2]

    critical = findings[f"agency:{galveston.pk}:immigration-reasons"]
    assert (critical.rule_code, critical.severity) == ("IMMIGRATION_PARTNER_SEARCH", "critical")
    assert critical.evidence["count"] == 2
    assert critical.evidence["files"][0]["lines"] == [2, 4]
    assert critical.summary == (
        "Galveston County TX SO, a 287(g) partner of ICE, ran 2 searches for immigration purposes."
    )
    # Its other searches while an agreement was in force: for review. The search of
    # May 2020, before its first agreement, is in neither.
    review = findings[f"agency:{galveston.pk}:other-reasons"]
    assert (review.rule_code, review.severity) == ("IMMIGRATION_PARTNER_SEARCH", "medium")
    assert review.evidence["count"] == 2
    assert review.evidence["files"][0]["lines"] == [3, 5]
    assert review.period_start.date() == date(2025, 10, 2)


def test_a_partner_search_finding_shows_its_own_searches(riverbend, galveston, tmp_path, client):
    registry_import(path=ice_list(tmp_path, "ice_287g.csv", GALVESTON))
    findings = evaluated(riverbend)
    clerk = UserFactory(username="clerk-riverbend")
    MembershipFactory(user=clerk, municipality=riverbend)
    client.force_login(clerk)

    pages = {
        reasons: client.get(
            f"/m/{riverbend.slug}/findings/{findings[f'agency:{galveston.pk}:{reasons}'].pk}/"
        ).content.decode()
        for reasons in ("immigration-reasons", "other-reasons")
    }

    assert "<td>ICE</td>" in pages["immigration-reasons"]
    assert "<td>ICE ERO detainer</td>" in pages["immigration-reasons"]
    assert "stolen vehicle" not in pages["immigration-reasons"]
    assert "reason_label=immigration" in pages["immigration-reasons"]
    assert "<td>stolen vehicle</td>" in pages["other-reasons"]
    assert "<td>Agg Battery 25-01234</td>" in pages["other-reasons"]
    assert "<td>ICE</td>" not in pages["other-reasons"]


def test_a_list_without_the_sheriff_ends_its_agreements_and_closes_the_grant_finding(
    riverbend, galveston, tmp_path
):
    registry_import(path=ice_list(tmp_path, "ice_287g.csv", GALVESTON + ARP))
    before = evaluated(riverbend)
    with municipality_scope(riverbend):
        grant = SharingGrant.objects.get(agency=galveston)
    shared = before[f"grant:{grant.pk}"]

    registry_import(path=ice_list(tmp_path, "ice_287g_next.csv", ARP))
    after = evaluated(riverbend)

    today = timezone.localdate()
    assert set(galveston.immigration_agreements.values_list("ended_on", flat=True)) == {today}
    closed = after[f"grant:{grant.pk}"]
    assert closed.status == "closed"
    assert closed.close_cause == (
        f"The agency's 287(g) agreement ended on {today:%b %-d, %Y}: ICE's list "
        "ice_287g_next.csv, imported that day, no longer lists it."
    )
    # Its period is kept: when the sharing was first seen and since when it held.
    assert (closed.first_seen_at, closed.last_seen_at, closed.period_start) == (
        shared.first_seen_at, shared.last_seen_at, shared.period_start,
    )  # fmt: skip
    with municipality_scope(riverbend):
        assert closed.events.last().note == closed.close_cause
    # The searches were run while the agreements were in force: still findings.
    assert after[f"agency:{galveston.pk}:immigration-reasons"].status == "open"
    assert after[f"agency:{galveston.pk}:other-reasons"].status == "open"


def test_a_grant_revoked_while_the_agreement_was_in_force_is_a_finding_closed_with_its_period(
    galveston, municipality_a, tmp_path
):
    """Sharing that ended before the portal saw it, as the other grant rules keep it."""
    registry_import(path=ice_list(tmp_path, "ice_287g.csv", GALVESTON))
    with municipality_scope(municipality_a):
        revoked = SharingGrantFactory(
            municipality=municipality_a, agency=galveston, status="revoked",
            status_changed_at=datetime(2025, 9, 1, 12, tzinfo=UTC),
        )  # fmt: skip
        # Ended in May 2020, before the first agreement was signed: no finding.
        SharingGrantFactory(
            municipality=municipality_a, agency=galveston, status="revoked",
            partner_name="Galveston County Sheriff", requested_at=None, decided_at=None,
            status_changed_at=datetime(2020, 5, 1, 12, tzinfo=UTC),
        )  # fmt: skip

    findings = evaluated(municipality_a)

    assert set(findings) == {f"grant:{revoked.pk}"}
    finding = findings[f"grant:{revoked.pk}"]
    assert finding.status == "closed"
    assert finding.period_end.date() == date(2025, 9, 1)
    assert finding.summary.startswith("Data was shared with Galveston County TX SO, a 287(g)")


def test_the_review_takes_the_rules_severity_when_an_administrator_sets_it_lower(
    riverbend, galveston, tmp_path
):
    registry_import(path=ice_list(tmp_path, "ice_287g.csv", GALVESTON))
    Rule.objects.filter(pack__state="IL", code="IMMIGRATION_PARTNER_SEARCH").update(severity="low")

    findings = evaluated(riverbend)

    assert findings[f"agency:{galveston.pk}:immigration-reasons"].severity == "low"
    assert findings[f"agency:{galveston.pk}:other-reasons"].severity == "low"


def test_california_and_virginia_packs_have_no_287g_rules(riverbend, galveston, tmp_path):
    """The partner rules are Illinois' (2-130(b)(2), the TRUST Act): the same sharing under
    a California municipality is judged by 1798.90.55(b) alone."""
    assert set(
        Rule.objects.filter(code__startswith="IMMIGRATION_PARTNER").values_list(
            "pack__state", flat=True
        )
    ) == {"IL"}
    registry_import(path=ice_list(tmp_path, "ice_287g.csv", GALVESTON))
    with statewide_scope():
        riverbend.state = "CA"
        riverbend.save()

    assert evaluated(riverbend) == {}


def test_an_import_makes_the_nightly_run_evaluate_again_and_a_same_import_does_not(
    riverbend, galveston, tmp_path
):
    # Only agencies the directory holds: the import writes agreements, no agency.
    path = ice_list(tmp_path, "ice_287g.csv", GALVESTON)
    evaluated(riverbend)
    assert nightly() == set()

    registry_import(path=path)
    assert nightly() == {riverbend.pk}
    assert evaluated(riverbend)

    registry_import(path=path)
    assert nightly() == set()


def test_an_agreement_signed_later_makes_the_nightly_run_evaluate_on_that_day(
    riverbend, galveston, tmp_path, monkeypatch
):
    """An accepted grant is judged by the agreements in force today: the day one comes
    into force is an input, as a declaration's expiry is."""
    signed = timezone.localdate() + timedelta(days=3)
    row = [*GALVESTON[0][:5], signed, "link", ""]
    registry_import(path=ice_list(tmp_path, "ice_287g.csv", [row]))
    assert not any(key.startswith("grant:") for key in evaluated(riverbend))

    shift_today(monkeypatch, 2)
    assert nightly() == set()
    shift_today(monkeypatch, 3)
    assert nightly() == {riverbend.pk}
    assert any(key.startswith("grant:") for key in evaluated(riverbend))


def test_an_import_queues_the_municipalities_its_agencies_touch(celery_worker, tmp_path):
    galveston = Agency.objects.create(
        name="Galveston County TX SO", normalized_name="galveston county sheriffs office",
        state="TX", level=Agency.Level.COUNTY, is_confirmed=True,
    )  # fmt: skip
    sharing, other = MunicipalityFactory(state="IL"), MunicipalityFactory(state="IL")
    with statewide_scope():
        grant = SharingGrantFactory(municipality=sharing, agency=galveston)
        SharingGrantFactory(municipality=other)

    registry_import(path=ice_list(tmp_path, "ice_287g.csv", GALVESTON))

    def found():
        with statewide_scope():
            return Finding.objects.filter(
                rule_code="IMMIGRATION_PARTNER_GRANT", subject_key=f"grant:{grant.pk}"
            ).first()

    assert wait_for(found, 60, "the evaluation the import queued").municipality_id == sharing.pk
    with statewide_scope():
        assert not EvaluationRun.objects.filter(municipality=other).exists()
        assert ImmigrationAgreement.objects.filter(agency=galveston).count() == 3


@pytest.mark.parametrize("by_days", [True, False], ids=["few municipalities", "a batch"])
def test_a_partners_searches_are_read_through_its_days_or_its_agency_and_no_others(
    municipality_a, galveston, tmp_path, by_days
):
    """The partner rule reads only the searches of agencies with an agreement: on the
    days the day rollup shows them searching (a few municipalities), or through the
    agency index (a batch). Sequential scans are off, as on a table of millions."""
    registry_import(path=ice_list(tmp_path, "ice_287g.csv", GALVESTON))
    export = VendorExportFactory(municipality=municipality_a)
    for day in range(60):
        SearchEventFactory(
            municipality=municipality_a, source_export=export,
            searched_at=SEARCHED + timedelta(days=day),
        )  # fmt: skip
    for at, label in (
        (datetime(2025, 10, 1, 14, tzinfo=UTC), "immigration"),
        (datetime(2025, 10, 1, 15, tzinfo=UTC), "none"),
        (datetime(2020, 5, 1, 15, tzinfo=UTC), "none"),  # before its first agreement
    ):
        SearchEventFactory(
            municipality=municipality_a, source_export=export, agency=galveston,
            searched_at=at, reason_label=label,
        )  # fmt: skip
    found, read = searches_statement(municipality_a, by_days=by_days)

    assert found == {
        ("IMMIGRATION_SEARCH", galveston.pk, 1),
        ("IMMIGRATION_PARTNER_SEARCH", galveston.pk, 1),
        ("IMMIGRATION_PARTNER_SEARCH:review", galveston.pk, 1),
    }
    # Of 63 searches: the flagged one (twice: for IMMIGRATION_SEARCH, and on the
    # partner's day) and the partner's others, of its day or of its agency.
    assert read <= 5
