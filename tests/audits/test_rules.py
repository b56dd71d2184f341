"""The eleven rules against the real database: each one fires on data that breaks it,
stays quiet on near-misses, and a second evaluation changes nothing. Then the life of a
finding that evaluation drives (close, reopen) and the administrators' levers (rules,
blocklist) that change what evaluation finds."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from apps.agencies.models import Agency
from apps.audits.evaluation import municipality_evaluate
from apps.audits.models import EvaluationRun, Finding, FindingEvent
from apps.audits.selectors import evidence_text
from apps.audits.services import finding_transition
from apps.compliance.blocklist import blocked_agency_ids
from apps.compliance.models import BlocklistEntry, Rule
from apps.compliance.services import (
    blocklist_entry_retire,
    blocklist_entry_save,
    municipalities_touching,
    rule_save,
)
from apps.core.models import ChangeRecord
from apps.municipalities.scoping import municipality_scope
from apps.sharing.models import Declaration, SearchEvent, SharingGrant
from apps.sharing.rollups import search_days_rebuild
from tests.audits.plans import searches_statement
from tests.municipalities.factories import MunicipalityFactory
from tests.vendors.factories import VendorExportFactory

from .factories import (
    DECIDED,
    SEARCHED,
    AgencyFactory,
    SearchEventFactory,
    SharingChangeFactory,
    SharingGrantFactory,
)

pytestmark = pytest.mark.django_db

ALL_RULES = [
    "BLOCKED_AGENCY_GRANT",
    "OUT_OF_STATE_NO_DECLARATION",
    "FEDERAL_GRANT_REVIEW",
    "BROAD_SHARING_MODE",
    "PRIVATE_ENTITY_GRANT",
    "IMMIGRATION_SEARCH",
    "HEALTH_CARE_SEARCH",
    "SEARCH_WITHOUT_GRANT",
    "BULK_ACCEPTANCE",
    "VAGUE_REASON",
    "SENSITIVE_DATA_IN_REASON",
]
DETECTIVE = "det.jsmith@alderparkpd.example"


# --- helpers ---------------------------------------------------------------------------


def evaluate(municipality) -> EvaluationRun:
    with municipality_scope(municipality):
        return municipality_evaluate(municipality=municipality, trigger="manual")


def findings(municipality, rule_code: str | None = None) -> list[Finding]:
    with municipality_scope(municipality):
        found = Finding.objects.select_related("agency", "grant").order_by("id")
        if rule_code:
            found = found.filter(rule_code=rule_code)
        return list(found)


def reload(finding: Finding) -> Finding:
    with municipality_scope(finding.municipality):
        return Finding.objects.select_related("agency", "grant").get(pk=finding.pk)


def event_count(municipality) -> int:
    with municipality_scope(municipality):
        return FindingEvent.objects.count()


def the_finding(municipality, rule_code: str) -> Finding:
    found = findings(municipality, rule_code)
    assert len(found) == 1, [(f.subject_key, f.summary) for f in found]
    return found[0]


def assert_none(municipality, rule_code: str) -> None:
    found = findings(municipality, rule_code)
    assert found == [], [(f.subject_key, f.summary) for f in found]


def assert_recorded_closed(municipality, rule_code: str) -> None:
    """The rule's one finding is about sharing that had ended: recorded, but closed."""
    finding = the_finding(municipality, rule_code)
    assert finding.status == Finding.Status.CLOSED, finding.summary
    assert finding.grant.status == SharingGrant.Status.REVOKED
    assert finding.period_end == finding.grant.status_changed_at


def assert_rule_basics(finding: Finding, rule_code: str, subsection: str) -> None:
    """Severity comes from the rule; the rule's citation names the subsection."""
    rule = Rule.objects.get(pack__state="IL", code=rule_code)
    assert finding.rule_code == rule_code
    assert finding.status == Finding.Status.OPEN
    assert finding.severity == rule.severity
    assert subsection in rule.citation
    assert re.search(r"2-130\([a-d]\)", rule.citation), rule.citation


def assert_evidence(finding: Finding, expected: dict) -> None:
    """`expected` maps each export to the sorted line numbers it should cite."""
    files = finding.evidence["files"]
    got = {file["name"]: sorted(file["lines"]) for file in files}
    assert got == {export.original_name: lines for export, lines in expected.items()}
    for file in files:
        assert file["count"] == len(file["lines"])
    assert finding.evidence["count"] == sum(len(lines) for lines in expected.values())


def assert_second_run_changes_nothing(municipality) -> None:
    before = {
        f.pk: (f.status, f.evidence, f.last_seen_at, f.summary, f.severity)
        for f in findings(municipality)
    }
    live = sum(1 for status, *_ in before.values() if status != Finding.Status.CLOSED)
    events = event_count(municipality)

    run = evaluate(municipality)

    assert run.outcome == EvaluationRun.Outcome.SUCCEEDED
    assert run.counts == {
        "opened": 0,
        "updated": 0,
        "closed": 0,
        "reopened": 0,
        "unchanged": live,
    }
    after = {
        f.pk: (f.status, f.evidence, f.last_seen_at, f.summary, f.severity)
        for f in findings(municipality)
    }
    assert after == before
    assert event_count(municipality) == events


@pytest.fixture
def ice():
    return Agency.objects.get(ori="VTICE0900")


@pytest.fixture
def hsi():
    return Agency.objects.get(name="Homeland Security Investigations")


@pytest.fixture
def ward_county_tx():
    return AgencyFactory(name="Ward County TX SO", level=Agency.Level.COUNTY)


@pytest.fixture
def own_pd(municipality_a):
    # "Alder Park IL PD" normalises to the municipality's police department in IL.
    return AgencyFactory(name="Alder Park IL PD")


def test_the_rulebook_is_seeded_with_subsection_citations():
    rules = {rule.code: rule for rule in Rule.objects.all()}
    assert set(ALL_RULES) <= set(rules)
    for code in ALL_RULES:
        assert rules[code].is_active
        assert re.search(r"2-130\([a-d]\)", rules[code].citation), code


def test_search_event_gets_its_id_from_the_database(municipality_a):
    search = SearchEventFactory(municipality=municipality_a)
    assert isinstance(search.id, int)
    with municipality_scope(municipality_a):
        stored = SearchEvent.objects.get(vendor_search_id=search.vendor_search_id)
    assert stored.id == search.id
    assert stored.source_export.municipality == municipality_a


# --- 1. BLOCKED_AGENCY_GRANT ----------------------------------------------------------


def test_a_grant_to_ice_is_a_critical_blocked_agency_finding(municipality_a, ice):
    grant = SharingGrantFactory(
        municipality=municipality_a,
        agency=ice,
        partner_name="ICE ERO Chicago [Federal]",
        source_line=152,
    )

    run = evaluate(municipality_a)

    finding = the_finding(municipality_a, "BLOCKED_AGENCY_GRANT")
    assert_rule_basics(finding, "BLOCKED_AGENCY_GRANT", "2-130(b)(2)")
    assert finding.severity == "critical"
    assert finding.agency == ice and finding.grant == grant
    assert finding.subject_key == f"grant:{grant.pk}"
    assert finding.subject_label == "ICE ERO Chicago [Federal]"
    assert ice.name in finding.summary
    assert_evidence(finding, {grant.source_export: [152]})
    assert finding.first_seen_at == DECIDED
    assert run.counts["opened"] == 1
    with municipality_scope(municipality_a):
        event = FindingEvent.objects.get(finding=finding)
    assert (event.from_status, event.to_status) == ("", Finding.Status.OPEN)
    # A blocked federal agency is not also a mere "federal, review" finding.
    assert_none(municipality_a, "FEDERAL_GRANT_REVIEW")
    assert_second_run_changes_nothing(municipality_a)


def test_an_office_of_a_blocked_agency_is_blocked_through_its_parent(municipality_a, hsi):
    grant = SharingGrantFactory(municipality=municipality_a, agency=hsi, partner_name="DHS-HSI")

    evaluate(municipality_a)

    finding = the_finding(municipality_a, "BLOCKED_AGENCY_GRANT")
    assert finding.grant == grant and finding.agency == hsi


@pytest.mark.parametrize(
    "changes",
    [
        {"status": SharingGrant.Status.PENDING},
        {"status": SharingGrant.Status.DENIED},
        {"direction": SharingGrant.Direction.INCOMING},
    ],
    ids=["pending", "denied", "incoming"],
)
def test_a_grant_to_ice_that_never_shared_data_out_is_no_finding(municipality_a, ice, changes):
    SharingGrantFactory(municipality=municipality_a, agency=ice, **changes)

    evaluate(municipality_a)

    assert_none(municipality_a, "BLOCKED_AGENCY_GRANT")


def test_a_revoked_grant_to_ice_is_a_finding_recorded_closed(municipality_a, ice):
    SharingGrantFactory(municipality=municipality_a, agency=ice, status=SharingGrant.Status.REVOKED)

    evaluate(municipality_a)

    assert_recorded_closed(municipality_a, "BLOCKED_AGENCY_GRANT")


def test_another_municipalitys_grant_to_ice_is_not_this_ones_finding(
    municipality_a, municipality_b, ice
):
    SharingGrantFactory(municipality=municipality_b, agency=ice)
    SharingGrantFactory(municipality=municipality_a)  # an ordinary partner

    evaluate(municipality_a)

    assert_none(municipality_a, "BLOCKED_AGENCY_GRANT")
    assert findings(municipality_b) == []  # nothing evaluated there yet


# --- 2. OUT_OF_STATE_NO_DECLARATION ---------------------------------------------------


def declaration(municipality, agency, received_on, expires_on=None) -> Declaration:
    return Declaration.objects.create(
        municipality=municipality, agency=agency, received_on=received_on, expires_on=expires_on
    )


def test_an_out_of_state_grant_without_a_declaration_is_a_finding(municipality_a, ward_county_tx):
    grant = SharingGrantFactory(
        municipality=municipality_a, agency=ward_county_tx, partner_name="Ward County TX SO"
    )

    evaluate(municipality_a)

    finding = the_finding(municipality_a, "OUT_OF_STATE_NO_DECLARATION")
    assert_rule_basics(finding, "OUT_OF_STATE_NO_DECLARATION", "2-130(c)")
    assert finding.severity == "high"
    assert finding.grant == grant and finding.agency == ward_county_tx
    assert finding.subject_key == f"grant:{grant.pk}"
    assert "TX" in finding.summary
    assert_evidence(finding, {grant.source_export: [grant.source_line]})
    assert_second_run_changes_nothing(municipality_a)


def test_an_expired_declaration_does_not_cover_the_grant(municipality_a, ward_county_tx):
    today = timezone.localdate()
    SharingGrantFactory(municipality=municipality_a, agency=ward_county_tx)
    declaration(
        municipality_a,
        ward_county_tx,
        received_on=today - timedelta(days=400),
        expires_on=today - timedelta(days=1),
    )

    evaluate(municipality_a)

    assert the_finding(municipality_a, "OUT_OF_STATE_NO_DECLARATION").agency == ward_county_tx


def test_a_declaration_given_to_another_municipality_does_not_count(
    municipality_a, municipality_b, ward_county_tx
):
    today = timezone.localdate()
    SharingGrantFactory(municipality=municipality_a, agency=ward_county_tx)
    declaration(municipality_b, ward_county_tx, received_on=today - timedelta(days=10))

    evaluate(municipality_a)

    assert the_finding(municipality_a, "OUT_OF_STATE_NO_DECLARATION").agency == ward_county_tx


def test_a_declaration_flag_older_than_the_rules_maximum_age_has_expired(
    municipality_a, ward_county_tx
):
    today = timezone.localdate()
    SharingGrantFactory(
        municipality=municipality_a,
        agency=ward_county_tx,
        declaration_on_file=True,
        declaration_date=today - timedelta(days=731),
    )

    evaluate(municipality_a)

    assert the_finding(municipality_a, "OUT_OF_STATE_NO_DECLARATION").agency == ward_county_tx


def test_a_registered_declaration_older_than_the_rules_maximum_age_has_expired(
    municipality_a, ward_county_tx
):
    # The rule's only notion of expiry is `max_age_days` (730). A declaration in the
    # register with no end date, received three years ago, is as stale as a grant's
    # three-year-old declaration flag, which the rule does treat as expired.
    today = timezone.localdate()
    SharingGrantFactory(municipality=municipality_a, agency=ward_county_tx)
    declaration(municipality_a, ward_county_tx, received_on=today - timedelta(days=3 * 365))

    evaluate(municipality_a)

    assert the_finding(municipality_a, "OUT_OF_STATE_NO_DECLARATION").agency == ward_county_tx


@pytest.mark.parametrize(
    "cover",
    ["register_with_end_date", "register_without_end_date", "grant_flag"],
)
def test_an_out_of_state_grant_with_a_current_declaration_is_no_finding(
    municipality_a, ward_county_tx, cover
):
    today = timezone.localdate()
    grant = SharingGrantFactory(municipality=municipality_a, agency=ward_county_tx)
    if cover == "register_with_end_date":
        declaration(
            municipality_a,
            ward_county_tx,
            received_on=today - timedelta(days=30),
            expires_on=today + timedelta(days=335),
        )
    elif cover == "register_without_end_date":
        declaration(municipality_a, ward_county_tx, received_on=today - timedelta(days=30))
    else:
        grant.declaration_on_file = True
        grant.declaration_date = today - timedelta(days=100)
        grant.save()

    evaluate(municipality_a)

    assert_none(municipality_a, "OUT_OF_STATE_NO_DECLARATION")


def test_in_state_grants_are_no_finding_and_revoked_out_of_state_ones_are_closed(
    municipality_a, ward_county_tx
):
    SharingGrantFactory(municipality=municipality_a, agency=AgencyFactory(name="Cedar Falls IL PD"))
    SharingGrantFactory(
        municipality=municipality_a, agency=ward_county_tx, status=SharingGrant.Status.REVOKED
    )

    evaluate(municipality_a)

    assert_recorded_closed(municipality_a, "OUT_OF_STATE_NO_DECLARATION")


# --- 3. FEDERAL_GRANT_REVIEW ----------------------------------------------------------


def test_a_grant_to_a_federal_agency_not_on_the_blocklist_needs_review(municipality_a):
    fbi = AgencyFactory(name="FBI Chicago Field Office", level=Agency.Level.FEDERAL, state="")
    grant = SharingGrantFactory(municipality=municipality_a, agency=fbi)

    evaluate(municipality_a)

    finding = the_finding(municipality_a, "FEDERAL_GRANT_REVIEW")
    assert_rule_basics(finding, "FEDERAL_GRANT_REVIEW", "2-130(b)")
    assert finding.severity == "medium"
    assert finding.grant == grant and finding.agency == fbi
    assert "FBI Chicago Field Office" in finding.summary
    assert_evidence(finding, {grant.source_export: [grant.source_line]})
    assert_none(municipality_a, "BLOCKED_AGENCY_GRANT")
    assert_second_run_changes_nothing(municipality_a)


def test_state_police_and_blocked_federal_agencies_are_not_federal_review(municipality_a, ice):
    SharingGrantFactory(
        municipality=municipality_a,
        agency=AgencyFactory(name="Illinois State Police", level=Agency.Level.STATE),
    )
    SharingGrantFactory(municipality=municipality_a, agency=ice)

    evaluate(municipality_a)

    assert_none(municipality_a, "FEDERAL_GRANT_REVIEW")
    assert the_finding(municipality_a, "BLOCKED_AGENCY_GRANT").agency == ice


# --- 4. BROAD_SHARING_MODE ------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "label"),
    [
        (SharingGrant.Mode.NATIONAL, "National"),
        (SharingGrant.Mode.STATEWIDE, "Statewide"),
        (SharingGrant.Mode.SIMILAR_LAWS, "Agencies with similar laws"),
    ],
)
def test_pool_sharing_modes_are_a_finding(municipality_a, mode, label):
    pool = AgencyFactory(name="Flock National Lookup", level=Agency.Level.OTHER, state="")
    grant = SharingGrantFactory(
        municipality=municipality_a, agency=pool, mode=mode, partner_name="National Lookup"
    )

    evaluate(municipality_a)

    finding = the_finding(municipality_a, "BROAD_SHARING_MODE")
    assert_rule_basics(finding, "BROAD_SHARING_MODE", "2-130(c)")
    assert finding.severity == "high"
    assert finding.grant == grant and finding.agency == pool
    assert label in finding.summary
    assert_evidence(finding, {grant.source_export: [grant.source_line]})
    assert_second_run_changes_nothing(municipality_a)


def test_one_to_one_grants_are_no_broad_sharing_and_revoked_pools_are_closed(municipality_a):
    SharingGrantFactory(municipality=municipality_a)
    SharingGrantFactory(
        municipality=municipality_a,
        agency=AgencyFactory(name="Flock National Lookup", level=Agency.Level.OTHER, state=""),
        mode=SharingGrant.Mode.NATIONAL,
        status=SharingGrant.Status.REVOKED,
    )

    evaluate(municipality_a)

    assert_recorded_closed(municipality_a, "BROAD_SHARING_MODE")


# --- 5. PRIVATE_ENTITY_GRANT ----------------------------------------------------------


def test_a_grant_to_a_private_entity_is_a_finding(municipality_a):
    store = AgencyFactory(name="Acme Home Centers Inc", level=Agency.Level.PRIVATE, state="IL")
    grant = SharingGrantFactory(municipality=municipality_a, agency=store)

    evaluate(municipality_a)

    finding = the_finding(municipality_a, "PRIVATE_ENTITY_GRANT")
    assert_rule_basics(finding, "PRIVATE_ENTITY_GRANT", "2-130(a)")
    assert finding.severity == "medium"
    assert finding.grant == grant and finding.agency == store
    assert_evidence(finding, {grant.source_export: [grant.source_line]})
    assert_second_run_changes_nothing(municipality_a)


def test_a_pending_private_request_and_a_police_partner_are_no_private_finding(municipality_a):
    store = AgencyFactory(name="Acme Home Centers Inc", level=Agency.Level.PRIVATE, state="IL")
    SharingGrantFactory(municipality=municipality_a, agency=store, status="pending")
    SharingGrantFactory(municipality=municipality_a)

    evaluate(municipality_a)

    assert_none(municipality_a, "PRIVATE_ENTITY_GRANT")


# --- 6. IMMIGRATION_SEARCH ------------------------------------------------------------


def test_searches_with_an_immigration_reason_are_one_finding_per_agency(
    municipality_a, ward_county_tx
):
    march, april = (
        VendorExportFactory(municipality=municipality_a, original_name=name)
        for name in ("network_audit_march.csv", "network_audit_april.csv")
    )
    first = datetime(2025, 3, 2, 10, 0, tzinfo=UTC)
    last = datetime(2025, 4, 20, 16, 45, tzinfo=UTC)
    for export, line, at in [(march, 40, first), (march, 12, first + timedelta(days=3)),
                             (april, 7, last)]:  # fmt: skip
        SearchEventFactory(
            municipality=municipality_a,
            agency=ward_county_tx,
            reason="Immigration (civil/administrative) -",
            reason_label="immigration",
            source_export=export,
            source_line=line,
            searched_at=at,
        )
    # The same agency's ordinary search is not evidence.
    SearchEventFactory(
        municipality=municipality_a, agency=ward_county_tx, source_export=march, source_line=99
    )

    evaluate(municipality_a)

    finding = the_finding(municipality_a, "IMMIGRATION_SEARCH")
    assert_rule_basics(finding, "IMMIGRATION_SEARCH", "2-130(b)(2)")
    assert finding.severity == "critical"
    assert finding.agency == ward_county_tx and finding.grant is None
    assert finding.subject_key == f"agency:{ward_county_tx.pk}"
    assert "3 searches" in finding.summary
    assert_evidence(finding, {march: [12, 40], april: [7]})
    assert (finding.first_seen_at, finding.last_seen_at) == (first, last)
    assert_second_run_changes_nothing(municipality_a)


def test_any_search_by_a_blocklisted_agency_is_an_immigration_finding(municipality_a, ice):
    search = SearchEventFactory(municipality=municipality_a, agency=ice, reason="Stolen vehicle")

    evaluate(municipality_a)

    finding = the_finding(municipality_a, "IMMIGRATION_SEARCH")
    assert finding.agency == ice
    assert_evidence(finding, {search.source_export: [search.source_line]})


def test_a_blocklisted_agency_s_searches_are_found_on_every_local_day_they_fall_on(
    municipality_a, ice
):
    # 23:30 in Chicago on June 3 is June 4 in UTC: the day rollup files it under June 3,
    # and the rule reads that local day's whole range; 00:10 local on June 4 is next.
    late = SearchEventFactory(
        municipality=municipality_a, agency=ice, searched_at=datetime(2025, 6, 4, 4, 30, tzinfo=UTC)
    )
    early = SearchEventFactory(
        municipality=municipality_a,
        agency=ice,
        searched_at=datetime(2025, 6, 4, 5, 10, tzinfo=UTC),
        source_export=late.source_export,
    )
    # November 2, 2025 has 25 hours in Chicago: 23:30 that night is 05:30 UTC on the 3rd.
    autumn = SearchEventFactory(
        municipality=municipality_a,
        agency=ice,
        searched_at=datetime(2025, 11, 3, 5, 30, tzinfo=UTC),
        source_export=late.source_export,
    )
    SearchEventFactory(municipality=municipality_a, source_export=late.source_export)
    # The day rollup as the portal's own recount files it, not as the factories do.
    search_days_rebuild()

    evaluate(municipality_a)

    finding = the_finding(municipality_a, "IMMIGRATION_SEARCH")
    assert "3 searches" in finding.summary
    assert_evidence(
        finding,
        {late.source_export: [late.source_line, early.source_line, autumn.source_line]},
    )


@pytest.mark.parametrize("by_days", [True, False], ids=["few municipalities", "a batch"])
def test_the_reason_rules_read_only_flagged_searches_and_a_blocklisted_agency_s_days(
    municipality_a, ice, by_days
):
    """The rules on reasons never read a municipality's other searches: the flagged ones
    come through their partial index, a blocklisted agency's through the days the day
    rollup shows it searching (for a few municipalities) or through the agency index
    (for a batch). (A test table is small enough to scan whole, so sequential scans are
    off, as on a table of millions.)"""
    export = VendorExportFactory(municipality=municipality_a)
    others = [
        SearchEventFactory(
            municipality=municipality_a,
            source_export=export,
            searched_at=SEARCHED + timedelta(days=day),
        )
        for day in range(60)
    ]
    vague = SearchEventFactory(
        municipality=municipality_a, source_export=export, reason_label="vague", reason=""
    )
    SearchEventFactory(municipality=municipality_a, source_export=export, agency=ice)
    found, read = searches_statement(municipality_a, by_days=by_days)

    assert found == {("IMMIGRATION_SEARCH", ice.pk, 1), ("VAGUE_REASON", vague.agency_id, 1)}
    assert len(others) == 60
    # Of 62 searches: the flagged one, and at most the 3 searches of the one day the
    # blocklisted agency searched (the planner may read that day by time, then agency).
    assert read <= 4


def test_ice_meaning_methamphetamine_and_other_towns_searches_are_no_immigration_finding(
    municipality_a, municipality_b, ward_county_tx
):
    SearchEventFactory(
        municipality=municipality_a,
        agency=ward_county_tx,
        reason="ice possession",
        reason_label="none",
    )
    SearchEventFactory(
        municipality=municipality_b,
        agency=ward_county_tx,
        reason="ICE detainer",
        reason_label="immigration",
    )

    evaluate(municipality_a)

    assert_none(municipality_a, "IMMIGRATION_SEARCH")


# --- 7. HEALTH_CARE_SEARCH ------------------------------------------------------------


def test_a_search_about_an_abortion_is_a_health_care_finding(municipality_a, ward_county_tx):
    search = SearchEventFactory(
        municipality=municipality_a,
        agency=ward_county_tx,
        reason="had an abortion, search for female",
        reason_label="health_care",
        devices_searched=83_345,
    )

    evaluate(municipality_a)

    finding = the_finding(municipality_a, "HEALTH_CARE_SEARCH")
    assert_rule_basics(finding, "HEALTH_CARE_SEARCH", "2-130(b)(1)")
    assert finding.severity == "critical"
    assert finding.agency == ward_county_tx
    assert finding.subject_key == f"agency:{ward_county_tx.pk}"
    assert "1 search " in finding.summary
    assert_evidence(finding, {search.source_export: [search.source_line]})
    assert_none(municipality_a, "IMMIGRATION_SEARCH")
    assert_second_run_changes_nothing(municipality_a)


def test_searches_the_classifier_did_not_label_health_care_are_no_finding(
    municipality_a, ward_county_tx
):
    SearchEventFactory(
        municipality=municipality_a,
        agency=ward_county_tx,
        reason="burglary at Main St clinic",
        reason_label="none",
    )
    SearchEventFactory(
        municipality=municipality_a,
        agency=ward_county_tx,
        reason="ICE detainer",
        reason_label="immigration",
    )

    evaluate(municipality_a)

    assert_none(municipality_a, "HEALTH_CARE_SEARCH")


# --- 8. SEARCH_WITHOUT_GRANT ----------------------------------------------------------


def test_a_search_by_an_agency_with_no_grant_is_a_finding(municipality_a, ward_county_tx):
    SharingGrantFactory(municipality=municipality_a)  # sharing data exists, just not to Ward
    search = SearchEventFactory(municipality=municipality_a, agency=ward_county_tx)

    evaluate(municipality_a)

    finding = the_finding(municipality_a, "SEARCH_WITHOUT_GRANT")
    assert_rule_basics(finding, "SEARCH_WITHOUT_GRANT", "2-130(b)")
    assert finding.severity == "high"
    assert finding.agency == ward_county_tx
    assert finding.subject_key == f"agency:{ward_county_tx.pk}"
    assert_evidence(finding, {search.source_export: [search.source_line]})
    assert finding.first_seen_at == SEARCHED
    assert_second_run_changes_nothing(municipality_a)


@pytest.mark.parametrize(
    "grant",
    [
        {"decided_at": SEARCHED + timedelta(days=1)},
        {
            "status": SharingGrant.Status.REVOKED,
            "status_changed_at": SEARCHED - timedelta(days=1),
        },
        {"status": SharingGrant.Status.DENIED},
        {"direction": SharingGrant.Direction.INCOMING},
    ],
    ids=["accepted_after_the_search", "revoked_before_the_search", "denied", "incoming"],
)
def test_a_grant_that_was_not_active_at_search_time_does_not_cover_the_search(
    municipality_a, ward_county_tx, grant
):
    SharingGrantFactory(municipality=municipality_a, agency=ward_county_tx, **grant)
    SearchEventFactory(municipality=municipality_a, agency=ward_county_tx)

    evaluate(municipality_a)

    assert the_finding(municipality_a, "SEARCH_WITHOUT_GRANT").agency == ward_county_tx


def test_a_statewide_grant_does_not_cover_an_out_of_state_searcher(municipality_a, ward_county_tx):
    SharingGrantFactory(
        municipality=municipality_a,
        agency=AgencyFactory(name="Illinois Statewide Pool", level="other", state="IL"),
        mode=SharingGrant.Mode.STATEWIDE,
    )
    SearchEventFactory(municipality=municipality_a, agency=ward_county_tx)

    evaluate(municipality_a)

    assert the_finding(municipality_a, "SEARCH_WITHOUT_GRANT").agency == ward_county_tx


@pytest.mark.parametrize(
    "cover",
    [
        "grant_to_searcher",
        "statewide_in_state",
        "national",
        "revoked_after_the_search",
        "own_police_department",
        "own_staff_search",
    ],
)
def test_searches_the_municipality_allowed_are_no_finding(municipality_a, own_pd, cover):
    cedar = AgencyFactory(name="Cedar Falls IL PD")
    ward = AgencyFactory(name="Ward County TX SO", level=Agency.Level.COUNTY)
    searcher, origin = cedar, SearchEvent.Origin.NETWORK
    SharingGrantFactory(municipality=municipality_a)  # sharing data exists
    pool = {"agency": AgencyFactory(name="Pool", level="other", state=""), "partner_name": "Pool"}
    if cover == "grant_to_searcher":
        SharingGrantFactory(municipality=municipality_a, agency=cedar)
    elif cover == "statewide_in_state":
        SharingGrantFactory(municipality=municipality_a, mode="statewide", **pool)
    elif cover == "national":
        searcher = ward
        SharingGrantFactory(municipality=municipality_a, mode="national", **pool)
    elif cover == "revoked_after_the_search":
        SharingGrantFactory(
            municipality=municipality_a,
            agency=cedar,
            status=SharingGrant.Status.REVOKED,
            status_changed_at=SEARCHED + timedelta(days=30),
        )
    elif cover == "own_police_department":
        searcher = own_pd
    else:
        searcher, origin = ward, SearchEvent.Origin.ORGANIZATION
    SearchEventFactory(municipality=municipality_a, agency=searcher, origin=origin)

    evaluate(municipality_a)

    assert_none(municipality_a, "SEARCH_WITHOUT_GRANT")


# --- 9. BULK_ACCEPTANCE ---------------------------------------------------------------


def accept_many(municipality, count: int, *, start=DECIDED, every=timedelta(seconds=10),
                actor=DETECTIVE, agencies=()):  # fmt: skip
    """`count` sharing requests accepted by `actor`, one grant each, from one event log."""
    log = VendorExportFactory(
        municipality=municipality, kind="event_log", original_name="share_events_2024.csv"
    )
    listing = VendorExportFactory(
        municipality=municipality, kind="sharing_list", original_name="shared_networks.csv"
    )
    agencies = list(agencies)
    changes = []
    for number in range(count):
        grant = SharingGrantFactory(
            municipality=municipality,
            source_export=listing,
            agency=agencies[number] if number < len(agencies) else AgencyFactory(),
            decided_at=start + number * every,
            status_changed_at=start + number * every,
        )
        changes.append(
            SharingChangeFactory(
                municipality=municipality,
                grant=grant,
                occurred_at=start + number * every,
                actor=actor,
                source_export=log,
                source_line=number + 2,
            )
        )
    return log, changes


def test_many_requests_accepted_by_one_person_at_once_are_a_finding(municipality_a, ice):
    log, _ = accept_many(municipality_a, 30, agencies=[AgencyFactory(), ice])

    evaluate(municipality_a)

    finding = the_finding(municipality_a, "BULK_ACCEPTANCE")
    assert_rule_basics(finding, "BULK_ACCEPTANCE", "2-130(c)")
    assert finding.severity == "high"
    assert finding.subject_key.startswith(f"actor:{DETECTIVE}:2024-04-16T")
    assert DETECTIVE in finding.summary and "30 sharing requests" in finding.summary
    assert ice.name in finding.summary  # "among them" the blocked agency
    assert_evidence(finding, {log: list(range(2, 32))})
    assert finding.first_seen_at == DECIDED
    assert finding.last_seen_at == DECIDED + 29 * timedelta(seconds=10)
    assert_second_run_changes_nothing(municipality_a)


def test_24_acceptances_are_below_the_threshold_of_25(municipality_a):
    assert Rule.objects.get(code="BULK_ACCEPTANCE").settings["min_grants"] == 25
    accept_many(municipality_a, 24)

    evaluate(municipality_a)

    assert_none(municipality_a, "BULK_ACCEPTANCE")


def test_25_acceptances_meet_the_threshold(municipality_a):
    accept_many(municipality_a, 25)

    evaluate(municipality_a)

    assert the_finding(municipality_a, "BULK_ACCEPTANCE").evidence["count"] == 25


def test_acceptances_spread_over_hours_or_people_are_no_bulk_acceptance(municipality_a):
    accept_many(municipality_a, 30, every=timedelta(minutes=1), actor="lt.slow")
    accept_many(municipality_a, 20, actor="lt.one", start=DECIDED + timedelta(hours=2))
    accept_many(municipality_a, 20, actor="lt.two", start=DECIDED + timedelta(hours=2))
    accept_many(municipality_a, 30, actor="", start=DECIDED + timedelta(hours=4))

    evaluate(municipality_a)

    assert_none(municipality_a, "BULK_ACCEPTANCE")


def test_one_burst_across_midnight_utc_is_one_finding(municipality_a):
    # 23:55 to 00:04:50 UTC is the early evening in Illinois: one sitting, one finding.
    log, _ = accept_many(municipality_a, 60, start=datetime(2024, 4, 16, 23, 55, tzinfo=UTC))

    evaluate(municipality_a)

    finding = the_finding(municipality_a, "BULK_ACCEPTANCE")
    assert finding.evidence["count"] == 60
    (cited,) = finding.evidence["files"]
    assert cited["name"] == log.original_name and cited["count"] == 60
    assert cited["lines"] == list(range(2, 52))  # the first 50 lines kept, all 60 counted


# --- 10. VAGUE_REASON / 11. SENSITIVE_DATA_IN_REASON ---------------------------------


@pytest.mark.parametrize(
    ("rule_code", "label", "reason", "subsection", "severity"),
    [
        ("VAGUE_REASON", "vague", "inv", "2-130(b)", "low"),
        ("SENSITIVE_DATA_IN_REASON", "sensitive_data", "DOB 01/02/1980", "2-130(d)", "low"),
    ],
)
def test_reasons_for_review_are_a_low_finding(
    municipality_a, ward_county_tx, rule_code, label, reason, subsection, severity
):
    searches = [
        SearchEventFactory(
            municipality=municipality_a, agency=ward_county_tx, reason=reason, reason_label=label
        )
        for _ in range(2)
    ]

    evaluate(municipality_a)

    finding = the_finding(municipality_a, rule_code)
    assert_rule_basics(finding, rule_code, subsection)
    assert finding.severity == severity
    assert finding.agency == ward_county_tx
    assert finding.subject_key == f"agency:{ward_county_tx.pk}"
    assert_evidence(finding, {s.source_export: [s.source_line] for s in searches})
    assert_second_run_changes_nothing(municipality_a)


def test_evidence_keeps_50_line_numbers_per_file_but_counts_every_search(
    municipality_a, ward_county_tx
):
    audit = VendorExportFactory(municipality=municipality_a, original_name="network_audit.csv")
    for line in range(200, 140, -1):  # 60 searches, stored out of line order
        SearchEventFactory(
            municipality=municipality_a,
            agency=ward_county_tx,
            reason=".",
            reason_label="vague",
            source_export=audit,
            source_line=line,
        )

    evaluate(municipality_a)

    finding = the_finding(municipality_a, "VAGUE_REASON")
    assert finding.evidence["count"] == 60
    [file] = finding.evidence["files"]
    assert (file["name"], file["count"]) == ("network_audit.csv", 60)
    assert file["lines"] == list(range(141, 191))
    assert "60 searches" in finding.summary
    assert evidence_text(finding.evidence) == (
        "network_audit.csv lines " + ", ".join(map(str, range(141, 191))) + " (+10 more)"
    )


@pytest.mark.parametrize("rule_code", ["VAGUE_REASON", "SENSITIVE_DATA_IN_REASON"])
def test_reasons_labelled_none_are_no_review_finding(municipality_a, ward_county_tx, rule_code):
    SearchEventFactory(
        municipality=municipality_a,
        agency=ward_county_tx,
        reason="Wanted Person (Arrest Warrant/Fugitive) - 25-00123",
        reason_label="none",
    )

    evaluate(municipality_a)

    assert_none(municipality_a, rule_code)


def test_clean_data_yields_no_finding_of_any_rule(municipality_a, own_pd):
    cedar = AgencyFactory(name="Cedar Falls IL PD")
    SharingGrantFactory(municipality=municipality_a, agency=cedar)
    SearchEventFactory(municipality=municipality_a, agency=cedar)
    SearchEventFactory(municipality=municipality_a, agency=own_pd)
    accept_many(municipality_a, 3)

    run = evaluate(municipality_a)

    assert findings(municipality_a) == []
    assert run.counts == {"opened": 0, "updated": 0, "closed": 0, "reopened": 0, "unchanged": 0}


# --- closing, reopening, dismissed and verified findings ------------------------------


def revoke(grant, at):
    with municipality_scope(grant.municipality):
        grant.status = SharingGrant.Status.REVOKED
        grant.status_changed_at = at
        grant.save()


def accept_again(grant, at):
    with municipality_scope(grant.municipality):
        grant.status = SharingGrant.Status.ACCEPTED
        grant.decided_at = grant.status_changed_at = at
        grant.save()


def test_revoking_the_grant_closes_the_finding_and_its_return_reopens_it(municipality_a, ice):
    grant = SharingGrantFactory(municipality=municipality_a, agency=ice)
    evaluate(municipality_a)
    finding = the_finding(municipality_a, "BLOCKED_AGENCY_GRANT")

    revoke(grant, datetime(2025, 9, 23, 15, 10, tzinfo=UTC))
    run = evaluate(municipality_a)

    closed = reload(finding)
    assert run.counts["closed"] == 1
    assert closed.status == Finding.Status.CLOSED
    assert closed.closed_at is not None and closed.closed_at >= run.started_at
    assert "revoked" in closed.close_cause.lower()
    assert "Sep 23, 2025" in closed.close_cause
    with municipality_scope(municipality_a):
        event = FindingEvent.objects.filter(finding=finding).last()
    assert (event.from_status, event.to_status) == (Finding.Status.OPEN, Finding.Status.CLOSED)
    assert event.note == closed.close_cause and event.actor is None
    assert_second_run_changes_nothing(municipality_a)

    accept_again(grant, datetime(2025, 11, 2, 9, 0, tzinfo=UTC))
    run = evaluate(municipality_a)

    reopened = reload(finding)
    assert run.counts["reopened"] == 1
    assert reopened.pk == finding.pk
    assert reopened.status == Finding.Status.OPEN
    assert reopened.closed_at is None and reopened.close_cause == ""
    assert reopened.last_seen_at == datetime(2025, 11, 2, 9, 0, tzinfo=UTC)
    with municipality_scope(municipality_a):
        event = FindingEvent.objects.filter(finding=finding).last()
        assert Finding.objects.filter(rule_code="BLOCKED_AGENCY_GRANT").count() == 1
    assert (event.from_status, event.to_status) == (Finding.Status.CLOSED, Finding.Status.OPEN)
    assert_second_run_changes_nothing(municipality_a)


def test_a_search_finding_closes_when_its_searches_are_relabelled(municipality_a, ward_county_tx):
    search = SearchEventFactory(
        municipality=municipality_a, agency=ward_county_tx, reason="inv", reason_label="vague"
    )
    evaluate(municipality_a)
    finding = the_finding(municipality_a, "VAGUE_REASON")

    with municipality_scope(municipality_a):
        SearchEvent.objects.filter(vendor_search_id=search.vendor_search_id).update(
            reason_label="none"
        )
    evaluate(municipality_a)

    closed = reload(finding)
    assert closed.status == Finding.Status.CLOSED
    assert closed.close_cause  # says why, even without a grant


def test_a_dismissed_finding_stays_dismissed(municipality_a, ice, auditor):
    grant = SharingGrantFactory(municipality=municipality_a, agency=ice)
    evaluate(municipality_a)
    finding = the_finding(municipality_a, "BLOCKED_AGENCY_GRANT")
    with municipality_scope(municipality_a):
        finding_transition(
            finding=finding, action="dismiss", actor=auditor, note="Test account, not ICE"
        )
    events = event_count(municipality_a)

    evaluate(municipality_a)  # condition still there
    assert reload(finding).status == Finding.Status.DISMISSED

    revoke(grant, datetime(2025, 9, 23, tzinfo=UTC))
    evaluate(municipality_a)  # condition gone
    assert reload(finding).status == Finding.Status.DISMISSED

    accept_again(grant, datetime(2025, 11, 2, tzinfo=UTC))
    evaluate(municipality_a)  # and back
    assert reload(finding).status == Finding.Status.DISMISSED
    assert reload(finding).closed_at is None
    assert event_count(municipality_a) == events


def test_a_verified_finding_whose_condition_comes_back_reopens(
    municipality_a, ice, clerk_a, auditor
):
    grant = SharingGrantFactory(municipality=municipality_a, agency=ice)
    evaluate(municipality_a)
    finding = the_finding(municipality_a, "BLOCKED_AGENCY_GRANT")
    with municipality_scope(municipality_a):
        finding_transition(
            finding=finding, action="remediate", actor=clerk_a, note="Revoked in Flock"
        )
        finding_transition(finding=finding, action="verify", actor=auditor)
    revoke(grant, datetime(2025, 9, 23, tzinfo=UTC))
    evaluate(municipality_a)

    # Months later ICE is given access again: the remediation no longer holds.
    accept_again(grant, datetime(2026, 2, 1, tzinfo=UTC))
    evaluate(municipality_a)

    assert reload(finding).status == Finding.Status.OPEN


# --- administrators' levers: rules and the blocklist ----------------------------------


def test_changing_bulk_acceptance_threshold_through_rule_save_changes_the_outcome(
    municipality_a, administrator
):
    accept_many(municipality_a, 24)
    evaluate(municipality_a)
    assert_none(municipality_a, "BULK_ACCEPTANCE")

    rule = Rule.objects.get(code="BULK_ACCEPTANCE")
    rule.settings = {**rule.settings, "min_grants": 20}
    rule_save(rule=rule, actor=administrator, reason="Smaller departments accept fewer")
    evaluate(municipality_a)

    assert the_finding(municipality_a, "BULK_ACCEPTANCE").evidence["count"] == 24
    record = ChangeRecord.objects.get(subject_type="compliance.rule", subject_id=rule.pk)
    assert record.action == ChangeRecord.Action.CHANGED
    assert record.actor == administrator
    assert record.reason == "Smaller departments accept fewer"
    old, new = record.changes["settings"]
    assert (old["min_grants"], new["min_grants"]) == (25, 20)
    assert set(record.changes) == {"settings"}


def test_changing_a_rules_severity_updates_its_open_findings(municipality_a, ice, administrator):
    SharingGrantFactory(municipality=municipality_a, agency=ice)
    evaluate(municipality_a)

    rule = Rule.objects.get(code="BLOCKED_AGENCY_GRANT")
    rule.severity = "high"
    rule_save(rule=rule, actor=administrator, reason="testing")
    run = evaluate(municipality_a)

    assert run.counts["updated"] == 1
    assert the_finding(municipality_a, "BLOCKED_AGENCY_GRANT").severity == "high"
    record = ChangeRecord.objects.get(subject_type="compliance.rule", subject_id=rule.pk)
    assert record.changes == {"severity": ["critical", "high"]}


def test_blocking_an_agency_records_the_change_and_returns_the_municipalities_it_touches(
    municipality_a, municipality_b, administrator
):
    acme = AgencyFactory(name="Acme Detention Services LLC", level=Agency.Level.PRIVATE)
    municipality_c = MunicipalityFactory(name="Cedar Falls", slug="cedar-falls")
    SharingGrantFactory(municipality=municipality_a, agency=acme)
    SearchEventFactory(municipality=municipality_c, agency=acme)
    # Birch Hollow shares and is searched, but never with or by Acme.
    SharingGrantFactory(municipality=municipality_b)
    SearchEventFactory(municipality=municipality_b)
    assert acme.pk not in blocked_agency_ids()

    entry, affected = blocklist_entry_save(
        entry=BlocklistEntry(
            agency=acme, reason="Holds detained persons for ICE", citation="2-130(b)(2)"
        ),
        actor=administrator,
        reason="Contract with ICE came to light",
    )

    assert affected == sorted([municipality_a.pk, municipality_c.pk])
    assert municipality_b.pk not in affected
    assert entry.created_by == administrator
    assert acme.pk in blocked_agency_ids()
    record = ChangeRecord.objects.get(subject_type="compliance.blocklistentry", subject_id=entry.pk)
    assert record.action == ChangeRecord.Action.CREATED
    assert record.actor == administrator
    assert record.reason == "Contract with ICE came to light"
    assert record.changes["agency"] == [None, "Acme Detention Services LLC"]

    evaluate(municipality_a)
    evaluate(municipality_c)
    assert the_finding(municipality_a, "BLOCKED_AGENCY_GRANT").agency == acme
    assert the_finding(municipality_c, "IMMIGRATION_SEARCH").agency == acme

    entry, affected = blocklist_entry_retire(
        entry=entry, actor=administrator, reason="Contract ended"
    )

    assert affected == sorted([municipality_a.pk, municipality_c.pk])
    assert entry.retired_at is not None
    assert acme.pk not in blocked_agency_ids()
    retired = ChangeRecord.objects.filter(subject_type="compliance.blocklistentry").first()
    assert (retired.action, retired.actor) == (ChangeRecord.Action.RETIRED, administrator)
    evaluate(municipality_a)
    assert findings(municipality_a, "BLOCKED_AGENCY_GRANT")[0].status == Finding.Status.CLOSED


def test_an_agency_whose_parent_is_blocked_is_blocked(municipality_a, administrator):
    holding = AgencyFactory(name="Acme Holdings", level=Agency.Level.PRIVATE, state="")
    office = AgencyFactory(name="Acme Detention West", level=Agency.Level.PRIVATE, parent=holding)
    unit = AgencyFactory(name="Acme Transport Unit", level=Agency.Level.PRIVATE, parent=office)
    cbp_station = AgencyFactory(
        name="Chicago Station",
        level=Agency.Level.FEDERAL,
        state="",
        parent=Agency.objects.get(name="U.S. Border Patrol"),
    )
    assert cbp_station.pk in blocked_agency_ids()
    assert {office.pk, unit.pk}.isdisjoint(blocked_agency_ids())

    grant = SharingGrantFactory(municipality=municipality_a, agency=unit)
    _, affected = blocklist_entry_save(
        entry=BlocklistEntry(agency=holding, reason="Detention contractor", citation="2-130(a)"),
        actor=administrator,
    )

    assert {holding.pk, office.pk, unit.pk} <= set(blocked_agency_ids())
    assert affected == [municipality_a.pk]
    evaluate(municipality_a)
    assert the_finding(municipality_a, "BLOCKED_AGENCY_GRANT").grant == grant


@pytest.mark.parametrize(
    "name",
    [
        "DHS HSI Newark NJ",
        "ICE ERO Dallas TX",
        "San Diego Sector Border Patrol (CA)",
        "Immigration and Customs Enforcement Houston TX",
    ],
)
def test_the_seeded_name_patterns_block_offices_with_no_agency_entry(municipality_a, name):
    office = AgencyFactory(name=name, level=Agency.Level.FEDERAL)
    assert office.parent is None
    with municipality_scope(municipality_a):
        assert not BlocklistEntry.objects.filter(agency=office).exists()

    assert office.pk in blocked_agency_ids()

    SharingGrantFactory(municipality=municipality_a, agency=office)
    evaluate(municipality_a)
    assert the_finding(municipality_a, "BLOCKED_AGENCY_GRANT").agency == office


def test_a_name_pattern_an_administrator_adds_blocks_matching_agencies(
    municipality_a, municipality_b, administrator
):
    camp = AgencyFactory(name="Acme Detention Services LLC", level=Agency.Level.PRIVATE)
    SharingGrantFactory(municipality=municipality_a, agency=camp)
    SharingGrantFactory(municipality=municipality_b)

    _, affected = blocklist_entry_save(
        entry=BlocklistEntry(
            name_pattern=r"\bacme detention\b", reason="Detention contractor", citation="2-130(a)"
        ),
        actor=administrator,
    )

    assert camp.pk in blocked_agency_ids()
    assert affected == [municipality_a.pk]


def test_the_seeded_ori_pattern_blocks_ice_oris_with_no_agency_entry(municipality_a):
    lesc = AgencyFactory(
        name="Law Enforcement Support Center Williston", level="federal", ori="VTICE0123"
    )
    ordinary = AgencyFactory(name="Burlington VT PD", ori="VT0040100")

    blocked = blocked_agency_ids()

    assert lesc.pk in blocked and ordinary.pk not in blocked
    assert municipalities_touching([lesc.pk]) == []
    SharingGrantFactory(municipality=municipality_a, agency=lesc)
    assert municipalities_touching([lesc.pk]) == [municipality_a.pk]
    evaluate(municipality_a)
    assert the_finding(municipality_a, "BLOCKED_AGENCY_GRANT").agency == lesc


@pytest.mark.parametrize(
    "name",
    ["Iceland Township IL PD", "Rice County MN SO", "Office of the Sheriff IL", "Service IL PD"],
)
def test_names_merely_containing_ice_are_not_blocked(name):
    agency = AgencyFactory(name=name)
    assert agency.pk not in blocked_agency_ids()
