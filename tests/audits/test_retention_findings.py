"""Findings after a retention: the searches before its cutoff are gone, and evaluation
keeps what findings recorded of them instead of counting them again. Retention is
simulated here (the searches deleted, a `SearchRetention` row, the day rollup recounted);
tests/sharing/test_partitions.py runs the real command."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from apps.audits.models import Finding
from apps.compliance.models import Rule
from apps.municipalities.scoping import statewide_scope
from apps.sharing.models import SearchEvent, SearchRetention
from apps.sharing.rollups import search_days_rebuild
from apps.vendors.models import VendorExport
from tests.vendors.factories import VendorExportFactory

from .factories import AgencyFactory, SearchEventFactory
from .test_rules import evaluate, the_finding

pytestmark = pytest.mark.django_db

APRIL = datetime(2025, 4, 10, 15, tzinfo=UTC)
JUNE = datetime(2025, 6, 10, 15, tzinfo=UTC)
KEPT_FROM = datetime(2025, 5, 1, tzinfo=UTC)


def vague_searches(municipality, export, agency, times) -> list[SearchEvent]:
    return [
        SearchEventFactory(
            municipality=municipality,
            agency=agency,
            source_export=export,
            searched_at=at,
            reason="inv",
            reason_label="vague",
        )
        for at in times
    ]


def loaded(municipality, *, period_start, finished_at=None) -> VendorExport:
    export = VendorExportFactory(municipality=municipality)
    with statewide_scope():
        VendorExport.objects.filter(pk=export.pk).update(
            period_start=period_start, finished_at=finished_at
        )
    return export


def retention() -> None:
    with statewide_scope():
        dropped = SearchEvent.objects.filter(searched_at__lt=KEPT_FROM)
        count = dropped.count()
        dropped.delete()
        SearchRetention.objects.create(kept_from=KEPT_FROM, partitions=["x"], searches=count)
    search_days_rebuild()


def vague_finding(municipality, *, april: int, june: int, period_start=APRIL) -> Finding:
    export = loaded(municipality, period_start=period_start)
    vague_searches(municipality, export, AgencyFactory(), [APRIL] * april + [JUNE] * june)
    evaluate(municipality)
    finding = the_finding(municipality, "VAGUE_REASON")
    assert finding.evidence["count"] == april + june
    retention()
    return finding


def set_minimum(minimum: int) -> None:
    with statewide_scope():
        rule = Rule.objects.get(code="VAGUE_REASON")
        rule.settings = {**rule.settings, "min_searches": minimum}
        rule.save()


def test_a_finding_keeps_its_dropped_searches_and_counts_the_rest(municipality_a):
    before = vague_finding(municipality_a, april=4, june=1)

    run = evaluate(municipality_a)

    after = the_finding(municipality_a, "VAGUE_REASON")
    assert (after.status, after.evidence, after.summary) == (
        before.status,
        before.evidence,
        before.summary,
    )
    assert run.counts["closed"] == 0


def test_the_rule_s_minimum_counts_the_dropped_searches(municipality_a):
    # Five searches, four of them dropped: the one left alone is under the minimum of
    # three, but the finding stands on all five.
    set_minimum(3)
    vague_finding(municipality_a, april=4, june=1)

    evaluate(municipality_a)

    after = the_finding(municipality_a, "VAGUE_REASON")
    assert (after.status, after.evidence["count"]) == (Finding.Status.OPEN, 5)


def test_a_file_of_unknown_dates_may_have_lost_searches(municipality_a):
    vague_finding(municipality_a, april=4, june=1, period_start=None)

    evaluate(municipality_a)

    assert the_finding(municipality_a, "VAGUE_REASON").evidence["count"] == 5


def test_a_finding_wholly_before_the_cutoff_stays_until_its_rule_is_turned_off(municipality_a):
    vague_finding(municipality_a, april=4, june=0)

    evaluate(municipality_a)
    assert the_finding(municipality_a, "VAGUE_REASON").status == Finding.Status.OPEN

    with statewide_scope():
        Rule.objects.filter(code="VAGUE_REASON").update(is_active=False)
    evaluate(municipality_a)
    assert the_finding(municipality_a, "VAGUE_REASON").status == Finding.Status.CLOSED


def test_a_file_loaded_after_the_retention_is_counted_again_in_full(municipality_a):
    # Old searches uploaded after the retention are all still there: a relabelled one
    # leaves the count, as it would without any retention.
    retention()
    export = loaded(
        municipality_a, period_start=APRIL, finished_at=timezone.now() + timedelta(minutes=1)
    )
    searches = vague_searches(municipality_a, export, AgencyFactory(), [APRIL] * 3)
    evaluate(municipality_a)
    assert the_finding(municipality_a, "VAGUE_REASON").evidence["count"] == 3

    with statewide_scope():
        SearchEvent.objects.filter(pk=searches[0].pk).update(reason_label="none")
    search_days_rebuild()
    evaluate(municipality_a)

    assert the_finding(municipality_a, "VAGUE_REASON").evidence["count"] == 2
