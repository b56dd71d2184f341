"""Violation periods (issue 12, acceptance 2): a finding records when its condition
held, a grant that ended before its first upload is still a finding (closed, with its
period), and engagements pick up the findings whose period overlaps theirs."""

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from apps.audits.engagements import engagement_candidate_findings
from apps.audits.evaluation import municipality_evaluate
from apps.audits.models import Engagement, EvaluationRun, Finding, FindingEvent
from apps.audits.periods import months_between, period_label
from apps.municipalities.scoping import municipality_scope, statewide_scope
from apps.sharing.models import SharingGrant
from tests.ingest.test_loading import load, receive
from tests.vendors.factories import VendorExportFactory

from .factories import AgencyFactory, SearchEventFactory, SharingChangeFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "partner_agency,partner_ori,partner_state,partner_level,mode,status,requested_at,"
    "decided_at,decided_by,declaration_on_file,declaration_date,vendor_reference"
)
# Shared with ICE from April 16, 2024; revoked on September 23, 2025, before the portal
# ever saw the grant. The generic template carries one row per grant, so the request
# stands for the acceptance the file does not date.
ICE_REVOKED = (
    "ICE ERO Chicago [Federal],,IL,federal,one_to_one,revoked,2024-04-16T14:03:27-05:00,"
    "2025-09-23T10:15:00-05:00,chief.akowalski,false,,GEN-1"
)
HSI_ACCEPTED = (
    "HSI Chicago [Federal],,IL,federal,one_to_one,accepted,2024-04-10T09:00:00-05:00,"
    "2024-04-16T14:05:01-05:00,det.jsmith,false,,GEN-2"
)
ICE = "U.S. Immigration and Customs Enforcement"


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.get_default_timezone())


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload_grants(municipality, tmp_path: Path, name: str, *rows: str) -> None:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    received = receive(municipality, path, vendor_slug="other")
    load(municipality, received.export.pk)


def evaluate(municipality) -> EvaluationRun:
    with municipality_scope(municipality):
        return municipality_evaluate(municipality=municipality, trigger="upload")


def blocked(municipality) -> dict[str, Finding]:
    with municipality_scope(municipality):
        return {
            f.subject_label: f
            for f in Finding.objects.filter(rule_code="BLOCKED_AGENCY_GRANT").select_related(
                "agency", "grant"
            )
        }


def events_of(finding: Finding) -> list[FindingEvent]:
    with municipality_scope(finding.municipality):
        return list(FindingEvent.objects.filter(finding=finding))


def snapshot(municipality) -> dict:
    with municipality_scope(municipality):
        return {
            f.pk: (f.status, f.summary, f.evidence, f.period_start, f.period_end, f.closed_at,
                   f.close_cause, f.last_seen_at)
            for f in Finding.objects.all()
        }  # fmt: skip


def engagement(auditor, municipality, start: date, end: date) -> Engagement:
    return Engagement.objects.create(
        title=f"Audit {start:%Y}", municipality=municipality, period_start=start,
        period_end=end, created_by=auditor,
    )  # fmt: skip


def candidates(of: Engagement) -> set[str]:
    with statewide_scope():
        return {f.subject_label for f in engagement_candidate_findings(of)}


# --- acceptance 2 ------------------------------------------------------------------------


def test_a_first_upload_holding_a_revoked_ice_grant_gives_one_closed_finding_with_its_period(
    municipality_a, clerk_a, client, tmp_path
):
    upload_grants(municipality_a, tmp_path, "grants.csv", ICE_REVOKED)

    run = evaluate(municipality_a)

    findings = blocked(municipality_a)
    assert list(findings) == ["ICE ERO Chicago [Federal]"]
    ice = findings["ICE ERO Chicago [Federal]"]
    assert ice.agency.name == ICE
    assert ice.status == Finding.Status.CLOSED and ice.closed_at >= run.started_at
    assert ice.grant.status == SharingGrant.Status.REVOKED
    assert timezone.localtime(ice.period_start).date() == date(2024, 4, 16)
    assert timezone.localtime(ice.period_end).date() == date(2025, 9, 23)
    assert ice.sharing_ended
    assert "already ended" in ice.close_cause
    assert "revoked" in ice.close_cause and "line 2 of grants.csv" in ice.close_cause
    assert "Sep 23, 2025" in ice.close_cause
    assert "could search from April 16, 2024 to September 23, 2025 (17 months)" in ice.summary
    assert run.counts == {"opened": 0, "updated": 0, "closed": 1, "reopened": 0, "unchanged": 0}
    [event] = events_of(ice)
    assert (event.from_status, event.to_status, event.note) == ("", "closed", ice.close_cause)

    client.force_login(clerk_a)
    page = client.get(f"/m/{municipality_a.slug}/findings/{ice.pk}/").content.decode()
    assert "Apr 16, 2024 to Sep 23, 2025 (17 months)" in page
    assert "Sharing ended</strong> Sep 23, 2025" in page
    # It stays listed, with its period and the end of the sharing as its status.
    listing = client.get(f"/m/{municipality_a.slug}/findings/").content.decode()
    assert "ICE ERO Chicago [Federal]" in listing
    assert "Closed: sharing ended Sep 23, 2025" in listing
    assert "Apr 16, 2024 to Sep 23, 2025 (17 months)" in listing


def test_a_2024_engagement_covers_the_ended_ice_finding_and_a_2026_one_does_not(
    municipality_a, auditor, tmp_path
):
    upload_grants(municipality_a, tmp_path, "grants.csv", ICE_REVOKED, HSI_ACCEPTED)
    evaluate(municipality_a)

    audit_2024 = engagement(auditor, municipality_a, date(2024, 1, 1), date(2024, 12, 31))
    audit_2026 = engagement(auditor, municipality_a, date(2026, 1, 1), date(2026, 12, 31))

    assert "ICE ERO Chicago [Federal]" in candidates(audit_2024)
    assert "ICE ERO Chicago [Federal]" not in candidates(audit_2026)
    # The HSI grant still holds: its finding has no end and overlaps any later period.
    assert "HSI Chicago [Federal]" in candidates(audit_2024)
    assert "HSI Chicago [Federal]" in candidates(audit_2026)
    audit_2023 = engagement(auditor, municipality_a, date(2023, 1, 1), date(2023, 12, 31))
    assert candidates(audit_2023) == set()


def test_an_active_grants_finding_is_open_with_no_end(municipality_a, clerk_a, client, tmp_path):
    upload_grants(municipality_a, tmp_path, "grants.csv", HSI_ACCEPTED)
    evaluate(municipality_a)

    hsi = blocked(municipality_a)["HSI Chicago [Federal]"]
    assert hsi.status == Finding.Status.OPEN
    assert hsi.period_end is None and not hsi.sharing_ended
    assert timezone.localtime(hsi.period_start).date() == date(2024, 4, 16)
    assert "could search since April 16, 2024." in hsi.summary
    client.force_login(clerk_a)
    page = client.get(f"/m/{municipality_a.slug}/findings/{hsi.pk}/").content.decode()
    assert "since Apr 16, 2024 (still shared)" in page


def test_evaluating_twice_changes_nothing(municipality_a, tmp_path):
    upload_grants(municipality_a, tmp_path, "grants.csv", ICE_REVOKED, HSI_ACCEPTED)
    evaluate(municipality_a)
    before = snapshot(municipality_a)
    with municipality_scope(municipality_a):
        events = FindingEvent.objects.count()

    run = evaluate(municipality_a)

    assert snapshot(municipality_a) == before
    with municipality_scope(municipality_a):
        assert FindingEvent.objects.count() == events
    live = sum(1 for status, *_ in before.values() if status != Finding.Status.CLOSED)
    assert run.counts == {"opened": 0, "updated": 0, "closed": 0, "reopened": 0,
                          "unchanged": live}  # fmt: skip


def test_an_open_finding_whose_grant_is_revoked_closes_with_its_end_and_reopens_only_on_return(
    municipality_a, tmp_path
):
    upload_grants(municipality_a, tmp_path, "a.csv", HSI_ACCEPTED)
    evaluate(municipality_a)
    revoked = HSI_ACCEPTED.replace(",accepted,", ",revoked,").replace(
        "2024-04-16T14:05:01-05:00,det.jsmith", "2025-09-23T10:20:00-05:00,chief.akowalski"
    )
    upload_grants(municipality_a, tmp_path, "b.csv", revoked)

    run = evaluate(municipality_a)

    hsi = blocked(municipality_a)["HSI Chicago [Federal]"]
    assert run.counts["closed"] == 1
    assert hsi.status == Finding.Status.CLOSED
    assert hsi.close_cause.startswith("The grant is now revoked (line 2 of b.csv")
    assert timezone.localtime(hsi.period_end).date() == date(2025, 9, 23)
    # The acceptance the first file recorded starts the period.
    assert hsi.period_start == local(2024, 4, 16, 14, 5, 1)
    assert "(17 months)" in hsi.summary
    assert evaluate(municipality_a).counts["closed"] == 0
    assert blocked(municipality_a)["HSI Chicago [Federal]"].status == Finding.Status.CLOSED

    again = HSI_ACCEPTED.replace("2024-04-16T14:05:01-05:00", "2026-02-01T09:00:00-06:00")
    upload_grants(municipality_a, tmp_path, "c.csv", again)
    run = evaluate(municipality_a)

    hsi = blocked(municipality_a)["HSI Chicago [Federal]"]
    assert run.counts["reopened"] == 1
    assert hsi.status == Finding.Status.OPEN and hsi.period_end is None


def test_a_grant_gone_from_a_sharing_list_ends_when_the_last_list_showed_it(municipality_a):
    pool = AgencyFactory(name="Flock National Lookup", level="other", state="")
    change = SharingChangeFactory(
        municipality=municipality_a, old_status="", occurred_at=local(2025, 1, 31),
        grant__agency=pool, grant__mode=SharingGrant.Mode.NATIONAL,
        grant__requested_at=None, grant__decided_at=None,
    )  # fmt: skip
    grant = change.grant
    with municipality_scope(municipality_a):
        grant.status, grant.source_line = SharingGrant.Status.REVOKED, 0
        grant.last_listed_at, grant.status_changed_at = local(2025, 12, 30), local(2026, 1, 30)
        grant.save()

    evaluate(municipality_a)

    with municipality_scope(municipality_a):
        finding = Finding.objects.get(rule_code="BROAD_SHARING_MODE")
    assert finding.status == Finding.Status.CLOSED
    assert (finding.period_start, finding.period_end) == (local(2025, 1, 31), local(2025, 12, 30))
    assert "between Dec 30, 2025" in finding.close_cause
    # No row lists the grant any more: the evidence is the row that showed it accepted.
    assert finding.evidence["files"][0]["export"] == change.source_export_id
    assert finding.evidence["files"][0]["lines"] == [change.source_line]


def test_a_search_findings_period_runs_from_the_first_to_the_last_search(municipality_a):
    searcher = AgencyFactory(name="Ward County TX SO", level="county")
    for day in (3, 20):
        SearchEventFactory(
            municipality=municipality_a, agency=searcher, reason="inv", reason_label="vague",
            searched_at=local(2025, 6, day, 10),
        )  # fmt: skip

    evaluate(municipality_a)

    with municipality_scope(municipality_a):
        finding = Finding.objects.get(rule_code="VAGUE_REASON")
    assert (finding.period_start, finding.period_end) == (
        local(2025, 6, 3, 10),
        local(2025, 6, 20, 10),
    )
    assert finding.period_label == "Jun 3, 2025 to Jun 20, 2025 (less than a month)"


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        ((2024, 4, 16), (2025, 9, 23), 17),
        ((2024, 4, 16), (2025, 9, 15), 16),
        ((2024, 1, 31), (2024, 2, 29), 0),
        ((2024, 1, 31), (2024, 3, 1), 1),
    ],
)
def test_months_are_whole_calendar_months(start, end, months):
    assert months_between(local(*start), local(*end)) == months


def test_a_period_reads_as_dates_and_months():
    assert period_label(local(2024, 4, 16), local(2025, 9, 23)) == (
        "Apr 16, 2024 to Sep 23, 2025 (17 months)"
    )
    assert period_label(local(2024, 4, 16), None) == "since Apr 16, 2024"
    assert period_label(local(2024, 4, 16, 8), local(2024, 4, 16, 9)) == "Apr 16, 2024"
    assert period_label(local(2024, 4, 16), local(2024, 5, 16)) == (
        "Apr 16, 2024 to May 16, 2024 (1 month)"
    )


# --- evidence rows inline ----------------------------------------------------------------


def finding_page(client, municipality, rule_code: str) -> str:
    with municipality_scope(municipality):
        finding = Finding.objects.get(rule_code=rule_code)
    return client.get(f"/m/{municipality.slug}/findings/{finding.pk}/").content.decode()


def test_a_search_finding_shows_its_first_20_searches_and_links_to_the_rest(
    municipality_a, clerk_a, client, django_assert_max_num_queries
):
    searcher = AgencyFactory(name="Ward County TX SO", level="county")
    for number in range(25):
        SearchEventFactory(
            municipality=municipality_a, agency=searcher, reason=f"inv {number:02d}",
            reason_label="vague", case_number=f"CASE-{number:02d}",
            searched_at=local(2025, 6, 3, 10) + timedelta(days=number),
        )  # fmt: skip
    evaluate(municipality_a)
    client.force_login(clerk_a)

    with django_assert_max_num_queries(20):
        page = finding_page(client, municipality_a, "VAGUE_REASON")

    # The first 20 by time, in Central Time, with reason, case number, file and line.
    assert "Jun 3, 2025 10:00 CDT" in page and "inv 00" in page and "CASE-00" in page
    assert "inv 19" in page and "CASE-19" in page
    assert "inv 20" not in page and "CASE-24" not in page
    assert "Showing 20 of 25." in page
    assert f"/m/{municipality_a.slug}/searches/?agency_id={searcher.pk}&amp;reason_label=vague" in (
        page
    )
    # The link's list holds the rest.
    rest = client.get(
        f"/m/{municipality_a.slug}/searches/", {"agency_id": searcher.pk, "reason_label": "vague"}
    )
    assert "inv 24" in rest.content.decode()


def test_a_grant_finding_shows_the_grants_row_and_links_to_its_timeline(
    municipality_a, clerk_a, client, tmp_path
):
    upload_grants(municipality_a, tmp_path, "grants.csv", HSI_ACCEPTED)
    evaluate(municipality_a)
    hsi = blocked(municipality_a)["HSI Chicago [Federal]"]
    client.force_login(clerk_a)

    page = client.get(f"/m/{municipality_a.slug}/findings/{hsi.pk}/").content.decode()

    assert f'href="/m/{municipality_a.slug}/grants/{hsi.grant_id}/">HSI Chicago [Federal]' in page
    assert "<td>Accepted</td>" in page and "<td>det.jsmith</td>" in page
    assert "Apr 16, 2024 14:05 CDT" in page
    assert '>grants.csv</a></td><td class="num">2</td>' in page
    assert f"/m/{municipality_a.slug}/grants/?agency_id={hsi.agency_id}" in page
    timeline = client.get(f"/m/{municipality_a.slug}/grants/{hsi.grant_id}/")
    assert timeline.status_code == 200 and "HSI Chicago [Federal]" in timeline.content.decode()


def test_a_bulk_acceptance_shows_its_first_20_acceptances(
    municipality_a, clerk_a, client, django_assert_max_num_queries
):
    log = VendorExportFactory(
        municipality=municipality_a, kind="event_log", original_name="share_events.csv"
    )
    start = local(2024, 4, 16, 14, 2)
    for number in range(30):
        SharingChangeFactory(
            municipality=municipality_a, occurred_at=start + timedelta(seconds=10 * number),
            actor="Smith, Jordan", source_export=log, source_line=number + 2,
            grant__agency=AgencyFactory(name=f"Town{number:02d} TX PD"),
        )  # fmt: skip
    evaluate(municipality_a)
    client.force_login(clerk_a)

    with django_assert_max_num_queries(20):
        page = finding_page(client, municipality_a, "BULK_ACCEPTANCE")

    assert "Town00 TX PD" in page and "Town19 TX PD" in page and "Town20 TX PD" not in page
    assert "Apr 16, 2024 14:02:00 CDT" in page
    assert "Showing 20 of 30." in page
    assert f"/m/{municipality_a.slug}/grants/?accepted_by=Smith%2C+Jordan" in page
    rest = client.get(f"/m/{municipality_a.slug}/grants/", {"accepted_by": "Smith, Jordan"})
    assert "Town29 TX PD" in rest.content.decode()


def test_the_findings_download_carries_the_period(municipality_a, clerk_a, client, tmp_path):
    upload_grants(municipality_a, tmp_path, "grants.csv", ICE_REVOKED)
    evaluate(municipality_a)
    client.force_login(clerk_a)

    response = client.get(f"/m/{municipality_a.slug}/findings/", {"export": "csv"})

    header, row = response.content.decode("utf-8-sig").splitlines()[:2]
    assert header.endswith("Period start,Period end")
    assert "2024-04-16" in row and "2025-09-23" in row
