"""Regressions found in review: a bad row must not end a grant, a request that was never
accepted never let anybody in, a merged agency keeps its findings, a value too long for
the table rejects the file instead of stalling it."""

from datetime import UTC, datetime

import pytest

from apps.agencies.services import agency_merge
from apps.audits.evaluation import municipality_evaluate
from apps.audits.models import Finding
from apps.compliance.forms import RuleForm
from apps.compliance.models import Rule
from apps.core import locks
from apps.municipalities.scoping import municipality_scope, statewide_scope
from apps.sharing.models import Declaration, SharingGrant
from tests.audits.factories import AgencyFactory, SearchEventFactory, SharingGrantFactory
from tests.ingest.test_loading import grant, upload

pytestmark = pytest.mark.django_db

MOTOROLA = (
    "Section,Partner Agency,Partner ORI,Partner State,Sharing Type,Status,"
    "Requested Date,Decision Date,Decided By,Declaration On File,Declaration Date\r\n"
)


def motorola_report(tmp_path, name: str, rows: list[str]):
    path = tmp_path / name
    path.write_text(MOTOROLA + "".join(row + "\r\n" for row in rows))
    return path


def test_a_bad_row_in_a_later_report_does_not_end_the_grant_it_names(tmp_path, municipality_a):
    ok = "Detections Shared,ICE LESC (Williston VT),VTICE0900,VT,One-to-One,Accepted,"
    first = motorola_report(tmp_path, "r1.csv", [ok + "01/02/2024 10:00,01/03/2024 10:00,x,No,"])
    second = motorola_report(tmp_path, "r2.csv", [ok + "01/02/2024 10:00,not a date,x,No,"])

    upload(municipality_a, first, vendor_slug="motorola")
    export = upload(municipality_a, second, vendor_slug="motorola")

    assert export.rows_rejected == 1
    assert any("left as they were" in warning for warning in export.warnings)
    ice = grant(municipality_a, "ICE LESC (Williston VT)")
    assert ice.status == SharingGrant.Status.ACCEPTED


def test_a_request_gone_from_a_later_report_was_denied_not_revoked(tmp_path, municipality_a):
    row = "Detections Shared,Dallas TX PD,,TX,One-to-One,Pending,01/02/2024 10:00,,,No,"
    upload(municipality_a, motorola_report(tmp_path, "r1.csv", [row]), vendor_slug="motorola")
    upload(municipality_a, motorola_report(tmp_path, "r2.csv", []), vendor_slug="motorola")

    assert grant(municipality_a, "Dallas TX PD").status == SharingGrant.Status.DENIED


def test_searches_by_an_agency_whose_request_was_never_accepted_are_flagged(municipality_a):
    dallas = AgencyFactory(name="Dallas TX PD")
    with municipality_scope(municipality_a):
        SharingGrantFactory(
            municipality=municipality_a, agency=dallas, status="denied",
            requested_at=datetime(2024, 1, 1, tzinfo=UTC),
            status_changed_at=datetime(2025, 12, 1, tzinfo=UTC),
        )  # fmt: skip
        SharingGrantFactory(municipality=municipality_a)  # some other, accepted grant
        SearchEventFactory(
            municipality=municipality_a, agency=dallas,
            searched_at=datetime(2024, 6, 1, tzinfo=UTC),
        )  # fmt: skip
        municipality_evaluate(municipality=municipality_a, trigger="manual")
        assert Finding.objects.filter(rule_code="SEARCH_WITHOUT_GRANT", agency=dallas).exists()


def test_a_hot_list_grant_does_not_cover_searches_of_detections(municipality_a):
    phoenix = AgencyFactory(name="Phoenix AZ PD")
    with municipality_scope(municipality_a):
        SharingGrantFactory(municipality=municipality_a, agency=phoenix, data_type="hot_list")
        SearchEventFactory(municipality=municipality_a, agency=phoenix)
        municipality_evaluate(municipality=municipality_a, trigger="manual")
        assert Finding.objects.filter(rule_code="SEARCH_WITHOUT_GRANT", agency=phoenix).exists()


def test_merging_an_agency_with_findings_and_declarations_moves_them(
    municipality_a, django_capture_on_commit_callbacks
):
    typo = AgencyFactory(name="Phoenx AZ PD", is_confirmed=False)
    phoenix = AgencyFactory(name="Phoenix AZ PD")
    with municipality_scope(municipality_a):
        SharingGrantFactory(municipality=municipality_a, agency=typo)
        Declaration.objects.create(
            municipality=municipality_a, agency=typo, received_on=datetime(2025, 1, 1).date()
        )
        SearchEventFactory(municipality=municipality_a, reason_label="vague", agency=typo)
        municipality_evaluate(municipality=municipality_a, trigger="manual")
        assert Finding.objects.filter(agency=typo).exists()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        agency_merge(source=typo, target=phoenix)

    # The locks' own records of their takes are after-commit callbacks too (no-ops).
    queued = [each for each in callbacks if not isinstance(each, locks._TakeRecord)]
    assert queued, "the municipalities touched are queued for evaluation"
    with statewide_scope():
        assert Declaration.objects.get().agency == phoenix
        assert not Finding.objects.filter(agency_id=typo.pk).exists()
    with municipality_scope(municipality_a):
        municipality_evaluate(municipality=municipality_a, trigger="manual")
        vague = Finding.objects.get(rule_code="VAGUE_REASON", status="open")
    assert vague.subject_key == f"agency:{phoenix.pk}"


def test_an_organization_name_longer_than_the_table_holds_still_loads(tmp_path, municipality_a):
    header = ("ID,Name,Org Name,Total Networks Searched,Time Frame,License Plate,Reason,Case #,"
              "Filters,Search Time,Search Type,Text Prompt,Moderation\r\n")  # fmt: skip
    row = (f"d96e4aea-77c3-4c5e-bd72-d78f480298c3,,{'Very Long Agency ' * 20},5,,,"
           "stolen vehicle,,,\"10/03/2025, 02:12:09 PM UTC\",lookup,,\r\n")  # fmt: skip
    path = tmp_path / "long.csv"
    path.write_text(header + row)

    export = upload(municipality_a, path)

    assert export.status == "loaded" and export.rows_loaded == 1


@pytest.mark.parametrize(
    "settings_text",
    [
        '{"min_grants": "ten", "window_minutes": 10}',
        '{"min_grants": 0, "window_minutes": 10}',
        '{"min_grants": 25}',
    ],
)
def test_rule_thresholds_that_the_evaluation_could_not_use_are_refused(settings_text):
    rule = Rule.objects.get(code="BULK_ACCEPTANCE")
    data = {"title": rule.title, "severity": rule.severity, "explanation": rule.explanation,
            "citation": rule.citation, "settings": settings_text, "is_active": True,
            "change_reason": "x"}  # fmt: skip
    assert not RuleForm(data, instance=rule).is_valid()
