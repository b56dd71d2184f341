"""The administration pages for the blocklist, terms and rules, and the municipal pages
for findings and declarations: each change goes through its service and is recorded."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.audits.models import Finding, FindingEvent
from apps.compliance.models import BlocklistEntry, ReasonTerm, Rule
from apps.compliance.services import reason_term_save
from apps.core.models import ChangeRecord
from apps.municipalities.scoping import municipality_scope
from apps.sharing.models import Declaration, SearchEvent
from apps.sharing.services import reasons_reclassify_all
from tests.audits.factories import AgencyFactory, SearchEventFactory, SharingGrantFactory

pytestmark = pytest.mark.django_db


def test_administrator_blocks_an_agency_through_the_page_and_the_change_is_recorded(
    client, administrator
):
    agency = AgencyFactory(name="Acme Detention Services LLC", level="private")
    client.force_login(administrator)

    response = client.post(
        "/state/administration/rules/blocklist/new/",
        {"agency": agency.pk, "reason": "Holds detainees for ICE", "citation": "2-130(b)(2)",
         "change_reason": "Contract came to light"},
    )  # fmt: skip

    assert response.status_code == 302
    entry = BlocklistEntry.objects.get(agency=agency)
    record = ChangeRecord.objects.get(subject_type="compliance.blocklistentry", subject_id=entry.pk)
    assert record.actor == administrator and record.action == "created"
    assert record.reason == "Contract came to light"
    page = client.get(f"/state/administration/rules/blocklist/{entry.pk}/").content.decode()
    assert "Contract came to light" in page


def test_a_bad_pattern_is_refused_with_a_message_and_nothing_saved(client, administrator):
    client.force_login(administrator)

    response = client.post(
        "/state/administration/rules/blocklist/new/",
        {"name_pattern": "(unclosed", "reason": "x", "citation": "y", "change_reason": "z"},
    )

    assert response.status_code == 200
    assert "Not a valid regular expression" in response.content.decode()
    assert not BlocklistEntry.objects.filter(name_pattern="(unclosed").exists()


def test_rule_thresholds_are_edited_as_json_and_recorded(client, administrator):
    rule = Rule.objects.get(code="BULK_ACCEPTANCE")
    client.force_login(administrator)
    form = {"title": rule.title, "severity": "critical", "explanation": rule.explanation,
            "citation": rule.citation, "is_active": "on", "change_reason": "Tighter"}  # fmt: skip

    bad = client.post(f"/state/administration/rules/rules/{rule.pk}/", {**form, "settings": "{"})
    good = client.post(
        f"/state/administration/rules/rules/{rule.pk}/",
        {**form, "settings": '{"min_grants": 10, "window_minutes": 5}'},
    )

    assert "Not valid JSON" in bad.content.decode()
    assert good.status_code == 302
    rule.refresh_from_db()
    assert rule.settings == {"min_grants": 10, "window_minutes": 5}
    assert rule.severity == "critical"
    change = ChangeRecord.objects.filter(subject_type="compliance.rule").latest("at")
    assert change.changes["settings"][1] == {"min_grants": 10, "window_minutes": 5}


@pytest.mark.parametrize(
    ("min_grants", "message"),
    [("9" * 5000, "far too large"), ("100001", "min_grants must be at most 100,000")],
)
def test_a_threshold_too_large_to_read_or_to_use_is_refused(
    client, administrator, min_grants, message
):
    rule = Rule.objects.get(code="BULK_ACCEPTANCE")
    before = dict(rule.settings)
    client.force_login(administrator)

    response = client.post(
        f"/state/administration/rules/rules/{rule.pk}/",
        {"title": rule.title, "severity": rule.severity, "explanation": rule.explanation,
         "citation": rule.citation, "is_active": "on", "change_reason": "Crafted",
         "settings": f'{{"min_grants": {min_grants}, "window_minutes": 5}}'},
    )  # fmt: skip

    assert message in response.content.decode()
    rule.refresh_from_db()
    assert rule.settings == before


def test_the_retire_button_retires_a_blocklist_entry_and_save_keeps_it(client, administrator):
    agency = AgencyFactory(name="Acme Detention Services LLC", level="private")
    entry = BlocklistEntry.objects.create(agency=agency, reason="ICE", citation="2-130(b)(2)")
    client.force_login(administrator)
    url = f"/state/administration/rules/blocklist/{entry.pk}/"
    form = {"agency": agency.pk, "reason": "ICE", "citation": "2-130(b)(2)"}

    client.post(url, {**form, "change_reason": "Wording"})
    entry.refresh_from_db()
    kept = entry.is_active
    client.post(url, {**form, "change_reason": "Contract ended", "retire": "1"})
    entry.refresh_from_db()

    assert kept and not entry.is_active


def test_auditors_cannot_change_rules(client, auditor):
    client.force_login(auditor)
    assert client.get("/state/administration/rules/").status_code == 403


def test_a_new_term_relabels_stored_searches_and_names_the_municipalities_touched(
    municipality_a, municipality_b, administrator
):
    with municipality_scope(municipality_a):
        search = SearchEventFactory(
            municipality=municipality_a, reason="frobnicate", reason_label="none"
        )
    with municipality_scope(municipality_b):
        SearchEventFactory(municipality=municipality_b, reason="stolen car", reason_label="none")

    reason_term_save(
        term=ReasonTerm(label="immigration", phrase="frobnicate", note="test"),
        actor=administrator,
        reason="new slang",
    )
    touched = reasons_reclassify_all()

    assert touched == [municipality_a.pk]
    with municipality_scope(municipality_a):
        assert SearchEvent.objects.get(vendor_search_id=search.vendor_search_id).reason_label == (
            "immigration"
        )
    assert ChangeRecord.objects.filter(subject_type="compliance.reasonterm").exists()


def test_clerk_answers_a_finding_with_a_note_and_a_file(client, clerk_a, municipality_a):
    with municipality_scope(municipality_a):
        grant = SharingGrantFactory(municipality=municipality_a)
        finding = Finding.objects.create(
            municipality=municipality_a, rule_code="FEDERAL_GRANT_REVIEW",
            subject_key=f"grant:{grant.pk}", subject_label=grant.partner_name, severity="medium",
            summary="s", evidence={"count": 1, "files": []}, grant=grant,
            first_seen_at=grant.decided_at, last_seen_at=grant.decided_at,
        )  # fmt: skip
    client.force_login(clerk_a)
    url = f"/m/{municipality_a.slug}/findings/{finding.pk}/"

    refused = client.post(url, {"action": "verify", "note": "self-verified"})
    done = client.post(
        url,
        {"action": "remediate", "note": "Grant revoked in Flock on Oct 2",
         "attachment": SimpleUploadedFile("revocation.pdf", b"%PDF-1.4 test")},
    )  # fmt: skip

    assert refused.status_code == 400  # verifying is not among a clerk's choices
    assert done.status_code == 302
    with municipality_scope(municipality_a):
        event = FindingEvent.objects.get(finding=finding, to_status="remediated")
    assert event.actor == clerk_a and event.note == "Grant revoked in Flock on Oct 2"
    assert event.attachment and "revocation" not in event.attachment.name


def test_clerk_records_a_declaration_for_an_out_of_state_partner(client, clerk_a, municipality_a):
    phoenix = AgencyFactory(name="Phoenix AZ PD")
    with municipality_scope(municipality_a):
        SharingGrantFactory(municipality=municipality_a, agency=phoenix)
    client.force_login(clerk_a)

    response = client.post(
        f"/m/{municipality_a.slug}/declarations/",
        {"agency": phoenix.pk, "received_on": "2025-02-01", "expires_on": "2027-02-01",
         "document": SimpleUploadedFile("declaration.pdf", b"%PDF-1.4 signed")},
    )  # fmt: skip

    assert response.status_code == 302
    with municipality_scope(municipality_a):
        declaration = Declaration.objects.get(agency=phoenix)
    assert declaration.entered_by == clerk_a and declaration.received_on == date(2025, 2, 1)
    assert declaration.document.name.startswith("declarations/")
    assert "declaration.pdf" not in declaration.document.name
