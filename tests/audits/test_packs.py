"""Rule packs per state (issue 15, acceptance 3): a municipality is judged by its own
state's law, read from a Flock SharedNetworks export in Flock's layout.

The lists are made with the samples' generator (tests/ingest/samples/
make_flock_sharing_list.py) and loaded as an upload is; the expected findings come from
the statutes (Cal. Civ. Code 1798.90.55(b), Va. Code 2.2-5517, 625 ILCS 5/2-130), not
from the evaluation.
"""

import importlib.util

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.audits.evaluation import (
    municipalities_changed,
    municipalities_evaluate,
    municipality_evaluate,
)
from apps.audits.models import Finding
from apps.audits.selectors import findings_for_export
from apps.compliance.models import Rule, RulePack
from apps.compliance.packs import pack_municipality_ids
from apps.compliance.services import rule_save
from apps.core.models import ChangeRecord
from apps.core.queueing import task_named
from apps.municipalities.scoping import municipality_scope
from apps.vendors.models import VendorExport
from tests.ingest.test_loading import SAMPLES, upload
from tests.municipalities.factories import MunicipalityFactory

from .factories import SharingGrantFactory

pytestmark = pytest.mark.django_db

_spec = importlib.util.spec_from_file_location(
    "make_flock_sharing_list", SAMPLES / "make_flock_sharing_list.py"
)
make = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make)

ARIZONA_FLORIDA = {"Casa Grande AZ PD", "Pinal County AZ SO", "Polk County FL SO", "Ocala FL PD"}
CALIFORNIA = {"Kings County Sheriff's Office CA", "Kestrelmont CA PD", "Pinebrook County CA SO"}
VETERANS_AFFAIRS = "[Federal] Loma Verde CA Veterans Affairs PD"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def sea_cliff_list(tmp_path):
    path = tmp_path / "SharedNetworks_2025_December_30.xlsx"
    make.write_xlsx(path, make.partner_rows(make.SEA_CLIFF_NETWORKS, make.SEA_CLIFF_PARTNERS))
    return path


@pytest.fixture
def blue_ridge_list(tmp_path):
    path = tmp_path / "SharedNetworks_2026_January_12.xlsx"
    make.write_xlsx(path, make.partner_rows(make.BLUE_RIDGE_NETWORKS, make.BLUE_RIDGE_PARTNERS))
    return path


def loaded_and_evaluated(municipality, path):
    export = upload(municipality, path)
    assert export.status == VendorExport.Status.LOADED, export.message
    with municipality_scope(municipality):
        municipality_evaluate(municipality=municipality, trigger="manual")
        return {
            (row["rule"], row["subject"]): row
            for row in findings_for_export()
            if row["status"] == Finding.Status.OPEN
        }


def test_a_california_municipality_is_flagged_for_exactly_its_federal_and_out_of_state_partners(
    sea_cliff_list,
):
    sea_cliff = MunicipalityFactory(
        name="Sea Cliff County", state="CA", police_department="Sea Cliff County CA SO"
    )

    found = loaded_and_evaluated(sea_cliff, sea_cliff_list)

    assert set(found) == {("OUT_OF_STATE_GRANT", name) for name in ARIZONA_FLORIDA} | {
        ("FEDERAL_GRANT", VETERANS_AFFAIRS)
    }
    for row in found.values():
        assert "1798.90.55(b)" in row["citation"]
        assert row["severity"] == "high"
        assert row["evidence"].startswith("SharedNetworks_2025_December_30.xlsx line ")
    assert "outside CA" in found[("OUT_OF_STATE_GRANT", "Ocala FL PD")]["summary"]


def test_the_same_list_under_an_illinois_municipality_gives_the_illinois_findings(
    sea_cliff_list,
):
    alder_park = MunicipalityFactory(name="Alder Park", state="IL")

    found = loaded_and_evaluated(alder_park, sea_cliff_list)

    # Every state partner is out of Illinois, California's too; the federal one is for
    # review (not blocklisted); no declaration is on file for any.
    assert set(found) == {
        ("OUT_OF_STATE_NO_DECLARATION", name) for name in ARIZONA_FLORIDA | CALIFORNIA
    } | {("FEDERAL_GRANT_REVIEW", VETERANS_AFFAIRS)}
    for (rule, _), row in found.items():
        assert "1798.90.55" not in row["citation"]
        expected = "2-130(c)" if rule == "OUT_OF_STATE_NO_DECLARATION" else "2-130(b)"
        assert expected in row["citation"]


def test_a_virginia_municipality_may_share_only_within_virginia(blue_ridge_list):
    blue_ridge = MunicipalityFactory(
        name="Blue Ridge Hollow", state="VA", police_department="Blue Ridge Hollow VA PD"
    )

    found = loaded_and_evaluated(blue_ridge, blue_ridge_list)

    # Virginia's pack has no rule on private entities: Lowe's is no finding there.
    assert set(found) == {
        ("OUT_OF_STATE_GRANT", "Pine Gap NC PD"),
        ("OUT_OF_STATE_GRANT", "Laurel Ford TN PD"),
        ("FEDERAL_GRANT", "[Federal] Salem Crossing VA Veterans Affairs PD"),
    }
    for row in found.values():
        assert "2.2-5517" in row["citation"]


def test_a_municipality_of_a_state_without_a_pack_is_judged_by_the_home_states(
    sea_cliff_list, settings
):
    settings.PORTAL_HOME_STATE = "IL"
    kenosha = MunicipalityFactory(name="Lake Kenning", state="WI")

    found = loaded_and_evaluated(kenosha, sea_cliff_list)

    # Illinois' rules, and "out of state" is outside Wisconsin.
    assert {rule for rule, _ in found} == {"OUT_OF_STATE_NO_DECLARATION", "FEDERAL_GRANT_REVIEW"}
    out_of_state = {name for rule, name in found if rule == "OUT_OF_STATE_NO_DECLARATION"}
    assert out_of_state == ARIZONA_FLORIDA | CALIFORNIA


def test_a_rule_change_re_evaluates_only_the_municipalities_its_pack_judges(
    sea_cliff_list, administrator, django_capture_on_commit_callbacks, monkeypatch
):
    california = MunicipalityFactory(name="Sea Cliff County", state="CA")
    illinois = MunicipalityFactory(name="Alder Park", state="IL")
    elsewhere = MunicipalityFactory(name="Lake Kenning", state="WI")
    california_pack = RulePack.objects.get(state="CA")

    assert pack_municipality_ids(california_pack) == [california.pk]
    assert pack_municipality_ids(RulePack.objects.get(state="IL")) == sorted(
        [illinois.pk, elsewhere.pk]
    )

    queued = []
    monkeypatch.setattr(
        type(task_named("audits.evaluations_dispatch")),
        "delay",
        lambda self, **kwargs: queued.append((self.name, kwargs)),
    )
    rule = Rule.objects.get(pack=california_pack, code="FEDERAL_GRANT")
    rule.severity = "critical"
    with django_capture_on_commit_callbacks(execute=True):
        rule_save(rule=rule, actor=administrator, reason="Federal access is the gravest")
    assert queued == [
        ("audits.evaluations_dispatch", {"municipality_ids": [california.pk], "trigger": "manual"})
    ]
    found = loaded_and_evaluated(california, sea_cliff_list)
    assert found[("FEDERAL_GRANT", VETERANS_AFFAIRS)]["severity"] == "critical"
    assert Rule.objects.get(pack__state="VA", code="FEDERAL_GRANT").severity == "high"


def test_a_batch_of_three_packs_sends_as_many_statements_as_one_illinois_municipality():
    """The packs ride in the rules' statements as bound ids: no statement per pack."""
    municipalities = [MunicipalityFactory(state=state) for state in ("IL", "CA", "VA")]
    for municipality in municipalities:
        SharingGrantFactory(municipality=municipality)

    def statements(ids: list[int]) -> int:
        municipalities_evaluate(ids, trigger="manual")  # the findings exist: a steady run
        with CaptureQueriesContext(connection) as queries:
            municipalities_evaluate(ids, trigger="manual")
        return len(queries.captured_queries)

    assert statements([municipalities[0].pk]) == statements([m.pk for m in municipalities])


def test_a_change_to_a_packs_rule_makes_the_nightly_run_evaluate_again(sea_cliff_list):
    sea_cliff = MunicipalityFactory(name="Sea Cliff County", state="CA")
    loaded_and_evaluated(sea_cliff, sea_cliff_list)
    assert municipalities_changed([sea_cliff.pk], trigger="nightly") == []

    Rule.objects.filter(pack__state="CA", code="OUT_OF_STATE_GRANT").update(severity="critical")

    assert municipalities_changed([sea_cliff.pk], trigger="nightly") == [sea_cliff.pk]


# --- the administration pages -------------------------------------------------------------


def test_administrators_see_each_pack_with_its_rules_and_citations(client, administrator):
    client.force_login(administrator)

    catalogue = client.get("/state/administration/rules/").content.decode()
    california = RulePack.objects.get(state="CA")
    page = client.get(f"/state/administration/rules/packs/{california.pk}/").content.decode()

    for pack in RulePack.objects.all():
        assert f"{pack.state}: {pack.name}" in catalogue
    assert "Cal. Civ. Code 1798.90.55(b)" in catalogue and "Va. Code 2.2-5517" in catalogue
    for rule in california.rules.all():
        assert f"/state/administration/rules/rules/{rule.pk}/" in page
    assert "OUT_OF_STATE_NO_DECLARATION" not in page  # Illinois' rule, not California's
    assert "2023-DLE-06" in page


def test_a_packs_basis_is_edited_with_its_history(client, administrator):
    california = RulePack.objects.get(state="CA")
    client.force_login(administrator)
    url = f"/state/administration/rules/packs/{california.pk}/"
    basis = california.basis + " Read with Civ. Code 1798.90.51."

    response = client.post(
        url, {"name": california.name, "basis": basis, "change_reason": "The security section"}
    )

    assert response.status_code == 302
    california.refresh_from_db()
    assert california.basis == basis
    record = ChangeRecord.objects.get(subject_type="compliance.rulepack", subject_id=california.pk)
    assert record.actor == administrator and set(record.changes) == {"basis"}
    assert "The security section" in client.get(url).content.decode()


def test_a_rule_of_a_pack_is_edited_with_its_history_and_its_pack_named(client, administrator):
    rule = Rule.objects.get(pack__state="CA", code="PRIVATE_ENTITY_GRANT")
    client.force_login(administrator)
    url = f"/state/administration/rules/rules/{rule.pk}/"
    form = {"title": rule.title, "severity": "low", "explanation": rule.explanation,
            "citation": rule.citation, "is_active": "on", "settings": "{}",
            "change_reason": "Review first"}  # fmt: skip

    assert "California pack" in client.get(url).content.decode()
    client.post(url, form)

    rule.refresh_from_db()
    assert rule.severity == "low"
    # Illinois' rule of the same code is its own.
    assert Rule.objects.get(pack__state="IL", code="PRIVATE_ENTITY_GRANT").severity == "medium"
    record = ChangeRecord.objects.get(subject_type="compliance.rule", subject_id=rule.pk)
    assert record.changes == {"severity": ["high", "low"]}


def test_a_municipal_clerk_cannot_see_nor_change_a_pack(client, clerk_a):
    california = RulePack.objects.get(state="CA")
    client.force_login(clerk_a)
    url = f"/state/administration/rules/packs/{california.pk}/"

    assert client.get(url).status_code in (403, 404)
    client.post(url, {"name": "x", "basis": "y", "change_reason": "z"})
    california.refresh_from_db()
    assert california.name == "California"


def test_a_finding_whose_rule_leaves_the_pack_closes_saying_so(sea_cliff_list):
    """A municipality recorded in Illinois, then in California: the Illinois findings
    close because Illinois' rules no longer judge it, not because the sharing stopped."""
    town = MunicipalityFactory(name="Sea Cliff", state="IL", police_department="Sea Cliff PD")
    found = loaded_and_evaluated(town, sea_cliff_list)
    assert ("OUT_OF_STATE_NO_DECLARATION", "Polk County FL SO") in found

    town.state = "CA"
    town.save(update_fields=["state"])
    with municipality_scope(town):
        municipality_evaluate(municipality=town, trigger="manual")
        gone = Finding.objects.get(rule_code="OUT_OF_STATE_NO_DECLARATION",
                                   subject_label__contains="Polk County FL SO")  # fmt: skip
    assert gone.status == Finding.Status.CLOSED
    assert gone.close_cause == (
        "The rule no longer applies here: it is not an active rule of the CA pack that judges"
        " this municipality."
    )
