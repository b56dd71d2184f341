"""The portal as each role uses it, in a real browser, with a real Celery worker.

Each journey saves screenshots of its key pages under docs/screenshots/ and checks
every page it visits with axe-core (no serious or critical violation)."""

import re
import time
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from apps.audits.evaluation import municipality_evaluate
from apps.municipalities.scoping import municipality_scope
from apps.vendors.loading import export_load
from apps.vendors.services import export_receive
from tests.accounts.factories import PASSWORD
from tests.browser.conftest import sign_in
from tests.vendors.factories import flock

SAMPLES = Path(__file__).resolve().parent.parent / "ingest" / "samples"

pytestmark = [pytest.mark.celery_worker, pytest.mark.browser]


def load_sample(municipality, name: str, user) -> None:
    path = SAMPLES / name
    with municipality_scope(municipality), path.open("rb") as source:
        received = export_receive(
            municipality=municipality, vendor=flock(), kind="", original_name=name,
            chunks=iter(lambda: source.read(1 << 20), b""), uploaded_by=user, queue=False,
        )  # fmt: skip
        export_load(export_id=received.export.pk)
        municipality_evaluate(municipality=municipality, trigger="upload")


def reload_until(page, condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the page never showed what was expected")
        time.sleep(0.5)
        page.reload()


def test_a_clerk_uploads_an_audit_watches_it_load_and_answers_a_finding(
    page, live_server, celery_worker, clerk_a, municipality_a, shoot, check_accessibility
):
    sign_in(page, live_server, clerk_a.username, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text(municipality_a.name)
    check_accessibility("municipal dashboard")

    page.get_by_role("link", name="Uploads").click()
    page.get_by_label("Vendor").select_option(label="Flock Safety")
    page.locator("#id_file").set_input_files(str(SAMPLES / "flock_network_audit_13col.csv"))
    check_accessibility("upload page")
    page.get_by_role("button", name="Upload").click()

    expect(page.get_by_text("was received and is loading")).to_be_visible()
    expect(page.locator('[data-role="status"]')).to_have_text("Loaded", timeout=60_000)
    expect(page.get_by_text("Rows loaded")).to_be_visible()
    shoot("clerk-export-loaded")
    check_accessibility("export page")

    page.get_by_role("link", name="Findings").first.click()
    reload_until(page, lambda: page.locator("tbody tr a").count() > 0)
    shoot("clerk-findings")
    check_accessibility("findings list")

    page.locator("tbody tr a").first.click()
    page.get_by_label("Action").select_option("acknowledge")
    page.get_by_label("Note").fill("Forwarded to the chief; the share is being reviewed.")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_text("Recorded.")).to_be_visible()
    expect(page.get_by_text("Forwarded to the chief")).to_be_visible()
    shoot("clerk-finding-answered")
    check_accessibility("finding page")


def test_an_auditor_finds_a_red_municipality_and_issues_a_report(
    page, live_server, celery_worker, auditor, clerk_a, municipality_a, shoot,
    check_accessibility,
):  # fmt: skip
    load_sample(municipality_a, "flock_sharing_list.csv", clerk_a)
    sign_in(page, live_server, auditor.username, PASSWORD)

    row = page.locator("tbody tr", has_text=municipality_a.name)
    expect(row).to_contain_text("Red")
    shoot("auditor-statewide")
    check_accessibility("statewide dashboard")

    row.get_by_role("link", name=municipality_a.name).click()
    check_accessibility("municipality dashboard, as auditor")
    page.get_by_role("link", name="Open critical findings").click()
    page.get_by_role("link", name=re.compile("ICE ERO Chicago")).first.click()
    expect(page.get_by_text("625 ILCS 5/2-130(b)(2)")).to_be_visible()
    shoot("auditor-finding")

    page.get_by_role("link", name="Engagements").click()
    page.get_by_label("Title").fill(f"{municipality_a.name} sharing audit")
    page.get_by_label("Municipality").select_option(label=str(municipality_a))
    page.get_by_label("Period start").fill(f"{date.today().year - 1}-01-01")
    page.get_by_label("Period end").fill(date.today().isoformat())
    check_accessibility("engagements page")
    page.get_by_role("button", name="Open").click()

    page.get_by_label(re.compile("BLOCKED_AGENCY_GRANT: ICE ERO Chicago")).check()
    page.get_by_role("button", name="Save the findings covered").click()
    page.get_by_role("button", name="Move to: Fieldwork").click()
    page.get_by_role("button", name="Move to: Draft report").click()
    page.get_by_role("textbox", name="Conclusion").fill(
        "Data was shared with ICE; the grant must be revoked."
    )
    page.get_by_role("button", name="Save the conclusion").click()
    page.get_by_label(re.compile("I confirm: issue the report")).check()
    page.get_by_role("button", name="Move to: Issue the report").click()
    expect(page.get_by_text("Now: Report issued.")).to_be_visible()
    check_accessibility("engagement page")

    page.get_by_role("link", name="Report (web page)").click()
    expect(page.get_by_text("Office of the Illinois Secretary of State")).to_be_visible()
    shoot("auditor-report")
    check_accessibility("report")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes().startswith(b"%PDF")


def test_an_administrator_blocks_an_agency_and_its_partner_turns_red(
    page, live_server, celery_worker, administrator, clerk_a, clerk_b, municipality_a,
    municipality_b, shoot, check_accessibility, tmp_path,
):  # fmt: skip
    sharing = tmp_path / "shares.csv"
    sharing.write_text(
        "Organization Name,Networks Shared With Me,Networks I'm Sharing\r\n"
        'Acme Detention Services LLC ,,"Alder Park IL PD - LPR"\r\n'
        'Cedar Falls IL PD ,,"Alder Park IL PD - LPR"\r\n'
    )
    other = tmp_path / "other.csv"
    other.write_text(
        "Organization Name,Networks Shared With Me,Networks I'm Sharing\r\n"
        'Cedar Falls IL PD ,,"Birch Hollow IL PD - LPR"\r\n'
    )
    for municipality, path, clerk in ((municipality_a, sharing, clerk_a),
                                      (municipality_b, other, clerk_b)):  # fmt: skip
        with municipality_scope(municipality), path.open("rb") as source:
            received = export_receive(
                municipality=municipality, vendor=flock(), kind="", original_name=path.name,
                chunks=iter(lambda source=source: source.read(1 << 20), b""),
                uploaded_by=clerk, queue=False,
            )  # fmt: skip
            export_load(export_id=received.export.pk)
            municipality_evaluate(municipality=municipality, trigger="upload")
    sign_in(page, live_server, administrator.username, PASSWORD)
    page.get_by_role("link", name="Statewide").click()
    expect(page.locator("tbody tr", has_text=municipality_a.name)).not_to_contain_text("Red")

    page.get_by_role("link", name="Rules and lists").click()
    check_accessibility("rules and lists")
    page.get_by_role("link", name="Add an entry").click()
    page.get_by_label("Agency", exact=True).select_option(label="Acme Detention Services LLC")
    page.get_by_label("Reason").fill("Holds detainees for ICE under contract.")
    page.get_by_label("Citation").fill("625 ILCS 5/2-130(b)(2)")
    page.get_by_label("Why this change").fill("The contract came to light in the press.")
    check_accessibility("blocklist entry form")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("1 municipality will be re-evaluated")).to_be_visible()

    page.get_by_role("link", name="Statewide").click()
    reload_until(
        page, lambda: "Red" in page.locator("tbody tr", has_text=municipality_a.name).inner_text()
    )
    expect(page.locator("tbody tr", has_text=municipality_b.name)).not_to_contain_text("Red")
    shoot("admin-after-blocking")

    # The change is in the activity log, with who made it.
    page.get_by_role("link", name="Activity").click()
    entry = page.locator("tbody tr", has_text="Blocklist entry added")
    expect(entry).to_contain_text(administrator.username)
    shoot("admin-activity-log")
    check_accessibility("activity log")

    # The blocked agency's page: who shares with it, its spellings, its history.
    page.get_by_role("link", name="Agencies").click()
    page.get_by_role("link", name="Acme Detention Services LLC").click()
    expect(page.get_by_text("Blocklisted")).to_be_visible()
    page.get_by_role("textbox", name="Spelling").fill("ACME DETENTION SVCS")
    page.get_by_label("Why (kept in the history)").fill("written so in the March list")
    page.get_by_role("button", name="Add spelling").click()
    expect(page.get_by_role("cell", name="ACME DETENTION SVCS", exact=True)).to_be_visible()
    shoot("admin-agency-page")
    check_accessibility("agency page")


def test_an_auditor_learns_who_shared_with_ice_since_when_who_accepted_and_if_it_still_is(
    page, live_server, auditor, shoot, check_accessibility
):
    """Issue 12, acceptance 1: from the statewide dashboard, at most three clicks to who
    shared with ICE, since when, who accepted it and whether it is still active, including
    Riverbend's grant, which its first upload already showed revoked."""
    from django.core.management import call_command

    from apps.municipalities.scoping import statewide_scope
    from apps.sharing.models import SharingGrant

    call_command("seed_demo")
    with statewide_scope():
        riverbend_ice = SharingGrant.objects.get(
            municipality__slug="riverbend", partner_name__startswith="ICE ERO Chicago"
        )
    assert riverbend_ice.status == SharingGrant.Status.REVOKED  # ended before any evaluation
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, live_server, auditor.username, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Statewide")
    shoot("auditor-statewide-question")
    check_accessibility("statewide dashboard")

    clicks = 0
    page.get_by_label("Agency: name, acronym or spelling").fill("ICE")
    page.get_by_role("button", name="Find the grants").click()
    clicks += 1

    rows = page.locator("tbody tr")
    expect(rows.first).to_be_visible()
    # Every row is an ICE component (ICE, its offices, HSI): never a "Police" agency.
    agencies = rows.locator("td:nth-child(3)").all_inner_texts()
    assert agencies and all(
        name in {"U.S. Immigration and Customs Enforcement", "Homeland Security Investigations"}
        for name in agencies
    ), agencies
    riverbend = page.locator(f'tr[data-row="{riverbend_ice.pk}"]')
    expect(riverbend).to_contain_text("Riverbend")
    expect(riverbend).to_contain_text("Revoked")  # is it still active? no
    expect(riverbend).to_contain_text("Smith, Jordan")  # who accepted it
    accepted = riverbend.locator("td:nth-child(11) time")  # since when
    expect(accepted).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT"))
    still_active = rows.filter(has_text="Maple Grove").filter(has_text="ICE ERO Chicago")
    expect(still_active.first).to_contain_text("Accepted")
    shoot("auditor-who-shares-with-ice")
    check_accessibility("grants list, agency ICE")

    riverbend.get_by_role("link", name=re.compile("ICE ERO Chicago")).click()
    clicks += 1
    expect(page.get_by_role("heading", level=1)).to_contain_text("ICE ERO Chicago")
    expect(page.get_by_text("Smith, Jordan").first).to_be_visible()
    expect(page.get_by_text("a.kowalski@riverbendpd.example").first).to_be_visible()
    shoot("auditor-grant-timeline")
    check_accessibility("grant timeline")
    assert clicks <= 3
