"""Skipping what cannot have changed: each run keeps a fingerprint of its inputs, and the
nightly run evaluates only the municipalities whose inputs changed since their last run.

Two municipalities share nothing: Alder Park shares with an out-of-state sheriff and has
searches; Birch Hollow shares with a local police department. Each change to one kind of
input must make its municipality (and, for a per-municipality input, only it) evaluate
again; the rest are recorded "unchanged"."""

import re
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.agencies.models import Agency
from apps.agencies.services import agency_merge
from apps.audits import fingerprints
from apps.audits.evaluation import _context, municipalities_changed, municipalities_evaluate
from apps.audits.fingerprints import fingerprints_compute
from apps.audits.models import EvaluationRun, Finding, FindingEvent, MunicipalityStatus
from apps.audits.services import finding_transition
from apps.audits.tasks import evaluate_all
from apps.compliance.models import BlocklistEntry, ReasonTerm, Rule
from apps.municipalities.models import Municipality
from apps.municipalities.scoping import statewide_scope
from apps.sharing.models import Declaration, SharingGrant
from apps.sharing.partitions import searches_months_ensure
from apps.sharing.rollups import search_days_rebuild
from tests.vendors.factories import VendorExportFactory

from .factories import AgencyFactory, SearchEventFactory, SharingGrantFactory
from .test_batches import wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def state(municipality_a, municipality_b):
    """Both municipalities with grants and searches, evaluated once (as after uploads)."""
    sheriff = AgencyFactory(name="Ward County TX SO")
    local = AgencyFactory(name="Oak Lawn IL PD")
    searcher = AgencyFactory(name="Cedar Falls IA PD")
    alder_grant = SharingGrantFactory(municipality=municipality_a, agency=sheriff)
    SharingGrantFactory(municipality=municipality_b, agency=local)
    SearchEventFactory(municipality=municipality_a, agency=searcher, reason_label="vague")
    search_days_rebuild()
    municipalities_evaluate([municipality_a.pk, municipality_b.pk], trigger="upload")
    return {"sheriff": sheriff, "local": local, "searcher": searcher, "grant": alder_grant}


def nightly() -> set[int]:
    """The municipalities the nightly run would queue (it records the others unchanged)."""
    return set(municipalities_changed(Municipality.objects.values_list("pk", flat=True),
                                      trigger="nightly"))  # fmt: skip


def runs(municipality, outcome: str) -> int:
    with statewide_scope():
        return EvaluationRun.objects.filter(municipality=municipality, outcome=outcome).count()


def test_a_state_nobody_changed_is_skipped_and_recorded_unchanged(
    state, municipality_a, municipality_b
):
    assert nightly() == set()
    assert nightly() == set()

    assert runs(municipality_a, "unchanged") == runs(municipality_b, "unchanged") == 2
    with statewide_scope():
        last = EvaluationRun.objects.filter(municipality=municipality_a).first()
        assert last.outcome == "unchanged" and last.trigger == "nightly"
        # The dashboard's "last evaluation" shows the check.
        assert MunicipalityStatus.objects.get(municipality=municipality_a).last_evaluation == (
            last.started_at
        )


def test_a_new_export_makes_its_municipality_evaluate_again(state, municipality_a):
    VendorExportFactory(municipality=municipality_a)

    assert nightly() == {municipality_a.pk}


def test_new_searches_make_their_municipality_evaluate_again(state, municipality_b):
    # A load writes its export's row and the searches, by an agency already known.
    export = VendorExportFactory(municipality=municipality_b, kind="network_audit")
    SearchEventFactory(
        municipality=municipality_b, agency=state["searcher"], source_export=export,
        reason_label="immigration",
    )  # fmt: skip

    assert nightly() == {municipality_b.pk}


def test_a_grant_change_makes_its_municipality_evaluate_again(state, municipality_a):
    with statewide_scope():
        SharingGrant.objects.filter(pk=state["grant"].pk).update(status="revoked")

    assert nightly() == {municipality_a.pk}


def test_a_declaration_makes_its_municipality_evaluate_again(state, municipality_a):
    Declaration.objects.create(
        municipality=municipality_a, agency=state["sheriff"], received_on=timezone.localdate()
    )

    assert nightly() == {municipality_a.pk}


def test_a_blocklist_entry_makes_every_municipality_evaluate_again(
    state, municipality_a, municipality_b
):
    BlocklistEntry.objects.create(agency=state["searcher"], reason="test", citation="2-130(b)")

    assert nightly() == {municipality_a.pk, municipality_b.pk}


def test_a_rule_setting_makes_every_municipality_evaluate_again(
    state, municipality_a, municipality_b
):
    rule = Rule.objects.get(code="OUT_OF_STATE_NO_DECLARATION")
    rule.settings = {**rule.settings, "max_age_days": 365}
    rule.save()

    assert nightly() == {municipality_a.pk, municipality_b.pk}


def test_a_reason_term_makes_every_municipality_evaluate_again(
    state, municipality_a, municipality_b
):
    ReasonTerm.objects.create(label="immigration", phrase="midway blitz")

    assert nightly() == {municipality_a.pk, municipality_b.pk}


# The agency directory is one input shared by all: any change to it evaluates everyone.
def test_an_agency_moving_state_makes_every_municipality_evaluate_again(
    state, municipality_a, municipality_b
):
    Agency.objects.filter(pk=state["local"].pk).update(state="IN")

    assert nightly() == {municipality_a.pk, municipality_b.pk}


def test_an_agency_merge_makes_every_municipality_evaluate_again(
    state, municipality_a, municipality_b
):
    agency_merge(source=state["searcher"], target=AgencyFactory(name="Cedar Falls Iowa PD"))

    assert nightly() == {municipality_a.pk, municipality_b.pk}


def test_a_new_oldest_month_of_searches_makes_every_municipality_evaluate_again(
    state, municipality_a, municipality_b
):
    # The oldest monthly partition is an input shared by all: retention drops it; here
    # an older month arrives (a late file), which moves it the other way.
    searches_months_ensure(months=[date(2001, 1, 1)])

    assert nightly() == {municipality_a.pk, municipality_b.pk}


def test_a_municipality_of_its_own_changes_only_itself(state, municipality_b):
    Municipality.objects.filter(pk=municipality_b.pk).update(ori="IL0160500")

    assert nightly() == {municipality_b.pk}


def test_an_auditors_step_makes_its_municipality_evaluate_again(state, municipality_a, auditor):
    with statewide_scope():
        finding = Finding.objects.get(municipality=municipality_a, rule_code="VAGUE_REASON")
        finding_transition(finding=finding, action="dismiss", actor=auditor, note="Training data.")

    assert nightly() == {municipality_a.pk}


def shift_today(monkeypatch, days: int) -> None:
    """Make `timezone.localdate()` (today, with no argument) `days` later."""
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        if value is not None:
            return real(value, timezone)
        return real() + timedelta(days=days)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)


def test_a_declaration_expiring_makes_its_municipality_evaluate_that_day(
    state, municipality_a, monkeypatch
):
    today = timezone.localdate()
    Declaration.objects.create(
        municipality=municipality_a,
        agency=state["sheriff"],
        received_on=today - timedelta(days=10),
        expires_on=today + timedelta(days=5),
    )
    municipalities_evaluate([municipality_a.pk], trigger="manual")
    with statewide_scope():
        assert not Finding.objects.filter(rule_code="OUT_OF_STATE_NO_DECLARATION", status="open")

    shift_today(monkeypatch, 5)  # the last day it covers the grant
    assert nightly() == set()

    shift_today(monkeypatch, 6)
    assert nightly() == {municipality_a.pk}
    municipalities_evaluate([municipality_a.pk], trigger="nightly", force=False)
    with statewide_scope():
        assert Finding.objects.get(
            municipality=municipality_a, rule_code="OUT_OF_STATE_NO_DECLARATION", status="open"
        )
    assert nightly() == set()  # and quiet again the day after


def test_a_declaration_without_an_end_ages_out_after_the_rules_maximum_age(
    state, municipality_a, monkeypatch
):
    received = timezone.localdate() - timedelta(days=700)
    Declaration.objects.create(
        municipality=municipality_a, agency=state["sheriff"], received_on=received
    )
    municipalities_evaluate([municipality_a.pk], trigger="manual")

    shift_today(monkeypatch, 30)  # 730 days after it was received: still valid
    assert nightly() == set()
    shift_today(monkeypatch, 31)
    assert nightly() == {municipality_a.pk}


def test_a_batch_checks_again_under_its_locks_and_skips_what_an_upload_evaluated(
    state, municipality_a, municipality_b
):
    VendorExportFactory(municipality=municipality_a)
    queued = nightly()
    # An upload's run (always evaluated) comes before the nightly batch.
    municipalities_evaluate([municipality_a.pk], trigger="upload")

    batch = municipalities_evaluate(sorted(queued), trigger="nightly", force=False)

    assert batch[municipality_a.pk].outcome == "unchanged"


def test_a_forced_batch_evaluates_even_unchanged_municipalities(state, municipality_a):
    batch = municipalities_evaluate([municipality_a.pk], trigger="nightly", force=True)

    assert batch[municipality_a.pk].outcome == "succeeded"
    assert batch[municipality_a.pk].inputs_fingerprint


def test_evaluate_all_skips_unchanged_municipalities_unless_forced(
    state, municipality_a, municipality_b, capsys
):
    call_command("evaluate", all=True)
    assert runs(municipality_a, "unchanged") == runs(municipality_b, "unchanged") == 1
    assert "alder-park: unchanged" in capsys.readouterr().out

    call_command("evaluate", all=True, force=True)

    assert runs(municipality_a, "succeeded") == runs(municipality_b, "succeeded") == 2
    assert "alder-park: opened 0" in capsys.readouterr().out


def test_the_fingerprints_never_read_the_searches_table(state, municipality_a, municipality_b):
    with statewide_scope():
        context = _context(list(Municipality.objects.order_by("pk")))
        with CaptureQueriesContext(connection) as queries:
            fingerprints_compute(context)
    plans = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            if query["sql"].startswith("SET "):
                continue
            cursor.execute("EXPLAIN (FORMAT JSON) " + query["sql"])
            plans.append(str(cursor.fetchone()[0]))
    read = {name for plan in plans for name in re.findall(r"'Relation Name': '(\w+)'", plan)}
    assert "vendors_vendorexport" in read  # the loads stand in for their searches
    searches = ("sharing_searchevent", "sharing_searchday")
    assert not {name for name in read if name.startswith(searches)}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_second_nightly_run_through_the_workers_skips_all_and_changes_nothing(
    celery_worker, state, municipality_a, municipality_b
):
    def snapshot():
        with statewide_scope():
            return (
                list(Finding.objects.order_by("pk").values()),
                FindingEvent.objects.count(),
            )

    evaluate_all.delay(trigger="nightly", force=True)
    wait_for(lambda: runs(municipality_a, "succeeded") + runs(municipality_b, "succeeded") == 4,
             60, "the forced nightly run")  # fmt: skip
    before = snapshot()

    evaluate_all.delay(trigger="nightly")

    wait_for(lambda: runs(municipality_a, "unchanged") + runs(municipality_b, "unchanged") == 2,
             60, "the second nightly run")  # fmt: skip
    assert runs(municipality_a, "succeeded") + runs(municipality_b, "succeeded") == 4
    assert snapshot() == before


def test_the_statewide_form_of_the_check_gives_the_same_fingerprints(
    state, municipality_a, municipality_b, monkeypatch
):
    with statewide_scope():
        context = _context(list(Municipality.objects.order_by("pk")))
        few = fingerprints_compute(context)
        monkeypatch.setattr(fingerprints, "_MANY", 0)  # the form the nightly run uses
        many = fingerprints_compute(context)

    assert few == many
    assert len(set(few.values())) == 2  # and the two municipalities' differ


def test_a_change_to_another_states_pack_leaves_a_municipality_skipped(
    state, municipality_a, municipality_b
):
    """Only the pack that judges a municipality is in its fingerprint: a California rule's
    new severity re-evaluates California's municipalities, not Illinois'."""

    def queued_then_evaluated() -> set[int]:
        changed = nightly()
        municipalities_evaluate(sorted(changed), trigger="nightly")
        return changed

    Municipality.objects.filter(pk=municipality_b.pk).update(state="CA")
    assert queued_then_evaluated() == {municipality_b.pk}  # its own row moved
    Rule.objects.filter(pack__state="CA", code="FEDERAL_GRANT").update(severity="critical")
    assert queued_then_evaluated() == {municipality_b.pk}
    Rule.objects.filter(pack__state="IL", code="FEDERAL_GRANT_REVIEW").update(severity="high")
    assert queued_then_evaluated() == {municipality_a.pk}
