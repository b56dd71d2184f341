"""The statewide dashboard: figures, status by the rule the page states, bounded queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.audits.dashboards import municipalities_with_status, statewide_figures
from apps.audits.models import Finding
from apps.compliance.models import BlocklistEntry
from apps.municipalities.models import Municipality
from apps.municipalities.scoping import municipality_scope, statewide_scope
from tests.audits.factories import (
    AgencyFactory,
    SearchEventFactory,
    SharingGrantFactory,
    rollups_rebuild,
    ungranted_deferred,
)
from tests.municipalities.factories import MunicipalityFactory
from tests.vendors.factories import VendorExportFactory

pytestmark = pytest.mark.django_db


def open_finding(municipality, severity: str, key: str = "x") -> None:
    now = timezone.now()
    with municipality_scope(municipality):
        Finding.objects.create(
            municipality=municipality, rule_code="VAGUE_REASON", subject_key=f"{key}:{severity}",
            subject_label="a", severity=severity, summary="s", evidence={},
            first_seen_at=now, last_seen_at=now,
        )  # fmt: skip


def loaded_export(municipality, days_ago: int) -> None:
    export = VendorExportFactory(municipality=municipality, status="loaded")
    with municipality_scope(municipality):
        type(export).objects.filter(pk=export.pk).update(
            received_at=timezone.now() - timedelta(days=days_ago)
        )


def statuses() -> dict[str, str]:
    rollups_rebuild()
    with statewide_scope():
        return dict(municipalities_with_status().values_list("slug", "status"))


def test_status_follows_the_rule_written_on_the_page(db):
    red, amber_high, amber_stale, _never, green = (
        MunicipalityFactory(slug=slug, name=slug)
        for slug in ("red", "amber-high", "amber-stale", "never", "green")
    )
    for municipality in (red, amber_high, green):
        loaded_export(municipality, days_ago=3)
    loaded_export(amber_stale, days_ago=60)
    open_finding(red, "critical")
    open_finding(red, "high")
    open_finding(amber_high, "high")
    open_finding(green, "low")

    assert statuses() == {
        "red": "red", "amber-high": "amber", "amber-stale": "amber", "never": "amber",
        "green": "green",
    }  # fmt: skip


def test_headline_figures_count_what_they_say(municipality_a, municipality_b):
    ice = AgencyFactory(name="ICE Test Office", level="federal")
    BlocklistEntry.objects.create(agency=ice, reason="r", citation="c")
    with municipality_scope(municipality_a):
        SharingGrantFactory(municipality=municipality_a, agency=ice)
        SharingGrantFactory(municipality=municipality_a)
        SharingGrantFactory(municipality=municipality_a, status="revoked")
        SearchEventFactory(municipality=municipality_a, reason_label="immigration",
                           searched_at=timezone.now() - timedelta(days=2))  # fmt: skip
        SearchEventFactory(municipality=municipality_a, reason_label="immigration",
                           searched_at=timezone.now() - timedelta(days=90))  # fmt: skip
    open_finding(municipality_b, "critical")
    loaded_export(municipality_b, days_ago=1)
    rollups_rebuild()

    with statewide_scope():
        figures = statewide_figures()

    assert figures["active_grants"] == 2 and figures["blocked_grants"] == 1
    assert figures["flagged_searches_30d"] == 1
    assert figures["open_findings"]["critical"] == 1
    assert figures["municipalities"] == 2 and figures["reporting"] == 1 and figures["red"] == 1


def test_the_dashboard_costs_the_same_queries_for_ten_and_a_thousand_municipalities(
    client, auditor
):
    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/state/")
        assert response.status_code == 200
        return len(captured)

    client.force_login(auditor)
    Municipality.objects.bulk_create(
        Municipality(name=f"Town {n}", slug=f"town-{n}") for n in range(10)
    )
    for municipality in Municipality.objects.all()[:5]:
        open_finding(municipality, "high")
    rollups_rebuild()
    queries_for_page()  # fills the blocklist cache, a one-off whatever the data's size
    few = queries_for_page()

    Municipality.objects.bulk_create(
        Municipality(name=f"City {n}", slug=f"city-{n}") for n in range(990)
    )
    for municipality in Municipality.objects.filter(slug__startswith="city-")[:200]:
        open_finding(municipality, "critical")
    rollups_rebuild()
    many = queries_for_page()

    assert few == many, (few, many)
    page = client.get("/state/?status=red").content.decode()
    assert "City 1" in page and "Town 1<" not in page


def test_the_municipality_dashboard_costs_the_same_queries_for_10_and_1000_rows(
    client, clerk_a, municipality_a
):
    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/m/{municipality_a.slug}/")
        assert response.status_code == 200
        return len(captured)

    def add(count: int) -> None:
        # Rows differ by agency (the page ranks agencies); one file holds them all.
        with municipality_scope(municipality_a), ungranted_deferred():
            for _ in range(count):
                SharingGrantFactory(municipality=municipality_a, source_export=sharing_list)
                SearchEventFactory(
                    municipality=municipality_a, reason_label="immigration", source_export=audit
                )
        rollups_rebuild()

    with municipality_scope(municipality_a):
        sharing_list = VendorExportFactory(municipality=municipality_a, kind="sharing_list")
        audit = VendorExportFactory(municipality=municipality_a)

    client.force_login(clerk_a)
    add(10)
    queries_for_page()  # fills the caches
    few = queries_for_page()
    add(990)
    many = queries_for_page()

    assert few == many
    page = client.get(f"/m/{municipality_a.slug}/").content.decode()
    assert "Top searching agencies" in page and "Sharing grants" in page
